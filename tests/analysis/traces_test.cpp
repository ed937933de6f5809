#include "silico/analysis/traces.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "analysis_test_support.hpp"
#include "silico/analysis/isf_import.hpp"
#include "silico/store/array.hpp"

namespace silico::analysis {
namespace {

using testing::StoreFixture;

struct Traces : StoreFixture {
    // Trials i = 0..n-1 with soma.v = base + i * slope per sample, group column "g".
    Dataset commit(store::Store& store,
                   const std::vector<std::pair<std::string, std::vector<double>>>& trials,
                   const std::vector<double>& time) {
        Dataset::Builder b({"api", "", ""}, {"g"});
        std::int64_t i = 0;
        for (const auto& [group, v] : trials) {
            const Digest key = sha256("trial " + std::to_string(i));
            auto committed = store.commit_trial(
                key, {},
                {{"time", *store::encode_f64_table({time})}, {"soma.v", *store::encode_f64_table({v})}});
            EXPECT_TRUE(committed) << committed.error().what();
            EXPECT_TRUE(b.add({"t" + std::to_string(i), i, {}, key, {group}, {}, {}}));
            ++i;
        }
        return *std::move(b).finish();
    }
};

TEST_F(Traces, MeanAndSampleSdPerGroupPerSample) {
    auto store = open_writer();
    const auto d =
        commit(store, {{"a", {-70, -60}}, {"a", {-68, -50}}, {"a", {-66, -40}}, {"b", {1, 2}}}, {0.0, 0.1});
    auto r = query_traces(store, d, {}, {{}, {"g"}});
    ASSERT_TRUE(r) << r.error().what();
    ASSERT_EQ(r->groups.size(), 2u);
    const auto& a = r->groups[0];
    EXPECT_EQ(a.trials, 3u);
    EXPECT_EQ(a.time, (std::vector<double>{0.0, 0.1}));
    EXPECT_DOUBLE_EQ(a.mean[0], -68.0);
    EXPECT_DOUBLE_EQ(a.mean[1], -50.0);
    EXPECT_DOUBLE_EQ(a.sd[0], 2.0);  // pandas' std: n - 1
    EXPECT_DOUBLE_EQ(a.sd[1], 10.0);
    EXPECT_TRUE(std::isnan(r->groups[1].sd[0]));  // one trial
    EXPECT_EQ(r->samples, 8u);
}

TEST_F(Traces, TrialsSampledAtOtherTimesOrMissingTheSiteAreNamed) {
    auto store = open_writer();
    auto d = commit(store, {{"a", {1, 2}}}, {0.0, 0.1});
    const Digest other = sha256("other");
    ASSERT_TRUE(store.commit_trial(
        other, {},
        {{"time", *store::encode_f64_table({{0.0, 0.2}})}, {"soma.v", *store::encode_f64_table({{1, 2}})}}));
    Dataset::Builder b({"api", "", ""}, {"g"});
    ASSERT_TRUE(b.add({"first", 0, {}, d.keys()[0], {"a"}, {}, {}}));
    ASSERT_TRUE(b.add({"second", 1, {}, other, {"a"}, {}, {}}));
    auto mixed = std::move(b).finish();
    auto r = query_traces(store, *mixed);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().what(), "trial second: is sampled at other times than trial first of the same group");
    TraceOptions o;
    o.site = "dend";
    auto site = query_traces(store, d, o);
    ASSERT_FALSE(site);
    EXPECT_NE(site.error().what().find("has no output dend.v (outputs: soma.v, time)"), std::string::npos)
        << site.error().what();
}

TEST_F(Traces, ASpikeTableHasNoTraces) {
    auto store = open_writer();
    auto d = parse_isf_spike_times("i,0\na,1\n", "t.csv");
    ASSERT_TRUE(d);
    EXPECT_EQ(query_traces(store, *d).error().code, Errc::invalid_argument);
}

TEST_F(Traces, The2015SomaMeanAndSdEqualPandas) {
    auto store = open_writer();
    ASSERT_TRUE(import_isf_simrun(store, testing::k_simrun_2015, "run2015"));
    auto d = read_dataset(store, "run2015");
    ASSERT_TRUE(d);
    auto r = query_traces(store, *d);
    ASSERT_TRUE(r) << r.error().what();
    const auto& g = r->groups[0];
    ASSERT_EQ(g.time.size(), 9802u);
    std::ostringstream ours;
    ours.precision(9);
    for (std::size_t j = 0; j < g.time.size(); j += 700)
        ours << g.time[j] << " " << g.mean[j] << " " << g.sd[j] << "\n";
    const auto theirs = testing::python(tmp.path(), R"(
import pandas as pd
vm = pd.read_csv(")" + testing::k_simrun_2015 + R"(/20240_vm_all_traces.csv", sep="\t").set_index("t")
mean, sd = vm.mean(axis=1), vm.std(axis=1)
for j in range(0, len(vm), 700):
    print("%.9g %.9g %.9g" % (vm.index[j], mean.iloc[j], sd.iloc[j]))
)");
    EXPECT_EQ(ours.str(), theirs);
}

}  // namespace
}  // namespace silico::analysis
