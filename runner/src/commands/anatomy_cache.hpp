// The store cache of anatomical mappings (anatomy_command.cpp; docs/anatomy.md): the files of a mapping live
// as named items anatomy/<key>/{manifest.json, syn, con, connected_cells, summary}, key = anatomy_key.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>

#include "silico/core/digest.hpp"
#include "silico/core/error.hpp"
#include "silico/model/synapse_mapper.hpp"
#include "silico/recipes/anatomy_step.hpp"
#include "silico/store/store.hpp"

namespace silico::runner {

// A cached mapping written into `dir` under the names it had: its manifest, or nullopt when not cached.
Result<std::optional<nlohmann::ordered_json>> restore_cached_anatomy(const store::Store& store,
                                                                     const Digest& key,
                                                                     const std::filesystem::path& dir);
// Puts a mapping's four files and its manifest into the store under `key`.
Status store_anatomy(store::Store& store, const Digest& key, const experiments::AnatomyFiles& files,
                     const nlohmann::ordered_json& manifest);
// A recipe's [input.anatomy]: the folder STORE/anatomy/<key> with the mapped files, computed once (and then
// kept in the store) or restored from the store. Prints one line saying which.
Result<std::filesystem::path> resolve_anatomy_step(const recipes::AnatomyStep& step,
                                                   const std::filesystem::path& store_dir);

}  // namespace silico::runner
