#include "silico/model/network_modify.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace silico::experiments {
namespace {

using Json = nlohmann::ordered_json;

// Two populations A_C2 and B_C2 with `synapses` synapses each on one presynaptic cell that spikes every ms
// (interval 1, noise 0, start 1: 1..10 ms) from a spike train and, for A_C2, once more at 5.5 ms from a PSTH;
// no releaseProb, so every synapse releases every spike. Synapse i sits at soma distance 100·i.
struct Fixture {
    PreparedNetwork network;
    SynapsePlacement placement;
    TrialActivity activity;
};

Fixture make_fixture(int synapses = 5) {
    auto tree = recipes::parse_isf_param(R"({"network": {
        "A_C2": {"cellNr": 1, "celltype": {"pointcell": {"distribution": "PSTH", "intervals": [[0.5, 0.5]],
            "probabilities": [1.0], "offset": 5.0}, "spiketrain": {"interval": 1.0, "noise": 0.0, "start": 1.0}},
            "synapses": {"distributionFile": "a.syn", "connectionFile": "a.con",
            "receptors": {"glutamate_syn": {"weight": [1.5, 2.5]}}}},
        "B_C2": {"cellNr": 1, "celltype": "spiketrain", "interval": 1.0, "noise": 0.0, "start": 1.0,
            "synapses": {"distributionFile": "a.syn", "connectionFile": "a.con",
            "receptors": {"gaba_syn": {"weight": 1.0}}}},
        "network_modify_functions": {"silence_synapses_by_somadist": {"soma_dist_ranges": {"A_C2": [100, 300]}}}
    }})");
    EXPECT_TRUE(tree) << tree.error().what();
    auto params = network_from_tree(*tree);
    EXPECT_TRUE(params) << params.error().what();
    std::string con_text = "# h\n# a.syn\n";
    for (const char* type : {"A_C2", "B_C2"})
        for (int i = 0; i < synapses; ++i) con_text += std::string(type) + "\t0\t" + std::to_string(i) + "\n";
    auto con = parse_con(con_text);
    EXPECT_TRUE(con);
    auto net = prepare_network(std::move(*params), {{"a.con", *con}});
    EXPECT_TRUE(net) << net.error().what();
    Fixture f{std::move(*net), {}, {}};
    for (const char* type : {"A_C2", "B_C2"})
        for (int i = 0; i < synapses; ++i)
            f.placement[type].push_back(PlacedSynapse{1, i, 100.0 * i, "Dendrite"});
    auto a = generate_activity_independent(f.network, 3, {.t_stop = 10.0});
    EXPECT_TRUE(a) << a.error().what();
    f.activity = std::move(*a);
    return f;
}

std::vector<std::uint32_t> ids_of(const Fixture& f, const std::string& type) {
    std::vector<std::uint32_t> ids;
    for (const auto& s : f.activity.synapses)
        if (f.network.parameters.populations[s.population].name == type) ids.push_back(s.synapse_id);
    return ids;
}

// Every synapse still points at its own releases and weights after a modification.
void expect_consistent(const Fixture& f) {
    const auto& a = f.activity;
    ASSERT_EQ(a.release_origins.size(), a.release_times.size());
    std::uint32_t next_release = 0, next_weight = 0;
    for (const auto& s : a.synapses) {
        EXPECT_EQ(s.release_begin, next_release);
        EXPECT_LT(s.release_begin, s.release_end);
        EXPECT_EQ(s.weight_begin, next_weight);
        const auto& receptors = f.network.parameters.populations[s.population].synapses.receptors;
        for (const auto& r : receptors)
            for (double w : r.weight) EXPECT_EQ(a.weights[next_weight++], w);
        next_release = s.release_end;
    }
    EXPECT_EQ(next_release, a.release_times.size());
    EXPECT_EQ(next_weight, a.weights.size());
}

TEST(NetworkModify, SilenceBySomadistDropsTheSynapsesOfThatTypeInTheHalfOpenRange) {
    auto f = make_fixture();
    ASSERT_EQ(ids_of(f, "A_C2"), (std::vector<std::uint32_t>{0, 1, 2, 3, 4}));
    std::size_t b_releases = 0;
    for (const auto& s : f.activity.synapses)
        if (s.population == 1) b_releases += s.release_end - s.release_begin;
    std::vector<recipes::ModifyFunction> fs = {
        {"silence_synapses_by_somadist", Json::parse(R"({"soma_dist_ranges": {"A_C2": [100, 300]}})")}};
    ASSERT_TRUE(apply_network_modify_functions(f.network, f.placement, fs, f.activity));
    EXPECT_EQ(ids_of(f, "A_C2"), (std::vector<std::uint32_t>{0, 3, 4}));  // 100 and 200 silenced, 300 kept
    EXPECT_EQ(ids_of(f, "B_C2"), (std::vector<std::uint32_t>{0, 1, 2, 3, 4}));
    std::size_t b_after = 0;
    for (const auto& s : f.activity.synapses)
        if (s.population == 1) b_after += s.release_end - s.release_begin;
    EXPECT_EQ(b_after, b_releases);
    expect_consistent(f);
}

TEST(NetworkModify, SilenceBySomadistAndSpikeSourceKeepsOnlyTheListedSources) {
    auto f = make_fixture();
    // Spike-train spikes at 1..10 ms, the PSTH spike at 5.5 ms: 11 releases per A_C2 synapse.
    ASSERT_EQ(f.activity.synapses[0].release_end - f.activity.synapses[0].release_begin, 11u);
    std::vector<recipes::ModifyFunction> fs = {
        {"silence_synapses_by_somadist_and_spike_source",
         Json::parse(R"({"soma_dist_ranges": {"A_C2": [0, 250]}, "spike_sources": ["pointcell_PSTH"]})")}};
    ASSERT_TRUE(apply_network_modify_functions(f.network, f.placement, fs, f.activity));
    for (const auto& s : f.activity.synapses) {
        std::vector<double> times(f.activity.release_times.begin() + s.release_begin,
                                  f.activity.release_times.begin() + s.release_end);
        if (s.population == 0 && s.synapse_id <= 2)
            EXPECT_EQ(times, std::vector<double>{5.5}) << s.synapse_id;
        else
            EXPECT_EQ(times.size(), s.population == 0 ? 11u : 10u);
    }
    expect_consistent(f);
    // Listing no source silences the synapses in range completely.
    std::vector<recipes::ModifyFunction> none = {
        {"silence_synapses_by_somadist_and_spike_source",
         Json::parse(R"({"soma_dist_ranges": {"B_C2": [0, 150]}, "spike_sources": []})")}};
    ASSERT_TRUE(apply_network_modify_functions(f.network, f.placement, none, f.activity));
    EXPECT_EQ(ids_of(f, "B_C2"), (std::vector<std::uint32_t>{2, 3, 4}));
    expect_consistent(f);
}

TEST(NetworkModify, FunctionsRunInOrderAndTheParamDictionaryKeepsItsOrder) {
    auto f = make_fixture();
    auto list = network_modify_list(f.network.parameters.network_modify_functions);
    ASSERT_TRUE(list) << list.error().what();
    ASSERT_EQ(list->size(), 1u);
    EXPECT_EQ((*list)[0].name, "silence_synapses_by_somadist");
    std::vector<std::string> calls;
    register_network_modify_function("test_record_a", [&](const auto&, const auto&, const Json& kw, auto& a) {
        calls.push_back("a" + std::to_string(a.synapses.size()) + kw.dump());
        return Status{};
    });
    register_network_modify_function("test_record_b", [&](const auto&, const auto&, const Json&, auto& a) {
        calls.push_back("b" + std::to_string(a.synapses.size()));
        return Status{};
    });
    auto ordered = network_modify_list(Json::parse(
        R"({"test_record_b": {}, "silence_synapses_by_somadist": {"soma_dist_ranges": {"B_C2": [0, 1000]}},
            "test_record_a": {"x": 1}})"));
    ASSERT_TRUE(ordered);
    ASSERT_TRUE(apply_network_modify_functions(f.network, f.placement, *ordered, f.activity));
    EXPECT_EQ(calls, (std::vector<std::string>{"b10", "a5{\"x\":1}"}));
    EXPECT_TRUE(network_modify_list(Json()));
    EXPECT_TRUE(network_modify_list(Json())->empty());
    EXPECT_FALSE(network_modify_list(Json::parse(R"({"f": 3})")));
}

TEST(NetworkModify, UnknownFunctionsTypesArgumentsAndSourcesAreClearErrors) {
    auto f = make_fixture();
    auto fails_with = [&](const std::string& name, const std::string& args, const std::string& needle) {
        std::vector<recipes::ModifyFunction> fs = {{name, Json::parse(args)}};
        Status s = apply_network_modify_functions(f.network, f.placement, fs, f.activity);
        ASSERT_FALSE(s) << name << " " << args;
        EXPECT_NE(s.error().what().find(needle), std::string::npos) << s.error().what();
    };
    fails_with("silence_synapses", "{}", "unknown network modify function 'silence_synapses'");
    fails_with("silence_synapses", "{}", "silence_synapses_by_somadist_and_spike_source");  // lists the known
    fails_with("silence_synapses_by_somadist", R"({"soma_dist_ranges": {"L5tt_C2": [0, 10]}})", "L5tt_C2");
    fails_with("silence_synapses_by_somadist", R"({"soma_dist_ranges": {"A_C2": [0]}})", "[min, max]");
    fails_with("silence_synapses_by_somadist", "{}", "soma_dist_ranges");
    fails_with("silence_synapses_by_somadist", R"({"soma_dist_ranges": {}, "extra": 1})", "extra");
    fails_with("silence_synapses_by_somadist_and_spike_source",
               R"({"soma_dist_ranges": {"A_C2": [0, 10]}, "spike_sources": ["spiketrain"]})", "poissontrain");
    fails_with("silence_synapses_by_somadist", R"({"soma_dist_ranges": {"L5tt_C2": [0, 10]}})",
               "network modify function silence_synapses_by_somadist");
    // A synapse without a placement cannot be measured.
    f.placement.erase("A_C2");
    fails_with("silence_synapses_by_somadist", R"({"soma_dist_ranges": {"A_C2": [0, 10]}})", "no placement");
    EXPECT_EQ(ids_of(f, "A_C2").size(), 5u);  // nothing changed by the failures
}

}  // namespace
}  // namespace silico::experiments
