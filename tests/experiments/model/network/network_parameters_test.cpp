#include "silico/model/network_parameters.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "cell_test_data.hpp"

namespace silico::experiments {
namespace {

const std::string& k_isf = test::k_isf_dir;
const std::string& k_network = test::k_network_c2;
const recipes::PathMap k_paths{{"IN_SILICO_FRAMEWORK_DIR", k_isf}};

TEST(NetworkParam, ShippedNetworkHas278PopulationsInFileOrder) {
    auto net = read_network_param(k_network, k_paths);
    ASSERT_TRUE(net) << net.error().what();
    ASSERT_EQ(net->populations.size(), 278u);
    EXPECT_EQ(net->populations[0].name, "L45Peak_D1");
    EXPECT_EQ(net->populations[1].name, "L34_D1");
    int mixed = 0, plain = 0;
    for (const auto& p : net->populations) {
        if (p.sources.size() == 2) {
            ++mixed;
            // pointcell first, then spiketrain, as in the file
            EXPECT_TRUE(std::holds_alternative<PointCellSource>(p.sources[0])) << p.name;
            EXPECT_TRUE(std::holds_alternative<SpikeTrainSource>(p.sources[1])) << p.name;
        } else {
            ++plain;
            EXPECT_TRUE(std::holds_alternative<SpikeTrainSource>(p.sources[0])) << p.name;
        }
    }
    EXPECT_EQ(mixed, 168);
    EXPECT_EQ(plain, 110);
}

TEST(NetworkParam, Vpm_C2HasItsPsthWeightsAndFiles) {
    auto net = read_network_param(k_network, k_paths);
    ASSERT_TRUE(net) << net.error().what();
    auto i = net->find("VPM_C2");
    ASSERT_GE(i, 0);
    const auto& p = net->populations[static_cast<std::size_t>(i)];
    EXPECT_EQ(p.cell_count, 280);
    const auto& psth = std::get<PsthDistribution>(std::get<PointCellSource>(p.sources[0]));
    ASSERT_EQ(psth.intervals.size(), 2u);
    EXPECT_EQ(psth.intervals[1], (std::pair<double, double>{10.0, 14.9}));
    EXPECT_EQ(psth.probabilities[0], 0.2664);
    EXPECT_EQ(psth.offset, 245.0);
    EXPECT_EQ(std::get<SpikeTrainSource>(p.sources[1]).interval, 4761.9);
    EXPECT_EQ(p.synapses.release_prob, 0.6);
    ASSERT_EQ(p.synapses.receptors.size(), 1u);
    const auto& r = p.synapses.receptors[0];
    EXPECT_EQ(r.name, "glutamate_syn");
    EXPECT_EQ(r.weight, (std::vector<double>{1.78, 1.78}));
    ASSERT_EQ(r.parameters.size(), 8u);
    EXPECT_EQ(r.parameters[0].first, "decayampa");
    EXPECT_EQ(p.synapses.connection_file,
              k_isf +
                  "/getting_started/example_data/anatomical_constraints/example_embedding_86_C2_center/"
                  "example_embedding_86_C2_center.con");
}

// The example network names its .syn/.con files bare, as files beside it; the reader resolves them there,
// as recipes do, while absolute names (here from the [IN_SILICO_FRAMEWORK_DIR] placeholder) stay as given.
TEST(NetworkParam, RelativeSynapseFilesAreFoundBesideTheNetworkFile) {
    const std::filesystem::path cells = SILICO_SOURCE_DIR "/recipes/examples/cells";
    auto example = read_network_param(cells / "l5pt_example_network.param");
    ASSERT_TRUE(example) << example.error().what();
    ASSERT_FALSE(example->populations.empty());
    for (const auto& p : example->populations) {
        EXPECT_EQ(p.synapses.distribution_file, (cells / "l5pt_example.syn").string()) << p.name;
        EXPECT_EQ(p.synapses.connection_file, (cells / "l5pt_example.con").string()) << p.name;
    }
    auto isf = read_network_param(k_network, k_paths);
    ASSERT_TRUE(isf) << isf.error().what();
    EXPECT_TRUE(isf->populations.front().synapses.distribution_file.starts_with(k_isf + "/getting_started/"));
}

TEST(NetworkParam, ErrorsNameTheFileAndKeyPath) {
    auto tree = recipes::parse_isf_param(
        R"({"network": {"L2_C2": {"cellNr": 3, "celltype": {"pointcell": {"distribution": "PSTH",
            "intervals": [(0, 1)], "probabilities": [0.1, 0.2], "offset": 245.0}},
            "synapses": {"distributionFile": "a.syn", "connectionFile": "a.con", "receptors": {}}}}})");
    ASSERT_TRUE(tree) << tree.error().what();
    auto net = network_from_tree(*tree, "n.param");
    ASSERT_FALSE(net);
    EXPECT_EQ(net.error().context, "n.param");
    EXPECT_NE(net.error().message.find("network.L2_C2.celltype.pointcell"), std::string::npos)
        << net.error().what();
    auto missing = recipes::parse_isf_param(R"({"network": {"L2_C2": {"celltype": "spiketrain"}}})");
    auto m = network_from_tree(*missing, "m.param");
    ASSERT_FALSE(m);
    EXPECT_NE(m.error().message.find("network.L2_C2.cellNr"), std::string::npos) << m.error().what();
    auto syntax = recipes::parse_isf_param("{\"network\": {\n  \"a\": [1, 2,, 3]}}", "s.param");
    ASSERT_FALSE(syntax);
    EXPECT_EQ(syntax.error().code, Errc::parse);
    EXPECT_EQ(syntax.error().context.rfind("s.param:2:", 0), 0u) << syntax.error().context;
}

TEST(NetworkParam, WrittenParamTextReadsBackToTheSameTree) {
    auto tree = recipes::read_isf_param(k_network, k_paths);
    ASSERT_TRUE(tree) << tree.error().what();
    std::string text = format_isf_param(*tree);
    auto again = recipes::parse_isf_param(text, "written");
    ASSERT_TRUE(again) << again.error().what();
    EXPECT_EQ(*again, *tree);
    EXPECT_NE(text.find("(10.0, 14.9)"),
              std::string::npos);  // intervals written as tuples, floats as Python does
}

TEST(NetworkParam, TypedStructsConvertBackToAnEquivalentTree) {
    auto net = read_network_param(k_network, k_paths);
    ASSERT_TRUE(net) << net.error().what();
    auto again = network_from_tree(network_to_tree(*net), "roundtrip");
    ASSERT_TRUE(again) << again.error().what();
    ASSERT_EQ(again->populations.size(), net->populations.size());
    EXPECT_EQ(network_to_tree(*again), network_to_tree(*net));
}

// Each pointcell distribution as ISF spells it: read into its struct, written back to the same keys.
TEST(NetworkParam, EveryPointcellDistributionReadsAndWritesBack) {
    const std::vector<std::string> sources = {
        R"({"distribution": "PSTH", "intervals": [[0.0, 10.0]], "probabilities": [0.5], "offset": 245.0})",
        R"({"distribution": "PSTH_absolute_number", "intervals": [[0.0, 10.0]], "number_active_synapses": [3], "offset": 1.0})",
        R"({"distribution": "PSTH_poissontrain", "intervals": [[0.0, 10.0], [10.0, 20.0]], "rates": [5.0, 0.0], "offset": 0.0})",
        R"({"distribution": "PSTH_poissontrain_v2", "bins": [0.0, 10.0, 30.0], "rates": [5.0, 2.0], "offset": 0.0})",
        R"({"distribution": "normal", "activeFrac": 0.5, "spikeT": 10.0, "spikeWidth": 2.0, "offset": 10.0})",
        R"({"distribution": "uniform", "activeFrac": 0.5, "window": 10.0, "offset": 3.0})",
        R"({"distribution": "lognormal", "activeFrac": 0.5, "mu": 1.0, "sigma": 0.5, "offset": 3.0})",
        R"({"distribution": "poissontrain_modulated", "rate_before_t_offset": 1.0, "mean_rate": 10.0, "max_modulation": 0.5, "modulation_frequency": 8.0, "bin_size": 5.0, "offset": 100.0, "phase_distribution": "uniform"})",
        R"({"distribution": "poissontrain_modulated", "rate_before_t_offset": 1.0, "mean_rate": 10.0, "max_modulation": 0.5, "modulation_frequency": 8.0, "bin_size": 5.0, "offset": 100.0, "phase_distribution": "normal", "mean_phase": 0.5, "std_phase": 0.1})",
    };
    // PointCellSource alternatives: PSTH, absolute number, normal, uniform, lognormal, poissontrain, v2,
    // modulated.
    const std::vector<std::size_t> variant_index = {0, 1, 5, 6, 2, 3, 4, 7, 7};
    for (std::size_t i = 0; i < sources.size(); ++i) {
        auto tree =
            recipes::parse_isf_param(R"({"network": {"X_C2": {"cellNr": 2, "celltype": {"pointcell": )" +
                                     sources[i] + R"(}, "synapses": {"distributionFile": "a.syn",
            "connectionFile": "a.con", "receptors": {"gaba_syn": {"weight": 1.0}}}}}})");
        ASSERT_TRUE(tree) << tree.error().what();
        auto net = network_from_tree(*tree);
        ASSERT_TRUE(net) << i << ": " << net.error().what();
        const auto& src = std::get<PointCellSource>(net->populations[0].sources[0]);
        EXPECT_EQ(src.index(), variant_index[i]) << sources[i];
        auto written = network_to_tree(*net)["network"]["X_C2"]["celltype"]["pointcell"];
        auto original = (*tree)["network"]["X_C2"]["celltype"]["pointcell"];
        for (auto it = original.begin(); it != original.end(); ++it)
            EXPECT_EQ(written[it.key()], it.value()) << sources[i] << " key " << it.key();
        EXPECT_EQ(written.size(), original.size()) << sources[i];
    }
}

TEST(NetworkParam, RateDistributionsCheckTheirListLengths) {
    for (
        std::string bad : {
            R"({"distribution": "PSTH_poissontrain_v2", "bins": [0.0, 10.0], "rates": [5.0, 2.0], "offset": 0.0})",
            R"({"distribution": "PSTH_poissontrain", "intervals": [[0.0, 10.0]], "rates": [5.0, 2.0], "offset": 0.0})",
            R"({"distribution": "poissontrain_modulated", "rate_before_t_offset": 1.0, "mean_rate": 10.0, "max_modulation": 0.5, "modulation_frequency": 8.0, "bin_size": 5.0, "offset": 100.0, "phase_distribution": "normal"})",
        }) {
        auto tree =
            recipes::parse_isf_param(R"({"network": {"X_C2": {"cellNr": 2, "celltype": {"pointcell": )" +
                                     bad + R"(}, "synapses": {"distributionFile": "a.syn",
            "connectionFile": "a.con", "receptors": {"gaba_syn": {"weight": 1.0}}}}}})");
        ASSERT_TRUE(tree);
        auto net = network_from_tree(*tree, "bad.param");
        ASSERT_FALSE(net) << bad;
        EXPECT_NE(net.error().what().find("network.X_C2.celltype.pointcell"), std::string::npos)
            << net.error().what();
    }
}

}  // namespace
}  // namespace silico::experiments
