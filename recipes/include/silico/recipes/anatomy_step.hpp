// The recipe's anatomy step, `[input.anatomy]` (docs/recipes.md, docs/anatomy.md): map the cell's synaptic
// input from ISF's barrel cortex before the recipe is loaded. The runner reads the step with
// read_anatomy_step, maps the anatomy (or takes it from the store under the mapping's key) and passes the
// folder of the mapped files as the `[anatomy]` placeholder, which `[input.builder]`'s syn, con and
// cell_numbers name. The mapped files are then input files like any other: their digests enter the
// condition key.
#pragma once

#include <cstdint>
#include <expected>
#include <filesystem>
#include <optional>
#include <string>

#include "silico/recipes/diagnostics.hpp"
#include "silico/recipes/isf_param.hpp"

namespace silico::recipes {

struct AnatomyStep {
    std::filesystem::path barrel_cortex;  // ISF's layout (nrCells.csv, ConnectionsV8.csv, PST/, boutons)
    std::filesystem::path morphology;     // input.anatomy.morphology, else cell.morphology
    std::string cell_type;                // postsynaptic type, e.g. "L5tt"
    std::int64_t realisations = 50;
    std::uint64_t seed = 0;
    bool isf_compat = false;
    std::string area = "amira";  // amira | geometric
};

// [input.anatomy] of a recipe file, nullopt when it has none. Paths resolve placeholders from the recipe's
// [paths] and `overrides`, then against the recipe's folder. Wrong types and missing keys are diagnostics
// naming the key; the rest of the recipe is validated by load_recipe.
std::expected<std::optional<AnatomyStep>, Diagnostics> read_anatomy_step(const std::filesystem::path& file,
                                                                         const PathMap& overrides = {});

}  // namespace silico::recipes
