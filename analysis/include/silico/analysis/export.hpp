// Exports: a dataset's trials in the files other tools read (docs/analysis.md "Exports" has every layout).
//
//   what         spikes (somatic spike times), traces ("<site>.<variable>", soma Vm by default), synapses
//                (synapse activations), presynaptic (presynaptic cells' spikes)
//   csv          ISF's tables: spike_times.csv (index, then 0..k-1), voltage_traces (index, then one column per
//                sample time), synapse_activation (index, synapse_type, synapse_ID, soma_distance, section_ID,
//                section_pt_ID, dendrite_label, 0..k-1) and cell_activation (index, presynaptic_cell_type,
//                cell_ID, 0..k-1); values in the shortest form that reads back to the same double
//   npy          NumPy format 1.0: FILE.npy holds the data, FILE.index.npy the trial index (unicode), and
//                traces FILE.time.npy the sample times
//   h5           HDF5: /trials (index, trial, seed, key, parameters/<column>) and one group per `what`
//   sonata       SONATA spike file (HDF5): /spikes/<population>/{timestamps, node_ids}, node id k = the k-th
//                exported trial (/trials/index[k])
//   isf-simrun   a folder per index prefix (the index up to its last '/'), holding ISF's simrun files:
//                simulation_run%04d_synapses.csv, _presynaptic_cells.csv, <prefix>vm_all_traces.csv,
//                <prefix><site>_vm_dend_traces.csv and the parameter copies; `silico import isf-simrun` of
//                the folder gives back the same index, spikes, traces and activations
//
// Rows: the dataset rows `select` keeps, in dataset order. Every file is written to a temporary name beside
// its target and renamed when complete (a folder export: the whole folder), so an interrupted export leaves
// no partial file under the target name. Traces are streamed (one trial's trace in memory at a time);
// synapse and presynaptic tables hold the selected trials' activations in memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "silico/analysis/dataset.hpp"
#include "silico/analysis/selection.hpp"
#include "silico/core/error.hpp"

namespace silico::store {
class Store;
}

namespace silico::analysis {

enum class ExportWhat : std::uint8_t { spikes, traces, synapses, presynaptic };
enum class ExportFormat : std::uint8_t { csv, npy, h5, sonata, isf_simrun };

// "spikes", "traces", "synapses", "presynaptic"; Errc::invalid_argument for anything else.
Result<ExportWhat> parse_export_what(std::string_view name);
std::string_view to_string(ExportWhat what);
std::string_view to_string(ExportFormat format);

// The format: `explicit_format` ("csv", "npy", "h5", "sonata", "isf-simrun") when given, else the file's
// extension (.csv, .npy, .h5 or .hdf5). Errc::invalid_argument naming the file for an unknown extension or
// format, and for sonata without an .h5/.hdf5 file.
Result<ExportFormat> export_format(const std::filesystem::path& file, std::string_view explicit_format = {});

struct ExportOptions {
    ExportWhat what = ExportWhat::spikes;
    ExportFormat format = ExportFormat::csv;
    std::string site = "soma";  // traces: the output "<site>.<variable>"
    std::string variable = "v";
    std::string population = "silico";  // sonata: the population name
    SelectOptions select;               // which rows (--where); groups are ignored
    bool overwrite = false;             // replace an existing target (else Errc::invalid_argument)
    // Called after each trial read from the store (done, total), for progress on long exports.
    std::function<void(std::size_t, std::size_t)> progress;
};

struct ExportReport {
    std::size_t trials = 0;                    // rows exported
    std::uint64_t values = 0;                  // numbers written (spike times, samples, release times)
    std::vector<std::filesystem::path> files;  // what was written (for isf-simrun: the folders' files)
};

// `store` may be null for spikes (they live in the dataset); traces, synapses, presynaptic and isf-simrun
// need the rows' trial records (Errc::invalid_argument on a spike table). A trial lacking the output is
// Errc::not_found naming the trial and listing its outputs; traces of different lengths in one npy or h5
// array are Errc::invalid_argument naming the trial.
Result<ExportReport> export_dataset(const store::Store* store, const Dataset& dataset,
                                    const std::filesystem::path& target, const ExportOptions& options);

// ----- NumPy's .npy format, version 1.0 (numpy.lib.format): the magic "\x93NUMPY", version 1 0, a
// little-endian uint16 header length, the header (a Python dict literal with 'descr', 'fortran_order' and
// 'shape', padded with spaces and ended by '\n' so that the data starts at a multiple of 64), then the data in
// C order. `descr` is a dtype string ("'<f8'") or a structured dtype list ("[('row', '<i8'), ...]").
std::string npy_header(std::string_view descr, const std::vector<std::uint64_t>& shape);

}  // namespace silico::analysis
