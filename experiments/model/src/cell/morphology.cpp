#include "silico/model/morphology.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <sstream>

#include "cell/morphology_validate.hpp"

namespace silico::experiments {

int Morphology::soma_id() const {
    for (const auto& s : sections)
        if (s.label == k_label_soma) return s.id;
    return -1;
}

Result<std::string> read_text_file(const std::filesystem::path& file) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec))
        return fail(Errc::not_found, "no such file", file.string());
    std::ifstream in(file, std::ios::binary);
    if (!in) return fail(Errc::io, "cannot open for reading", file.string());
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (in.bad()) return fail(Errc::io, "read failed", file.string());
    return buffer.str();
}

Result<Morphology> read_morphology(const std::filesystem::path& file) {
    std::string ext = file.extension().string();
    std::ranges::transform(ext, ext.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (ext == ".hoc") return read_hoc(file);
    if (ext == ".swc") return read_swc(file);
    return fail(Errc::invalid_argument, "unknown morphology format '" + ext + "' (expected .hoc or .swc)",
                file.string());
}

namespace detail {

namespace {

std::string where(const Morphology& m, const MorphologySection& s) {
    return m.source + ":" + std::to_string(s.line);
}

}  // namespace

Status validate_morphology(const Morphology& m) {
    if (m.sections.empty()) return fail(Errc::parse, "no sections", m.source);
    int soma = -1;
    const int n = static_cast<int>(m.sections.size());
    for (const auto& s : m.sections) {
        if (s.label == k_label_soma) {
            if (soma >= 0)
                return fail(
                    Errc::parse,
                    "second soma section '" + s.name + "' (the first is '" + m.sections[soma].name + "')",
                    where(m, s));
            soma = s.id;
        }
        if (s.points.size() < 2)
            return fail(Errc::parse,
                        "section '" + s.name + "' has " + std::to_string(s.points.size()) +
                            " 3D point(s); at least 2 are needed",
                        where(m, s));
        double length = 0;
        for (std::size_t i = 0; i < s.points.size(); ++i) {
            if (s.points[i].d < 0)
                return fail(Errc::parse, "section '" + s.name + "' has a negative diameter", where(m, s));
            if (i > 0) {
                const auto &a = s.points[i - 1], &b = s.points[i];
                length += std::sqrt((a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y) +
                                    (a.z - b.z) * (a.z - b.z));
            }
        }
        if (!(length > 0) || !std::isfinite(length))
            return fail(Errc::parse, "section '" + s.name + "' has zero length (all its points coincide)",
                        where(m, s));
    }
    if (soma < 0) return fail(Errc::parse, "no soma section", m.source);
    for (const auto& s : m.sections) {
        if (s.id == soma) continue;
        if (s.parent_id < 0 || s.parent_id >= n || s.parent_id == s.id)
            return fail(Errc::parse, "section '" + s.name + "' is not connected to a parent", where(m, s));
        if (!(s.parent_x >= 0 && s.parent_x <= 1))
            return fail(Errc::parse, "section '" + s.name + "' connects at x outside [0, 1]", where(m, s));
    }
    // Every section must reach the soma: follow parents, remembering sections already known to reach it.
    std::vector<char> reaches(m.sections.size(), 0);
    reaches[soma] = 1;
    std::vector<int> path;
    for (const auto& s : m.sections) {
        path.clear();
        int current = s.id;
        while (!reaches[current]) {
            path.push_back(current);
            if (path.size() > m.sections.size())
                return fail(Errc::parse,
                            "section '" + s.name + "' does not lead to the soma (a cycle of connects)",
                            where(m, s));
            current = m.sections[current].parent_id;
        }
        for (int id : path) reaches[id] = 1;
    }
    return {};
}

}  // namespace detail

}  // namespace silico::experiments
