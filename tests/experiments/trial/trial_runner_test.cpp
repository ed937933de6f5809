// The trial runner: a TrialRunner built once in NEURON and run for several trials of a one-compartment cell.
#include "silico/trial/trial_runner.hpp"

#include <gtest/gtest.h>

#include "recipe_test_support.hpp"
#include "silico/recipes/plan.hpp"
#include "silico/recipes/recipe.hpp"
#include "silico/store/array.hpp"

namespace silico::experiments {
namespace {

const std::string k_cell = SILICO_SOURCE_DIR "/tests/data/one_compartment.param";

std::vector<recipes::Condition> conditions_of(const std::string& body) {
    const std::string text =
        "[experiment]\nname = \"t\"\n" + body + "\n[cell]\nbiophysics = \"" + k_cell + "\"\n";
    return testing::conditions_of_recipe(text);
}

const std::string k_steps = R"(protocol = "current_step"
[[stimulus.step]]
amplitude = [0.005, 0.05]
delay = 2.0
duration = 20.0
[simulation]
tstop = 25.0
)";

std::vector<double> column(const store::TrialOutputs& out, const std::string& name) {
    for (const auto& a : out.arrays)
        if (a.name == name) {
            auto decoded = store::decode_array(a.bytes);
            EXPECT_TRUE(decoded.has_value());
            return decoded ? decoded->f64.at(0) : std::vector<double>{};
        }
    ADD_FAILURE() << "no output " << name;
    return {};
}

TEST(TrialRunner, BuildsOnceRunsEveryConditionAndRepeatsBitIdentically) {
    auto conditions = conditions_of(k_steps);
    ASSERT_EQ(conditions.size(), 2u);
    auto model = TrialRunner::build({conditions[0].spec.cell});
    ASSERT_TRUE(model.has_value()) << model.error().what();

    auto weak = model->run({conditions[0].spec, 0, 1});
    ASSERT_TRUE(weak.has_value()) << weak.error().what();
    auto strong = model->run({conditions[1].spec, 0, 2});
    ASSERT_TRUE(strong.has_value()) << strong.error().what();
    auto again = model->run({conditions[0].spec, 1, 3});
    ASSERT_TRUE(again.has_value()) << again.error().what();

    EXPECT_TRUE(weak->spikes.empty());
    EXPECT_FALSE(strong->spikes.empty());
    const auto time = column(*strong, "time");
    ASSERT_EQ(time.size(), 1001u);  // 25 ms at dt 0.025, plus t = 0
    EXPECT_EQ(column(*strong, "soma.v").size(), time.size());
    EXPECT_EQ(column(*strong, "spikes"), strong->spikes);
    EXPECT_FALSE(strong->neuron_version.empty());
    // The same condition on the reused model gives the same bits.
    ASSERT_EQ(weak->arrays.size(), again->arrays.size());
    for (std::size_t i = 0; i < weak->arrays.size(); ++i)
        EXPECT_EQ(weak->arrays[i].bytes, again->arrays[i].bytes);
}

TEST(TrialRunner, CvodeTracesAreResampledOntoTheRecordGrid) {
    auto conditions = conditions_of(R"(protocol = "pulse"
[[stimulus.pulse]]
amplitude = 0.5
delay = 2.0
duration = 2.0
count = 2
interval = 10.0
[simulation]
tstop = 20.0
solver = "cvode"
[record]
dt = 0.5
variables = ["v", "ina"]
)");
    ASSERT_EQ(conditions.size(), 1u);
    auto model = TrialRunner::build({conditions[0].spec.cell});
    ASSERT_TRUE(model.has_value()) << model.error().what();
    auto out = model->run({conditions[0].spec, 0, 1});
    ASSERT_TRUE(out.has_value()) << out.error().what();
    const auto time = column(*out, "time");
    ASSERT_GE(time.size(), 40u);  // up to the last CVODE sample at or before tstop
    for (std::size_t k = 0; k < time.size(); ++k) EXPECT_EQ(time[k], 0.5 * static_cast<double>(k));
    EXPECT_EQ(column(*out, "soma.ina").size(), time.size());
    EXPECT_EQ(out->spikes.size(), 2u);  // one spike per pulse
}

TEST(TrialRunner, ANetworkProtocolWithoutANetworkFailsNamingTheTrialAndTheMissingInput) {
    // The recipe validator refuses this; a hand-made trial request must still fail cleanly in the worker.
    auto conditions = conditions_of(k_steps);
    ASSERT_FALSE(conditions.empty());
    auto model = TrialRunner::build({conditions[0].spec.cell});
    ASSERT_TRUE(model.has_value()) << model.error().what();
    auto spec = conditions[0].spec;
    spec.experiment.protocol = recipes::Protocol::evoked;
    auto out = model->run({spec, 4, 1});
    ASSERT_FALSE(out.has_value());
    EXPECT_NE(out.error().what().find("input.network"), std::string::npos) << out.error().what();
    EXPECT_NE(out.error().what().find("evoked trial 4"), std::string::npos) << out.error().what();
    // The model stays usable for the next trial.
    auto next = model->run({conditions[0].spec, 0, 1});
    EXPECT_TRUE(next.has_value()) << next.error().what();
}

}  // namespace
}  // namespace silico::experiments
