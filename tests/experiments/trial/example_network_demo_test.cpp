// The evoked demo recipe (recipes/examples/demo_evoked.toml) through the trial pipeline, as `silico run`'s
// workers run it: the example cell with its synthetic network answers the whisker deflection, stays quiet in
// ongoing activity, and stores the synapse activation of all 14 presynaptic types.
//
// SIMULATION TEST (short): 3 trials of 345 ms on the example cell (~2 s each on the 2-core VM). A separate
// executable from example_network_test: one cell per process (a second would be integrated alongside).
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>

#include <set>

#include "silico/model/example_network.hpp"
#include "silico/recipes/plan.hpp"
#include "silico/recipes/recipe.hpp"
#include "silico/store/array.hpp"
#include "silico/trial/trial_runner.hpp"

namespace silico::experiments {
namespace {

TEST(ExampleNetworkDemo, EvokedDemoRecipeFiresAfterTheDeflectionAndStoresEveryTypesActivation) {
    auto recipe = recipes::load_recipe(SILICO_SOURCE_DIR "/recipes/examples/demo_evoked.toml");
    ASSERT_TRUE(recipe.has_value()) << recipe.error().front().what();
    auto conditions = recipes::expand_conditions(*recipe);
    ASSERT_TRUE(conditions.has_value()) << conditions.error().front().what();
    ASSERT_EQ(conditions->size(), 1u);
    const auto& spec = conditions->front().spec;
    auto model = TrialRunner::build({spec.cell});
    ASSERT_TRUE(model.has_value()) << model.error().what();
    int evoked = 0, ongoing = 0;
    for (std::uint64_t trial = 0; trial < 3; ++trial) {
        auto out = model->run({spec, trial, 4242 + trial});
        ASSERT_TRUE(out.has_value()) << out.error().what();
        std::cout << fmt::format("[ demo    ] trial {}: spikes at [{:.1f}] ms\n", trial,
                                 fmt::join(out->spikes, ", "));
        for (double t : out->spikes) {
            evoked += t >= 245 && t < 295;
            ongoing += t >= 100 && t < 245;
        }
        std::set<std::string> types;
        bool found = false;
        for (const auto& a : out->arrays) {
            if (a.name != "synapse_activation.population") continue;
            auto decoded = store::decode_array(a.bytes);
            ASSERT_TRUE(decoded.has_value()) << decoded.error().what();
            types.insert(decoded->strings.begin(), decoded->strings.end());
            found = true;
        }
        ASSERT_TRUE(found);
        EXPECT_EQ(types.size(), example_cell_types().size());
    }
    EXPECT_GE(evoked, 3);
    EXPECT_LE(ongoing, 1);
}

}  // namespace
}  // namespace silico::experiments
