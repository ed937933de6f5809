// `silico import isf-*`, `silico datasets` and `silico query ...` (runner/src/commands/import_commands.cpp,
// query_commands.cpp), run as the real executable on ISF's published data.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

#include "silico_cli.hpp"
#include "temp_dir.hpp"

namespace silico {
namespace {

using store::testing::TempDir;

const std::string k_data = SILICO_SHARED_DIR "/isf/getting_started/example_data/simulation_data";
const std::string k_spike_table = k_data + "/18000_trials/spike_times.csv";
const std::string k_simrun = k_data + "/C2_evoked_UpState_INH_PW_1.0_SuW_0.5_C2center";

using testing::silico;

TEST(AnalysisCommands, TheSpikeTableAnswersTheWindowQuestionPerStimulus) {
    TempDir tmp;
    auto imported = silico(tmp, "import isf-spike-times '" + k_spike_table + "' --as isf18000");
    ASSERT_EQ(imported.status, 0) << imported.err;
    EXPECT_EQ(imported.out, "imported 18000 trials as dataset isf18000\n");
    auto again = silico(tmp, "import isf-spike-times '" + k_spike_table + "' --as isf18000");
    ASSERT_EQ(again.status, 0) << again.err;
    EXPECT_NE(again.out.find("already holds"), std::string::npos);

    auto window = silico(tmp, "query window isf18000 --from 245 --to 265 --group-by 'index~^([^_]+)' --json");
    ASSERT_EQ(window.status, 0) << window.err;
    const auto rows = nlohmann::json::parse(window.out);
    ASSERT_EQ(rows.size(), 10u);
    EXPECT_EQ(rows[4]["index~^([^_]+)"], "C2");
    EXPECT_EQ(rows[4]["trials"], 1800);
    EXPECT_EQ(rows[4]["spiking"], 840);

    auto overall = silico(tmp, "query window isf18000 --from 245 --to 265 --csv");
    ASSERT_EQ(overall.status, 0) << overall.err;
    EXPECT_EQ(overall.out, "all,trials,spiking,fraction\nall,18000,4415,0.2452777777777778\n");

    // The 2015 run whose six shipped trials are in simulation_data/ is in the table with 200 trials.
    auto run = silico(tmp,
                      "query window isf18000 --from 245 --to 265 --csv --where "
                      "'path=C2_evoked_UpState_INH_PW_1.0_SuW_0.5_C2center/20150815-1530_20240'");
    ASSERT_EQ(run.status, 0) << run.err;
    EXPECT_EQ(run.out, "all,trials,spiking,fraction\nall,200,177,0.885\n");
    auto none = silico(tmp, "query window isf18000 --from 245 --to 265 --where path=nowhere");
    EXPECT_EQ(none.status, 2);
    EXPECT_EQ(none.err, "silico: error: no trial of the dataset passes the filters\n");

    auto table = silico(tmp, "query psth isf18000 --from 240 --to 280 --bin 1");
    ASSERT_EQ(table.status, 0) << table.err;
    EXPECT_NE(table.out.find("all        260      261    803"), std::string::npos) << table.out;
}

TEST(AnalysisCommands, The2015SimrunAnswersSpikeSynapseTraceAndBurstQueries) {
    TempDir tmp;
    auto imported = silico(tmp, "import isf-simrun '" + k_simrun + "' --as run2015");
    ASSERT_EQ(imported.status, 0) << imported.err;
    EXPECT_EQ(imported.out,
              "imported 6 trials from 1 simrun folder (6 new trial records) as dataset run2015\n");
    auto listed = silico(tmp, "datasets");
    EXPECT_NE(listed.out.find("run2015       6  yes      isf-simrun"), std::string::npos) << listed.out;

    auto spikes = silico(tmp, "query spikes run2015");
    ASSERT_EQ(spikes.status, 0) << spikes.err;
    EXPECT_NE(spikes.out.find("20150815-1530_20240/000001      1       4  103.65 112.25 133.075 260.5"),
              std::string::npos)
        << spikes.out;
    auto synapses = silico(tmp, "query synapses run2015 --by ei --json");
    ASSERT_EQ(synapses.status, 0) << synapses.err;
    EXPECT_EQ(nlohmann::json::parse(synapses.out).size(), 2u);
    auto traces = silico(tmp, "query traces run2015 --stat mean --every 10000 --csv");
    ASSERT_EQ(traces.status, 0) << traces.err;
    EXPECT_EQ(traces.out, "all,trials,t,mean\nall,6,100,-63.3047056367\n");
    auto bursts = silico(tmp, "query bursts run2015 --csv");
    ASSERT_EQ(bursts.status, 0) << bursts.err;
    EXPECT_EQ(bursts.out, "all,trials,singlets,doublets,triplets\nall,6,8,0,1\n");
    auto detect = silico(tmp, "query detect run2015 --threshold 0 --csv");
    ASSERT_EQ(detect.status, 0) << detect.err;
    EXPECT_NE(detect.out.find("20150815-1530_20240/000003,3,2,261.6 342.5"), std::string::npos) << detect.out;
}

// Imported from simulation_data/, the six stored trials get ISF's own index, and the spikes detected in their
// soma traces are the ones ISF's 18,000-trial table lists for them.
TEST(AnalysisCommands, SimrunSpikesEqualTheRowsOfIsfsSpikeTable) {
    TempDir tmp;
    ASSERT_EQ(silico(tmp, "import isf-simrun '" + k_data + "' --as runs").status, 0);
    ASSERT_EQ(silico(tmp, "import isf-spike-times '" + k_spike_table + "' --as isf18000").status, 0);
    auto ours = silico(tmp, "query spikes runs --csv");
    auto theirs = silico(tmp,
                         "query spikes isf18000 --csv --where "
                         "'path=C2_evoked_UpState_INH_PW_1.0_SuW_0.5_C2center/20150815-1530_20240'");
    ASSERT_EQ(ours.status, 0) << ours.err;
    ASSERT_EQ(theirs.status, 0) << theirs.err;
    // The header and the first six rows of the table (trials 000000..000005).
    std::size_t at = 0;
    for (int line = 0; line < 7; ++line) at = theirs.out.find('\n', at) + 1;
    EXPECT_EQ(ours.out, theirs.out.substr(0, at));
    EXPECT_NE(
        ours.out.find("C2_evoked_UpState_INH_PW_1.0_SuW_0.5_C2center/20150815-1530_20240/000000,0,1,259.85"),
        std::string::npos)
        << ours.out;
}

// A recipe is a dataset: its trials in the store, with the swept amplitude as a column; `import recipe` keeps
// it under a name. The demo's six current-step trials on the example cell (a few seconds).
TEST(AnalysisCommands, ARecipeIsADatasetGroupedByItsSweptValues) {
    TempDir tmp;
    const std::string recipe = std::string(SILICO_SOURCE_DIR) + "/recipes/examples/demo.toml";
    auto none = silico(tmp, "query spikes '" + recipe + "'");
    EXPECT_NE(none.status, 0);
    auto run = silico(tmp, "run '" + recipe + "' --executor local:1");
    ASSERT_EQ(run.status, 0) << run.err;
    auto counts = silico(tmp, "query spikes '" + recipe + "' --group-by stimulus.step[0].amplitude --csv");
    ASSERT_EQ(counts.status, 0) << counts.err;
    EXPECT_EQ(counts.out.substr(0, counts.out.find('\n')),
              "index,trial,stimulus.step[0].amplitude,spikes,times");
    EXPECT_NE(counts.out.find("\n2/000001,1,1.2,"), std::string::npos) << counts.out;
    auto window = silico(
        tmp, "query window '" + recipe + "' --from 0 --to 250 --group-by stimulus.step[0].amplitude --csv");
    ASSERT_EQ(window.status, 0) << window.err;
    auto saved = silico(tmp, "import recipe '" + recipe + "' --as demo");
    ASSERT_EQ(saved.status, 0) << saved.err;
    auto named =
        silico(tmp, "query window demo --from 0 --to 250 --group-by stimulus.step[0].amplitude --csv");
    ASSERT_EQ(named.status, 0) << named.err;
    EXPECT_EQ(named.out, window.out);
    EXPECT_EQ(window.out.substr(0, window.out.find('\n')),
              "stimulus.step[0].amplitude,trials,spiking,fraction");
}

TEST(AnalysisCommands, BadInputGetsOneClearMessageAndExitStatus2) {
    TempDir tmp;
    { std::ofstream(tmp / "bad.csv") << "sim_trail_index,0,1\na/000000,1.0,2.0\na/000001,1.0\n"; }
    auto bad = silico(tmp, "import isf-spike-times bad.csv --as bad");
    EXPECT_EQ(bad.status, 2);
    EXPECT_EQ(bad.err, "silico: error: bad.csv:3: expected 3 fields like the header, found 2\n");

    ASSERT_EQ(silico(tmp, "import isf-spike-times '" + k_spike_table + "' --as isf18000").status, 0);
    auto group = silico(tmp, "query window isf18000 --from 245 --to 265 --group-by stimulus");
    EXPECT_EQ(group.status, 2);
    EXPECT_EQ(group.err,
              "silico: error: --group-by stimulus: unknown group column 'stimulus' (columns: index, trial, "
              "path)\n");
    auto missing = silico(tmp, "query spikes nothing");
    EXPECT_EQ(missing.status, 1);
    EXPECT_NE(missing.err.find("dataset nothing: no such dataset"), std::string::npos) << missing.err;
    auto traces = silico(tmp, "query traces isf18000");
    EXPECT_EQ(traces.status, 2);
    EXPECT_NE(traces.err.find("holds spike times only"), std::string::npos) << traces.err;
    auto nostore = silico(tmp, "--store elsewhere query spikes isf18000");
    EXPECT_NE(nostore.status, 0);
}

// `silico reduce fit / apply` (runner/src/commands/reduce_command.cpp) on the imported 2015 run: its six
// trials spike at 259.85, 260.5, 260.975, 261.6, 261.325 and 261.15 ms, so [261, 262) has three of each class.
TEST(ReduceCommands, FitStoresAModelAndApplyGivesPSpikePerTrial) {
    TempDir tmp;
    ASSERT_EQ(silico(tmp, "import isf-simrun '" + k_simrun + "' --as run2015").status, 0);
    const std::string fit_args =
        "reduce fit run2015 --as rm --from 261 --to 262 --iterations 1 --test-size 0 --no-balance";
    auto fit = silico(tmp, fit_args + " --json");
    ASSERT_EQ(fit.status, 0) << fit.err;
    EXPECT_NE(
        fit.err.find("reduced model rm: 6 trials (3 spiking in [261, 262), 0 left out), groups EXC INH"),
        std::string::npos)
        << fit.err;
    const auto fits = nlohmann::json::parse(fit.out);
    ASSERT_EQ(fits.size(), 1u);
    EXPECT_EQ(fits[0]["train"], 6);
    EXPECT_TRUE(fits[0]["test_accuracy"].is_null());
    // Fitting again with the same options is a no-op; other options under the same name are refused.
    EXPECT_EQ(silico(tmp, fit_args).status, 0);
    auto other = silico(tmp, "reduce fit run2015 --as rm --from 261 --to 262 --iterations 1 --test-size 0");
    EXPECT_EQ(other.status, 2);
    EXPECT_NE(other.err.find("reduced model rm: is already in the store with other content"),
              std::string::npos)
        << other.err;

    auto kernels = silico(tmp, fit_args + " --kernels --csv");
    ASSERT_EQ(kernels.status, 0) << kernels.err;
    EXPECT_EQ(std::count(kernels.out.begin(), kernels.out.end(), '\n'), 1 + 2 * 80);
    EXPECT_EQ(kernels.out.substr(0, kernels.out.find('\n')), "fit,group,bin,weight");
    EXPECT_NE(kernels.out.find("\n0,EXC,182,"), std::string::npos);  // the window: 80 bins ending at 262
    EXPECT_NE(kernels.out.find("\n0,INH,261,"), std::string::npos);

    auto apply = silico(tmp, "reduce apply rm run2015 --json");
    ASSERT_EQ(apply.status, 0) << apply.err;
    const auto rows = nlohmann::json::parse(apply.out);
    ASSERT_EQ(rows.size(), 6u);
    const int spike[6] = {0, 0, 0, 1, 1, 1};
    for (std::size_t i = 0; i < 6; ++i) {
        EXPECT_EQ(rows[i]["trial"], static_cast<int>(i));
        EXPECT_EQ(rows[i]["spike"], spike[i]) << i;
        EXPECT_GE(rows[i]["p_spike"].get<double>(), 0.0);
        EXPECT_LE(rows[i]["p_spike"].get<double>(), 1.0);
        EXPECT_EQ(rows[i]["clipped"], 0);
    }
    auto csv = silico(tmp, "reduce apply rm run2015 --csv --where trial=3");
    ASSERT_EQ(csv.status, 0) << csv.err;
    EXPECT_EQ(csv.out.substr(0, csv.out.find('\n')), "index,trial,lda_value,p_spike,spike,clipped");
    EXPECT_EQ(std::count(csv.out.begin(), csv.out.end(), '\n'), 2);
}

TEST(ReduceCommands, OneClassNoActivationsAndUnknownModelsAreClearErrors) {
    TempDir tmp;
    ASSERT_EQ(silico(tmp, "import isf-simrun '" + k_simrun + "' --as run2015").status, 0);
    // All six trials spike in ISF's default output window [255, 265).
    auto one = silico(tmp, "reduce fit run2015 --as rm");
    EXPECT_EQ(one.status, 2);
    EXPECT_NE(one.err.find("reduce: needs trials of both classes (6 of 6 trials spike in [255, 265))"),
              std::string::npos)
        << one.err;
    auto unknown = silico(tmp, "reduce apply nope run2015");
    EXPECT_EQ(unknown.status, 1);
    EXPECT_NE(unknown.err.find("reduced model nope: no such reduced model"), std::string::npos)
        << unknown.err;
    { std::ofstream(tmp / "st.csv") << "sim_trail_index,0\na/000000,258.0\na/000001,100.0\n"; }
    ASSERT_EQ(silico(tmp, "import isf-spike-times st.csv --as st").status, 0);
    auto spikes_only = silico(tmp, "reduce fit st --as rm2");
    EXPECT_EQ(spikes_only.status, 2);
    EXPECT_NE(spikes_only.err.find("holds spike times only"), std::string::npos) << spikes_only.err;
    auto bad_by = silico(tmp, "reduce fit run2015 --as rm3 --by time");
    EXPECT_EQ(bad_by.status, 2);
    EXPECT_NE(bad_by.err.find("not per time"), std::string::npos) << bad_by.err;
}

}  // namespace
}  // namespace silico
