#include "silico/analysis/trial_summary.hpp"

#include <gtest/gtest.h>

#include "analysis_test_support.hpp"
#include "silico/analysis/isf_import.hpp"
#include "silico/store/array.hpp"

namespace silico::analysis {
namespace {

using testing::StoreFixture;

struct TrialSummaries : StoreFixture {};

TEST_F(TrialSummaries, CountsHostsVersionsSeedsAndTimeOverTheSelectedRecords) {
    auto store = open_writer();
    Dataset::Builder b({"api", "", ""}, {"g"});
    const std::vector<std::string> hosts = {"node1", "node2", "node1"};
    for (std::size_t i = 0; i < hosts.size(); ++i) {
        store::TrialRecord rec;
        rec.seed = 100 + i;
        rec.host = hosts[i];
        rec.neuron_version = "NEURON 8.2.2";
        rec.silico_version = "0.1.0";
        rec.silico_commit = "0123456789abcdef0123";
        rec.silico_dirty = i == 2;
        rec.wall_seconds = 1.5;
        rec.start_unix_ms = 1000 + static_cast<std::int64_t>(i);
        rec.end_unix_ms = 2000 + static_cast<std::int64_t>(i);
        const Digest key = sha256("summary " + std::to_string(i));
        ASSERT_TRUE(store.commit_trial(key, rec, {{"time", *store::encode_f64_table({{0.0}})}}));
        ASSERT_TRUE(b.add({"t" + std::to_string(i),
                           static_cast<std::int64_t>(i),
                           100 + i,
                           key,
                           {i == 1 ? "y" : "x"},
                           {},
                           {}}));
    }
    auto d = *std::move(b).finish();
    auto all = summarize_trials(store, d, {{}, {"g"}});
    ASSERT_TRUE(all) << all.error().what();
    EXPECT_EQ(all->trials, 3u);
    EXPECT_EQ(all->groups, 2u);
    EXPECT_EQ(all->records, 3u);
    EXPECT_EQ(all->seed_min, 100u);
    EXPECT_EQ(all->seed_max, 102u);
    EXPECT_EQ(all->hosts, (std::map<std::string, std::size_t>{{"node1", 2}, {"node2", 1}}));
    EXPECT_EQ(all->neuron_versions.at("NEURON 8.2.2"), 3u);
    EXPECT_EQ(all->silico_versions.at("0.1.0 0123456789ab"), 3u);
    EXPECT_EQ(all->dirty, 1u);
    EXPECT_DOUBLE_EQ(all->wall_seconds, 4.5);
    EXPECT_EQ(all->first_start_unix_ms, 1000);
    EXPECT_EQ(all->last_end_unix_ms, 2002);

    auto x = summarize_trials(store, d, {{"g=x"}, {}});
    ASSERT_TRUE(x);
    EXPECT_EQ(x->trials, 2u);
    EXPECT_EQ(x->hosts, (std::map<std::string, std::size_t>{{"node1", 2}}));
}

TEST_F(TrialSummaries, ASpikeTableHasRowsButNoRecords) {
    auto store = open_writer();
    auto d = parse_isf_spike_times("i,0\na,1\nb,\n", "t.csv");
    ASSERT_TRUE(d);
    auto s = summarize_trials(store, *d);
    ASSERT_TRUE(s) << s.error().what();
    EXPECT_EQ(s->trials, 2u);
    EXPECT_EQ(s->records, 0u);
    EXPECT_TRUE(s->hosts.empty());
    EXPECT_FALSE(s->seed_min);
}

}  // namespace
}  // namespace silico::analysis
