// NumPy .npy exports (format 1.0, numpy.lib.format), written without numpy: a header dict, then the data in C
// order, little-endian. Text goes into fixed-width unicode fields ('<U<n>': n UTF-32LE code units), which
// numpy.load reads without allow_pickle.
#include <bit>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>

#include "export_detail.hpp"

namespace silico::analysis {

namespace fs = std::filesystem;

static_assert(std::endian::native == std::endian::little, "the .npy writer emits the host's bytes as '<'");

std::string npy_header(std::string_view descr, const std::vector<std::uint64_t>& shape) {
    std::string dims;
    for (auto d : shape) dims += std::to_string(d) + ", ";
    if (shape.size() > 1) dims.resize(dims.size() - 2);  // (a, b) but (a,)
    if (shape.size() == 1) dims.pop_back();
    std::string dict =
        "{'descr': " + std::string(descr) + ", 'fortran_order': False, 'shape': (" + dims + "), }";
    const std::size_t unpadded = 10 + dict.size() + 1;
    dict.append((64 - unpadded % 64) % 64, ' ');
    dict += '\n';
    std::string out = "\x93NUMPY";
    out += '\x01';
    out += '\x00';
    const auto length = static_cast<std::uint16_t>(dict.size());
    out += static_cast<char>(length & 0xFF);
    out += static_cast<char>(length >> 8);
    return out + dict;
}

namespace detail {

namespace {

constexpr double k_nan = std::numeric_limits<double>::quiet_NaN();

// UTF-8 to code points; a malformed byte becomes U+FFFD.
std::u32string code_points(std::string_view s) {
    std::u32string out;
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        const int extra = c < 0x80           ? 0
                          : (c >> 5) == 0x6  ? 1
                          : (c >> 4) == 0xE  ? 2
                          : (c >> 3) == 0x1E ? 3
                                             : -1;
        if (extra < 0 || i + static_cast<std::size_t>(extra) >= s.size()) {
            out += U'\uFFFD';
            ++i;
            continue;
        }
        char32_t cp = extra == 0 ? c : c & (0x3F >> extra);
        for (int k = 1; k <= extra; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
        out += cp;
        i += static_cast<std::size_t>(extra) + 1;
    }
    return out;
}

std::size_t text_width(const std::vector<std::string>& texts) {
    std::size_t w = 1;
    for (const auto& t : texts) w = std::max(w, code_points(t).size());
    return w;
}

void put_text(std::string& out, std::string_view s, std::size_t width) {
    auto cps = code_points(s);
    cps.resize(width, U'\0');
    const std::size_t at = out.size();
    out.resize(at + 4 * width);
    std::memcpy(out.data() + at, cps.data(), 4 * width);
}

template <class T>
void put_value(std::string& out, T v) {
    const std::size_t at = out.size();
    out.resize(at + sizeof v);
    std::memcpy(out.data() + at, &v, sizeof v);
}

std::string unicode_descr(std::size_t width) {
    return "'<U" + std::to_string(width) + "'";
}

// One .npy file under its temporary name.
struct NpyFile {
    TempTarget temp;
    std::ofstream out;
    explicit NpyFile(const fs::path& target) : temp(target) {
        out.open(temp.path(), std::ios::binary | std::ios::trunc);
    }
    void write(const std::string& bytes) {
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    }
    Status close() {
        out.close();
        if (!out) return fail(Errc::io, "cannot write the file", temp.path().string());
        return {};
    }
};

Status write_index(const ExportRows& rows, NpyFile& file) {
    std::vector<std::string> index;
    for (std::size_t k = 0; k < rows.size(); ++k) index.emplace_back(rows.index(k));
    const std::size_t w = text_width(index);
    std::string bytes = npy_header(unicode_descr(w), {index.size()});
    for (const auto& s : index) put_text(bytes, s, w);
    file.write(bytes);
    return file.close();
}

Status write_time(const std::vector<double>& time, NpyFile& file) {
    std::string bytes = npy_header("'<f8'", {time.size()});
    for (double t : time) put_value(bytes, t);
    file.write(bytes);
    return file.close();
}

Result<ExportReport> npy_spikes(const ExportRows& rows, NpyFile& file) {
    std::size_t width = 0;
    for (std::size_t k = 0; k < rows.size(); ++k) width = std::max(width, rows.spikes(k).size());
    file.write(npy_header("'<f8'", {rows.size(), width}));
    ExportReport report;
    std::string bytes;
    for (std::size_t k = 0; k < rows.size(); ++k) {
        bytes.clear();
        for (double t : rows.spikes(k)) put_value(bytes, t);
        for (std::size_t i = rows.spikes(k).size(); i < width; ++i) put_value(bytes, k_nan);
        file.write(bytes);
        report.values += rows.spikes(k).size();
    }
    return report;
}

Result<ExportReport> npy_traces(const store::Store& store, const ExportRows& rows,
                                const ExportOptions& options, NpyFile& file, NpyFile& time_file) {
    ExportReport report;
    auto begin = [&](const std::vector<double>& time) -> Status {
        file.write(npy_header("'<f8'", {rows.size(), time.size()}));
        return write_time(time, time_file);
    };
    auto each = [&](std::size_t, const std::vector<double>& v) -> Status {
        file.out.write(reinterpret_cast<const char*>(v.data()), static_cast<std::streamsize>(8 * v.size()));
        report.values += v.size();
        return {};
    };
    if (auto st = for_each_trace(store, rows, options, begin, each); !st) return std::unexpected(st.error());
    return report;
}

// One record per release time (a synapse or cell without any: one record with time NaN).
Result<ExportReport> npy_activations(const store::Store& store, const ExportRows& rows,
                                     const ExportOptions& options, NpyFile& file) {
    const bool synapses = options.what == ExportWhat::synapses;
    auto table = read_activations(store, rows, synapses, options);
    if (!table) return std::unexpected(table.error());
    const std::size_t type_w = text_width(table->type), label_w = synapses ? text_width(table->label) : 0;
    std::uint64_t records = 0;
    for (std::size_t e = 0; e < table->size(); ++e)
        records += std::max<std::size_t>(1, table->times_of(e).size());
    const std::string descr =
        synapses ? "[('row', '<i8'), ('synapse_type', " + unicode_descr(type_w) +
                       "), ('synapse_ID', '<i8'), ('soma_distance', '<f8'), ('section_ID', '<i8'), "
                       "('section_pt_ID', '<i8'), ('dendrite_label', " +
                       unicode_descr(label_w) + "), ('time', '<f8')]"
                 : "[('row', '<i8'), ('presynaptic_cell_type', " + unicode_descr(type_w) +
                       "), ('cell_ID', '<i8'), ('time', '<f8')]";
    file.write(npy_header(descr, {records}));
    std::string bytes;
    for (std::size_t e = 0; e < table->size(); ++e) {
        auto times = table->times_of(e);
        const std::size_t n = std::max<std::size_t>(1, times.size());
        bytes.clear();
        for (std::size_t i = 0; i < n; ++i) {
            put_value(bytes, static_cast<std::int64_t>(table->trial[e]));
            put_text(bytes, table->type[e], type_w);
            put_value(bytes, table->id[e]);
            if (synapses) {
                put_value(bytes, table->distance[e]);
                put_value(bytes, table->section[e]);
                put_value(bytes, table->point[e]);
                put_text(bytes, table->label[e], label_w);
            }
            put_value(bytes, times.empty() ? k_nan : times[i]);
        }
        file.write(bytes);
    }
    ExportReport report;
    report.values = table->times.size();
    return report;
}

}  // namespace

Result<ExportReport> export_npy(const store::Store* store, const ExportRows& rows, const fs::path& target,
                                const ExportOptions& options) {
    const fs::path index_path = npy_sidecar(target, "index"), time_path = npy_sidecar(target, "time");
    NpyFile file(target), index(index_path);
    std::optional<NpyFile> time;
    if (options.what == ExportWhat::traces) time.emplace(time_path);
    if (!file.out || !index.out || (time && !time->out))
        return fail(Errc::io, "cannot create the files", target.string());
    Result<ExportReport> report = options.what == ExportWhat::spikes ? npy_spikes(rows, file)
                                  : options.what == ExportWhat::traces
                                      ? npy_traces(*store, rows, options, file, *time)
                                      : npy_activations(*store, rows, options, file);
    if (!report) return report;
    if (auto st = write_index(rows, index); !st) return std::unexpected(st.error());
    if (auto st = file.close(); !st) return std::unexpected(st.error());
    // The sidecars first: a complete main file means complete sidecars.
    if (auto st = index.temp.commit(); !st) return std::unexpected(st.error());
    report->files.push_back(index_path);
    if (time) {
        if (auto st = time->temp.commit(); !st) return std::unexpected(st.error());
        report->files.push_back(time_path);
    }
    if (auto st = file.temp.commit(); !st) return std::unexpected(st.error());
    report->files.insert(report->files.begin(), target);
    report->trials = rows.size();
    return report;
}

}  // namespace detail

}  // namespace silico::analysis
