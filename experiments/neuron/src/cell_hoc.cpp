// hoc_program(): the statements that build a CellModel in NEURON. NEURON-free so it can be inspected and
// tested; NeuronCell::instantiate runs it chunk by chunk.
#include <fmt/format.h>

#include "silico/neuron/neuron_cell.hpp"

namespace silico::experiments {

namespace {

// Shortest text that reads back as the same double (hoc parses with strtod).
std::string num(double v) {
    return fmt::format("{}", v);
}

bool all_equal(const std::vector<double>& v) {
    for (double x : v)
        if (x != v.front()) return false;
    return true;
}

std::string section_chunk(const CellSection& s, const std::string& name, bool points_in_vectors) {
    std::string out = name + " {\n";
    out += "pt3dclear()\n";
    if (points_in_vectors) {
        out += fmt::format("pt3dadd({}x, {}y, {}z, {}d)\n", k_pt3d_vectors, k_pt3d_vectors, k_pt3d_vectors,
                           k_pt3d_vectors);
    } else {
        for (const auto& p : s.points)
            out += fmt::format("pt3dadd({}, {}, {}, {})\n", num(p.x), num(p.y), num(p.z), num(p.d));
    }
    // NEURON scales the arcs of the 3D points to an imposed length (nrn_length_change).
    if (s.imposed_length) out += fmt::format("L = {}\n", num(s.length));
    out += fmt::format("nseg = {}\n", s.nseg);
    for (const auto& [prop, value] : s.properties) out += fmt::format("{} = {}\n", prop, num(value));
    for (const auto& m : s.mechanisms) {
        out += "insert " + m.name + "\n";
        const bool ion = m.name.find("_ion") != std::string::npos;
        for (std::size_t k = 0; k < m.parameters.size(); ++k) {
            const std::string var = ion ? m.parameters[k] : m.parameters[k] + "_" + m.name;
            const auto& values = m.values[k];
            if (ion || all_equal(values)) {
                out += fmt::format("{} = {}\n", var, num(values.front()));
            } else {
                for (int i = 0; i < s.nseg; ++i)
                    out += fmt::format("{}({}) = {}\n", var, num(s.segment_x(i)),
                                       num(values[static_cast<std::size_t>(i)]));
            }
        }
    }
    for (const auto& [ion, value] : s.ions) out += fmt::format("{} = {}\n", ion, num(value));
    out += "}\n";
    return out;
}

// ISF's _add_spines / _add_spines_ar: F = 1 + area*density*L / (membrane area of the section's segments).
std::string spine_chunk(const CellSection& s, const std::string& name) {
    std::string out;
    for (const auto& m : s.mechanisms) {
        std::string scaled;
        if (m.name == "pas")
            scaled = "g_pas";
        else if (m.name == "ar")
            scaled = "g0_ar";
        else
            continue;
        out += fmt::format(
            "{} {{ silico_spine_a = 0  for (x, 0) silico_spine_a += area(x)\n"
            "silico_spine_f = 1 + {} * {} * L / silico_spine_a\n"
            "cm = cm(0.5) * silico_spine_f\n"
            "for (x, 0) {}(x) = {}(x) * silico_spine_f }}\n",
            name, num(s.spines->area), num(s.spines->density), scaled, scaled);
    }
    return out;
}

}  // namespace

std::vector<std::string> hoc_program(const CellModel& cell, std::string_view prefix, bool points_in_vectors) {
    const auto& sections = cell.sections();
    auto name = [&](int id) { return fmt::format("{}[{}]", prefix, id); };
    std::vector<std::string> program;
    program.push_back(fmt::format("{{create {}[{}]}}\n", prefix, sections.size()));
    for (const auto& s : sections) program.push_back(section_chunk(s, name(s.id), points_in_vectors));
    std::string connects;
    for (const auto& s : sections)
        if (s.parent_id >= 0)
            connects +=
                fmt::format("connect {}(0), {}({})\n", name(s.id), name(s.parent_id), num(s.parent_x));
    if (!connects.empty()) program.push_back(connects);
    std::string spines;
    for (const auto& s : sections)
        if (s.spines) spines += spine_chunk(s, name(s.id));
    if (!spines.empty()) program.push_back(spines);
    // Cell modify functions' diameters (ISF's pt3dchange after biophysics; nseg already fixed).
    std::string diameters;
    for (const auto& s : sections) {
        bool changed = false;
        for (std::size_t i = 0; i < s.points.size(); ++i)
            changed = changed || s.diameters[i] != s.points[i].d;
        if (!changed) continue;
        diameters += name(s.id) + " {\n";
        for (std::size_t i = 0; i < s.points.size(); ++i)
            diameters += fmt::format("pt3dchange({}, {})\n", i, num(s.diameters[i]));
        diameters += "}\n";
    }
    if (!diameters.empty()) program.push_back(diameters);
    std::string globals;
    for (const auto& g : cell.parameters().mech_globals)
        globals += fmt::format("{{{}_{} = {}}}\n", g.parameter, g.mechanism, num(g.value));
    if (!globals.empty()) program.push_back(globals);
    return program;
}

}  // namespace silico::experiments
