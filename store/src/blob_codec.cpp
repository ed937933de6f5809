#include "blob_codec.hpp"

#include <zstd.h>

#include <algorithm>
#include <memory>

namespace silico::store {

ZSTD_DCtx* thread_zstd_dctx() {
    thread_local const std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> context(ZSTD_createDCtx(),
                                                                                    &ZSTD_freeDCtx);
    return context.get();
}

std::string compress_blob(std::string_view bytes, int level) {
    std::string frame(ZSTD_compressBound(bytes.size()), '\0');
    // ZSTD_compress writes the content size into the frame header.
    const std::size_t n = ZSTD_compress(frame.data(), frame.size(), bytes.data(), bytes.size(), level);
    frame.resize(n);
    return frame;
}

std::uint64_t blob_content_size(std::string_view frame) {
    const unsigned long long n = ZSTD_getFrameContentSize(frame.data(), frame.size());
    if (n == ZSTD_CONTENTSIZE_UNKNOWN || n == ZSTD_CONTENTSIZE_ERROR) return 0;
    return n;
}

std::string blob_prefix(std::string_view frame, std::size_t n) {
    ZSTD_DStream* stream = ZSTD_createDStream();
    std::string out(n, '\0');
    ZSTD_inBuffer in{frame.data(), frame.size(), 0};
    ZSTD_outBuffer o{out.data(), out.size(), 0};
    while (o.pos < o.size && in.pos < in.size) {
        const std::size_t r = ZSTD_decompressStream(stream, &o, &in);
        if (ZSTD_isError(r)) {
            o.pos = 0;
            break;
        }
        if (r == 0) break;  // end of frame
    }
    ZSTD_freeDStream(stream);
    out.resize(o.pos);
    return out;
}

Result<std::string> decode_blob(const Digest& digest, std::string_view frame) {
    const unsigned long long n = ZSTD_getFrameContentSize(frame.data(), frame.size());
    if (n == ZSTD_CONTENTSIZE_UNKNOWN || n == ZSTD_CONTENTSIZE_ERROR) {
        return fail(Errc::corruption, "stored bytes are not a zstd frame", "blob " + digest.hex());
    }
    // A corrupt header could claim absurd sizes; no blob is larger than 16 GiB.
    if (n > (1ull << 34))
        return fail(Errc::corruption, "zstd frame claims " + std::to_string(n) + " bytes",
                    "blob " + digest.hex());
    std::string bytes;
    std::size_t got = 0;
    // Decompressed straight into the string, without zero-filling it first, with this thread's context.
    bytes.resize_and_overwrite(n, [&](char* out, std::size_t size) {
        got = ZSTD_decompressDCtx(thread_zstd_dctx(), out, size, frame.data(), frame.size());
        return ZSTD_isError(got) ? 0 : std::min<std::size_t>(got, size);
    });
    if (ZSTD_isError(got) || got != n) {
        return fail(Errc::corruption,
                    std::string("zstd frame does not decode: ") +
                        (ZSTD_isError(got) ? ZSTD_getErrorName(got) : "short"),
                    "blob " + digest.hex());
    }
    const Digest actual = sha256(bytes);
    if (actual != digest) {
        return fail(Errc::corruption, "stored bytes hash to " + actual.hex() + ", not to their key",
                    "blob " + digest.hex());
    }
    return bytes;
}

}  // namespace silico::store
