// The trial-outputs container: what a worker sends back round-trips, and damaged bytes are corruption.
#include "silico/store/trial_outputs.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "silico/store/array.hpp"

namespace silico::store {
namespace {

TrialOutputs sample() {
    TrialOutputs outputs;
    outputs.arrays = {{"a", "xyz"}, {"b", std::string("\0\1\2", 3)}};
    outputs.spikes = {1.5, 2.25};
    outputs.neuron_version = "8.2.2";
    outputs.neuron_seconds = 0.25;
    outputs.cpu_seconds = 0.5;
    outputs.steps = 7;
    return outputs;
}

TEST(TrialOutputs, RoundTripWithBinaryArraysAndTheirCost) {
    auto round = decode_trial_outputs(encode_trial_outputs(sample()));
    ASSERT_TRUE(round.has_value()) << round.error().what();
    ASSERT_EQ(round->arrays.size(), 2u);
    EXPECT_EQ(round->arrays[0].name, "a");
    EXPECT_EQ(round->arrays[1].bytes, std::string("\0\1\2", 3));
    EXPECT_EQ(round->spikes, sample().spikes);
    EXPECT_EQ(round->neuron_version, "8.2.2");
    EXPECT_EQ(round->neuron_seconds, 0.25);
    EXPECT_EQ(round->cpu_seconds, 0.5);
    EXPECT_EQ(round->steps, 7u);
}

TEST(TrialOutputs, BadMagicTruncationAndTrailingBytesAreCorruption) {
    const std::string bytes = encode_trial_outputs(sample());
    for (const std::string& damaged : {std::string("nonsense"), bytes.substr(0, bytes.size() - 1),
                                       bytes + "x", "XXXX" + bytes.substr(4)}) {
        auto decoded = decode_trial_outputs(damaged);
        ASSERT_FALSE(decoded.has_value());
        EXPECT_EQ(decoded.error().code, Errc::corruption) << decoded.error().what();
    }
}

// The rows of ISF's activation files as a worker and the importer store them: named columns, times moved.
struct Row {
    std::string synapse_type, dendrite_label;
    std::int64_t synapse_id, section_id, section_pt_id;
    double soma_distance;
    std::vector<double> times;
};

TEST(TrialOutputs, SynapseActivationRowsBecomeFiveNamedColumns) {
    std::vector<Row> rows{{"L5tt_C2", "ApicalDendrite", 4, 17, 3, 512.5, {250.5, 260.0}},
                          {"VPM_C2", "Dendrite", 9, 2, 0, 80.25, {}}};
    auto arrays = encode_synapse_activation(SynapseActivationColumns::of(rows));
    ASSERT_TRUE(arrays.has_value()) << arrays.error().what();
    std::vector<std::string> names;
    for (const auto& a : *arrays) names.push_back(a.name);
    EXPECT_EQ(names, (std::vector<std::string>{"synapse_activation.population", "synapse_activation.ids",
                                               "synapse_activation.soma_distance", "synapse_activation.label",
                                               "synapse_activation.times"}));
    auto ids = decode_array((*arrays)[1].bytes);
    ASSERT_TRUE(ids.has_value());
    EXPECT_EQ(ids->i64, (std::vector<std::vector<std::int64_t>>{{4, 9}, {17, 2}, {3, 0}}));
    auto times = decode_array((*arrays)[4].bytes);
    ASSERT_TRUE(times.has_value());
    EXPECT_EQ(times->f64, (std::vector<std::vector<double>>{{250.5, 260.0}, {}}));
    EXPECT_TRUE(rows[0].times.empty()) << "the times are moved, not copied";
}

TEST(TrialOutputs, SynapseActivationDecodesWithPopulationsAndLabelsInterned) {
    std::vector<Row> rows{{"L5tt_C2", "ApicalDendrite", 4, 17, 3, 512.5, {250.5, 260.0}},
                          {"L5tt_C2", "Dendrite", 5, 2, 0, 80.25, {}},
                          {"VPM_C2", "Dendrite", 9, 2, 0, 30.0, {12.0}},
                          {"L5tt_C2", "Dendrite", 6, 2, 0, 90.0, {7.5}}};
    auto arrays = encode_synapse_activation(SynapseActivationColumns::of(rows));
    ASSERT_TRUE(arrays.has_value());
    SynapseActivationTable t;
    for (int pass = 0; pass < 2; ++pass) {  // the second decode reuses the first one's table
        ASSERT_TRUE(decode_synapse_activation(*arrays, t));
        EXPECT_EQ(t.population.names, (std::vector<std::string>{"L5tt_C2", "VPM_C2"}));
        EXPECT_EQ(t.population.codes, (std::vector<std::uint32_t>{0, 0, 1, 0}));
        EXPECT_EQ(t.label.names, (std::vector<std::string>{"ApicalDendrite", "Dendrite"}));
        EXPECT_EQ(t.label.codes, (std::vector<std::uint32_t>{0, 1, 1, 1}));
        EXPECT_EQ(t.soma_distance.f64, (std::vector<double>{512.5, 80.25, 30.0, 90.0}));
        EXPECT_EQ(t.times.offsets, (std::vector<std::uint64_t>{0, 2, 2, 3, 4}));
        EXPECT_EQ(t.times.f64, (std::vector<double>{250.5, 260.0, 12.0, 7.5}));
        EXPECT_EQ(t.section_id(0), 17);
        EXPECT_EQ(t.point_id(0), 3);
        EXPECT_EQ(t.synapse_id(3), 6);
        EXPECT_EQ(t.size(), 4u);
        EXPECT_EQ(t.fields, synapse_field::all);
    }
}

// The queries read population, soma distance and times only: a trial stored with just those is complete for
// them, and what was not asked for is left empty even when an earlier decode filled it.
TEST(TrialOutputs, SynapseActivationDecodesOnlyTheOutputsAskedFor) {
    std::vector<Row> rows{{"L5tt_C2", "ApicalDendrite", 4, 17, 3, 512.5, {250.5, 260.0}}};
    auto all = encode_synapse_activation(SynapseActivationColumns::of(rows));
    ASSERT_TRUE(all.has_value());
    SynapseActivationTable t;
    ASSERT_TRUE(decode_synapse_activation(*all, t));
    const std::vector<NamedArray> three{(*all)[0], (*all)[2], (*all)[4]};
    const auto query = synapse_field::soma_distance | synapse_field::times;
    ASSERT_TRUE(decode_synapse_activation(three, t, query));
    EXPECT_EQ(t.fields, query | synapse_field::population);
    EXPECT_EQ(t.size(), 1u);
    EXPECT_EQ(t.distance(0), 512.5);
    EXPECT_EQ(std::vector<double>(t.times_of(0).begin(), t.times_of(0).end()),
              (std::vector<double>{250.5, 260.0}));
    EXPECT_TRUE(t.ids.i64.empty());
    EXPECT_EQ(t.label.size(), 0u);
    auto everything = decode_synapse_activation(three, t);
    ASSERT_FALSE(everything);
    EXPECT_EQ(everything.error().code, Errc::not_found);
    EXPECT_NE(everything.error().what().find("synapse_activation.ids"), std::string::npos)
        << everything.error().what();
}

TEST(TrialOutputs, SynapseActivationOfOtherKindsOrRowCountsIsCorruptionNamingTheOutput) {
    const std::string population = *encode_strings({"L5tt_C2", "VPM_C2"});
    const std::string distance = *encode_f64_table({{10.0, 20.0}});
    const std::string times = *encode_spike_lists({{1.0}, {}});
    const auto query = synapse_field::soma_distance | synapse_field::times;
    SynapseActivationTable t;
    auto swapped =
        decode_synapse_activation(std::vector<NamedArray>{{"synapse_activation.population", population},
                                                          {"synapse_activation.soma_distance", times},
                                                          {"synapse_activation.times", times}},
                                  t, query);
    ASSERT_FALSE(swapped);
    EXPECT_EQ(swapped.error().code, Errc::corruption);
    EXPECT_NE(swapped.error().what().find("synapse_activation.soma_distance"), std::string::npos)
        << swapped.error().what();
    auto shorter = decode_synapse_activation(
        std::vector<NamedArray>{{"synapse_activation.population", population},
                                {"synapse_activation.soma_distance", *encode_f64_table({{10.0}})},
                                {"synapse_activation.times", times}},
        t, query);
    ASSERT_FALSE(shorter);
    EXPECT_EQ(shorter.error().code, Errc::corruption);
    EXPECT_NE(shorter.error().what().find("has 1 rows, the population 2"), std::string::npos)
        << shorter.error().what();
    EXPECT_TRUE(
        decode_synapse_activation(std::vector<NamedArray>{{"synapse_activation.population", population},
                                                          {"synapse_activation.soma_distance", distance},
                                                          {"synapse_activation.times", times}},
                                  t, query));
}

TEST(TrialOutputs, PresynapticCellsBecomeThreeNamedColumns) {
    struct Cell {
        std::string cell_type;
        std::int64_t cell_id;
        std::vector<double> times;
    };
    std::vector<Cell> cells{{"L4ss_C2", 12, {245.5}}};
    auto arrays = encode_presynaptic_spikes(PresynapticSpikeColumns::of(cells));
    ASSERT_TRUE(arrays.has_value()) << arrays.error().what();
    ASSERT_EQ(arrays->size(), 3u);
    auto population = decode_array((*arrays)[0].bytes);
    ASSERT_TRUE(population.has_value());
    EXPECT_EQ(population->strings, (std::vector<std::string>{"L4ss_C2"}));
    EXPECT_EQ((*arrays)[2].name, "presynaptic_spikes.times");
}

SynapseActivationColumns two_synapses() {
    std::vector<Row> rows{{"L5tt_C2", "ApicalDendrite", 4, 17, 3, 512.5, {250.5, 260.0}},
                          {"VPM_C2", "Dendrite", 9, 2, 0, 80.25, {}}};
    return SynapseActivationColumns::of(rows);
}

TEST(TrialOutputs, DecodedSynapseActivationIsTheEncodedColumnsInAnyOrder) {
    const auto columns = two_synapses();
    auto arrays = encode_synapse_activation(columns);
    ASSERT_TRUE(arrays.has_value()) << arrays.error().what();
    std::ranges::reverse(*arrays);
    arrays->push_back({"soma.v", "not an activation output"});
    SynapseActivationTable t;
    auto decoded = decode_synapse_activation(*arrays, t);
    ASSERT_TRUE(decoded.has_value()) << decoded.error().what();
    ASSERT_EQ(t.size(), columns.population.size());
    for (std::size_t r = 0; r < t.size(); ++r) {
        EXPECT_EQ(t.population[r], columns.population[r]);
        EXPECT_EQ(t.synapse_id(r), columns.synapse_id[r]);
        EXPECT_EQ(t.section_id(r), columns.section_id[r]);
        EXPECT_EQ(t.point_id(r), columns.point_id[r]);
        EXPECT_EQ(t.distance(r), columns.soma_distance[r]);
        EXPECT_EQ(t.label[r], columns.label[r]);
        EXPECT_EQ(std::vector<double>(t.times_of(r).begin(), t.times_of(r).end()), columns.times[r]);
    }
}

TEST(TrialOutputs, DecodingNamesAMissingOrMismatchedActivationOutput) {
    auto arrays = encode_synapse_activation(two_synapses());
    ASSERT_TRUE(arrays.has_value());
    auto without_label = *arrays;
    without_label.erase(without_label.begin() + 3);
    SynapseActivationTable t;
    auto missing = decode_synapse_activation(without_label, t);
    ASSERT_FALSE(missing.has_value());
    EXPECT_EQ(missing.error().code, Errc::not_found);
    EXPECT_NE(missing.error().what().find("synapse_activation.label"), std::string::npos)
        << missing.error().what();

    auto short_times = *arrays;
    short_times[4].bytes = *encode_spike_lists({{1.0}});
    auto mismatch = decode_synapse_activation(short_times, t);
    ASSERT_FALSE(mismatch.has_value());
    EXPECT_EQ(mismatch.error().code, Errc::corruption);
    EXPECT_NE(mismatch.error().what().find("synapse_activation.times"), std::string::npos)
        << mismatch.error().what();

    auto wrong_kind = *arrays;
    wrong_kind[1].bytes = *encode_strings({"a", "b"});
    auto kind = decode_synapse_activation(wrong_kind, t);
    ASSERT_FALSE(kind.has_value());
    EXPECT_NE(kind.error().what().find("synapse_activation.ids"), std::string::npos) << kind.error().what();
}

TEST(TrialOutputs, DecodedPresynapticSpikesAreTheEncodedColumns) {
    PresynapticSpikeColumns columns;
    columns.population = {"L4ss_C2", "VPM_C2"};
    columns.cell_id = {12, 3};
    columns.times = {{245.5}, {250.0, 251.5}};
    auto arrays = encode_presynaptic_spikes(columns);
    ASSERT_TRUE(arrays.has_value()) << arrays.error().what();
    PresynapticSpikeTable t;
    auto decoded = decode_presynaptic_spikes(*arrays, t);
    ASSERT_TRUE(decoded.has_value()) << decoded.error().what();
    ASSERT_EQ(t.size(), 2u);
    for (std::size_t r = 0; r < t.size(); ++r) {
        EXPECT_EQ(t.population[r], columns.population[r]);
        EXPECT_EQ(t.id(r), columns.cell_id[r]);
        EXPECT_EQ(std::vector<double>(t.times_of(r).begin(), t.times_of(r).end()), columns.times[r]);
    }
    (*arrays)[1].bytes = *encode_i64_table({{12}});
    auto mismatch = decode_presynaptic_spikes(*arrays, t);
    ASSERT_FALSE(mismatch.has_value());
    EXPECT_EQ(mismatch.error().code, Errc::corruption);
}

}  // namespace
}  // namespace silico::store
