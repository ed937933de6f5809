// The generated L5PT-like example cell shipped with silico (recipes/examples/cells/l5pt_example.hoc), so a
// demo needs no external data. How it is generated: docs/example_cell.md.
#pragma once

#include <cstdint>
#include <string>

#include "silico/model/morphology.hpp"

namespace silico::experiments {

struct ExampleCellOptions {
    std::uint64_t seed = 20240601;  // the shipped file uses this seed
};

// A procedural thick-tufted layer-5 pyramidal cell: soma, 7 basal trees, an apical trunk along +z with 8
// obliques and a main bifurcation into a tuft. Deterministic: the same options give the same morphology on
// every platform (mt19937_64 with explicit conversions, coordinates rounded to 1e-4 µm).
Morphology generate_example_cell(const ExampleCellOptions& options = {});

// Writes a morphology as Amira-style hoc (the format read_hoc reads), one `{...}` statement per line.
std::string write_hoc(const Morphology& morphology);

}  // namespace silico::experiments
