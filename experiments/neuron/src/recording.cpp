#include "silico/neuron/recording.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>

namespace silico::experiments {
namespace {

bool is_identifier(std::string_view name) {
    if (name.empty() || !(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_')) return false;
    for (char c : name)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
    return true;
}

// A hoc section reference: identifiers, optionally indexed ("dend[12]") and dotted for sections that live
// in objects ("cell.soma[0]").
bool is_section_name(std::string_view name) {
    if (name.empty()) return false;
    std::size_t start = 0;
    while (start <= name.size()) {
        std::size_t end = name.find('.', start);
        if (end == std::string_view::npos) end = name.size();
        std::string_view part = name.substr(start, end - start);
        if (const std::size_t open = part.find('['); open != std::string_view::npos) {
            if (part.back() != ']' || open + 2 > part.size() - 1) return false;
            for (char c : part.substr(open + 1, part.size() - open - 2))
                if (!std::isdigit(static_cast<unsigned char>(c))) return false;
            part = part.substr(0, open);
        }
        if (!is_identifier(part)) return false;
        start = end + 1;
    }
    return true;
}

Result<bool> is_membrane(Simulator& simulator, std::string_view section, std::string_view mechanism) {
    if (auto ok = simulator.hoc(fmt::format("{} silico_has_ = ismembrane(\"{}\")", section, mechanism)); !ok)
        return std::unexpected(ok.error());
    auto has = simulator.eval("silico_has_");
    if (!has) return std::unexpected(has.error());
    return *has != 0.0;
}

// The mechanisms (ions as "<ion>_ion") whose presence would give a bare hoc name `name`.
std::vector<std::string> owners_of(std::string_view name) {
    std::vector<std::string> out;
    if (name.size() > 1 && (name.back() == 'i' || name.back() == 'o'))
        out.push_back(std::string(name.substr(0, name.size() - 1)) + "_ion");  // cai, nao
    if (name.size() > 1 && (name.front() == 'i' || name.front() == 'e'))
        out.push_back(std::string(name.substr(1)) + "_ion");  // ica, ek
    for (std::size_t u = name.find('_'); u != std::string_view::npos; u = name.find('_', u + 1))
        if (u + 1 < name.size()) out.emplace_back(name.substr(u + 1));  // gbar_Ca_LVAst
    return out;
}

}  // namespace

Result<bool> section_has_variable(Simulator& simulator, std::string_view section, std::string_view variable) {
    if (!is_section_name(section))
        return fail(Errc::invalid_argument, fmt::format("'{}' is not a hoc section name", section));
    if (variable == "v") return true;
    auto hoc_name = hoc_variable_name(variable);
    if (!hoc_name) return std::unexpected(hoc_name.error());
    const std::size_t dot = variable.find('.');
    const std::vector<std::string> owners =
        dot != std::string_view::npos ? std::vector<std::string>{std::string(variable.substr(0, dot))}
                                      : owners_of(*hoc_name);
    for (const auto& owner : owners) {
        if (!is_identifier(owner)) continue;
        auto has = is_membrane(simulator, section, owner);
        if (!has) return std::unexpected(has.error().within(fmt::format("{} in {}", variable, section)));
        if (*has) return true;
    }
    return false;
}

Result<std::string> hoc_variable_name(std::string_view variable) {
    if (const std::size_t dot = variable.find('.'); dot != std::string_view::npos) {
        const std::string_view mechanism = variable.substr(0, dot);
        const std::string_view name = variable.substr(dot + 1);
        if (!is_identifier(mechanism) || !is_identifier(name))
            return fail(Errc::invalid_argument, fmt::format("'{}' is not a variable (expected e.g. "
                                                            "'Ca_LVAst.ica' or 'ica_Ca_LVAst')",
                                                            variable));
        return fmt::format("{}_{}", name, mechanism);
    }
    if (!is_identifier(variable))
        return fail(Errc::invalid_argument, fmt::format("'{}' is not a variable name", variable));
    return std::string(variable);
}

Result<std::string> hoc_reference(const Probe& probe) {
    if (!is_section_name(probe.at.section))
        return fail(Errc::invalid_argument, fmt::format("'{}' is not a hoc section name", probe.at.section),
                    probe.name);
    if (!(probe.at.x >= 0.0 && probe.at.x <= 1.0))
        return fail(Errc::invalid_argument, fmt::format("position x = {} is outside [0, 1]", probe.at.x),
                    probe.name);
    auto variable = hoc_variable_name(probe.variable);
    if (!variable) return std::unexpected(variable.error().within(probe.name));
    return fmt::format("&{}.{}({})", probe.at.section, *variable, probe.at.x);
}

}  // namespace silico::experiments
