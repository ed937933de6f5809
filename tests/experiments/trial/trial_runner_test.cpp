// The trial runner: a TrialRunner built once in NEURON and run for several trials of a one-compartment cell.
#include "silico/trial/trial_runner.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "cell_test_data.hpp"
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

store::NumericArray output(const store::TrialOutputs& out, const std::string& name) {
    for (const auto& a : out.arrays)
        if (a.name == name) {
            auto decoded = store::decode_array(a.bytes);
            EXPECT_TRUE(decoded.has_value());
            return decoded ? *decoded : store::NumericArray{};
        }
    ADD_FAILURE() << "no output " << name;
    return {};
}

// Cell 86, a somatic pulse that fires it, every segment recorded every 0.2 ms.
std::vector<recipes::Condition> dendrite_conditions(const std::string& variables) {
    return testing::conditions_of_recipe(
        "[paths]\nIN_SILICO_FRAMEWORK_DIR = \"" + test::k_isf_dir +
        "\"\n[experiment]\nname = \"d\"\nprotocol = \"pulse\"\n[cell]\nbiophysics = \"" + test::k_param_86 +
        R"("
[[stimulus.pulse]]
amplitude = 1.9
delay = 5.0
duration = 5.0
[simulation]
tstop = 20.0
[record.dendrites]
variables = )" +
        variables + "\ndt = 0.2\n");
}

TEST(TrialRunner, TheDendriteRecordingHoldsEverySegmentAndItsSomaSegmentIsTheSomaTrace) {
    auto conditions = dendrite_conditions(R"(["v", "Ca_LVAst.ica", "cai"])");
    ASSERT_EQ(conditions.size(), 1u);
    auto model = TrialRunner::build({conditions[0].spec.cell});
    ASSERT_TRUE(model.has_value()) << model.error().what();
    auto out = model->run({conditions[0].spec, 0, 1});
    ASSERT_TRUE(out.has_value()) << out.error().what();
    ASSERT_FALSE(out->spikes.empty());  // the pulse fires the cell: the soma trace has a spike to compare

    const auto segments = output(*out, "dendrites.segments");
    ASSERT_EQ(segments.f64.size(), 3u);
    const std::size_t n = segments.f64[0].size();
    EXPECT_GT(n, 100u);  // cell 86 has hundreds of segments (d-lambda rule)
    const auto labels = output(*out, "dendrites.label").strings;
    ASSERT_EQ(labels.size(), n);
    const auto dtime = column(*out, "dendrites.time");
    ASSERT_EQ(dtime.size(), 101u);  // 20 ms every 0.2 ms, plus t = 0
    for (std::size_t k = 0; k < dtime.size(); ++k) EXPECT_DOUBLE_EQ(dtime[k], 0.2 * static_cast<double>(k));

    const auto v = output(*out, "dendrites.v").f64;
    const auto ica = output(*out, "dendrites.Ca_LVAst.ica").f64;
    ASSERT_EQ(v.size(), n);
    ASSERT_EQ(ica.size(), n);
    double farthest = 0;
    std::size_t soma = n, basal_nan = 0, apical_values = 0;
    for (std::size_t s = 0; s < n; ++s) {
        ASSERT_EQ(v[s].size(), dtime.size());
        EXPECT_GE(segments.f64[2][s], 0.0);
        farthest = std::max(farthest, segments.f64[2][s]);
        for (double x : v[s]) EXPECT_TRUE(std::isfinite(x) && x > -120 && x < 80) << "segment " << s;
        if (labels[s] == "Soma") soma = s;
        // Ca_LVAst is inserted in the soma and apical dendrite only: NaN in the basal dendrites.
        if (labels[s] == "Dendrite") basal_nan += std::isnan(ica[s][0]) ? 1 : 0;
        if (labels[s] == "ApicalDendrite") apical_values += std::isfinite(ica[s][0]) ? 1 : 0;
    }
    EXPECT_GT(farthest, 1000.0);  // the apical tuft lies beyond 1 mm
    EXPECT_GT(basal_nan, 0u);
    EXPECT_GT(apical_values, 0u);
    ASSERT_LT(soma, n);
    EXPECT_EQ(segments.f64[1][soma], 0.5);

    // The soma segment is soma(0.5), the soma trace's place: the same values at the same times (every 8th
    // step of 0.025 ms).
    const auto time = column(*out, "time");
    const auto soma_v = column(*out, "soma.v");
    for (std::size_t k = 0; k < dtime.size(); ++k) {
        const std::size_t step = 8 * k;
        ASSERT_LT(step, time.size());
        ASSERT_NEAR(time[step], dtime[k], 1e-9);
        EXPECT_NEAR(v[soma][k], soma_v[step], 1e-9) << "t = " << dtime[k];
    }
}

TEST(TrialRunner, ADendriteVariableNoSegmentHasIsAnErrorNamingIt) {
    auto conditions = dendrite_conditions(R"(["v", "Nope_mech.ica"])");
    ASSERT_EQ(conditions.size(), 1u);
    auto model = TrialRunner::build({conditions[0].spec.cell});
    ASSERT_TRUE(model.has_value()) << model.error().what();
    auto out = model->run({conditions[0].spec, 0, 1});
    ASSERT_FALSE(out.has_value());
    EXPECT_NE(out.error().what().find("record.dendrites.variables"), std::string::npos) << out.error().what();
    EXPECT_NE(out.error().what().find("Nope_mech.ica"), std::string::npos) << out.error().what();
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
