// The section lengths of a stored ISF run, read back from its synapse activation file, NEURON-free.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <span>
#include <vector>

#include "silico/core/error.hpp"
#include "silico/model/simrun_files.hpp"
#include "silico/model/synapse_files.hpp"

namespace silico::experiments {

// The section lengths NEURON had in the run that wrote an ISF synapse activation file, read back from its
// soma-distance column. A new run writes D3 at the synapse's .syn x, so on one section D3 = offset + x·L, and
// ISF prints D3 with 12 significant digits: the slope over the section's rows gives L to ~1e-9 relative.
// Why a replay needs them: NEURON stores 3D points as float32, so the same cell registered at another
// position (as cell 86's morphology file was after its 2015 runs) has section lengths ~1e-7 different,
// which moves a replayed soma trace by ~5e-7 mV and a spike upstroke by up to ~5e-3 mV.
// One entry per section ID below `section_count`; nullopt where the rows do not determine L (the soma, whose
// D3 is 0; fewer than two distinct x; x spanning less than 0.05). Errc::validation when a row's synapse is
// not in `syn` or sits on another section there, or when a section's rows do not lie on one line (the file
// was not written from this .syn, e.g. a replay's file, whose soma distances use relPts instead of x).
Result<std::vector<std::optional<double>>> run_section_lengths(std::span<const SynapseActivationRow> rows,
                                                               const SynapseDistribution& syn,
                                                               std::size_t section_count);
// The same from the run's activation file and its .syn file; errors name the activation file.
Result<std::vector<std::optional<double>>> read_run_section_lengths(const std::filesystem::path& activation,
                                                                    const std::filesystem::path& syn,
                                                                    std::size_t section_count);

}  // namespace silico::experiments
