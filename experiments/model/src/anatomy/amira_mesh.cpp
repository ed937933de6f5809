// ASCII AmiraMesh lattice reader and writer (amira_mesh.hpp).
#include "silico/model/amira_mesh.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>

#include "io/text.hpp"
#include "silico/model/morphology.hpp"

namespace silico::experiments {
namespace {

using detail::trim;
using detail::where;

constexpr std::size_t k_max_voxels = std::size_t{1} << 31;

std::vector<std::string_view> words(std::string_view s) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == ',')) ++i;
        std::size_t j = i;
        while (j < s.size() && !(s[j] == ' ' || s[j] == '\t' || s[j] == '\r' || s[j] == ',')) ++j;
        if (j > i) out.push_back(s.substr(i, j - i));
        i = j;
    }
    return out;
}

bool finite_number(std::string_view s, double& out) {
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    if (s.empty()) return false;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && ptr == s.data() + s.size() && std::isfinite(out);
}

std::string excerpt(std::string_view line) {
    std::string out;
    for (char c : line.substr(0, 60)) out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
    if (line.size() > 60) out += "...";
    return out;
}

// The numbers after a keyword on a header line ("BoundingBox a b c d e f,").
Status header_numbers(std::string_view line, std::string_view keyword, std::size_t count, double* out,
                      std::string_view source, std::size_t number) {
    auto w = words(line);
    std::size_t at = 0;
    while (at < w.size() && w[at] != keyword) ++at;
    if (at == w.size() || w.size() - at - 1 != count)
        return fail(Errc::parse,
                    fmt::format("{} needs {} numbers: '{}'", keyword, count, excerpt(trim(line))),
                    where(source, number));
    for (std::size_t i = 0; i < count; ++i)
        if (!finite_number(w[at + 1 + i], out[i]))
            return fail(Errc::parse,
                        fmt::format("{} value '{}' is not a finite number", keyword, excerpt(w[at + 1 + i])),
                        where(source, number));
    return {};
}

}  // namespace

std::array<double, 6> ScalarLattice::bounds() const {
    std::array<double, 6> b{};
    for (int a = 0; a < 3; ++a) {
        b[2 * a] = origin[a];
        b[2 * a + 1] = origin[a] + dims[a] * spacing[a];
    }
    return b;
}

std::optional<std::array<int, 3>> ScalarLattice::voxel_of(const std::array<double, 3>& p) const {
    std::array<int, 3> ijk{};
    for (int a = 0; a < 3; ++a) {
        const double f = std::floor((p[a] - origin[a]) / spacing[a]);
        if (!(f >= 0.0) || f >= dims[a]) return std::nullopt;
        ijk[a] = static_cast<int>(f);
    }
    return ijk;
}

double ScalarLattice::value_at(const std::array<double, 3>& p) const {
    auto v = voxel_of(p);
    return v ? at((*v)[0], (*v)[1], (*v)[2]) : 0.0;
}

void crop_to_nonzero(ScalarLattice& lattice) {
    std::array<int, 3> lo{lattice.dims[0], lattice.dims[1], lattice.dims[2]}, hi{-1, -1, -1};
    for (int k = 0; k < lattice.dims[2]; ++k)
        for (int j = 0; j < lattice.dims[1]; ++j)
            for (int i = 0; i < lattice.dims[0]; ++i) {
                if (lattice.at(i, j, k) == 0.0) continue;
                const int ijk[3] = {i, j, k};
                for (int a = 0; a < 3; ++a) {
                    lo[a] = std::min(lo[a], ijk[a]);
                    hi[a] = std::max(hi[a], ijk[a]);
                }
            }
    if (hi[0] < 0) return;
    ScalarLattice out;
    for (int a = 0; a < 3; ++a) {
        out.dims[a] = hi[a] - lo[a] + 1;
        out.spacing[a] = lattice.spacing[a];
        out.origin[a] = lattice.origin[a] + lo[a] * lattice.spacing[a];
    }
    out.values.resize(out.voxel_count());
    for (int k = 0; k < out.dims[2]; ++k)
        for (int j = 0; j < out.dims[1]; ++j)
            for (int i = 0; i < out.dims[0]; ++i)
                out.values[out.index(i, j, k)] = lattice.at(i + lo[0], j + lo[1], k + lo[2]);
    lattice = std::move(out);
}

namespace {

// What the header says, and where the data section starts.
struct AmiraHeader {
    std::array<int, 3> dims{};
    double bbox[6] = {}, spacing[3] = {};
    bool seen_define = false, seen_bbox = false, seen_spacing = false;
    std::string data_marker;  // "@N" of the Lattice declaration
    std::size_t define_line = 0, bbox_line = 0;
    std::size_t data_offset = 0;  // first byte after the data marker's line
    std::size_t data_line = 0;    // the data marker's line number
};

Status check_magic(std::string_view line, std::string_view source, std::size_t number) {
    if (!line.starts_with("# AmiraMesh"))
        return fail(Errc::parse, "not an AmiraMesh file (the first line must start with '# AmiraMesh')",
                    where(source, number));
    if (line.find("ASCII") == std::string_view::npos)
        return fail(Errc::parse,
                    fmt::format("only ASCII AmiraMesh lattices are supported, not '{}'", excerpt(line)),
                    where(source, number));
    return {};
}

// define Lattice nx ny nz
Status parse_define(std::string_view line, const std::vector<std::string_view>& w, AmiraHeader& h,
                    std::string_view source, std::size_t number) {
    if (h.seen_define) return fail(Errc::parse, "second 'define Lattice'", where(source, number));
    if (w.size() != 5)
        return fail(Errc::parse, fmt::format("'define Lattice' needs 3 sizes: '{}'", excerpt(line)),
                    where(source, number));
    for (int a = 0; a < 3; ++a) {
        const auto parsed = detail::parse_int(w[2 + a]);
        const std::int64_t n = parsed.value_or(-1);
        if (!parsed || n <= 0 || n > std::numeric_limits<int>::max())
            return fail(Errc::parse,
                        fmt::format("lattice size '{}' is not a positive integer", excerpt(w[2 + a])),
                        where(source, number));
        h.dims[a] = static_cast<int>(n);
    }
    h.seen_define = true;
    h.define_line = number;
    return {};
}

// Lattice { float Data } @1
Status parse_data_declaration(std::string_view line, AmiraHeader& h, std::string_view source,
                              std::size_t number) {
    const auto open = line.find('{'), close = line.find('}');
    const auto at = line.find('@', close == std::string_view::npos ? 0 : close);
    if (close == std::string_view::npos || at == std::string_view::npos)
        return fail(Errc::parse, fmt::format("malformed data declaration '{}'", excerpt(line)),
                    where(source, number));
    auto inner = words(line.substr(open + 1, close - open - 1));
    static constexpr std::string_view k_types[] = {"float", "double", "int", "short", "ushort", "byte"};
    if (inner.size() != 2 || std::find(std::begin(k_types), std::end(k_types), inner[0]) == std::end(k_types))
        return fail(Errc::parse,
                    fmt::format("the lattice must hold one scalar per voxel (float, double, int, short, "
                                "ushort or byte), not '{}'",
                                excerpt(line.substr(open, close - open + 1))),
                    where(source, number));
    if (!h.data_marker.empty())
        return fail(Errc::parse, "second lattice data declaration", where(source, number));
    h.data_marker = std::string(trim(line.substr(at)));
    return {};
}

// One header line after the magic; sets *data_starts when it is the data marker.
Status parse_header_line(std::string_view line, AmiraHeader& h, std::string_view source, std::size_t number,
                         bool* data_starts) {
    if (line.front() == '@') {
        if (h.data_marker.empty())
            return fail(Errc::parse, "data section before any 'Lattice { float Data } @N' declaration",
                        where(source, number));
        *data_starts = line == h.data_marker;
        return {};
    }
    if (line.front() == '#') return {};
    auto w = words(line);
    if (w.size() >= 2 && w[0] == "define" && w[1] == "Lattice")
        return parse_define(line, w, h, source, number);
    if (!w.empty() && w[0] == "BoundingBox") {
        h.seen_bbox = true;
        h.bbox_line = number;
        return header_numbers(line, "BoundingBox", 6, h.bbox, source, number);
    }
    if (!w.empty() && w[0] == "Spacing") {
        h.seen_spacing = true;
        return header_numbers(line, "Spacing", 3, h.spacing, source, number);
    }
    if (!w.empty() && w[0] == "Lattice" && line.find('{') != std::string_view::npos)
        return parse_data_declaration(line, h, source, number);
    return {};
}

// The header lines up to the data marker; every declaration the lattice needs must be there.
Result<AmiraHeader> parse_header(std::string_view text, std::string_view source) {
    AmiraHeader h;
    bool seen_magic = false, in_data = false;
    std::size_t pos = 0, number = 0;
    while (pos < text.size() && !in_data) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        const std::string_view line = trim(text.substr(pos, end - pos));
        pos = end + 1;
        ++number;
        if (line.empty()) continue;
        auto st = seen_magic ? parse_header_line(line, h, source, number, &in_data)
                             : check_magic(line, source, number);
        if (!st) return std::unexpected(st.error());
        seen_magic = true;
    }
    if (!seen_magic) return fail(Errc::parse, "empty file (no '# AmiraMesh' header)", std::string(source));
    if (!h.seen_define) return fail(Errc::parse, "no 'define Lattice nx ny nz' line", std::string(source));
    if (!h.seen_bbox) return fail(Errc::parse, "no BoundingBox in the Parameters", std::string(source));
    if (h.data_marker.empty())
        return fail(Errc::parse, "no 'Lattice { float Data } @1' declaration", std::string(source));
    if (!in_data)
        return fail(Errc::parse, fmt::format("no '{}' data section", h.data_marker), std::string(source));
    h.data_offset = pos;
    h.data_line = number;
    return h;
}

// Voxel spacing and origin along each axis: the BoundingBox spans the voxel centres, so spacing is
// extent / (n - 1), and a Spacing line (when present) must agree with it.
Status set_geometry(const AmiraHeader& h, ScalarLattice& lattice, std::string_view source) {
    for (int a = 0; a < 3; ++a) {
        const char axis = "xyz"[a];
        const double lo = h.bbox[2 * a], hi = h.bbox[2 * a + 1];
        if (hi < lo)
            return fail(Errc::parse, fmt::format("BoundingBox {} range is reversed ({} > {})", axis, lo, hi),
                        where(source, h.bbox_line));
        const int n = lattice.dims[a];
        double s = 0.0;
        if (n > 1) {
            s = (hi - lo) / (n - 1);
            if (h.seen_spacing && std::abs(h.spacing[a] - s) > 1e-4 * std::max(std::abs(s), 1e-12))
                return fail(Errc::parse,
                            fmt::format("Spacing {} = {} disagrees with BoundingBox / (n - 1) = {}", axis,
                                        h.spacing[a], s),
                            where(source, h.bbox_line));
            if (h.seen_spacing) s = h.spacing[a];
        } else {
            if (!h.seen_spacing)
                return fail(Errc::parse,
                            fmt::format("a lattice with one voxel along {} needs a Spacing line", axis),
                            where(source, h.define_line));
            if (hi != lo)
                return fail(Errc::parse,
                            fmt::format("one voxel along {} but the BoundingBox spans {}", axis, hi - lo),
                            where(source, h.bbox_line));
            s = h.spacing[a];
        }
        if (!(s > 0.0) || !std::isfinite(s))
            return fail(Errc::parse, fmt::format("voxel spacing along {} must be positive, is {}", axis, s),
                        where(source, h.bbox_line));
        lattice.spacing[a] = s;
        lattice.origin[a] = lo - 0.5 * s;
    }
    return {};
}

// Refuses, before allocating, a size that cannot be true for the text that is left.
Status check_size(const AmiraHeader& h, const ScalarLattice& lattice, std::string_view text,
                  std::string_view source) {
    const std::size_t n =
        static_cast<std::size_t>(lattice.dims[0]) * static_cast<std::size_t>(lattice.dims[1]);
    if (n > k_max_voxels || n * static_cast<std::size_t>(lattice.dims[2]) > k_max_voxels)
        return fail(Errc::parse, "lattice has more than 2^31 voxels", where(source, h.define_line));
    const std::size_t total = lattice.voxel_count();
    const std::size_t left = text.size() - std::min(text.size(), h.data_offset);
    // Every value takes at least two bytes ("0\n").
    if (total > left / 2 + 1)
        return fail(
            Errc::parse,
            fmt::format("lattice declares {} voxels but the data section has only {} bytes", total, left),
            where(source, h.define_line));
    return {};
}

// Data: whitespace-separated numbers until EOF or the next "@" section, exactly as many as declared.
Status read_values(const AmiraHeader& h, ScalarLattice& lattice, std::string_view text,
                   std::string_view source) {
    const std::size_t total = lattice.voxel_count();
    lattice.values.reserve(total);
    std::size_t line_no = h.data_line + 1;
    std::size_t i = std::min(h.data_offset, text.size());
    while (i < text.size()) {
        const char c = text[i];
        if (c == '\n') ++line_no;
        if (c == '\n' || c == ' ' || c == '\t' || c == '\r') {
            ++i;
            continue;
        }
        if (c == '@') break;
        std::size_t j = i;
        while (j < text.size() && text[j] != ' ' && text[j] != '\t' && text[j] != '\r' && text[j] != '\n')
            ++j;
        const std::string_view token = text.substr(i, j - i);
        double v = 0;
        if (!finite_number(token, v))
            return fail(Errc::parse, fmt::format("lattice value '{}' is not a finite number", excerpt(token)),
                        where(source, line_no));
        if (lattice.values.size() == total)
            return fail(Errc::parse, fmt::format("more than the {} values the lattice declares", total),
                        where(source, line_no));
        lattice.values.push_back(v);
        i = j;
    }
    if (lattice.values.size() != total)
        return fail(
            Errc::parse,
            fmt::format("the lattice declares {} x {} x {} = {} values, the data section has {}",
                        lattice.dims[0], lattice.dims[1], lattice.dims[2], total, lattice.values.size()),
            where(source, line_no));
    return {};
}

}  // namespace

Result<ScalarLattice> parse_amira_lattice(std::string_view text, std::string_view source) {
    auto header = parse_header(text, source);
    if (!header) return std::unexpected(header.error());
    ScalarLattice lattice;
    lattice.dims = header->dims;
    if (auto st = set_geometry(*header, lattice, source); !st) return std::unexpected(st.error());
    if (auto st = check_size(*header, lattice, text, source); !st) return std::unexpected(st.error());
    if (auto st = read_values(*header, lattice, text, source); !st) return std::unexpected(st.error());
    return lattice;
}

Result<ScalarLattice> read_amira_lattice(const std::filesystem::path& file) {
    auto text = read_text_file(file);
    if (!text) return std::unexpected(text.error());
    return parse_amira_lattice(*text, file.string());
}

std::string format_amira_lattice(const ScalarLattice& lattice, int digits) {
    std::string out = fmt::format(
        "# AmiraMesh 3D ASCII 2.0\n\n\ndefine Lattice {} {} {}\n\nParameters {{\n"
        "    Content \"{}x{}x{} float, uniform coordinates\",\n",
        lattice.dims[0], lattice.dims[1], lattice.dims[2], lattice.dims[0], lattice.dims[1], lattice.dims[2]);
    out += "    BoundingBox";
    for (int a = 0; a < 3; ++a) {
        out += ' ';
        detail::append_python_float(out, lattice.origin[a] + 0.5 * lattice.spacing[a]);
        out += ' ';
        detail::append_python_float(out, lattice.origin[a] + (lattice.dims[a] - 0.5) * lattice.spacing[a]);
    }
    out += ",\n    Spacing";
    for (int a = 0; a < 3; ++a) {
        out += ' ';
        detail::append_python_float(out, lattice.spacing[a]);
    }
    out += ",\n    CoordType \"uniform\"\n}\n\nLattice { float Data } @1\n\n# Data section follows\n@1\n";
    out.reserve(out.size() + lattice.values.size() * 8);
    for (double v : lattice.values) {
        if (digits > 0)
            out += fmt::format("{:.{}g}", v, digits);
        else
            detail::append_python_float(out, v);
        out += '\n';
    }
    return out;
}

}  // namespace silico::experiments
