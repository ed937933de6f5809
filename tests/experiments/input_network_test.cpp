#include <gtest/gtest.h>

#include "silico/experiments/network.hpp"

namespace silico::experiments {
namespace {

const std::string k_isf = SILICO_SHARED_DIR "/isf";
const recipes::PathMap k_paths{{"IN_SILICO_FRAMEWORK_DIR", k_isf}};
const std::string k_network =
    k_isf + "/getting_started/example_data/functional_constraints/network.param.TEMPLATE";

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

}  // namespace
}  // namespace silico::experiments
