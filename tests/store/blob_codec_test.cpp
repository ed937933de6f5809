#include "blob_codec.hpp"

#include <gtest/gtest.h>

#include "silico/store/store.hpp"

namespace silico::store {
namespace {

TEST(BlobCodec, FrameDecodesToTheBytesItWasMadeFrom) {
    const std::string bytes = std::string(5000, 'a') + "tail";
    const std::string frame = compress_blob(bytes, 3);
    EXPECT_LT(frame.size(), bytes.size());
    EXPECT_EQ(blob_content_size(frame), bytes.size());
    auto back = decode_blob(sha256(bytes), frame);
    ASSERT_TRUE(back) << back.error().what();
    EXPECT_EQ(*back, bytes);
}

TEST(BlobCodec, ValidFrameOfOtherBytesIsCorruptionNamingTheDigest) {
    const Digest claimed = sha256("what the key says");
    auto back = decode_blob(claimed, compress_blob("something else", 3));
    ASSERT_FALSE(back);
    EXPECT_EQ(back.error().code, Errc::corruption);
    EXPECT_NE(back.error().what().find(claimed.hex()), std::string::npos);
}

TEST(BlobCodec, GarbageIsCorruptionNamingTheDigest) {
    const Digest claimed = sha256("x");
    for (std::string garbage : {std::string(), std::string("not zstd at all"), std::string(64, '\0')}) {
        auto back = decode_blob(claimed, garbage);
        ASSERT_FALSE(back);
        EXPECT_EQ(back.error().code, Errc::corruption);
        EXPECT_NE(back.error().what().find(claimed.hex()), std::string::npos);
    }
    EXPECT_EQ(blob_content_size("junk"), 0u);
}

TEST(BlobCodec, FlippedByteInsideAFrameIsCorruption) {
    std::string bytes;
    for (int i = 0; i < 2000; ++i) bytes += std::to_string(i * 7919 % 1000);
    std::string frame = compress_blob(bytes, 3);
    frame[frame.size() / 2] ^= 0x40;
    auto back = decode_blob(sha256(bytes), frame);
    ASSERT_FALSE(back);
    EXPECT_EQ(back.error().code, Errc::corruption);
}

// A frame as a lab cache sends it (store.hpp decode_received_frame): one frame stating its size is storable as
// it is; other zstd forms decode but the store compresses their bytes itself; nothing decodes past the limit.
std::string numbers(int n) {
    std::string bytes;
    for (int i = 0; i < n; ++i) bytes += std::to_string(i * 7919 % 1000) + ",";
    return bytes;
}

TEST(ReceivedFrame, OneFrameStatingItsSizeDecodesAndIsStorable) {
    const std::string bytes = numbers(3000);
    auto got = decode_received_frame(compress_blob(bytes, 3), 1 << 20);
    ASSERT_TRUE(got) << got.error().what();
    EXPECT_EQ(got->bytes, bytes);
    EXPECT_TRUE(got->storable);
}

TEST(ReceivedFrame, ConcatenatedFramesAndAFrameWithoutItsSizeDecodeButAreNotStorable) {
    const std::string a = numbers(1000), b = "and more";
    auto two = decode_received_frame(compress_blob(a, 3) + compress_blob(b, 3), 1 << 20);
    ASSERT_TRUE(two) << two.error().what();
    EXPECT_EQ(two->bytes, a + b);
    EXPECT_FALSE(two->storable);

    // A streamed frame (as a proxy compressing on the fly writes it) has no content size in its header.
    ZSTD_CCtx* cctx = ZSTD_createCCtx();
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 0);
    std::string frame(ZSTD_compressBound(a.size()), '\0');
    ZSTD_inBuffer in{a.data(), a.size(), 0};
    ZSTD_outBuffer out{frame.data(), frame.size(), 0};
    ASSERT_EQ(ZSTD_compressStream2(cctx, &out, &in, ZSTD_e_end), 0u);
    ZSTD_freeCCtx(cctx);
    frame.resize(out.pos);
    ASSERT_EQ(ZSTD_getFrameContentSize(frame.data(), frame.size()), ZSTD_CONTENTSIZE_UNKNOWN);
    auto streamed = decode_received_frame(frame, 1 << 20);
    ASSERT_TRUE(streamed) << streamed.error().what();
    EXPECT_EQ(streamed->bytes, a);
    EXPECT_FALSE(streamed->storable);
}

TEST(ReceivedFrame, GarbageTruncationAndTooManyBytesAreCorruption) {
    const std::string bytes = numbers(3000);
    const std::string frame = compress_blob(bytes, 3);
    for (const std::string& bad :
         {std::string(), std::string("not zstd at all"), frame.substr(0, frame.size() / 2)}) {
        auto got = decode_received_frame(bad, 1 << 20);
        ASSERT_FALSE(got) << bad.size();
        EXPECT_EQ(got.error().code, Errc::corruption);
    }
    auto big = decode_received_frame(frame, bytes.size() - 1);
    ASSERT_FALSE(big);
    EXPECT_NE(big.error().what().find("more than"), std::string::npos) << big.error().what();
    auto big_stream = decode_received_frame(frame + frame, bytes.size());
    ASSERT_FALSE(big_stream);
    EXPECT_NE(big_stream.error().what().find("more than"), std::string::npos) << big_stream.error().what();
}

}  // namespace
}  // namespace silico::store
