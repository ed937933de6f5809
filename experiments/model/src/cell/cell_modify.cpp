// Cell modify functions (ISF single_cell_parser/cell_modify_functions/) and their registry.
#include "cell/cell_modify_registry.hpp"
#include "named_registry.hpp"
#include "silico/model/cell_model.hpp"

namespace silico::experiments {

namespace {

Status no_arguments(const nlohmann::ordered_json& kwargs) {
    if (!kwargs.empty()) return fail(Errc::validation, "takes no arguments, got " + kwargs.dump());
    return {};
}

// Robert Egger's scaling of morphology 86: the first 33 apical sections (ID order) whose D2 at x = 1 is at
// most 1000 µm get 2.5 times their file diameters. Rescaling the file diameters (not the current ones) makes
// it idempotent, as in ISF.
Status scale_apical_morph_86(CellModel& cell, const nlohmann::ordered_json& kwargs) {
    if (auto s = no_arguments(kwargs); !s) return s;
    constexpr double k_scale = 2.5;
    int count = 0;
    for (const auto& s : cell.sections()) {
        if (s.label != k_label_apical) continue;
        if (cell.distance_to_soma(s.id, 1.0) > 1000.0) continue;
        if (count > 32) break;
        ++count;
        std::vector<double> d;
        for (const auto& p : s.points) d.push_back(k_scale * p.d);
        cell.set_diameters(s.id, std::move(d));
    }
    return {};
}

// scale_apical(scale, compartment="ApicalDendrite"): every apical section's file diameters times `scale`.
// ISF's compartment "Trunk" needs its detailed-label heuristics, which silico does not implement.
Status scale_apical(CellModel& cell, const nlohmann::ordered_json& kwargs) {
    double scale = 0;
    std::string compartment = "ApicalDendrite";
    for (const auto& [key, value] : kwargs.items()) {
        if (key == "scale") {
            if (!value.is_number() || !(value.get<double>() > 0))
                return fail(Errc::validation, "scale must be a positive number");
            scale = value.get<double>();
        } else if (key == "compartment") {
            if (!value.is_string()) return fail(Errc::validation, "compartment must be a string");
            compartment = value.get<std::string>();
        } else {
            return fail(Errc::validation, "unknown argument '" + key + "' (scale, compartment)");
        }
    }
    if (scale == 0) return fail(Errc::validation, "missing argument 'scale'");
    if (compartment != "ApicalDendrite")
        return fail(Errc::validation, "compartment '" + compartment +
                                          "' is not supported (silico scales the ApicalDendrite label only)");
    for (const auto& s : cell.sections()) {
        if (s.label != k_label_apical) continue;
        std::vector<double> d;
        for (const auto& p : s.points) d.push_back(scale * p.d);
        cell.set_diameters(s.id, std::move(d));
    }
    return {};
}

detail::NamedRegistry<CellModifyFunction>& registry() {
    static detail::NamedRegistry<CellModifyFunction> r{
        {"scale_apical_morph_86", scale_apical_morph_86},
        {"scale_apical", scale_apical},
    };
    return r;
}

}  // namespace

void register_cell_modify_function(std::string name, CellModifyFunction function) {
    registry().add(std::move(name), std::move(function));
}

std::vector<std::string> cell_modify_function_names() {
    return registry().names();
}

namespace detail {

std::optional<CellModifyFunction> find_cell_modify_function(std::string_view name) {
    return registry().find(name);
}

}  // namespace detail

}  // namespace silico::experiments
