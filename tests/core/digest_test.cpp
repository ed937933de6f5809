#include "silico/core/digest.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unordered_set>

namespace silico {
namespace {

// FIPS 180-2 known answers.
TEST(Sha256, MatchesPublishedTestVectors) {
    EXPECT_EQ(sha256("").hex(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(sha256("abc").hex(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq").hex(),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256, IncrementalUpdatesEqualOneShot) {
    Sha256 h;
    h.update("ab").update("").update("c");
    EXPECT_EQ(h.finish(), sha256("abc"));
}

TEST(Digest, HexRoundTripsInEitherCase) {
    const Digest d = sha256("round trip");
    ASSERT_TRUE(Digest::from_hex(d.hex()).has_value());
    EXPECT_EQ(*Digest::from_hex(d.hex()), d);
    std::string upper = d.hex();
    for (char& c : upper) c = static_cast<char>(std::toupper(c));
    EXPECT_EQ(*Digest::from_hex(upper), d);
}

TEST(Digest, RejectsMalformedHexWithAParseError) {
    EXPECT_EQ(Digest::from_hex("abc").error().code, Errc::parse);
    EXPECT_EQ(Digest::from_hex(std::string(64, 'g')).error().code, Errc::parse);
}

TEST(Digest, FromBytesNeedsExactly32Bytes) {
    const Digest d = sha256("x");
    EXPECT_EQ(*Digest::from_bytes(d.view()), d);
    EXPECT_FALSE(Digest::from_bytes("short").has_value());
}

TEST(Digest, IsUsableAsAnUnorderedKey) {
    std::unordered_set<Digest> set{sha256("a"), sha256("b"), sha256("a")};
    EXPECT_EQ(set.size(), 2u);
}

TEST(Sha256File, HashesContentAndNamesAMissingFile) {
    const auto path = std::filesystem::temp_directory_path() / "silico_digest_test.bin";
    std::ofstream(path, std::ios::binary) << "abc";
    EXPECT_EQ(*sha256_file(path), sha256("abc"));
    std::filesystem::remove(path);
    auto missing = sha256_file(path);
    ASSERT_FALSE(missing.has_value());
    EXPECT_EQ(missing.error().code, Errc::not_found);
    EXPECT_NE(missing.error().what().find("silico_digest_test.bin"), std::string::npos);
}

}  // namespace
}  // namespace silico
