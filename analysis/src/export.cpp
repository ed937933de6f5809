// silico export: choosing rows and format, reading the trials' outputs, writing under a temporary name.
#include "silico/analysis/export.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <iterator>

#include "export_detail.hpp"
#include "row_outputs.hpp"
#include "silico/analysis/time_axis.hpp"
#include "silico/store/store.hpp"

namespace silico::analysis {

namespace fs = std::filesystem;

namespace {

constexpr std::array<std::string_view, 4> k_what_names = {"spikes", "traces", "synapses", "presynaptic"};
constexpr std::array<std::string_view, 5> k_format_names = {"csv", "npy", "h5", "sonata", "isf-simrun"};

}  // namespace

Result<ExportWhat> parse_export_what(std::string_view name) {
    for (std::size_t i = 0; i < k_what_names.size(); ++i)
        if (k_what_names[i] == name) return static_cast<ExportWhat>(i);
    return fail(Errc::invalid_argument,
                "unknown export '" + std::string(name) + "' (spikes, traces, synapses, presynaptic)",
                "--what");
}

std::string_view to_string(ExportWhat what) {
    return k_what_names[static_cast<std::size_t>(what)];
}

std::string_view to_string(ExportFormat format) {
    return k_format_names[static_cast<std::size_t>(format)];
}

Result<ExportFormat> export_format(const fs::path& file, std::string_view explicit_format) {
    const std::string ext = file.extension().string();
    const bool h5 = ext == ".h5" || ext == ".hdf5";
    if (!explicit_format.empty()) {
        for (std::size_t i = 0; i < k_format_names.size(); ++i) {
            if (k_format_names[i] != explicit_format) continue;
            const auto format = static_cast<ExportFormat>(i);
            if (format == ExportFormat::sonata && !h5)
                return fail(Errc::invalid_argument, "a SONATA spike file is HDF5: name it *.h5",
                            file.string());
            return format;
        }
        return fail(
            Errc::invalid_argument,
            "unknown format '" + std::string(explicit_format) + "' (csv, npy, h5, sonata, isf-simrun)",
            "--format");
    }
    if (ext == ".csv") return ExportFormat::csv;
    if (ext == ".npy") return ExportFormat::npy;
    if (h5) return ExportFormat::h5;
    return fail(Errc::invalid_argument,
                "unknown export format '" + ext +
                    "': the file name ends in .csv, .npy or .h5 (or pass --format sonata|isf-simrun)",
                file.string());
}

Result<ExportReport> export_dataset(const store::Store* store, const Dataset& dataset, const fs::path& target,
                                    const ExportOptions& options) {
    const bool needs_records =
        options.what != ExportWhat::spikes || options.format == ExportFormat::isf_simrun;
    if (needs_records) {
        if (auto st = detail::require_records(dataset, "export"); !st) return std::unexpected(st.error());
        if (!store)
            return fail(Errc::invalid_argument, "this export reads trial records: pass the store", "export");
    }
    if (options.format == ExportFormat::sonata && options.what != ExportWhat::spikes)
        return fail(Errc::invalid_argument, "a SONATA spike file holds spikes only (--what spikes)",
                    "--format");
    if (auto st = detail::check_target(target, options.overwrite); !st) return std::unexpected(st.error());
    auto groups = select(dataset, {options.select.where, {}});
    if (!groups) return std::unexpected(groups.error());
    detail::ExportRows rows{&dataset, {}};
    for (std::size_t i = 0; i < dataset.size(); ++i)
        if (groups->row_group[i] >= 0) rows.rows.push_back(i);
    switch (options.format) {
        case ExportFormat::csv:
            return detail::export_csv(store, rows, target, options);
        case ExportFormat::npy:
            return detail::export_npy(store, rows, target, options);
        case ExportFormat::h5:
            return detail::export_h5(store, rows, target, options);
        case ExportFormat::sonata:
            return detail::export_sonata(rows, target, options);
        case ExportFormat::isf_simrun:
            return detail::export_simrun(*store, rows, target, options);
    }
    return fail(Errc::internal, "unhandled export format", "export");
}

namespace detail {

std::size_t ActivationTable::max_times() const {
    std::size_t most = 0;
    for (std::size_t e = 0; e < size(); ++e) most = std::max<std::size_t>(most, offsets[e + 1] - offsets[e]);
    return most;
}

std::pair<std::size_t, std::size_t> ActivationTable::entries_of(std::size_t k) const {
    const auto first = std::ranges::lower_bound(trial, k) - trial.begin();
    const auto last = std::ranges::upper_bound(trial, k) - trial.begin();
    return {static_cast<std::size_t>(first), static_cast<std::size_t>(last)};
}

namespace {

template <class Table>
void append_common(ActivationTable& table, std::size_t k, const Table& t) {
    table.trial.insert(table.trial.end(), t.size(), k);
    for (std::size_t r = 0; r < t.size(); ++r) {
        table.type.push_back(t.population[r]);
        const auto times = t.times_of(r);
        table.times.insert(table.times.end(), times.begin(), times.end());
        table.offsets.push_back(table.times.size());
    }
}

void append(ActivationTable& table, std::size_t k, const store::SynapseActivationTable& t) {
    append_common(table, k, t);
    for (std::size_t r = 0; r < t.size(); ++r) {
        table.id.push_back(t.synapse_id(r));
        table.section.push_back(t.section_id(r));
        table.point.push_back(t.point_id(r));
        table.distance.push_back(t.distance(r));
        table.label.push_back(t.label[r]);
    }
}

void append(ActivationTable& table, std::size_t k, const store::PresynapticSpikeTable& t) {
    append_common(table, k, t);
    for (std::size_t r = 0; r < t.size(); ++r) table.id.push_back(t.id(r));
}

}  // namespace

Result<ActivationTable> read_activations(const store::Store& store, const ExportRows& rows, bool synapses,
                                         const ExportOptions& options) {
    ActivationTable table;
    store::SynapseActivationTable synapse_table;
    store::PresynapticSpikeTable cell_table;
    for (std::size_t k = 0; k < rows.size(); ++k) {
        auto record = row_record(store, *rows.dataset, rows.rows[k]);
        if (!record) return std::unexpected(record.error());
        const std::string_view index = rows.index(k);
        auto read = synapses ? read_synapse_activation(store, *record, index, synapse_table)
                             : read_presynaptic_spikes(store, *record, index, cell_table);
        if (!read) return std::unexpected(read.error());
        if (synapses)
            append(table, k, synapse_table);
        else
            append(table, k, cell_table);
        if (options.progress) options.progress(k + 1, rows.size());
    }
    return table;
}

Status for_each_trace(const store::Store& store, const ExportRows& rows, const ExportOptions& options,
                      const TraceBegin& begin, const TraceEach& each) {
    const std::string name = options.site + "." + options.variable;
    TimeAxis time;
    for (std::size_t k = 0; k < rows.size(); ++k) {
        const std::string_view index = rows.index(k);
        auto record = row_record(store, *rows.dataset, rows.rows[k]);
        if (!record) return std::unexpected(record.error());
        auto same = time.adopt(store, *record);
        if (!same) return std::unexpected(same.error().within(in_trial(index)));
        if (!*same)
            return fail(Errc::invalid_argument,
                        "is sampled at other times than trial " + std::string(rows.index(0)) +
                            "; one export holds trials of one time axis (select them with --where)",
                        in_trial(index));
        if (k == 0)
            if (auto st = begin(time.values()); !st) return st;
        auto v = read_output(store, *record, name, index);
        if (!v) return std::unexpected(v.error());
        if (v->f64.size() != 1 || v->f64[0].size() != time.values().size())
            return fail(Errc::corruption, name + " does not have one value per time sample", in_trial(index));
        if (auto st = each(k, v->f64[0]); !st) return st;
        if (options.progress) options.progress(k + 1, rows.size());
    }
    return {};
}

TempTarget::TempTarget(fs::path target)
    : m_target(std::move(target)),
      m_temp(m_target.string() + ".tmp-" + std::to_string(static_cast<long long>(::getpid()))) {}

TempTarget::~TempTarget() {
    if (m_done) return;
    std::error_code ec;
    fs::remove_all(m_temp, ec);
}

Status TempTarget::commit() {
    std::error_code ec;
    if (fs::is_directory(m_target, ec) && fs::is_directory(m_temp, ec)) fs::remove_all(m_target, ec);
    fs::rename(m_temp, m_target, ec);
    if (ec)
        return fail(Errc::io, "cannot rename " + m_temp.string() + ": " + ec.message(), m_target.string());
    m_done = true;
    return {};
}

Status check_target(const fs::path& target, bool overwrite) {
    std::error_code ec;
    if (fs::exists(target, ec) && !overwrite)
        return fail(Errc::invalid_argument, "exists already (pass --force to replace it)", target.string());
    const fs::path parent = target.parent_path();
    if (!parent.empty() && !fs::is_directory(parent, ec))
        return fail(Errc::not_found, "no such folder: " + parent.string(), target.string());
    return {};
}

fs::path npy_sidecar(const fs::path& target, std::string_view part) {
    fs::path p = target;
    p.replace_extension(std::string(".") + std::string(part) + ".npy");
    return p;
}

}  // namespace detail

}  // namespace silico::analysis
