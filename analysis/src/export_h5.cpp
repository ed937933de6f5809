// HDF5 exports with Debian's HDF5 C library: silico's layout (docs/analysis.md "Exports") and SONATA spike
// files (/spikes/<population>/{timestamps, node_ids}, SONATA's spike-file specification).
#include <hdf5.h>

#include <cmath>

#include "export_detail.hpp"
#include "silico/core/git_info.hpp"

namespace silico::analysis::detail {

namespace fs = std::filesystem;

namespace {

// An HDF5 identifier closed by its own close function.
class Handle {
  public:
    Handle(hid_t id, herr_t (*closer)(hid_t)) : m_id(id), m_close(closer) {}
    Handle(Handle&& other) noexcept : m_id(other.m_id), m_close(other.m_close) { other.m_id = -1; }
    ~Handle() {
        if (m_id >= 0) m_close(m_id);
    }
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    operator hid_t() const { return m_id; }
    bool ok() const { return m_id >= 0; }
    herr_t close() {
        const herr_t r = m_id >= 0 ? m_close(m_id) : 0;
        m_id = -1;
        return r;
    }

  private:
    hid_t m_id;
    herr_t (*m_close)(hid_t);
};

// Errors carry the HDF5 object's path; HDF5's own error stack printing is off (it would go to stderr).
struct H5Writer {
    std::string file;
    Status error(const std::string& what) const { return fail(Errc::io, "HDF5: cannot write " + what, file); }

    Handle group(hid_t parent, const std::string& name) const {
        return {H5Gcreate2(parent, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose};
    }
    static Handle text_type() {
        Handle t(H5Tcopy(H5T_C_S1), H5Tclose);
        H5Tset_size(t, H5T_VARIABLE);
        H5Tset_cset(t, H5T_CSET_UTF8);
        return t;
    }

    Status attr_text(hid_t at, const std::string& name, const std::string& value) const {
        Handle type = text_type();
        Handle space(H5Screate(H5S_SCALAR), H5Sclose);
        Handle a(H5Acreate2(at, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
        const char* p = value.c_str();
        if (!a.ok() || H5Awrite(a, type, &p) < 0) return error("attribute " + name);
        return {};
    }
    template <class T>
    Status attr_numbers(hid_t at, const std::string& name, hid_t file_type, hid_t memory_type,
                        const std::vector<T>& values) const {
        const hsize_t n = values.size();
        Handle space(n == 1 ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &n, nullptr), H5Sclose);
        Handle a(H5Acreate2(at, name.c_str(), file_type, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
        if (!a.ok() || H5Awrite(a, memory_type, values.data()) < 0) return error("attribute " + name);
        return {};
    }

    // A 1-D or 2-D dataset; `data` may be null to create it and write rows later.
    Result<hid_t> dataset(hid_t at, const std::string& name, hid_t file_type,
                          std::vector<hsize_t> dims) const {
        Handle space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose);
        const hid_t d = H5Dcreate2(at, name.c_str(), file_type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        if (d < 0) return std::unexpected(error("dataset " + name).error());
        return d;
    }
    template <class T>
    Status numbers(hid_t at, const std::string& name, hid_t file_type, hid_t memory_type,
                   const std::vector<T>& values, const std::string& units = {}) const {
        auto d = dataset(at, name, file_type, {values.size()});
        if (!d) return std::unexpected(d.error());
        Handle h(*d, H5Dclose);
        if (!values.empty() && H5Dwrite(h, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0)
            return error("dataset " + name);
        if (!units.empty()) return attr_text(h, "units", units);
        return {};
    }
    Status f64(hid_t at, const std::string& name, const std::vector<double>& v,
               const std::string& units = {}) const {
        return numbers(at, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, v, units);
    }
    Status i64(hid_t at, const std::string& name, const std::vector<std::int64_t>& v) const {
        return numbers(at, name, H5T_STD_I64LE, H5T_NATIVE_INT64, v);
    }
    Status u64(hid_t at, const std::string& name, const std::vector<std::uint64_t>& v) const {
        return numbers(at, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, v);
    }
    Status texts(hid_t at, const std::string& name, const std::vector<std::string>& v) const {
        Handle type = text_type();
        auto d = dataset(at, name, type, {v.size()});
        if (!d) return std::unexpected(d.error());
        Handle h(*d, H5Dclose);
        std::vector<const char*> p;
        p.reserve(v.size());
        for (const auto& s : v) p.push_back(s.c_str());
        if (!p.empty() && H5Dwrite(h, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, p.data()) < 0)
            return error("dataset " + name);
        return {};
    }
};

// An HDF5 file under its temporary name.
struct H5File {
    TempTarget temp;
    Handle id;
    H5Writer w;
    explicit H5File(const fs::path& target)
        : temp(target),
          id(H5Fcreate(temp.path().c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose),
          w{target.string()} {}
    Status finish() {
        if (id.close() < 0) return w.error("the file");
        return temp.commit();
    }
};

std::string hdf5_name(std::string name) {
    for (auto& c : name)
        if (c == '/') c = '|';  // '/' separates HDF5 path components
    return name.empty() || name == "." ? "_" : name;
}

Status write_trials(const H5Writer& w, hid_t root, const ExportRows& rows) {
    const Dataset& d = *rows.dataset;
    Handle g = w.group(root, "trials");
    if (!g.ok()) return w.error("group /trials");
    std::vector<std::string> index, keys;
    std::vector<std::int64_t> trial;
    std::vector<std::uint64_t> seeds;
    for (std::size_t k = 0; k < rows.size(); ++k) {
        const std::size_t r = rows.rows[k];
        index.emplace_back(d.index()[r]);
        trial.push_back(d.trial()[r]);
        if (!d.seeds().empty()) seeds.push_back(d.seeds()[r]);
        if (d.has_records()) keys.push_back(d.keys()[r].hex());
    }
    for (auto st : {w.texts(g, "index", index), w.i64(g, "trial", trial)})
        if (!st) return st;
    if (!seeds.empty())
        if (auto st = w.u64(g, "seed", seeds); !st) return st;
    if (!keys.empty())
        if (auto st = w.texts(g, "key", keys); !st) return st;
    Handle params = w.group(g, "parameters");
    if (!params.ok()) return w.error("group /trials/parameters");
    for (const auto& c : d.columns()) {
        std::vector<double> numbers;
        std::vector<std::string> texts;
        for (auto r : rows.rows) c.is_text ? texts.push_back(c.texts[r]) : numbers.push_back(c.numbers[r]);
        auto st =
            c.is_text ? w.texts(params, hdf5_name(c.name), texts) : w.f64(params, hdf5_name(c.name), numbers);
        if (!st) return st;
    }
    return {};
}

Status write_root_attributes(const H5Writer& w, hid_t root, const ExportRows& rows, std::string_view what) {
    const auto& p = rows.dataset->provenance();
    const auto& build = build_info();
    for (auto st :
         {w.attr_text(root, "format", "silico-export"),
          w.attr_numbers<std::int64_t>(root, "format_version", H5T_STD_I64LE, H5T_NATIVE_INT64, {1}),
          w.attr_text(root, "what", std::string(what)), w.attr_text(root, "dataset_kind", p.kind),
          w.attr_text(root, "dataset_source", p.source), w.attr_text(root, "dataset_digest", p.digest),
          w.attr_text(root, "silico_version", build.version),
          w.attr_text(root, "silico_commit", build.commit)})
        if (!st) return st;
    return {};
}

Result<ExportReport> h5_spikes(const H5Writer& w, hid_t root, const ExportRows& rows) {
    Handle g = w.group(root, "spikes");
    if (!g.ok()) return std::unexpected(w.error("group /spikes").error());
    std::vector<double> times;
    std::vector<std::uint64_t> offsets{0};
    for (std::size_t k = 0; k < rows.size(); ++k) {
        auto s = rows.spikes(k);
        times.insert(times.end(), s.begin(), s.end());
        offsets.push_back(times.size());
    }
    for (auto st : {w.f64(g, "times", times, "ms"), w.u64(g, "offsets", offsets)})
        if (!st) return std::unexpected(st.error());
    ExportReport report;
    report.values = times.size();
    return report;
}

Result<ExportReport> h5_traces(const H5Writer& w, hid_t root, const store::Store& store,
                               const ExportRows& rows, const ExportOptions& options) {
    Handle g = w.group(root, "traces");
    if (!g.ok()) return std::unexpected(w.error("group /traces").error());
    std::optional<Handle> data;
    hsize_t samples = 0;
    ExportReport report;
    auto begin = [&](const std::vector<double>& time) -> Status {
        if (auto st = w.f64(g, "time", time, "ms"); !st) return st;
        samples = time.size();
        auto d = w.dataset(g, "data", H5T_IEEE_F64LE, {rows.size(), samples});
        if (!d) return std::unexpected(d.error());
        data.emplace(*d, H5Dclose);
        for (auto st :
             {w.attr_text(*data, "output", options.site + "." + options.variable),
              w.attr_text(*data, "site", options.site), w.attr_text(*data, "variable", options.variable)})
            if (!st) return st;
        if (options.variable == "v") return w.attr_text(*data, "units", "mV");
        return {};
    };
    auto each = [&](std::size_t k, const std::vector<double>& v) -> Status {
        Handle file_space(H5Dget_space(*data), H5Sclose);
        const hsize_t start[2] = {k, 0}, count[2] = {1, samples};
        Handle memory(H5Screate_simple(1, &samples, nullptr), H5Sclose);
        if (H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start, nullptr, count, nullptr) < 0 ||
            H5Dwrite(*data, H5T_NATIVE_DOUBLE, memory, file_space, H5P_DEFAULT, v.data()) < 0)
            return w.error("/traces/data row " + std::to_string(k));
        report.values += v.size();
        return {};
    };
    if (auto st = for_each_trace(store, rows, options, begin, each); !st) return std::unexpected(st.error());
    return report;
}

Result<ExportReport> h5_activations(const H5Writer& w, hid_t root, const store::Store& store,
                                    const ExportRows& rows, const ExportOptions& options) {
    const bool synapses = options.what == ExportWhat::synapses;
    auto table = read_activations(store, rows, synapses, options);
    if (!table) return std::unexpected(table.error());
    Handle g = w.group(root, synapses ? "synapses" : "presynaptic");
    if (!g.ok()) return std::unexpected(w.error("group").error());
    std::vector<std::int64_t> row(table->trial.begin(), table->trial.end());
    for (auto st : {w.i64(g, "row", row), w.texts(g, synapses ? "synapse_type" : "cell_type", table->type),
                    w.i64(g, synapses ? "synapse_ID" : "cell_ID", table->id),
                    w.f64(g, "times", table->times, "ms"), w.u64(g, "offsets", table->offsets)})
        if (!st) return std::unexpected(st.error());
    if (synapses)
        for (auto st :
             {w.f64(g, "soma_distance", table->distance, "um"), w.i64(g, "section_ID", table->section),
              w.i64(g, "section_pt_ID", table->point), w.texts(g, "dendrite_label", table->label)})
            if (!st) return std::unexpected(st.error());
    ExportReport report;
    report.values = table->times.size();
    return report;
}

// /spikes/<population> of a SONATA file; returns the number of spikes.
Result<std::uint64_t> sonata_population(const H5Writer& w, hid_t root, const ExportRows& rows,
                                        const std::string& population) {
    Handle spikes = w.group(root, "spikes");
    if (!spikes.ok()) return fail(Errc::io, "HDF5: cannot create /spikes", w.file);
    Handle group = w.group(spikes, population);
    if (!group.ok()) return fail(Errc::io, "HDF5: cannot create /spikes/" + population, w.file);
    Handle sorting(H5Tenum_create(H5T_NATIVE_INT8), H5Tclose);
    const std::int8_t none = 0, by_id = 1, by_time = 2;
    H5Tenum_insert(sorting, "none", &none);
    H5Tenum_insert(sorting, "by_id", &by_id);
    H5Tenum_insert(sorting, "by_time", &by_time);
    if (auto st = w.attr_numbers<std::int8_t>(group, "sorting", sorting, sorting, {by_id}); !st)
        return std::unexpected(st.error());
    std::vector<double> times;
    std::vector<std::uint64_t> nodes;
    for (std::size_t k = 0; k < rows.size(); ++k)
        for (double t : rows.spikes(k)) {
            times.push_back(t);
            nodes.push_back(k);
        }
    for (auto st : {w.f64(group, "timestamps", times, "ms"), w.u64(group, "node_ids", nodes)})
        if (!st) return std::unexpected(st.error());
    return times.size();
}

}  // namespace

Result<ExportReport> export_h5(const store::Store* store, const ExportRows& rows, const fs::path& target,
                               const ExportOptions& options) {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    H5File file(target);
    if (!file.id.ok()) return fail(Errc::io, "HDF5: cannot create the file", file.temp.path().string());
    if (auto st = write_root_attributes(file.w, file.id, rows, to_string(options.what)); !st)
        return std::unexpected(st.error());
    if (auto st = write_trials(file.w, file.id, rows); !st) return std::unexpected(st.error());
    Result<ExportReport> report = options.what == ExportWhat::spikes ? h5_spikes(file.w, file.id, rows)
                                  : options.what == ExportWhat::traces
                                      ? h5_traces(file.w, file.id, *store, rows, options)
                                      : h5_activations(file.w, file.id, *store, rows, options);
    if (!report) return report;
    if (auto st = file.finish(); !st) return std::unexpected(st.error());
    report->trials = rows.size();
    report->files = {target};
    return report;
}

// SONATA: root attributes magic 0x0A7A and version (0, 1); /spikes/<population> with the enum attribute
// `sorting` (none 0, by_id 1, by_time 2), timestamps (float64, units "ms") and node_ids (uint64). Node k is the
// k-th exported trial; /trials maps node ids to trials.
Result<ExportReport> export_sonata(const ExportRows& rows, const fs::path& target,
                                   const ExportOptions& options) {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    if (options.population.empty() || options.population.find('/') != std::string::npos)
        return fail(Errc::invalid_argument, "a population name is non-empty and has no '/'", "--population");
    H5File file(target);
    const H5Writer& w = file.w;
    if (!file.id.ok()) return fail(Errc::io, "HDF5: cannot create the file", file.temp.path().string());
    for (auto st :
         {w.attr_numbers<std::uint32_t>(file.id, "magic", H5T_STD_U32LE, H5T_NATIVE_UINT32, {0x0A7A}),
          w.attr_numbers<std::uint32_t>(file.id, "version", H5T_STD_U32LE, H5T_NATIVE_UINT32, {0, 1})})
        if (!st) return std::unexpected(st.error());
    if (auto st = write_trials(w, file.id, rows); !st) return std::unexpected(st.error());
    auto values = sonata_population(w, file.id, rows, options.population);
    if (!values) return std::unexpected(values.error());
    if (auto st = file.finish(); !st) return std::unexpected(st.error());
    ExportReport report;
    report.trials = rows.size();
    report.values = *values;
    report.files = {target};
    return report;
}

}  // namespace silico::analysis::detail
