#include "silico/recipes/diagnostics.hpp"

#include <gtest/gtest.h>

namespace silico::recipes {
namespace {

TEST(EditDistance, CountsInsertionsDeletionsAndSubstitutions) {
    EXPECT_EQ(edit_distance("", ""), 0u);
    EXPECT_EQ(edit_distance("tstop", "tstop"), 0u);
    EXPECT_EQ(edit_distance("tsop", "tstop"), 1u);
    EXPECT_EQ(edit_distance("amplitdue", "amplitude"), 2u);
    EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
    EXPECT_EQ(edit_distance("", "abc"), 3u);
}

TEST(ClosestMatch, SuggestsOnlyPlausibleMisspellings) {
    const std::vector<std::string> keys{"tstop", "dt", "solver", "temperature", "v_init", "trials"};
    EXPECT_EQ(closest_match("tsop", keys), "tstop");
    EXPECT_EQ(closest_match("temprature", keys), "temperature");
    EXPECT_EQ(closest_match("trails", keys), "trials");
    EXPECT_EQ(closest_match("completely_different", keys), "");
}

TEST(Diagnostic, PrintsFileLineColumnKeyAndMessage) {
    EXPECT_EQ((Diagnostic{"r.toml", 3, 7, "simulation.dt", "must be greater than 0"}.what()),
              "r.toml:3:7: simulation.dt: must be greater than 0");
    EXPECT_EQ((Diagnostic{"r.toml", 0, 0, "simulation", "missing"}.what()), "r.toml: simulation: missing");
    const Error e = to_error({Diagnostic{"a", 1, 1, "k", "x"}, Diagnostic{"a", 2, 1, "", "y"}});
    EXPECT_EQ(e.code, Errc::validation);
    EXPECT_EQ(e.message, "a:1:1: k: x\na:2:1: y");
    EXPECT_EQ(exit_status(e.code), 2);
}

}  // namespace
}  // namespace silico::recipes
