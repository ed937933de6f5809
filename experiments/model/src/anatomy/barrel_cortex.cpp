// nrCells.csv and ConnectionsV8.csv readers and writers, ISF's cell-type classes (barrel_cortex.hpp).
#include "silico/model/barrel_cortex.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "io/text.hpp"
#include "silico/model/morphology.hpp"

namespace silico::experiments {
namespace {

using detail::trim;
using detail::where;

constexpr std::string_view k_excitatory[] = {"VPM",  "L2",   "L34",  "L4py",    "L4sp", "L4ss",
                                             "L5st", "L5tt", "L6cc", "L6ccinv", "L6ct"};
constexpr std::string_view k_inhibitory[] = {"SymLocal1", "SymLocal2", "SymLocal3", "SymLocal4",
                                             "SymLocal5", "SymLocal6", "L1",        "L23Trans",
                                             "L45Sym",    "L45Peak",   "L56Trans"};

constexpr std::string_view k_connection_header[] = {
    "PRESYNAPTIC_CELLTYPE", "POSTSYNAPTIC_CELLTYPE", "LENGTH_DENSITY_SOMA", "LENGTH_DENSITY_APICAL",
    "LENGTH_DENSITY_BASAL", "AREA_DENSITY_SOMA",     "AREA_DENSITY_APICAL", "AREA_DENSITY_BASAL"};

std::string shown(std::string_view s) {
    std::string out;
    for (char c : s.substr(0, 60)) out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
    if (s.size() > 60) out += "...";
    return out;
}

}  // namespace

std::int64_t CellTypeCounts::total() const {
    std::int64_t t = 0;
    for (auto c : counts) t += c;
    return t;
}

Result<CellTypeCounts> parse_cell_type_counts(std::string_view text, std::string_view source) {
    CellTypeCounts out;
    out.source = std::string(source);
    bool header = false;
    std::set<std::string, std::less<>> types;
    auto status = detail::for_each_line(text, [&](std::size_t number, std::string_view line) -> Status {
        if (trim(line).empty()) return {};
        auto fields = detail::split_any(trim(line), "\t");
        if (!header) {
            if (trim(fields[0]) != "CELL TYPE")
                return fail(
                    Errc::parse,
                    fmt::format("the first line must be the header 'CELL TYPE<TAB><column>...', not '{}'",
                                shown(trim(line))),
                    where(source, number));
            std::set<std::string, std::less<>> seen;
            for (std::size_t i = 1; i < fields.size(); ++i) {
                auto col = std::string(trim(fields[i]));
                if (col.empty())
                    return fail(Errc::parse, fmt::format("column {} of the header has no name", i + 1),
                                where(source, number));
                if (!seen.insert(col).second)
                    return fail(Errc::parse,
                                fmt::format("column '{}' appears twice in the header", shown(col)),
                                where(source, number));
                out.columns.push_back(std::move(col));
            }
            if (out.columns.empty())
                return fail(Errc::parse, "the header names no column", where(source, number));
            header = true;
            return {};
        }
        auto type = std::string(trim(fields[0]));
        if (fields.size() != out.columns.size() + 1)
            return fail(Errc::parse,
                        fmt::format("row '{}' has {} counts, the header names {} columns", shown(type),
                                    fields.size() - 1, out.columns.size()),
                        where(source, number));
        if (type.empty()) return fail(Errc::parse, "row without a cell type", where(source, number));
        if (!types.insert(type).second)
            return fail(Errc::parse, fmt::format("cell type '{}' appears twice", shown(type)),
                        where(source, number));
        for (std::size_t i = 1; i < fields.size(); ++i) {
            const auto parsed = detail::parse_int(fields[i]);
            const std::int64_t n = parsed.value_or(-1);
            if (!parsed || n < 0 || n > (std::int64_t{1} << 40))
                return fail(Errc::parse,
                            fmt::format("{} in column {}: '{}' is not a cell count (a non-negative integer)",
                                        shown(type), out.columns[i - 1], shown(trim(fields[i]))),
                            where(source, number));
            out.counts.push_back(n);
        }
        out.cell_types.push_back(std::move(type));
        out.type_lines.push_back(static_cast<int>(number));
        return {};
    });
    if (!status) return std::unexpected(status.error());
    if (!header) return fail(Errc::parse, "empty file (no 'CELL TYPE' header)", std::string(source));
    if (out.cell_types.empty()) return fail(Errc::parse, "no cell type rows", std::string(source));
    return out;
}

Result<CellTypeCounts> read_cell_type_counts(const std::filesystem::path& file) {
    auto text = read_text_file(file);
    if (!text) return std::unexpected(text.error());
    return parse_cell_type_counts(*text, file.string());
}

std::string format_cell_type_counts(const CellTypeCounts& counts) {
    std::string out = "CELL TYPE";
    for (const auto& c : counts.columns) out += "\t" + c;
    out += '\n';
    for (std::size_t t = 0; t < counts.cell_types.size(); ++t) {
        out += counts.cell_types[t];
        for (std::size_t c = 0; c < counts.columns.size(); ++c)
            out += fmt::format("\t{}", counts.count(t, c));
        out += '\n';
    }
    return out;
}

const PostTypeConstants* ConnectionConstants::find(std::string_view post_type) const {
    for (const auto& p : post_types)
        if (p.post_type == post_type) return &p;
    return nullptr;
}

Result<ConnectionConstants> parse_connection_constants(std::string_view text, std::string_view source) {
    ConnectionConstants out;
    out.source = std::string(source);
    struct Seen {
        bool ex = false, inh = false;
        std::size_t line = 0;
    };
    std::vector<Seen> seen;
    auto status = detail::for_each_line(text, [&](std::size_t number, std::string_view line) -> Status {
        if (trim(line).empty()) return {};
        auto fields = detail::split_any(trim(line), "\t");
        if (trim(fields[0]) == "PRESYNAPTIC_CELLTYPE") {
            if (fields.size() != 8)
                return fail(Errc::parse, fmt::format("the header has {} fields, expected 8", fields.size()),
                            where(source, number));
            for (std::size_t i = 0; i < 8; ++i)
                if (trim(fields[i]) != k_connection_header[i])
                    return fail(Errc::parse,
                                fmt::format("header field {} is '{}', expected '{}'", i + 1,
                                            shown(trim(fields[i])), k_connection_header[i]),
                                where(source, number));
            return {};
        }
        if (fields.size() != 8)
            return fail(
                Errc::parse,
                fmt::format("a row has 8 tab-separated fields (pre class, post type, 6 densities), this "
                            "one has {}",
                            fields.size()),
                where(source, number));
        const auto pre = trim(fields[0]);
        const bool ex = pre.find("EXCITATORY") != std::string_view::npos;
        const bool inh = pre.find("INHIBITORY") != std::string_view::npos;
        if (ex == inh)
            return fail(Errc::parse,
                        fmt::format("presynaptic class '{}' is neither ALL_EXCITATORY nor ALL_INHIBITORY",
                                    shown(pre)),
                        where(source, number));
        const auto post = std::string(trim(fields[1]));
        if (post.empty())
            return fail(Errc::parse, "row without a postsynaptic cell type", where(source, number));
        double v[6];
        for (int i = 0; i < 6; ++i) {
            const auto parsed = detail::parse_double(fields[2 + i]);
            v[i] = parsed.value_or(-1.0);
            if (!parsed || !std::isfinite(v[i]) || v[i] < 0)
                return fail(Errc::parse,
                            fmt::format("{} of {}: '{}' is not a non-negative number",
                                        k_connection_header[2 + i], post, shown(trim(fields[2 + i]))),
                            where(source, number));
        }
        PstDensities d{v[0], v[1], v[2], v[3], v[4], v[5]};
        std::size_t at = 0;
        while (at < out.post_types.size() && out.post_types[at].post_type != post) ++at;
        if (at == out.post_types.size()) {
            out.post_types.push_back(PostTypeConstants{post, {}, {}});
            seen.push_back(Seen{false, false, number});
        }
        bool& flag = ex ? seen[at].ex : seen[at].inh;
        if (flag)
            return fail(
                Errc::parse,
                fmt::format("second {} row for post type {}", ex ? "ALL_EXCITATORY" : "ALL_INHIBITORY", post),
                where(source, number));
        flag = true;
        (ex ? out.post_types[at].excitatory : out.post_types[at].inhibitory) = d;
        return {};
    });
    if (!status) return std::unexpected(status.error());
    for (std::size_t i = 0; i < seen.size(); ++i)
        if (!seen[i].ex || !seen[i].inh)
            return fail(Errc::parse,
                        fmt::format("post type {} has no {} row", out.post_types[i].post_type,
                                    seen[i].ex ? "ALL_INHIBITORY" : "ALL_EXCITATORY"),
                        where(source, seen[i].line));
    if (out.post_types.empty()) return fail(Errc::parse, "no density rows", std::string(source));
    return out;
}

Result<ConnectionConstants> read_connection_constants(const std::filesystem::path& file) {
    auto text = read_text_file(file);
    if (!text) return std::unexpected(text.error());
    return parse_connection_constants(*text, file.string());
}

std::string format_connection_constants(const ConnectionConstants& constants) {
    std::string out;
    for (std::size_t i = 0; i < 8; ++i) out += std::string(k_connection_header[i]) + (i < 7 ? "\t" : "\n");
    auto row = [&](std::string_view pre, const std::string& post, const PstDensities& d) {
        out += fmt::format("{}\t{}", pre, post);
        for (double v :
             {d.length_soma, d.length_apical, d.length_basal, d.area_soma, d.area_apical, d.area_basal}) {
            out += '\t';
            out += fmt::format("{}", v);
        }
        out += '\n';
    };
    for (const auto& p : constants.post_types) row("ALL_EXCITATORY", p.post_type, p.excitatory);
    for (const auto& p : constants.post_types) row("ALL_INHIBITORY", p.post_type, p.inhibitory);
    return out;
}

std::optional<SynapseClass> isf_cell_type_class(std::string_view cell_type) {
    for (auto t : k_excitatory)
        if (t == cell_type) return SynapseClass::excitatory;
    for (auto t : k_inhibitory)
        if (t == cell_type) return SynapseClass::inhibitory;
    return std::nullopt;
}

std::span<const std::string_view> isf_excitatory_types() {
    return k_excitatory;
}
std::span<const std::string_view> isf_inhibitory_types() {
    return k_inhibitory;
}

Result<std::vector<std::filesystem::path>> list_bouton_lattices(const std::filesystem::path& folder) {
    std::error_code ec;
    if (!std::filesystem::is_directory(folder, ec))
        return fail(Errc::not_found, "bouton lattice folder does not exist", folder.string());
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
        const auto name = entry.path().filename().string();
        if (name.starts_with(".")) continue;
        const auto ext = entry.path().extension().string();
        if (ext != ".am" && ext != ".AM")
            return fail(Errc::validation, "bouton folders hold only AmiraMesh lattices (.am)",
                        entry.path().string());
        files.push_back(entry.path());
    }
    if (ec) return fail(Errc::io, "cannot list folder: " + ec.message(), folder.string());
    if (files.empty())
        return fail(Errc::validation, "bouton lattice folder holds no .am file", folder.string());
    std::sort(files.begin(), files.end());
    return files;
}

}  // namespace silico::experiments
