// SWC morphology reader. ISF has none; the conversion to sections follows Amira hoc exports (a child
// section starts at its parent's last point) so SWC and hoc cells go through the same builder.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "cell/morphology_validate.hpp"
#include "io/text.hpp"
#include "silico/model/morphology.hpp"

namespace silico::experiments {

namespace {

struct Row {
    long long id = 0;
    int type = 0;
    Point3d point;  // d = 2 * radius
    long long parent = -1;
    int line = 0;
};

std::string_view label_of(int type) {
    switch (type) {
        case 1:
            return k_label_soma;
        case 2:
            return k_label_axon;
        case 3:
            return k_label_dendrite;
        default:
            return k_label_apical;
    }
}

std::string_view name_prefix(int type) {
    switch (type) {
        case 2:
            return "axon";
        case 3:
            return "dend";
        default:
            return "apical";
    }
}

std::optional<long long> parse_integral(std::string_view s) {
    if (auto i = detail::parse_int(s)) return *i;
    auto d = detail::parse_finite_double(s);  // some exporters write 1.0 for ids
    if (d && std::floor(*d) == *d && std::fabs(*d) < 9e15) return static_cast<long long>(*d);
    return std::nullopt;
}

class SwcReader {
  public:
    explicit SwcReader(std::string_view source) : m_source(source) {}

    Result<Morphology> run(std::string_view text) {
        Status status = detail::for_each_line(text, [&](std::size_t number, std::string_view line) {
            return read_line(static_cast<int>(number), line);
        });
        if (!status) return std::unexpected(status.error());
        if (auto s = check_content(); !s) return std::unexpected(s.error());
        if (auto s = link(); !s) return std::unexpected(s.error());
        Morphology m;
        m.source = m_source;
        if (auto s = build_soma(m); !s) return std::unexpected(s.error());
        build_sections(m);
        if (auto s = detail::validate_morphology(m); !s) return std::unexpected(s.error());
        return m;
    }

  private:
    std::unexpected<Error> error(int line, const std::string& message) const {
        return fail(Errc::parse, message, m_source + ":" + std::to_string(line));
    }
    std::unexpected<Error> error(const std::string& message) const {
        return fail(Errc::parse, message, m_source);
    }

    Status read_line(int number, std::string_view line) {
        auto hash = line.find('#');
        if (hash != std::string_view::npos) line = line.substr(0, hash);
        auto fields = detail::split_whitespace(line);
        if (fields.empty()) return {};
        if (fields.size() < 7)
            return error(number, "an SWC line has 7 fields (id type x y z radius parent), this one has " +
                                     std::to_string(fields.size()) +
                                     (fields.size() == 6 ? " (no radius?)" : ""));
        Row row;
        row.line = number;
        auto id = parse_integral(fields[0]);
        auto type = parse_integral(fields[1]);
        auto x = detail::parse_finite_double(fields[2]), y = detail::parse_finite_double(fields[3]),
             z = detail::parse_finite_double(fields[4]), r = detail::parse_finite_double(fields[5]);
        auto parent = parse_integral(fields[6]);
        if (!id || !type || !x || !y || !z || !r || !parent)
            return error(number, "malformed SWC line '" + detail::excerpt(line) + "'");
        if (*type == 0)
            return error(number, "point " + std::to_string(*id) +
                                     " has type 0 (undefined): the file carries no section types "
                                     "(1 soma, 2 axon, 3 basal, 4 apical), which a simulation needs");
        if (*type < 1 || *type > 4)
            return error(number, "point " + std::to_string(*id) + " has type " + std::to_string(*type) +
                                     "; silico reads 1 soma, 2 axon, 3 basal dendrite, 4 apical dendrite");
        if (!(*r > 0))
            return error(number,
                         "point " + std::to_string(*id) +
                             " has radius <= 0: the file carries no diameters, which a simulation needs");
        if (m_index.contains(*id)) return error(number, "point id " + std::to_string(*id) + " appears twice");
        row.id = *id;
        row.type = static_cast<int>(*type);
        row.point = Point3d{*x, *y, *z, 2 * *r};
        row.parent = *parent < 0 ? -1 : *parent;
        m_index.emplace(row.id, static_cast<int>(m_rows.size()));
        m_rows.push_back(row);
        return {};
    }

    Status check_content() const {
        if (m_rows.empty()) return error("no points");
        bool typed = false, same_radius = true;
        for (const auto& r : m_rows) {
            typed = typed || r.type != 1;
            same_radius = same_radius && r.point.d == m_rows.front().point.d;
        }
        const bool placeholder_radii = same_radius && m_rows.size() > 1;
        const std::string radius = fmt::format("{}", m_rows.front().point.d / 2);
        if (!typed && placeholder_radii)
            return error(
                "the file carries neither section types (every point has type 1, soma) nor diameters "
                "(every radius is " +
                radius +
                "); a simulation needs both (types 1 soma, 2 axon, "
                "3 basal, 4 apical, and real radii)");
        if (!typed)
            return error(
                "every point has type 1 (soma): the file carries no section types (2 axon, 3 basal, "
                "4 apical), which a simulation needs");
        if (placeholder_radii)
            return error("every point has the same radius (" + radius +
                         "): the file carries no diameters (a placeholder), which a simulation needs");
        return {};
    }

    Status link() {
        const int n = static_cast<int>(m_rows.size());
        m_children.assign(n, {});
        m_root = -1;
        for (int i = 0; i < n; ++i) {
            const auto& r = m_rows[i];
            if (r.parent < 0) {
                if (m_root >= 0)
                    return error(r.line, "a second root point (parent -1); the first is on line " +
                                             std::to_string(m_rows[m_root].line));
                m_root = i;
                continue;
            }
            auto it = m_index.find(r.parent);
            if (it == m_index.end())
                return error(r.line, "point " + std::to_string(r.id) + " names unknown parent " +
                                         std::to_string(r.parent));
            if (it->second == i) return error(r.line, "point " + std::to_string(r.id) + " is its own parent");
            m_children[it->second].push_back(i);
        }
        if (m_root < 0) return error("no root point (a point whose parent is -1)");
        if (m_rows[m_root].type != 1)
            return error(m_rows[m_root].line, "the root point is not a soma point (type 1)");
        // Everything must hang off the root: count what a walk from it reaches.
        std::vector<int> stack{m_root};
        int reached = 0;
        while (!stack.empty()) {
            int i = stack.back();
            stack.pop_back();
            ++reached;
            for (int c : m_children[i]) stack.push_back(c);
        }
        if (reached != n) return error("some points do not lead to the root point (a cycle of parents)");
        return {};
    }

    // The soma section: a chain of type-1 points from the root, the three-point NeuroMorpho soma, or a
    // single point read as a cylinder of length and diameter 2r (the sphere's area).
    Status build_soma(Morphology& m) {
        auto soma_children = [&](int i) {
            std::vector<int> out;
            for (int c : m_children[i])
                if (m_rows[c].type == 1) out.push_back(c);
            return out;
        };
        auto chain_from = [&](int i, std::vector<int>& out) -> Status {
            while (true) {
                auto next = soma_children(i);
                if (next.empty()) return {};
                if (next.size() > 1)
                    return error(m_rows[i].line,
                                 "soma points branch; silico reads a soma that is one chain of "
                                 "points, a three-point soma or a single point");
                i = next.front();
                out.push_back(i);
            }
        };
        std::vector<int> order;
        auto first = soma_children(m_root);
        if (first.size() > 2)
            return error(m_rows[m_root].line,
                         "soma points branch; silico reads a soma that is one chain of points, "
                         "a three-point soma or a single point");
        if (first.size() == 2) {
            std::vector<int> left{first[0]}, right{first[1]};
            if (auto s = chain_from(first[0], left); !s) return s;
            if (auto s = chain_from(first[1], right); !s) return s;
            order.assign(left.rbegin(), left.rend());
            order.push_back(m_root);
            order.insert(order.end(), right.begin(), right.end());
        } else {
            order.push_back(m_root);
            if (first.size() == 1) {
                order.push_back(first[0]);
                if (auto s = chain_from(first[0], order); !s) return s;
            }
        }
        MorphologySection soma;
        soma.id = 0;
        soma.name = "soma";
        soma.label = std::string(k_label_soma);
        soma.parent_id = -1;
        soma.line = m_rows[m_root].line;
        if (order.size() == 1) {
            auto p = m_rows[m_root].point;
            double r = p.d / 2;
            soma.points = {{p.x, p.y - r, p.z, p.d}, {p.x, p.y, p.z, p.d}, {p.x, p.y + r, p.z, p.d}};
            m_soma_x[m_root] = 0.5;
        } else {
            for (int i : order) soma.points.push_back(m_rows[i].point);
            double total = 0;
            std::vector<double> arc{0};
            for (std::size_t k = 1; k < order.size(); ++k) {
                const auto &a = soma.points[k - 1], &b = soma.points[k];
                total += std::sqrt((a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y) +
                                   (a.z - b.z) * (a.z - b.z));
                arc.push_back(total);
            }
            for (std::size_t k = 0; k < order.size(); ++k)
                m_soma_x[order[k]] = total > 0 ? arc[k] / total : 0.5;
        }
        for (const auto& r : m_rows)
            if (r.type == 1 && !m_soma_x.contains(m_index.at(r.id)))
                return error(r.line,
                             "soma point " + std::to_string(r.id) + " is not part of the soma at the root");
        m.sections.push_back(std::move(soma));
        return {};
    }

    // Unbranched runs of same-type points become sections, created depth-first in file order.
    void build_sections(Morphology& m) {
        struct Start {
            int point;
            int parent_section;
        };
        std::vector<Start> stack;
        std::vector<int> soma_points;
        for (const auto& [index, x] : m_soma_x) soma_points.push_back(index);
        std::ranges::sort(soma_points);
        // Push in reverse so the stack pops children in file order.
        std::vector<Start> roots;
        for (int s : soma_points)
            for (int c : m_children[s])
                if (m_rows[c].type != 1) roots.push_back({c, 0});
        std::ranges::sort(roots, {}, &Start::point);
        for (auto it = roots.rbegin(); it != roots.rend(); ++it) stack.push_back(*it);
        std::unordered_map<int, int> counters;
        while (!stack.empty()) {
            auto [start, parent_section] = stack.back();
            stack.pop_back();
            const Row& first = m_rows[start];
            MorphologySection section;
            section.id = static_cast<int>(m.sections.size());
            section.label = std::string(label_of(first.type));
            section.name =
                std::string(name_prefix(first.type)) + "_" + std::to_string(counters[first.type]++);
            section.parent_id = parent_section;
            section.line = first.line;
            int parent_point = m_index.at(first.parent);
            bool from_soma = m_rows[parent_point].type == 1;
            section.parent_x = from_soma ? m_soma_x.at(parent_point) : 1.0;
            if (!from_soma) section.points.push_back(m_rows[parent_point].point);
            int current = start;
            section.points.push_back(first.point);
            while (m_children[current].size() == 1 && m_rows[m_children[current][0]].type == first.type) {
                current = m_children[current][0];
                section.points.push_back(m_rows[current].point);
            }
            if (section.points.size() == 1) {  // a one-point branch off the soma: start it at the soma point
                auto p = m_rows[parent_point].point;
                section.points.insert(section.points.begin(), Point3d{p.x, p.y, p.z, first.point.d});
            }
            const int id = section.id;
            m.sections.push_back(std::move(section));
            const auto& kids = m_children[current];
            for (auto it = kids.rbegin(); it != kids.rend(); ++it) stack.push_back({*it, id});
        }
    }

    std::string m_source;
    std::vector<Row> m_rows;
    std::unordered_map<long long, int> m_index;
    std::vector<std::vector<int>> m_children;
    std::unordered_map<int, double> m_soma_x;  // soma point index -> x along the soma section
    int m_root = -1;
};

}  // namespace

Result<Morphology> parse_swc(std::string_view text, std::string_view source_name) {
    return SwcReader(source_name).run(text);
}

Result<Morphology> read_swc(const std::filesystem::path& file) {
    auto text = read_text_file(file);
    if (!text) return std::unexpected(text.error());
    return parse_swc(*text, file.string());
}

}  // namespace silico::experiments
