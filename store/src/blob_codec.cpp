#include "blob_codec.hpp"

#include <zstd.h>

#include <algorithm>
#include <memory>

#include "silico/store/store.hpp"

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

Status decode_blob_into(const Digest& digest, std::string_view frame, std::string& out, bool verify_digest) {
    const unsigned long long n = ZSTD_getFrameContentSize(frame.data(), frame.size());
    if (n == ZSTD_CONTENTSIZE_UNKNOWN || n == ZSTD_CONTENTSIZE_ERROR) {
        return fail(Errc::corruption, "stored bytes are not a zstd frame", "blob " + digest.hex());
    }
    // A corrupt header could claim absurd sizes; no blob is larger than 16 GiB.
    if (n > (1ull << 34))
        return fail(Errc::corruption, "zstd frame claims " + std::to_string(n) + " bytes",
                    "blob " + digest.hex());
    std::size_t got = 0;
    // Decompressed straight into the string, without zero-filling it first, with this thread's context.
    out.resize_and_overwrite(n, [&](char* o, std::size_t size) {
        got = ZSTD_decompressDCtx(thread_zstd_dctx(), o, size, frame.data(), frame.size());
        return ZSTD_isError(got) ? 0 : std::min<std::size_t>(got, size);
    });
    if (ZSTD_isError(got) || got != n) {
        out.clear();
        return fail(Errc::corruption,
                    std::string("zstd frame does not decode: ") +
                        (ZSTD_isError(got) ? ZSTD_getErrorName(got) : "short"),
                    "blob " + digest.hex());
    }
    if (!verify_digest) return {};
    const Digest actual = sha256(out);
    if (actual != digest) {
        out.clear();
        return fail(Errc::corruption, "stored bytes hash to " + actual.hex() + ", not to their key",
                    "blob " + digest.hex());
    }
    return {};
}

Result<std::string> decode_blob(const Digest& digest, std::string_view frame) {
    std::string bytes;
    if (auto st = decode_blob_into(digest, frame, bytes, true); !st) return std::unexpected(st.error());
    return bytes;
}

}  // namespace silico::store

namespace silico::store {

namespace {

// Any zstd input: concatenated frames, frames without a content size (streamed by a proxy), skippable
// frames. Stops with an error as soon as more than `max_bytes` come out.
Result<std::string> decode_stream(std::string_view input, std::uint64_t max_bytes) {
    const std::unique_ptr<ZSTD_DStream, decltype(&ZSTD_freeDStream)> stream(ZSTD_createDStream(),
                                                                            &ZSTD_freeDStream);
    std::string out;
    std::string chunk(ZSTD_DStreamOutSize(), '\0');
    ZSTD_inBuffer in{input.data(), input.size(), 0};
    std::size_t last = 1;  // 0 once a frame is complete
    while (in.pos < in.size) {
        ZSTD_outBuffer o{chunk.data(), chunk.size(), 0};
        last = ZSTD_decompressStream(stream.get(), &o, &in);
        if (ZSTD_isError(last))
            return fail(Errc::corruption, std::string("not zstd: ") + ZSTD_getErrorName(last));
        if (out.size() + o.pos > max_bytes)
            return fail(Errc::corruption,
                        "the zstd body decodes to more than " + std::to_string(max_bytes) + " bytes");
        out.append(chunk.data(), o.pos);
    }
    // The decoder may still hold output after the input is consumed.
    while (last != 0) {
        ZSTD_outBuffer o{chunk.data(), chunk.size(), 0};
        last = ZSTD_decompressStream(stream.get(), &o, &in);
        if (ZSTD_isError(last))
            return fail(Errc::corruption, std::string("not zstd: ") + ZSTD_getErrorName(last));
        if (o.pos == 0 && last != 0) return fail(Errc::corruption, "the zstd body ends inside a frame");
        if (out.size() + o.pos > max_bytes)
            return fail(Errc::corruption,
                        "the zstd body decodes to more than " + std::to_string(max_bytes) + " bytes");
        out.append(chunk.data(), o.pos);
    }
    return out;
}

}  // namespace

Result<ReceivedFrame> decode_received_frame(std::string_view frame, std::uint64_t max_bytes) {
    const unsigned long long n = ZSTD_getFrameContentSize(frame.data(), frame.size());
    const std::size_t first = ZSTD_findFrameCompressedSize(frame.data(), frame.size());
    const bool single = n != ZSTD_CONTENTSIZE_UNKNOWN && n != ZSTD_CONTENTSIZE_ERROR &&
                        !ZSTD_isError(first) && first == frame.size();
    if (!single) {  // not as the store writes frames: decoded, and compressed again by the store
        auto bytes = decode_stream(frame, max_bytes);
        if (!bytes) return std::unexpected(bytes.error());
        return ReceivedFrame{std::move(*bytes), false};
    }
    if (n > max_bytes)
        return fail(Errc::corruption, "the zstd frame claims " + std::to_string(n) + " bytes, more than " +
                                          std::to_string(max_bytes));
    ReceivedFrame out;
    std::size_t got = 0;
    out.bytes.resize_and_overwrite(n, [&](char* dst, std::size_t size) {
        got = ZSTD_decompressDCtx(thread_zstd_dctx(), dst, size, frame.data(), frame.size());
        return ZSTD_isError(got) ? 0 : std::min<std::size_t>(got, size);
    });
    if (ZSTD_isError(got) || got != n)
        return fail(Errc::corruption, std::string("the zstd frame does not decode: ") +
                                          (ZSTD_isError(got) ? ZSTD_getErrorName(got) : "short"));
    out.storable = true;
    return out;
}

}  // namespace silico::store
