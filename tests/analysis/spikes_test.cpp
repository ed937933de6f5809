#include "silico/analysis/spikes.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "analysis_test_support.hpp"
#include "silico/analysis/isf_import.hpp"

namespace silico::analysis {
namespace {

Dataset rows(const std::vector<std::pair<std::string, std::vector<double>>>& spikes) {
    Dataset::Builder b({"api", "", ""});
    std::int64_t i = 0;
    for (const auto& [index, s] : spikes) EXPECT_TRUE(b.add({index, i++, {}, {}, {}, {}, s}));
    return *std::move(b).finish();
}

TEST(Window, CountsTrialsWithASpikeInTheHalfOpenInterval) {
    const auto d = rows({{"a", {244.999, 265.0}}, {"b", {245.0}}, {"c", {}}, {"d", {250, 251, 252}}});
    auto w = query_window(d, {245.0, 265.0});
    ASSERT_TRUE(w) << w.error().what();
    ASSERT_EQ(w->groups.size(), 1u);
    EXPECT_EQ(w->groups[0].trials, 4u);
    EXPECT_EQ(w->groups[0].spiking, 2u);  // b and d: a's spikes fall just outside [245, 265)
    EXPECT_DOUBLE_EQ(w->groups[0].fraction(), 0.5);
    EXPECT_FALSE(query_window(d, {265.0, 245.0}));
}

TEST(Psth, AlignsEdgesToTheBinAndClosesTheLastBinAsNumpyDoes) {
    const auto d = rows({{"a", {241.5, 244.0, 250.0}}, {"b", {243.9, 249.0}}});
    auto p = query_psth(d, {.bin = 2.0, .from = 241.0, .to = 250.0});
    ASSERT_TRUE(p) << p.error().what();
    EXPECT_EQ(p->edges, (std::vector<double>{240, 242, 244, 246, 248, 250}));
    // 241.5 -> [240,242); 243.9 -> [242,244); 244.0 -> [244,246); 249 and 250 (last edge, closed) -> [248,250].
    EXPECT_EQ(p->groups[0].counts, (std::vector<std::uint64_t>{1, 1, 1, 0, 2}));
    EXPECT_DOUBLE_EQ(p->groups[0].values[4], 1.0);  // two spikes over two trials
    auto rate = query_psth(d, {.bin = 2.0, .from = 241.0, .to = 250.0, .rate = true});
    EXPECT_DOUBLE_EQ(rate->groups[0].values[4], 500.0);  // 1 spike per trial in 2 ms
    EXPECT_FALSE(query_psth(d, {.bin = 0.0, .from = 241.0, .to = 250.0}));
}

TEST(Bursts, FollowIsfsGreedyDefinition) {
    // 100, 105, 125: a triplet (125 - 100 <= 30); 200, 209: a doublet; 300: a singlet; 400, 411: two singlets.
    const auto events = burst_events(std::vector<double>{100, 105, 125, 200, 209, 300, 400, 411});
    ASSERT_EQ(events.size(), 5u);
    EXPECT_EQ(events[0].spikes, 3);
    EXPECT_EQ(events[0].isis, (std::vector<double>{5, 20}));
    EXPECT_EQ(events[1].spikes, 2);
    EXPECT_EQ(events[2].spikes, 1);
    EXPECT_EQ(events[3].spikes, 1);
    EXPECT_EQ(events[4].spikes, 1);
    auto r = query_bursts(rows({{"a", {100, 105, 125, 200, 209, 300}}}), {});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->groups[0].triplets, 1u);
    EXPECT_EQ(r->groups[0].doublets, 1u);
    EXPECT_EQ(r->groups[0].singlets, 1u);
}

TEST(Spikes, ListsTheSelectedTrialsWithTheirGroup) {
    auto r = query_spikes(rows({{"C2_x", {1.5}}, {"B1_y", {}}}), {{}, {"index~^([^_]+)"}});
    ASSERT_TRUE(r);
    ASSERT_EQ(r->trials.size(), 2u);
    EXPECT_EQ(r->trials[0].times, std::vector<double>{1.5});
    EXPECT_EQ(r->groups.labels[r->trials[0].group][0], "C2");
}

TEST(Groups, SelectedOnceAnswerEveryQueryAsTheSelectOptionsDo) {
    const auto d = rows({{"C2_a", {246, 250}}, {"B1_b", {100}}, {"C2_c", {}}, {"B1_d", {255, 256, 280}}});
    const SelectOptions by_stimulus{{}, {"index~^([^_]+)"}};
    auto groups = select(d, by_stimulus);
    ASSERT_TRUE(groups) << groups.error().what();
    auto w1 = query_window(d, {245, 265}, *groups);
    auto w2 = query_window(d, {245, 265}, by_stimulus);
    ASSERT_TRUE(w1 && w2);
    EXPECT_EQ(format_table(to_table(*w1), TableFormat::csv), format_table(to_table(*w2), TableFormat::csv));
    EXPECT_EQ(format_table(to_table(*w1), TableFormat::csv),
              "index~^([^_]+),trials,spiking,fraction\nB1,2,1,0.5\nC2,2,1,0.5\n");
    auto p1 = query_psth(d, {.bin = 5.0, .from = 245.0, .to = 260.0}, *groups);
    auto p2 = query_psth(d, {.bin = 5.0, .from = 245.0, .to = 260.0}, by_stimulus);
    ASSERT_TRUE(p1 && p2);
    EXPECT_EQ(format_table(to_table(*p1), TableFormat::csv), format_table(to_table(*p2), TableFormat::csv));
    auto b1 = query_bursts(d, {}, *groups);
    auto b2 = query_bursts(d, {}, by_stimulus);
    ASSERT_TRUE(b1 && b2);
    EXPECT_EQ(format_table(to_table(*b1), TableFormat::csv), format_table(to_table(*b2), TableFormat::csv));
    auto s1 = query_spikes(d, *groups);
    ASSERT_TRUE(s1);
    EXPECT_EQ(format_table(to_table(*s1, d), TableFormat::csv),
              format_table(to_table(*query_spikes(d, by_stimulus), d), TableFormat::csv));

    // Groups of another dataset would index rows that are not there.
    const auto other = rows({{"C2_a", {246}}});
    auto refused = query_window(other, {245, 265}, *groups);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, Errc::invalid_argument);
    EXPECT_NE(refused.error().message.find("dataset of 4 rows, not this one of 1"), std::string::npos);
    EXPECT_FALSE(query_psth(other, {}, *groups));
    EXPECT_FALSE(query_bursts(other, {}, *groups));
    EXPECT_FALSE(query_spikes(other, *groups));
}

// ISF's 18,000-trial table: the numbers a scientist asks for, pinned, and recomputed with pandas and numpy
// the way ISF users compute them.
class IsfSpikeTable : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        auto d = read_isf_spike_times(testing::k_spike_table);
        ASSERT_TRUE(d) << d.error().what();
        s_data = new Dataset(std::move(*d));
    }
    static void TearDownTestSuite() { delete s_data; }
    static Dataset* s_data;
    store::testing::TempDir tmp;
};
Dataset* IsfSpikeTable::s_data = nullptr;

TEST_F(IsfSpikeTable, TrialsSpikingIn245To265PerStimulusArePinned) {
    auto all = query_window(*s_data, {245, 265});
    ASSERT_TRUE(all);
    EXPECT_EQ(all->groups[0].trials, 18000u);
    EXPECT_EQ(all->groups[0].spiking, 4415u);
    auto per = query_window(*s_data, {245, 265}, {{}, {"index~^([^_]+)"}});
    ASSERT_TRUE(per);
    std::map<std::string, std::size_t> got;
    for (const auto& g : per->groups) {
        EXPECT_EQ(g.trials, 1800u) << g.labels[0];
        got[g.labels[0]] = g.spiking;
    }
    const std::map<std::string, std::size_t> pinned = {{"B1", 443}, {"B2", 212}, {"B3", 178}, {"C1", 669},
                                                       {"C2", 840}, {"C3", 553}, {"D1", 619}, {"D2", 535},
                                                       {"D3", 150}, {"E2", 216}};
    EXPECT_EQ(got, pinned);
}

TEST_F(IsfSpikeTable, PsthFrom240To280IsPinned) {
    auto p = query_psth(*s_data, {.bin = 1.0, .from = 240.0, .to = 280.0});
    ASSERT_TRUE(p);
    ASSERT_EQ(p->edges.size(), 41u);
    const std::vector<std::uint64_t> pinned = {
        22,  24,  19,  24,  28,  26,  20, 34, 21, 31, 38, 50, 65, 55, 71, 75, 124, 273, 476, 661,
        803, 690, 487, 331, 189, 141, 84, 65, 48, 33, 20, 27, 12, 8,  10, 5,  8,   4,   5,   6};
    EXPECT_EQ(p->groups[0].counts, pinned);
    EXPECT_DOUBLE_EQ(p->groups[0].values[20], 803.0 / 18000.0);
}

TEST_F(IsfSpikeTable, PandasAndNumpyGiveTheSameAnswers) {
    auto per = query_window(*s_data, {245, 265}, {{}, {"index~^([^_]+)"}});
    auto psth = query_psth(*s_data, {.bin = 1.0, .from = 240.0, .to = 280.0});
    ASSERT_TRUE(per && psth);
    std::ostringstream ours;
    for (const auto& g : per->groups) ours << g.labels[0] << " " << g.trials << " " << g.spiking << "\n";
    for (auto c : psth->groups[0].counts) ours << c << " ";
    ours << "\n";
    const auto theirs = testing::python(tmp.path(), R"(
import numpy as np, pandas as pd
st = pd.read_csv(")" + testing::k_spike_table + R"(", index_col=0)
inside = ((st >= 245) & (st < 265)).any(axis=1)
stim = st.index.str.split('_').str[0]
for name, group in inside.groupby(stim):
    print(name, len(group), int(group.sum()))
values = st.values.ravel()
counts, _ = np.histogram(values[~np.isnan(values)], bins=np.arange(240, 281, 1))
print(' '.join(str(c) for c in counts) + ' ')
)");
    EXPECT_EQ(ours.str(), theirs);
}

}  // namespace
}  // namespace silico::analysis
