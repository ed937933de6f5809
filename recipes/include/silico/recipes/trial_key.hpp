// Trial keys: the content address of one trial's result (DESIGN.md "Trial key").
//
// Every key is a SHA-256 over tagged, length-delimited fields with the key-format version first, so no two
// field sequences collide. Encoding of one field (KeyBuilder::add):
//
//     field  := tag_length:u32be  tag:bytes  value_length:u64be  value:bytes
//     digest := SHA-256( field("key-format", <format>)  field*  )
//
// A trial key is built in three levels so that planning hashes each input once, not once per trial:
//   model key     = fields: mechanisms digest, NEURON version, experiments/ and mechanisms/ tree ids,
//                   uncommitted model digest                                          (once per plan)
//   condition key = fields: canonical condition spec, digest of every input file      (once per condition)
//   trial key     = fields: model key, condition key, seed mode, trial index, seed    (per trial)
// explain_trial() prints every field of all three levels as diffable text.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "silico/core/digest.hpp"
#include "silico/core/error.hpp"

namespace silico::recipes {

inline constexpr std::string_view k_trial_key_format = "silico.trial-key.v1";
inline constexpr std::string_view k_model_key_format = "silico.model-key.v1";
inline constexpr std::string_view k_condition_key_format = "silico.condition-key.v1";

// Accumulates tagged fields; the first field is always ("key-format", format).
class KeyBuilder {
  public:
    explicit KeyBuilder(std::string_view format);
    KeyBuilder& add(std::string_view tag, std::string_view value);
    KeyBuilder& add(std::string_view tag, const Digest& value);  // the 32 raw bytes
    KeyBuilder& add(std::string_view tag, std::uint64_t value);  // 8 bytes, big-endian
    Digest finish();

  private:
    Sha256 m_hash;
};

// The model-code version: git tree ids of experiments/ and mechanisms/ (DESIGN.md), plus the digest of
// uncommitted content below them. Read from the checkout with libgit2, or the build-time values.
struct ModelVersion {
    std::string experiments_tree;
    std::string mechanisms_tree;
    std::string uncommitted_digest;        // "" when clean
    std::vector<std::string> dirty_files;  // repo-relative, when read from a checkout
    std::string source;                    // "git <dir>" or "build"

    bool dirty() const { return !uncommitted_digest.empty(); }
};

// Reads the model version from the checkout at `source_dir` (libgit2); without a checkout, the values
// captured when this binary was built (silico::build_info()).
ModelVersion read_model_version(const std::filesystem::path& source_dir);

// One source file of the mechanism set (a .mod, or a .h that mod files include): its path relative to
// mechanisms/ and its bytes.
struct MechanismFile {
    std::string name;
    std::string content;
};

// Every *.mod and *.h file below `dir` (a header such as silico_exp.h is compiled into the mechanisms),
// sorted by relative path.
Result<std::vector<MechanismFile>> read_mechanism_files(const std::filesystem::path& dir);

// Digest of the mechanism set: tagged (name, content) fields in name order, so file order does not matter.
Digest mechanism_set_digest(std::vector<MechanismFile> files);

// What every trial key of one plan shares.
struct KeyContext {
    Digest mechanisms;           // mechanism_set_digest()
    std::string neuron_version;  // e.g. the output of nrn_version(1)
    ModelVersion model;
};

// Builds the context for the checkout (or build) at `source_dir`; with `require_clean`, a model with
// uncommitted changes in experiments/ or mechanisms/ is an Errc::validation error listing the files.
// `warnings` receives a line for a dirty model.
Result<KeyContext> make_key_context(const std::filesystem::path& source_dir, std::string neuron_version,
                                    bool require_clean, std::vector<std::string>* warnings = nullptr);

Digest model_key(const KeyContext& context);

}  // namespace silico::recipes
