#include "silico/model/synapse_files.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_map>

#include "io/text.hpp"
#include "silico/model/morphology.hpp"

namespace silico::experiments {

using detail::for_each_line;
using detail::parse_double;
using detail::parse_int;
using detail::split_any;
using detail::trim;
using detail::where;

namespace {

template <class Types>
std::ptrdiff_t find_type(const Types& types, std::string_view name) {
    for (std::size_t i = 0; i < types.size(); ++i)
        if (types[i].name == name) return static_cast<std::ptrdiff_t>(i);
    return -1;
}

// Data lines are tab-separated; ISF splits on whitespace, so tolerate spaces too but require 3 fields.
std::vector<std::string_view> fields_of(std::string_view line) {
    std::vector<std::string_view> out;
    for (auto f : split_any(line, "\t "))
        if (!f.empty()) out.push_back(f);
    return out;
}

}  // namespace

std::ptrdiff_t SynapseDistribution::find(std::string_view name) const {
    return find_type(types, name);
}

std::size_t SynapseDistribution::synapse_count() const {
    std::size_t n = 0;
    for (const auto& t : types) n += t.synapses.size();
    return n;
}

std::ptrdiff_t ConnectionMap::find(std::string_view name) const {
    return find_type(types, name);
}

Result<SynapseDistribution> parse_syn(std::string_view text, std::string_view source) {
    SynapseDistribution out;
    std::unordered_map<std::string, std::size_t> index;
    Status s = for_each_line(text, [&](std::size_t n, std::string_view line) -> Status {
        line = trim(line);
        if (line.empty() || line.front() == '#') return {};
        auto f = fields_of(line);
        if (f.size() != 3)
            return fail(Errc::parse,
                        "expected 3 fields <type> <section ID> <x>, found " + std::to_string(f.size()),
                        where(source, n));
        auto section = parse_int(f[1]);
        auto x = parse_double(f[2]);
        if (!section || *section < 0)
            return fail(Errc::parse, "section ID '" + std::string(f[1]) + "' is not a non-negative integer",
                        where(source, n));
        if (!x || !(*x >= 0.0 && *x <= 1.0))
            return fail(Errc::parse, "x '" + std::string(f[2]) + "' is not a number in [0, 1]",
                        where(source, n));
        std::string name(f[0]);
        auto [it, inserted] = index.try_emplace(name, out.types.size());
        if (inserted) out.types.push_back(SynapseType{name, {}});
        out.types[it->second].synapses.push_back({static_cast<int>(*section), *x});
        return {};
    });
    if (!s) return std::unexpected(s.error());
    return out;
}

Result<SynapseDistribution> read_syn_file(const std::filesystem::path& file) {
    auto text = read_text_file(file);
    if (!text) return std::unexpected(text.error());
    return parse_syn(*text, file.string());
}

Result<ConnectionMap> parse_con(std::string_view text, std::string_view source) {
    ConnectionMap out;
    std::unordered_map<std::string, std::size_t> index;
    std::size_t header_lines = 0;
    Status s = for_each_line(text, [&](std::size_t n, std::string_view line) -> Status {
        line = trim(line);
        if (!line.empty() && line.front() == '#') {
            if (++header_lines == 2) out.anatomical_id = std::string(trim(line.substr(1)));
            return {};
        }
        if (line.empty()) return {};
        auto f = fields_of(line);
        if (f.size() != 3)
            return fail(Errc::parse,
                        "expected 3 fields <type> <cell ID> <synapse ID>, found " + std::to_string(f.size()),
                        where(source, n));
        auto cell = parse_int(f[1]);
        auto syn = parse_int(f[2]);
        if (!cell || *cell < 0 || *cell > 0xffffffffll)
            return fail(Errc::parse, "cell ID '" + std::string(f[1]) + "' is not a non-negative integer",
                        where(source, n));
        if (!syn || *syn < 0 || *syn > 0xffffffffll)
            return fail(Errc::parse, "synapse ID '" + std::string(f[2]) + "' is not a non-negative integer",
                        where(source, n));
        std::string name(f[0]);
        auto [it, inserted] = index.try_emplace(name, out.types.size());
        if (inserted) out.types.push_back(ConnectionType{name, {}});
        out.types[it->second].connections.push_back(
            {static_cast<std::uint32_t>(*cell), static_cast<std::uint32_t>(*syn)});
        return {};
    });
    if (!s) return std::unexpected(s.error());
    return out;
}

Result<ConnectionMap> read_con_file(const std::filesystem::path& file) {
    auto text = read_text_file(file);
    if (!text) return std::unexpected(text.error());
    return parse_con(*text, file.string());
}

Result<std::vector<ConnectedCellCount>> parse_connected_cells(std::string_view text,
                                                              std::string_view source) {
    std::vector<ConnectedCellCount> out;
    bool header = false;
    Status s = for_each_line(text, [&](std::size_t n, std::string_view line) -> Status {
        if (trim(line).empty()) return {};
        auto f = split_any(line, "\t");
        if (!header) {
            header = true;
            if (f.size() < 3 || trim(f[0]) != "Presynaptic column")
                return fail(Errc::parse,
                            "expected header 'Presynaptic column<TAB>Presynaptic cell type<TAB>Connected "
                            "presynaptic cells'",
                            where(source, n));
            return {};
        }
        if (f.size() != 3)
            return fail(Errc::parse, "expected 3 tab-separated fields, found " + std::to_string(f.size()),
                        where(source, n));
        auto cells = parse_int(f[2]);
        if (!cells || *cells < 0)
            return fail(Errc::parse, "cell count '" + std::string(f[2]) + "' is not a non-negative integer",
                        where(source, n));
        out.push_back({std::string(trim(f[0])), std::string(trim(f[1])), *cells});
        return {};
    });
    if (!s) return std::unexpected(s.error());
    if (!header) return fail(Errc::parse, "empty file, expected a header line", std::string(source));
    return out;
}

Result<std::vector<ConnectedCellCount>> read_connected_cells_file(const std::filesystem::path& file) {
    auto text = read_text_file(file);
    if (!text) return std::unexpected(text.error());
    return parse_connected_cells(*text, file.string());
}

}  // namespace silico::experiments
