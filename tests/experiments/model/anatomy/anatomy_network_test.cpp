// End to end without NEURON: a mapped realisation feeds silico's network-parameter builder (ISF's ongoing
// template + evoked PSTHs + the mapper's NumberOfConnectedCells.csv) and the resulting network produces
// presynaptic activity on the mapped synapses.
#include <gtest/gtest.h>

#include "anatomy_test_support.hpp"
#include "silico/model/activity.hpp"
#include "silico/model/network_builder.hpp"
#include "silico/model/network_parameters.hpp"
#include "silico/model/synapse_files.hpp"
#include "silico/recipes/isf_param.hpp"

namespace silico::experiments {
namespace {

using namespace anatomy_test;
using Json = nlohmann::ordered_json;

TEST(AnatomyNetwork, MappedRealisationDrivesTheNetworkBuilderAndActivity) {
    TempDir dir("network");
    auto opts = small_options();
    ASSERT_TRUE(write_synthetic_barrel_cortex(dir.path() / "bc", opts));
    MapperOptions o;
    o.realisations = 10;
    o.seed = 3;
    auto input = load_mapping_input(cell86(), {dir.path() / "bc"}, o);
    ASSERT_TRUE(input) << input.error().what();
    auto result = map_synapses(*input, o);
    auto files = write_anatomy(dir.path() / "anatomy", *input, result, o, false);
    ASSERT_TRUE(files) << files.error().what();

    const recipes::PathMap paths{{"IN_SILICO_FRAMEWORK_DIR", k_shared.string()}};
    const auto data = k_shared / "getting_started" / "example_data" / "functional_constraints";
    NetworkBuildInputs in;
    auto ongoing = recipes::read_isf_param(
        data / "ongoing_activity" / "ongoing_activity_celltype_template_exc_conductances_fitted.param",
        paths);
    ASSERT_TRUE(ongoing) << ongoing.error().what();
    in.ongoing_template = *ongoing;
    for (const auto& e : std::filesystem::directory_iterator(data / "evoked_activity")) {
        auto t = recipes::read_isf_param(e.path(), paths);
        ASSERT_TRUE(t) << t.error().what();
        in.evoked.push_back(*t);
    }
    auto counts = read_connected_cells_file(files->connected_cells);
    ASSERT_TRUE(counts) << counts.error().what();
    in.cell_counts = *counts;
    in.syn_file = files->syn.string();
    in.con_file = files->con.string();
    auto tree = build_network_parameters(in);
    ASSERT_TRUE(tree) << tree.error().what();
    auto network = network_from_tree(*tree, "built");
    ASSERT_TRUE(network) << network.error().what();

    // One population per (type, column) with connected cells; cellNr = connected cells of the realisation.
    const auto& rep = result.realisations[result.representative];
    std::size_t with_cells = 0;
    for (std::size_t p = 0; p < input->populations.size(); ++p) {
        const auto& pop = input->populations[p];
        const auto n = rep.populations[p].connected_cells;
        const auto at = network->find(pop.name());
        if (n == 0) {
            EXPECT_EQ(at, -1) << pop.name();
            continue;
        }
        ++with_cells;
        ASSERT_GE(at, 0) << pop.name();
        EXPECT_EQ(network->populations[static_cast<std::size_t>(at)].cell_count, n) << pop.name();
    }
    EXPECT_EQ(network->populations.size(), with_cells);
    // L5tt in C2 is in the whisker's surround: evoked (spike train + PSTH point cell).
    const auto l5tt = network->find("L5tt_C2");
    ASSERT_GE(l5tt, 0);
    EXPECT_EQ(network->populations[static_cast<std::size_t>(l5tt)].sources.size(), 2u);

    auto prepared = prepare_network(*network);
    ASSERT_TRUE(prepared) << prepared.error().what();
    auto activity = generate_activity_independent(*prepared, 42);
    ASSERT_TRUE(activity) << activity.error().what();
    EXPECT_GT(activity->synapses.size(), 100u);
    // Every active synapse is a mapped one.
    for (const auto& s : activity->synapses) {
        const auto& name = prepared->parameters.populations[s.population].name;
        std::size_t p = 0;
        while (input->populations[p].name() != name) ++p;
        ASSERT_LT(s.synapse_id, rep.populations[p].synapses.size());
        EXPECT_EQ(s.cell_id, rep.populations[p].synapses[s.synapse_id].cell);
    }
}

}  // namespace
}  // namespace silico::experiments
