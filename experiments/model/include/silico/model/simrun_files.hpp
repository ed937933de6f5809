// ISF simrun text outputs (ISF simrun/run_new_simulations.py, single_cell_parser/writer.py): synapse
// activation, presynaptic cells, soma/dendrite Vm traces.
//
// Readers accept what ISF's own loader accepts: tab- or comma-separated fields mixed freely, activation
// times each followed by ',' (a trailing comma or none), blank lines, '#' header lines. Writers produce
// ISF's layout with Python-style shortest round-trip floats, so files written here read back bit-equal.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "silico/core/error.hpp"

namespace silico::experiments {

// One line of `simulation_run*_synapses.csv`: an active synapse and its sorted release times.
struct SynapseActivationRow {
    std::string synapse_type;     // "L5tt_C2"
    std::int64_t synapse_id = 0;  // index within its type
    double soma_distance = 0.0;   // D3, µm
    std::int64_t section_id = 0;
    std::int64_t section_pt_id = 0;
    std::string dendrite_label;  // "ApicalDendrite", "Dendrite", "Soma"
    std::vector<double> times;   // ms

    bool operator==(const SynapseActivationRow&) const = default;
};

// One line of `simulation_run*_presynaptic_cells.csv`.
struct PresynapticCellRow {
    std::string cell_type;
    std::int64_t cell_id = 0;
    std::vector<double> times;

    bool operator==(const PresynapticCellRow&) const = default;
};

// `*_vm_all_traces.csv` / `*_vm_dend_traces.csv`: a time column and one column per run.
struct VmTraces {
    std::vector<std::string> labels;  // column headers after "t", e.g. "Vm run 00"
    std::vector<double> t;
    std::vector<std::vector<double>> runs;  // runs[i][k] = value of column i at t[k]

    bool operator==(const VmTraces&) const = default;
};

Result<std::vector<SynapseActivationRow>> parse_synapse_activation(std::string_view text,
                                                                   std::string_view source = "<synapses>");
Result<std::vector<SynapseActivationRow>> read_synapse_activation_file(const std::filesystem::path& file);
std::string format_synapse_activation(const std::vector<SynapseActivationRow>& rows);
// Atomic: writes a temporary file beside `file` and renames it.
Status write_synapse_activation_file(const std::filesystem::path& file,
                                     const std::vector<SynapseActivationRow>& rows);

Result<std::vector<PresynapticCellRow>> parse_presynaptic_cells(std::string_view text,
                                                                std::string_view source = "<cells>");
Result<std::vector<PresynapticCellRow>> read_presynaptic_cells_file(const std::filesystem::path& file);
std::string format_presynaptic_cells(const std::vector<PresynapticCellRow>& rows);
Status write_presynaptic_cells_file(const std::filesystem::path& file,
                                    const std::vector<PresynapticCellRow>& rows);

Result<VmTraces> parse_vm_traces(std::string_view text, std::string_view source = "<traces>");
Result<VmTraces> read_vm_traces_file(const std::filesystem::path& file);
// Header "t\tVm run 00\t..." (labels as given; make_vm_labels() gives ISF's names), one line per sample.
std::string format_vm_traces(const VmTraces& traces);
Status write_vm_traces_file(const std::filesystem::path& file, const VmTraces& traces);
// "Vm run 00", "Vm run 01", ... as ISF names soma trace columns.
std::vector<std::string> make_vm_labels(std::size_t runs);

// ISF's per-trial file names: simulation_run%04d_synapses.csv / _presynaptic_cells.csv.
std::string synapse_activation_file_name(std::int64_t trial);
std::string presynaptic_cells_file_name(std::int64_t trial);

}  // namespace silico::experiments
