#include "silico/analysis/recipe_dataset.hpp"

#include <gtest/gtest.h>

#include "analysis_test_support.hpp"
#include "silico/store/array.hpp"

namespace silico::analysis {
namespace {

using testing::StoreFixture;

struct RecipeDataset : StoreFixture {};

TEST_F(RecipeDataset, HoldsTheCompleteTrialsWithTheirSweptValuesSeedsAndSpikes) {
    auto recipe = recipes::load_recipe(SILICO_SOURCE_DIR "/recipes/examples/demo.toml");
    ASSERT_TRUE(recipe);
    const recipes::KeyContext context{sha256("mechanisms"), "test", {}};
    auto plan = recipes::expand(*recipe, context);
    ASSERT_TRUE(plan);
    ASSERT_EQ(plan->trials.size(), 6u);  // 3 amplitudes x 2 trials
    auto store = open_writer();
    EXPECT_EQ(recipe_dataset(store, *recipe, *plan).error().code, Errc::not_found);
    for (std::size_t i = 0; i < 5; ++i) {  // the last trial is still missing
        const auto& t = plan->trials[i];
        store::TrialRecord record;
        record.seed = t.seed;
        ASSERT_TRUE(store.commit_trial(
            t.key, record, {{"spikes", *store::encode_spike_lists({{100.0 + static_cast<double>(i)}})}}));
    }
    RecipeDatasetReport report;
    auto d = recipe_dataset(store, *recipe, *plan, &report);
    ASSERT_TRUE(d) << d.error().what();
    EXPECT_EQ(report.planned, 6u);
    EXPECT_EQ(report.missing, 1u);
    ASSERT_EQ(d->size(), 5u);
    EXPECT_EQ(d->index()[3], "1/000001");
    EXPECT_EQ(d->keys()[4], plan->trials[4].key);
    EXPECT_EQ(d->seeds()[4], plan->trials[4].seed);
    const Column* amplitude = d->column("stimulus.step[0].amplitude");
    ASSERT_NE(amplitude, nullptr);
    EXPECT_EQ(amplitude->numbers, (std::vector<double>{0.4, 0.4, 0.8, 0.8, 1.2}));
    EXPECT_EQ(d->spikes(2)[0], 102.0);
    EXPECT_EQ(d->provenance().digest, recipe->digest.hex());
}

}  // namespace
}  // namespace silico::analysis
