// The server maps request targets to store keys and nothing else (sharing/src/target.hpp).
#include "target.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace silico::sharing {
namespace {

const std::string k_hex = sha256("x").hex();

// The error of a refused target; `fallback` when it was accepted.
TargetError refusal(const std::string& target, TargetError fallback) {
    auto parsed = parse_target(target);
    return parsed ? fallback : parsed.error();
}

TEST(Target, ABlobOrARecordTargetNamesItsAreaAndKey) {
    auto cas = parse_target("/cas/" + k_hex);
    ASSERT_TRUE(cas.has_value());
    EXPECT_EQ(cas->area, Area::cas);
    EXPECT_EQ(cas->key, sha256("x"));
    auto ac = parse_target("/ac/" + k_hex);
    ASSERT_TRUE(ac.has_value());
    EXPECT_EQ(ac->area, Area::ac);
    auto listing = parse_target("/ac/");
    ASSERT_TRUE(listing.has_value());
    EXPECT_FALSE(listing->key.has_value());
}

TEST(Target, TraversalEncodingsQueriesAndControlBytesAreBadRequests) {
    for (const std::string& t : std::vector<std::string>{
             "/cas/../" + k_hex, "/cas/%2e%2e/x", "/ac/" + k_hex + "?a", "/ac//" + k_hex, "/cas/a\\b",
             std::string("/cas/\x01"), "cas/" + k_hex, "", "/ac/" + k_hex + "#f", "/cas/a b"})
        EXPECT_EQ(refusal(t, TargetError::not_found), TargetError::bad_request) << t;
}

TEST(Target, AnythingElseIsNotFound) {
    std::string upper = k_hex;
    upper[0] = 'A';
    for (const std::string& t :
         std::vector<std::string>{"/", "/etc/passwd", "/cas", "/cas/" + k_hex.substr(1), "/cas/" + upper,
                                  "/cas/" + k_hex + "/", "/ac/" + k_hex + "0", "/db/CURRENT"})
        EXPECT_EQ(refusal(t, TargetError::bad_request), TargetError::not_found) << t;
}

}  // namespace
}  // namespace silico::sharing
