// The ISF simrun text format (ISF_SPEC §8): one folder per index prefix, the files ISF's simrun writes and its
// data_base (and `silico import isf-simrun`) reads. The files are named with the unique-ID prefix "silico_".
#include <cstdio>
#include <map>

#include "export_detail.hpp"
#include "row_outputs.hpp"
#include "silico/model/simrun_files.hpp"
#include "silico/store/store.hpp"

namespace silico::analysis::detail {

namespace fs = std::filesystem;
namespace model = silico::experiments;

namespace {

constexpr std::string_view k_prefix = "silico_";

// The folder of an index "<folder>/<trial>" (its part before the last '/'); "trials" without one.
std::string folder_of(std::string_view index) {
    const auto slash = index.rfind('/');
    return slash == std::string_view::npos || slash == 0 ? "trials" : std::string(index.substr(0, slash));
}

// The trial's recorded sites besides the soma: outputs "<site>.v" ("dendrites.v", every segment of a
// [record.dendrites] recording, is no site: ISF's simrun files have no place for it).
std::vector<std::string> sites_of(const store::TrialRecord& record) {
    std::vector<std::string> sites;
    for (const auto& [name, blob] : record.outputs)
        if (name.ends_with(".v") && name != "soma.v" && !name.starts_with("dendrites."))
            sites.push_back(name.substr(0, name.size() - 2));
    return sites;
}

Result<std::vector<model::SynapseActivationRow>> synapse_rows(const store::Store& store,
                                                              const store::TrialRecord& record,
                                                              std::string_view index) {
    std::vector<model::SynapseActivationRow> out;
    if (!record.outputs.contains("synapse_activation.population")) return out;  // no network input
    store::SynapseActivationTable t;
    if (auto st = read_synapse_activation(store, record, index, t); !st) return std::unexpected(st.error());
    out.reserve(t.size());
    for (std::size_t e = 0; e < t.size(); ++e) {
        const auto times = t.times_of(e);
        out.push_back({t.population[e],
                       t.synapse_id(e),
                       t.distance(e),
                       t.section_id(e),
                       t.point_id(e),
                       t.label[e],
                       {times.begin(), times.end()}});
    }
    return out;
}

Result<std::vector<model::PresynapticCellRow>> cell_rows(const store::Store& store,
                                                         const store::TrialRecord& record,
                                                         std::string_view index) {
    std::vector<model::PresynapticCellRow> out;
    if (!record.outputs.contains("presynaptic_spikes.population")) return out;
    store::PresynapticSpikeTable t;
    if (auto st = read_presynaptic_spikes(store, record, index, t); !st) return std::unexpected(st.error());
    out.reserve(t.size());
    for (std::size_t e = 0; e < t.size(); ++e) {
        const auto times = t.times_of(e);
        out.push_back({t.population[e], t.id(e), {times.begin(), times.end()}});
    }
    return out;
}

// The trace "<name>" of a trial, checked against the folder's time axis.
Result<std::vector<double>> trace(const store::Store& store, const store::TrialRecord& record,
                                  const std::string& name, std::string_view index, std::size_t samples) {
    auto v = read_output(store, record, name, index);
    if (!v) return std::unexpected(v.error());
    if (v->f64.size() != 1 || v->f64[0].size() != samples)
        return fail(Errc::invalid_argument,
                    name + " does not have one value per sample of the folder's time axis", in_trial(index));
    return std::move(v->f64[0]);
}

struct Folder {
    std::map<std::int64_t, std::size_t> trials;  // trial number -> position in ExportRows
};

Status write_raw(const fs::path& file, const std::string& bytes) {
    std::FILE* f = std::fopen(file.c_str(), "wb");
    if (!f) return fail(Errc::io, "cannot create the file", file.string());
    const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
    if (std::fclose(f) != 0 || !ok) return fail(Errc::io, "cannot write the file", file.string());
    return {};
}

// The parameter copies of the folder's first trial (imported ISF runs carry them).
Status write_parameters(const store::Store& store, const store::TrialRecord& record, const fs::path& dir) {
    for (const auto& [output, suffix] : {std::pair{"parameters.neuron", "neuron_model.param"},
                                         std::pair{"parameters.network", "network_model.param"}}) {
        auto it = record.outputs.find(output);
        if (it == record.outputs.end()) continue;
        auto bytes = store.get_blob(it->second.digest);
        if (!bytes) return std::unexpected(bytes.error().within(output));
        if (auto st = write_raw(dir / (std::string(k_prefix) + suffix), *bytes); !st) return st;
    }
    return {};
}

// simulation_run%04d_synapses.csv (and _presynaptic_cells.csv with `cells`) of one trial; returns the
// release times written.
Result<std::uint64_t> write_activation_files(const store::Store& store, const store::TrialRecord& record,
                                             std::string_view index, const fs::path& dir, std::int64_t number,
                                             bool cells) {
    auto synapses = synapse_rows(store, record, index);
    if (!synapses) return std::unexpected(synapses.error());
    std::uint64_t values = 0;
    for (const auto& r : *synapses) values += r.times.size();
    if (auto st = model::write_synapse_activation_file(dir / model::synapse_activation_file_name(number),
                                                       *synapses);
        !st)
        return std::unexpected(st.error());
    if (!cells) return values;
    auto presynaptic = cell_rows(store, record, index);
    if (!presynaptic) return std::unexpected(presynaptic.error());
    if (auto st = model::write_presynaptic_cells_file(dir / model::presynaptic_cells_file_name(number),
                                                      *presynaptic);
        !st)
        return std::unexpected(st.error());
    return values;
}

Result<std::uint64_t> write_folder(const store::Store& store, const ExportRows& rows, const Folder& folder,
                                   const fs::path& dir, const ExportOptions& options, std::size_t& done) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return fail(Errc::io, "cannot create the folder: " + ec.message(), dir.string());
    model::VmTraces soma;
    std::vector<std::string> sites;
    std::vector<model::VmTraces> site_traces;
    std::uint64_t values = 0;
    bool first = true, cells = false;
    for (const auto& [number, k] : folder.trials) {
        const std::string_view index = rows.index(k);
        auto record = row_record(store, *rows.dataset, rows.rows[k]);
        if (!record) return std::unexpected(record.error());
        if (first) {
            auto time = read_output(store, *record, "time", index);
            if (!time) return std::unexpected(time.error());
            if (time->f64.size() != 1)
                return fail(Errc::corruption, "time is not one column", in_trial(index));
            soma.t = time->f64[0];
            sites = sites_of(*record);
            site_traces.assign(sites.size(), model::VmTraces{{}, soma.t, {}});
            cells = record->outputs.contains("presynaptic_spikes.population");
            if (auto st = write_parameters(store, *record, dir); !st) return std::unexpected(st.error());
            first = false;
        }
        auto v = trace(store, *record, "soma.v", index, soma.t.size());
        if (!v) return std::unexpected(v.error());
        soma.runs.push_back(std::move(*v));
        for (std::size_t s = 0; s < sites.size(); ++s) {
            auto sv = trace(store, *record, sites[s] + ".v", index, soma.t.size());
            if (!sv) return std::unexpected(sv.error());
            site_traces[s].runs.push_back(std::move(*sv));
        }
        auto written = write_activation_files(store, *record, index, dir, number, cells);
        if (!written) return std::unexpected(written.error());
        values += *written;
        if (options.progress) options.progress(++done, rows.size());
    }
    soma.labels = model::make_vm_labels(soma.runs.size());
    values += soma.runs.size() * soma.t.size();
    if (auto st = model::write_vm_traces_file(dir / (std::string(k_prefix) + "vm_all_traces.csv"), soma); !st)
        return std::unexpected(st.error());
    for (std::size_t s = 0; s < sites.size(); ++s) {
        site_traces[s].labels = soma.labels;
        if (auto st = model::write_vm_traces_file(
                dir / (std::string(k_prefix) + sites[s] + "_vm_dend_traces.csv"), site_traces[s]);
            !st)
            return std::unexpected(st.error());
    }
    return values;
}

}  // namespace

Result<ExportReport> export_simrun(const store::Store& store, const ExportRows& rows, const fs::path& target,
                                   const ExportOptions& options) {
    std::map<std::string, Folder> folders;
    for (std::size_t k = 0; k < rows.size(); ++k) {
        const std::string name = folder_of(rows.index(k));
        const std::int64_t number = rows.dataset->trial()[rows.rows[k]];
        if (number < 0)
            return fail(Errc::invalid_argument, "ISF numbers trials from 0", in_trial(rows.index(k)));
        if (!folders[name].trials.emplace(number, k).second)
            return fail(Errc::invalid_argument,
                        "two trials numbered " + std::to_string(number) + " in folder " + name,
                        in_trial(rows.index(k)));
    }
    TempTarget temp(target);
    ExportReport report;
    std::size_t done = 0;
    for (const auto& [name, folder] : folders) {
        const fs::path relative = fs::path(name).lexically_normal();
        if (relative.is_absolute() || relative.string().starts_with(".."))
            return fail(Errc::invalid_argument, "the index does not name a folder inside the export",
                        "folder " + name);
        auto values = write_folder(store, rows, folder, temp.path() / relative, options, done);
        if (!values) return std::unexpected(values.error());
        report.values += *values;
        report.files.push_back(target / relative);
    }
    if (auto st = temp.commit(); !st) return std::unexpected(st.error());
    report.trials = rows.size();
    return report;
}

}  // namespace silico::analysis::detail
