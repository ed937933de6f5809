#include "silico/model/network_builder.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "silico/recipes/isf_param.hpp"

namespace silico::experiments {
namespace {

using Json = nlohmann::ordered_json;
const std::string k_isf = SILICO_SHARED_DIR "/isf";
const std::string k_data = k_isf + "/getting_started/example_data/";
const recipes::PathMap k_paths{{"IN_SILICO_FRAMEWORK_DIR", k_isf}};
const std::string k_embedding = k_data + "anatomical_constraints/example_embedding_86_C2_center/";

Json read(const std::string& path) {
    auto t = recipes::read_isf_param(path, k_paths);
    EXPECT_TRUE(t) << t.error().what();
    return t ? *t : Json();
}

// Everything ISF ships for the builder. The VPM and L1 PSTH files of the published model are not part of the
// example data, so their evoked entries are recovered from the shipped network.param through the C2
// mapping (column X of the file carries PSTH entry c2_equivalent(X)); the other 20 cell types come from
// their own PSTH files.
NetworkBuildInputs shipped_inputs(const Json& shipped) {
    NetworkBuildInputs in;
    in.ongoing_template = read(k_data +
                               "functional_constraints/ongoing_activity/"
                               "ongoing_activity_celltype_template_exc_conductances_fitted.param");
    for (const auto& e :
         std::filesystem::directory_iterator(k_data + "functional_constraints/evoked_activity"))
        in.evoked.push_back(read(e.path().string()));
    Json recovered = Json::object();
    auto c2 = surround_columns("C2");
    for (const auto& [col, pos] : *c2) {
        for (std::string type : {"VPM", "L1"}) {
            auto it = shipped["network"].find(type + "_" + col);
            if (it == shipped["network"].end() || !(*it)["celltype"].is_object()) continue;
            Json psth = (*it)["celltype"]["pointcell"];
            psth.erase("offset");
            recovered[type + "_" + std::string(c2_equivalent_column(pos))] = psth;
        }
    }
    in.evoked.push_back(recovered);
    auto counts = read_connected_cells_file(k_embedding + "NumberOfConnectedCells.csv");
    EXPECT_TRUE(counts);
    in.cell_counts = *counts;
    in.syn_file = k_embedding + "example_embedding_86_C2_center.syn";
    in.con_file = k_embedding + "example_embedding_86_C2_center.con";
    in.whisker = "C2";
    in.nmodl_mechanisms = shipped["NMODL_mechanisms"];
    return in;
}

TEST(NetworkBuilder, WhiskerC2ReproducesTheShippedNetworkParamExactly) {
    Json shipped = read(k_data + "functional_constraints/network.param.TEMPLATE");
    auto built = build_network_parameters(shipped_inputs(shipped));
    ASSERT_TRUE(built) << built.error().what();
    ASSERT_EQ((*built)["network"].size(), 278u);
    // Key order differs (the shipped file has Python 2 dict order), so compare as unordered trees.
    nlohmann::json a = nlohmann::json::parse((*built).dump());
    nlohmann::json b = nlohmann::json::parse(shipped.dump());
    int pointcells = 0;
    for (auto it = b["network"].begin(); it != b["network"].end(); ++it) {
        ASSERT_TRUE(a["network"].contains(it.key())) << it.key();
        EXPECT_EQ(a["network"][it.key()], it.value()) << it.key();
        if (it.value()["celltype"].is_object()) ++pointcells;
    }
    EXPECT_EQ(pointcells, 168);
    EXPECT_EQ(a, b);
}

TEST(NetworkBuilder, EveryWhiskerOfTheC2SurroundBuilds) {
    Json shipped = read(k_data + "functional_constraints/network.param.TEMPLATE");
    NetworkBuildInputs in = shipped_inputs(shipped);
    // Only the 20 shipped PSTH files here: the VPM/L1 entries recovered from the C2 network lack the
    // columns that have no VPM/L1 cells in it, so VPM and L1 stay ongoing-only for these whiskers.
    in.evoked.pop_back();
    int checked = 0;
    Json psth_c2 =
        read(k_data + "functional_constraints/evoked_activity/L5tt_3x3_PSTH_UpState.param")["L5tt_C2"];
    auto c2 = surround_columns("C2");
    ASSERT_TRUE(c2);
    for (const auto& [whisker, pos] : *c2) {
        in.whisker = whisker;
        auto built = build_network_parameters(in);
        ASSERT_TRUE(built) << whisker << ": " << built.error().what();
        EXPECT_EQ((*built)["network"].size(), 278u) << whisker;
        // The deflected whisker's own column always gets the principal-whisker (C2) response.
        const Json& net = (*built)["network"];
        if (net.contains("L5tt_" + whisker)) {
            const Json& own = net["L5tt_" + whisker]["celltype"]["pointcell"];
            EXPECT_EQ(own["probabilities"], psth_c2["probabilities"]) << whisker;
            EXPECT_EQ(own["offset"], 245.0);
            ++checked;
        }
        // Columns outside the whisker's surround keep pure ongoing activity.
        bool a1_in_surround = whisker == "B1" || whisker == "B2";
        EXPECT_EQ(net["L5tt_A1"]["celltype"].is_string(), !a1_in_surround) << whisker;
        EXPECT_TRUE(net["VPM_C2"]["celltype"].is_string()) << whisker;
    }
    EXPECT_EQ(checked, 8);  // every surround column but D1 has L5tt cells
}

TEST(NetworkBuilder, MissingPsthAndUnknownWhiskerAreErrors) {
    Json shipped = read(k_data + "functional_constraints/network.param.TEMPLATE");
    NetworkBuildInputs in = shipped_inputs(shipped);
    in.whisker = "Z9";
    EXPECT_FALSE(build_network_parameters(in));
    in.whisker = "C2";
    in.evoked.back().erase("VPM_D3");
    auto r = build_network_parameters(in);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("VPM_D3"), std::string::npos) << r.error().what();
}

TEST(NetworkBuilder, SurroundTableFollowsTheRowArcLayout) {
    auto c2 = surround_columns("C2");
    ASSERT_TRUE(c2);
    EXPECT_EQ(c2->size(), 9u);
    EXPECT_EQ((*c2)[0], (std::pair<std::string, int>{"B1", 1}));
    EXPECT_EQ(c2_equivalent_column(1), "D3");
    EXPECT_EQ(c2_equivalent_column(5), "C2");
    EXPECT_EQ(c2_equivalent_column(9), "B1");
    EXPECT_EQ(known_whiskers().size(), 24u);
}

}  // namespace
}  // namespace silico::experiments
