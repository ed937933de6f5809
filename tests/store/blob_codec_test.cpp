#include "blob_codec.hpp"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace silico::store
