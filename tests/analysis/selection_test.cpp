#include "silico/analysis/selection.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace silico::analysis {
namespace {

Dataset sample() {
    Dataset::Builder b({"api", "", ""}, {"whisker"}, {"amplitude"});
    const char* index[] = {"C2_evoked/run/000000", "B1_evoked/run/000001", "C2_evoked/run/000002",
                           "D2_evoked/run/000003", "nounderscore",         "B1_evoked/run/000005"};
    const char* whisker[] = {"C2", "B1", "C2", "D2", "x", "B1"};
    const double amplitude[] = {0.4, 0.8, 0.4, 1.2, 10.0, 0.40};
    for (int i = 0; i < 6; ++i) EXPECT_TRUE(b.add({index[i], i, {}, {}, {whisker[i]}, {amplitude[i]}, {}}));
    return *std::move(b).finish();
}

TEST(Select, WithoutGroupsEveryRowIsInTheGroupAll) {
    auto g = select(sample(), {});
    ASSERT_TRUE(g) << g.error().what();
    EXPECT_EQ(g->count(), 1u);
    EXPECT_EQ(g->sizes[0], 6u);
}

TEST(Select, GroupsByTheFirstCaptureOfARegexOverTheIndex) {
    auto g = select(sample(), {{}, {"index~^([^_]+)_"}});
    ASSERT_TRUE(g) << g.error().what();
    ASSERT_EQ(g->count(), 3u);
    EXPECT_EQ(g->labels[0][0], "B1");
    EXPECT_EQ(g->labels[1][0], "C2");
    EXPECT_EQ(g->labels[2][0], "D2");
    EXPECT_EQ(g->sizes[0], 2u);
    EXPECT_EQ(g->unmatched, 1u);  // "nounderscore"
    EXPECT_EQ(g->row_group[4], -1);
    EXPECT_EQ(g->rows(1), (std::vector<std::size_t>{0, 2}));
}

Dataset with_index(const std::vector<std::string>& index) {
    Dataset::Builder b({"api", "", ""});
    for (std::size_t i = 0; i < index.size(); ++i)
        EXPECT_TRUE(b.add({index[i], static_cast<std::int64_t>(i), {}, {}, {}, {}, {}}));
    return *std::move(b).finish();
}

// Each row's label in row order ("-" for an unmatched row).
std::vector<std::string> labels_of_rows(const Dataset& d, const std::string& group_by) {
    auto g = select(d, {{}, {group_by}});
    EXPECT_TRUE(g) << g.error().what();
    std::vector<std::string> out;
    for (auto r : g->row_group) out.push_back(r < 0 ? "-" : g->labels[r][0]);
    return out;
}

// Index strings that are not ASCII are matched as UTF-8 (one character, not one byte), bytes that are not
// UTF-8 match nothing (not even "."), and the rows of a group need not follow each other.
TEST(Select, ARegexMatchesUtf8CharactersAndNoCharacterMatchesBytesThatAreNotUtf8) {
    const auto d =
        with_index({"\xc2\xb5m/a", "\xc2\xb5m/b", "x/c", "\xff\xfe/d", "\xc2\xb5m/e", "x/f", "y\xff/g"});
    auto g = select(d, {{}, {"index~^(.)"}});
    ASSERT_TRUE(g) << g.error().what();
    ASSERT_EQ(g->count(), 3u);
    EXPECT_EQ(g->labels[0][0], "x");
    EXPECT_EQ(g->labels[1][0], "y");
    EXPECT_EQ(g->labels[2][0], "\xc2\xb5");
    EXPECT_EQ(g->rows(0), (std::vector<std::size_t>{2, 5}));
    EXPECT_EQ(g->rows(1), (std::vector<std::size_t>{6}));
    EXPECT_EQ(g->rows(2), (std::vector<std::size_t>{0, 1, 4}));
    EXPECT_EQ(g->unmatched, 1u);
    EXPECT_EQ(g->row_group[3], -1);
    EXPECT_EQ(labels_of_rows(d, "index~(.)/"), (std::vector<std::string>{"m", "m", "x", "-", "m", "x", "-"}));
}

// A row that starts with the bytes which decided the row before's match takes that match without the regex
// (selection.cpp, IndexRegex). Each case below has a row whose text starts like the one before it but whose
// match reads further, so a row that took a match it should not have would show here.
TEST(Select, RowsSharingAPrefixGetTheMatchOfTheirOwnText) {
    // Greedy: "ab_1" is decided by "ab_", so "abc_2" (which starts with "ab") needs its own match.
    EXPECT_EQ(labels_of_rows(with_index({"ab_1", "ab_2", "abc_3", "abc_4", "ab_5"}), "index~^([a-z]+)"),
              (std::vector<std::string>{"ab", "ab", "abc", "abc", "ab"}));
    // An alternative that wins first is decided by its own bytes.
    EXPECT_EQ(labels_of_rows(with_index({"B12_x", "B12_y", "B1_z"}), "index~^(B1|B12)"),
              (std::vector<std::string>{"B1", "B1", "B1"}));
    // A word boundary after the match is decided by the byte that follows it.
    EXPECT_EQ(labels_of_rows(with_index({"ab/1", "ab/2", "abc/3", "ab"}), "index~^(ab)\\b"),
              (std::vector<std::string>{"ab", "ab", "-", "ab"}));
    // A lookahead that reads to the end, and an anchor at the end, are decided by the whole text.
    EXPECT_EQ(labels_of_rows(with_index({"C2_ax", "C2_ay", "C2_bx"}), "index~^(\\w\\w)(?=.*x$)"),
              (std::vector<std::string>{"C2", "-", "C2"}));
    EXPECT_EQ(labels_of_rows(with_index({"run/000001", "run/000002", "run/000002b", "run/000003"}),
                             "index~/(\\d+)$"),
              (std::vector<std::string>{"000001", "000002", "-", "000003"}));
    // A regex without a group labels by the whole match; a first group that did not take part (where a
    // later one did) labels by "".
    EXPECT_EQ(labels_of_rows(with_index({"C2_1", "C2_2", "C3_3"}), "index~^C\\d"),
              (std::vector<std::string>{"C2", "C2", "C3"}));
    EXPECT_EQ(labels_of_rows(with_index({"D2_1", "D2_2", "C2_3"}), "index~^(?:(C)|(D))"),
              (std::vector<std::string>{"", "", "C"}));
}

// ISF's index: 18,000 rows in runs of one stimulus each, all matched, against the labels made by hand.
TEST(Select, AnIsfIndexGroupsEveryRowByItsStimulus) {
    std::vector<std::string> index, expected;
    for (const char* w : {"B1", "C2", "C2x", "D1"})
        for (int i = 0; i < 500; ++i) {
            index.push_back(std::string(w) + "_evoked_UpState_INH_PW_1.0_SuW_0.5/20150817-1856_20686/" +
                            std::to_string(100000 + i));
            expected.emplace_back(w);
        }
    EXPECT_EQ(labels_of_rows(with_index(index), "index~^([^_]+)"), expected);
}

TEST(Select, NumericColumnsSortNumericallyAndFilterByValue) {
    auto g = select(sample(), {{"amplitude=0.40"}, {"amplitude", "whisker"}});
    ASSERT_TRUE(g) << g.error().what();
    ASSERT_EQ(g->count(), 2u);  // (0.4, B1), (0.4, C2)
    EXPECT_EQ(g->labels[0], (std::vector<std::string>{"0.4", "B1"}));
    EXPECT_EQ(g->labels[1], (std::vector<std::string>{"0.4", "C2"}));
    auto all = select(sample(), {{}, {"amplitude"}});
    ASSERT_TRUE(all);
    EXPECT_EQ(all->labels.back()[0], "10");  // not sorted as text, where "10" < "1.2"
}

TEST(Select, AnUnknownColumnIsAnErrorListingTheKnownOnes) {
    auto g = select(sample(), {{}, {"stimulus"}});
    ASSERT_FALSE(g);
    EXPECT_EQ(g.error().code, Errc::invalid_argument);
    EXPECT_NE(
        g.error().what().find("unknown group column 'stimulus' (columns: index, trial, whisker, amplitude)"),
        std::string::npos)
        << g.error().what();
    EXPECT_FALSE(select(sample(), {{"nothing=1"}, {}}));
    EXPECT_FALSE(select(sample(), {{"whisker"}, {}}));
    EXPECT_FALSE(select(sample(), {{"amplitude=big"}, {}}));
}

TEST(Select, ABadRegexOrAFilterThatKeepsNothingIsAnError) {
    auto bad = select(sample(), {{}, {"index~(["}});
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().what().find("bad regular expression"), std::string::npos);
    EXPECT_FALSE(select(sample(), {{"whisker=E9"}, {}}));
}

}  // namespace
}  // namespace silico::analysis
