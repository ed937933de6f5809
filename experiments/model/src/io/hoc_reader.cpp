// ISF/Amira hoc morphology reader (ISF single_cell_parser/reader.py::read_hoc_file), line by line like it,
// with strict errors.
#include <map>

#include "cell/morphology_validate.hpp"
#include "io/text.hpp"
#include "silico/model/morphology.hpp"

namespace silico::experiments {

namespace {

using detail::contains;
using detail::excerpt;

struct PendingConnect {
    std::string parent;
    double x = 1;
    int line = 0;
};

class HocReader {
  public:
    explicit HocReader(std::string_view source) { m_morphology.source = std::string(source); }

    Result<Morphology> run(std::string_view text) {
        Status status = detail::for_each_line(text, [&](std::size_t number, std::string_view line) {
            return read_line(static_cast<int>(number), line);
        });
        if (!status) return std::unexpected(status.error());
        if (auto s = check_last_section(); !s) return std::unexpected(s.error());
        if (auto s = resolve_parents(); !s) return std::unexpected(s.error());
        if (auto s = detail::validate_morphology(m_morphology); !s) return std::unexpected(s.error());
        return std::move(m_morphology);
    }

  private:
    std::unexpected<Error> error(int line, const std::string& message) const {
        return fail(Errc::parse, message, m_morphology.source + ":" + std::to_string(line));
    }

    Status read_line(int number, std::string_view line) {
        if (contains(line, "/*") && contains(line, "*/")) return {};
        if (m_reading_points) {
            if (contains(line, "Spine")) return {};
            if (contains(line, "pt3dadd")) return add_point(number, line);
            if (!current().points.empty()) m_reading_points = false;
        }
        if (contains(line, "create")) return create_section(number, line);
        if (contains(line, "connect")) return connect(number, line);
        return {};
    }

    MorphologySection& current() { return m_morphology.sections.back(); }

    Status check_last_section() {
        if (!m_morphology.sections.empty() && current().points.empty())
            return error(current().line, "section '" + current().name + "' has no pt3dadd points");
        return {};
    }

    Status create_section(int number, std::string_view line) {
        if (auto s = check_last_section(); !s) return s;
        std::vector<std::string_view> kinds;
        if (contains(line, "soma")) kinds.push_back(k_label_soma);
        if (contains(line, "dend") || contains(line, "BasalDendrite")) kinds.push_back(k_label_dendrite);
        if (contains(line, "apical")) kinds.push_back(k_label_apical);
        if (contains(line, "axon")) kinds.push_back(k_label_axon);
        if (kinds.empty())
            return error(number, "cannot tell the section type of '" + excerpt(line) +
                                     "': the name must contain soma, dend, BasalDendrite, apical or axon");
        if (kinds.size() > 1)
            return error(number, "section name '" + excerpt(line) + "' matches two section types (" +
                                     std::string(kinds[0]) + " and " + std::string(kinds[1]) + ")");
        // ISF: the line stripped of braces and blanks at both ends, second whitespace token.
        auto stripped = line;
        auto is_strip = [](char c) {
            return c == '{' || c == '}' || c == ' ' || c == '\t' || c == '\r' || c == '\n';
        };
        while (!stripped.empty() && is_strip(stripped.front())) stripped.remove_prefix(1);
        while (!stripped.empty() && is_strip(stripped.back())) stripped.remove_suffix(1);
        auto tokens = detail::split_whitespace(stripped);
        if (tokens.size() < 2) return error(number, "create statement without a section name");
        std::string name(tokens[1]);
        if (m_ids.contains(name)) return error(number, "section '" + name + "' is created twice");
        MorphologySection section;
        section.id = static_cast<int>(m_morphology.sections.size());
        section.name = name;
        section.label = std::string(kinds[0]);
        section.line = number;
        m_ids.emplace(name, section.id);
        m_morphology.sections.push_back(std::move(section));
        m_connects.emplace_back();
        m_reading_points = true;
        return {};
    }

    Status connect(int number, std::string_view line) {
        if (m_morphology.sections.empty()) return error(number, "connect statement before any create");
        // `connect child(0), parent(x)`: the parent and x come from the text after the first comma.
        auto comma = line.find(',');
        if (comma == std::string_view::npos)
            return error(number, "connect statement without ', parent(x)': '" + excerpt(line) + "'");
        auto rest = detail::trim(line.substr(comma + 1));
        auto open = rest.find('(');
        auto close = rest.find(')');
        if (open == std::string_view::npos || close == std::string_view::npos || close < open)
            return error(number, "connect statement without 'parent(x)': '" + excerpt(line) + "'");
        auto parent = detail::trim(rest.substr(0, open));
        auto x = detail::parse_finite_double(rest.substr(open + 1, close - open - 1));
        if (parent.empty()) return error(number, "connect statement without a parent name");
        if (!x || *x < 0 || *x > 1)
            return error(number, "connect position must be a number in [0, 1]: '" + excerpt(line) + "'");
        m_connects.back() = PendingConnect{std::string(parent), *x, number};
        return {};
    }

    Status add_point(int number, std::string_view line) {
        auto open = line.find('(');
        auto close = line.find(')', open == std::string_view::npos ? 0 : open);
        if (open == std::string_view::npos || close == std::string_view::npos)
            return error(number, "pt3dadd without '(x, y, z, d)': '" + excerpt(line) + "'");
        auto args = line.substr(open + 1, close - open - 1);
        double values[4];
        int count = 0;
        std::size_t pos = 0;
        while (true) {
            auto comma = args.find(',', pos);
            auto field =
                args.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
            if (count == 4)
                return error(number, "pt3dadd takes 4 numbers (x, y, z, d): '" + excerpt(line) + "'");
            auto v = detail::parse_finite_double(field);
            if (!v) return error(number, "pt3dadd argument is not a number: '" + excerpt(line) + "'");
            values[count++] = *v;
            if (comma == std::string_view::npos) break;
            pos = comma + 1;
        }
        if (count != 4) return error(number, "pt3dadd takes 4 numbers (x, y, z, d): '" + excerpt(line) + "'");
        current().points.push_back(Point3d{values[0], values[1], values[2], values[3]});
        return {};
    }

    Status resolve_parents() {
        for (auto& section : m_morphology.sections) {
            const auto& c = m_connects[section.id];
            if (section.label == k_label_soma) continue;  // ISF ignores a soma's connect
            if (c.line == 0)
                return error(section.line, "section '" + section.name + "' has no connect statement");
            auto it = m_ids.find(c.parent);
            if (it == m_ids.end())
                return error(c.line, "connect names unknown parent section '" + c.parent + "'");
            if (it->second == section.id)
                return error(c.line, "section '" + section.name + "' connects to itself");
            section.parent_id = it->second;
            section.parent_x = c.x;
        }
        return {};
    }

    Morphology m_morphology;
    std::map<std::string, int> m_ids;
    std::vector<PendingConnect> m_connects;
    bool m_reading_points = false;
};

}  // namespace

Result<Morphology> parse_hoc(std::string_view text, std::string_view source_name) {
    return HocReader(source_name).run(text);
}

Result<Morphology> read_hoc(const std::filesystem::path& file) {
    auto text = read_text_file(file);
    if (!text) return std::unexpected(text.error());
    return parse_hoc(*text, file.string());
}

}  // namespace silico::experiments
