// The checkpoint file format (checkpoint.hpp), NEURON-free: Stimulus::run fills and reads it.
//
//   magic   "SILICO-CKPT\n"                       12 bytes
//   header  u32 length, JSON text                 format, identity, fingerprint, neuron_version, t, steps
//   state   u64 length, bytes                     NEURON SaveState.fwrite output
//   vectors u32 count, (u64 n, n x f64){count}    recorded Vectors (little-endian IEEE-754)
//   digest  32 bytes                              SHA-256 of every byte before it
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "silico/core/error.hpp"
#include "silico/neuron/checkpoint.hpp"

namespace silico::experiments::detail {

struct CheckpointFile {
    CheckpointInfo info;
    std::string neuron_state;
    std::vector<std::vector<double>> vectors;
};

// Writes `file` atomically: a temporary file in the same folder, fsync, rename over `file`, fsync of the
// folder. The folder is created when missing.
Status write_checkpoint_file(const std::filesystem::path& file, const CheckpointFile& checkpoint);

// Reads and validates (magic, format, lengths, digest). Errc::not_found when there is no file,
// Errc::corruption or Errc::version otherwise.
Result<CheckpointFile> read_checkpoint_file(const std::filesystem::path& file);

}  // namespace silico::experiments::detail
