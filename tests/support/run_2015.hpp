// ISF's stored 2015 C2 evoked run of cell 86: the synapse activation rows of its six trials and the section
// lengths they record (experiments::run_section_lengths).
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include "cell_test_data.hpp"
#include "silico/model/simrun_files.hpp"
#include "silico/model/run_lengths.hpp"
#include "silico/model/synapse_files.hpp"

namespace silico::experiments::test {

// Every row of the six trials, trial by trial.
inline std::vector<SynapseActivationRow> rows_2015() {
    std::vector<SynapseActivationRow> all;
    for (int trial = 0; trial < 6; ++trial) {
        auto rows = read_synapse_activation_file(k_run_2015 + "/" + synapse_activation_file_name(trial));
        EXPECT_TRUE(rows.has_value()) << rows.error().what();
        if (rows) all.insert(all.end(), rows->begin(), rows->end());
    }
    return all;
}

// The section lengths NEURON had in the run (cell 86 has 167 hoc sections).
inline Result<std::vector<std::optional<double>>> section_lengths_2015() {
    auto syn = read_syn_file(k_syn_86);
    if (!syn) return std::unexpected(syn.error());
    return run_section_lengths(rows_2015(), *syn, 167);
}

}  // namespace silico::experiments::test
