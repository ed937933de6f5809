// Blob frames (private): a blob is stored as one zstd frame of its bytes, keyed by their SHA-256.
#pragma once

#include <zstd.h>

#include <string>
#include <string_view>

#include "silico/core/digest.hpp"
#include "silico/core/error.hpp"

namespace silico::store {

// One zstd frame with the content size in its header (so info can report sizes without decoding).
std::string compress_blob(std::string_view bytes, int level);
// Decompresses `frame` and checks that the bytes hash to `digest`; anything else is Errc::corruption
// naming the digest. Never returns bytes that do not match.
Result<std::string> decode_blob(const Digest& digest, std::string_view frame);
// decode_blob into `out`, reusing its capacity; `verify_digest` false skips the SHA-256 (the caller had the
// frame's blocks checked otherwise: Store::read_blob with BlobCheck::block_checksums).
Status decode_blob_into(const Digest& digest, std::string_view frame, std::string& out, bool verify_digest);
// The uncompressed size recorded in the frame header, or 0 when the header is unreadable.
std::uint64_t blob_content_size(std::string_view frame);
// The first `n` uncompressed bytes (fewer when the blob is shorter), decoding only the frame's first blocks; ""
// when the frame is unreadable. Not verified against the digest: for statistics only (Store::info).
std::string blob_prefix(std::string_view frame, std::size_t n);
// This thread's zstd decompression context, created once and reused by every blob and array it decodes.
ZSTD_DCtx* thread_zstd_dctx();

}  // namespace silico::store
