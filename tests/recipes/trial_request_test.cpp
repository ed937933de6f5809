// The request forms a worker receives: a cell and a trial of a condition round-trip exactly, and a request of
// another format or a malformed one is refused with a clear error.
#include "silico/recipes/trial_request.hpp"

#include <gtest/gtest.h>

#include "recipe_fixture.hpp"
#include "silico/recipes/plan.hpp"

namespace silico::recipes {
namespace {

class TrialRequests : public testing::RecipeFolder {
  protected:
    Spec spec_of(const std::string& text) {
        auto recipe = parse(text);
        EXPECT_TRUE(recipe.has_value()) << (recipe ? "" : all(recipe.error()));
        auto conditions = expand_conditions(*recipe);
        EXPECT_TRUE(conditions.has_value());
        return conditions->back().spec;
    }
};

TEST_F(TrialRequests, ACellRequestRoundTripsToTheSameText) {
    const CellRequest request{spec_of(testing::k_base_recipe).cell};
    const std::string text = encode_cell_request(request);
    auto back = decode_cell_request(text);
    ASSERT_TRUE(back.has_value()) << back.error().what();
    EXPECT_EQ(encode_cell_request(*back), text);
    EXPECT_EQ(back->cell.biophysics.file, request.cell.biophysics.file);
}

TEST_F(TrialRequests, ATrialRequestKeepsIndexSeedAndEverySpecField) {
    const std::string recipe =
        replaced(testing::k_base_recipe, "amplitude = 0.5", "amplitude = [0.005, 0.05]");
    const TrialRequest trial{spec_of(recipe), 3, 123456789012345ull};
    const std::string text = encode_trial_request(trial);
    auto decoded = decode_trial_request(text);
    ASSERT_TRUE(decoded.has_value()) << decoded.error().what();
    EXPECT_EQ(decoded->trial, 3u);
    EXPECT_EQ(decoded->seed, 123456789012345ull);
    EXPECT_EQ(decoded->spec.stimulus.steps.at(0).amplitude, 0.05);
    EXPECT_EQ(encode_trial_request(*decoded), text);
    EXPECT_EQ(spec_to_json(decoded->spec), spec_to_json(trial.spec));
}

TEST_F(TrialRequests, AFastModeTrialRequestKeepsItsSecondOrderRateTablesAndTolerance) {
    const std::string fast = std::string(testing::k_base_recipe) +
                             "dt = 0.1\n[simulation.fast]\nsecondorder = 1\nrate_tables = true\n";
    auto decoded = decode_trial_request(encode_trial_request({spec_of(fast), 0, 1}));
    ASSERT_TRUE(decoded.has_value()) << decoded.error().what();
    ASSERT_TRUE(decoded->spec.simulation.fast.has_value());
    EXPECT_EQ(decoded->spec.simulation.fast->secondorder, 1);
    EXPECT_TRUE(decoded->spec.simulation.fast->rate_tables);
    const std::string cvode = std::string(testing::k_base_recipe) + "solver = \"cvode\"\natol = 1e-2\n";
    auto loose = decode_trial_request(encode_trial_request({spec_of(cvode), 0, 1}));
    ASSERT_TRUE(loose.has_value()) << loose.error().what();
    EXPECT_EQ(loose->spec.simulation.atol, 1e-2);
    EXPECT_FALSE(loose->spec.simulation.fast.has_value());
}

TEST_F(TrialRequests, ADendriteRecordingReachesTheWorkerAndIsAbsentWhenNotAsked) {
    const TrialRequest plain{spec_of(testing::k_base_recipe), 0, 1};
    EXPECT_FALSE(plain.spec.record.dendrites);
    EXPECT_EQ(encode_trial_request(plain).find("dendrites"), std::string::npos);
    const TrialRequest trial{spec_of(std::string(testing::k_base_recipe) +
                                     "[record.dendrites]\nvariables = [\"v\", \"cai\"]\ndt = 0.5\n"),
                             0, 1};
    auto decoded = decode_trial_request(encode_trial_request(trial));
    ASSERT_TRUE(decoded.has_value()) << decoded.error().what();
    ASSERT_TRUE(decoded->spec.record.dendrites);
    EXPECT_EQ(decoded->spec.record.dendrites->variables, (std::vector<std::string>{"v", "cai"}));
    EXPECT_EQ(decoded->spec.record.dendrites->dt, 0.5);
}

TEST_F(TrialRequests, AnotherFormatIsAVersionErrorAndGarbageAParseError) {
    auto other = decode_trial_request("{\"format\": 99}");
    ASSERT_FALSE(other.has_value());
    EXPECT_EQ(other.error().code, Errc::version);
    EXPECT_NE(other.error().what().find("format 99"), std::string::npos) << other.error().what();
    auto garbage = decode_cell_request("not json");
    ASSERT_FALSE(garbage.has_value());
    EXPECT_EQ(garbage.error().code, Errc::parse);
    EXPECT_NE(garbage.error().what().find("cell request"), std::string::npos) << garbage.error().what();
}

TEST_F(TrialRequests, ASpecWithAMissingFieldNamesItWhenReadBack) {
    Json json = spec_to_json(spec_of(testing::k_base_recipe));
    json.at("simulation").erase("tstop");
    auto spec = spec_from_json(json);
    ASSERT_FALSE(spec.has_value());
    EXPECT_EQ(spec.error().code, Errc::parse);
    EXPECT_NE(spec.error().what().find("tstop"), std::string::npos) << spec.error().what();
}

}  // namespace
}  // namespace silico::recipes
