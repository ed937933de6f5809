#include "silico/core/error.hpp"

#include <gtest/gtest.h>

namespace silico {
namespace {

TEST(Error, WhatJoinsContextAndMessage) {
    EXPECT_EQ((Error{Errc::parse, "unexpected ','", "recipe.toml:3:7"}).what(), "recipe.toml:3:7: unexpected ','");
    EXPECT_EQ((Error{Errc::io, "disk full", ""}).what(), "disk full");
}

TEST(Error, WithinPrependsOuterContext) {
    const Error inner{Errc::parse, "bad number", "line 3"};
    EXPECT_EQ(inner.within("cell.param").what(), "cell.param: line 3: bad number");
    EXPECT_EQ((Error{Errc::parse, "bad", ""}).within("f").what(), "f: bad");
}

TEST(Error, ExitStatusSeparatesBadInputBusyAndFailure) {
    EXPECT_EQ(exit_status(Errc::validation), 2);
    EXPECT_EQ(exit_status(Errc::parse), 2);
    EXPECT_EQ(exit_status(Errc::busy), 3);
    EXPECT_EQ(exit_status(Errc::corruption), 1);
}

TEST(Error, FailBuildsAnUnexpected) {
    Result<int> r = fail(Errc::not_found, "no such trial", "key abc");
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, Errc::not_found);
    EXPECT_EQ(to_string(r.error().code), "not found");
}

}  // namespace
}  // namespace silico
