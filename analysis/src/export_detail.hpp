// The pieces of an export shared by its writers (private to silico_analysis): the selected rows, the trials'
// outputs read from the store, and files written under a temporary name.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "silico/analysis/dataset.hpp"
#include "silico/analysis/export.hpp"
#include "silico/core/error.hpp"

namespace silico::store {
class Store;
}

namespace silico::analysis::detail {

// The rows an export writes, in dataset order.
struct ExportRows {
    const Dataset* dataset = nullptr;
    std::vector<std::size_t> rows;
    std::string_view index(std::size_t k) const { return dataset->index()[rows[k]]; }
    std::span<const double> spikes(std::size_t k) const { return dataset->spikes(rows[k]); }
    std::size_t size() const { return rows.size(); }
};

// The active synapses (or presynaptic cells) of the exported trials, one entry each; times[offsets[e] ..
// offsets[e + 1]) are entry e's release (spike) times.
struct ActivationTable {
    std::vector<std::size_t> trial;  // position in ExportRows
    std::vector<std::string> type;   // synapse_type / presynaptic cell type
    std::vector<std::int64_t> id;    // synapse ID / cell ID
    // Synapses only:
    std::vector<double> distance;
    std::vector<std::int64_t> section, point;
    std::vector<std::string> label;
    std::vector<std::uint64_t> offsets{0};
    std::vector<double> times;

    std::size_t size() const { return trial.size(); }
    std::span<const double> times_of(std::size_t e) const {
        return {times.data() + offsets[e], offsets[e + 1] - offsets[e]};
    }
    std::size_t max_times() const;
    // Entries [first, last) of exported trial k (entries are sorted by trial).
    std::pair<std::size_t, std::size_t> entries_of(std::size_t k) const;
};

Result<ActivationTable> read_activations(const store::Store& store, const ExportRows& rows, bool synapses,
                                         const ExportOptions& options);

// Calls `each(k, values)` for every exported trial's trace "<site>.<variable>", after `begin(time)` with the
// common time axis (read from the first trial). Errc::invalid_argument naming the trial when a trial is
// sampled at other times.
using TraceBegin = std::function<Status(const std::vector<double>& time)>;
using TraceEach = std::function<Status(std::size_t k, const std::vector<double>& values)>;
Status for_each_trace(const store::Store& store, const ExportRows& rows, const ExportOptions& options,
                      const TraceBegin& begin, const TraceEach& each);

// A file (or folder) written under "<target>.tmp-<pid>" and renamed to the target by commit(); removed when
// not committed.
class TempTarget {
  public:
    explicit TempTarget(std::filesystem::path target);
    ~TempTarget();
    TempTarget(const TempTarget&) = delete;
    TempTarget& operator=(const TempTarget&) = delete;
    const std::filesystem::path& path() const { return m_temp; }
    const std::filesystem::path& target() const { return m_target; }
    Status commit();

  private:
    std::filesystem::path m_target, m_temp;
    bool m_done = false;
};

// Errc::invalid_argument when `target` exists and `overwrite` is off.
Status check_target(const std::filesystem::path& target, bool overwrite);

// "<stem>.<part>.npy" beside "<stem>.npy".
std::filesystem::path npy_sidecar(const std::filesystem::path& target, std::string_view part);

// Writers by format (export.cpp, export_h5.cpp, export_simrun.cpp).
Result<ExportReport> export_csv(const store::Store* store, const ExportRows& rows,
                                const std::filesystem::path& target, const ExportOptions& options);
Result<ExportReport> export_npy(const store::Store* store, const ExportRows& rows,
                                const std::filesystem::path& target, const ExportOptions& options);
Result<ExportReport> export_h5(const store::Store* store, const ExportRows& rows,
                               const std::filesystem::path& target, const ExportOptions& options);
Result<ExportReport> export_sonata(const ExportRows& rows, const std::filesystem::path& target,
                                   const ExportOptions& options);
Result<ExportReport> export_simrun(const store::Store& store, const ExportRows& rows,
                                   const std::filesystem::path& target, const ExportOptions& options);

}  // namespace silico::analysis::detail
