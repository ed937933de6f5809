#include "silico/analysis/selection.hpp"

#include <gtest/gtest.h>

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

// Index strings that are not ASCII are matched as UTF-8 (one character, not one byte), text that is not UTF-8
// is unmatched rather than misread, and the rows of a group need not follow each other.
TEST(Select, ARegexMatchesUtf8CharactersAndLeavesTextThatIsNotUtf8Unmatched) {
    Dataset::Builder b({"api", "", ""});
    const std::vector<std::string> index = {"\xc2\xb5m/a", "\xc2\xb5m/b", "x/c",
                                            "\xff\xfe/d",  "\xc2\xb5m/e", "x/f"};
    for (std::size_t i = 0; i < index.size(); ++i)
        ASSERT_TRUE(b.add({index[i], static_cast<std::int64_t>(i), {}, {}, {}, {}, {}}));
    const auto d = *std::move(b).finish();
    auto g = select(d, {{}, {"index~^(.)"}});
    ASSERT_TRUE(g) << g.error().what();
    ASSERT_EQ(g->count(), 2u);
    EXPECT_EQ(g->labels[0][0], "x");
    EXPECT_EQ(g->labels[1][0], "\xc2\xb5");
    EXPECT_EQ(g->rows(0), (std::vector<std::size_t>{2, 5}));
    EXPECT_EQ(g->rows(1), (std::vector<std::size_t>{0, 1, 4}));
    EXPECT_EQ(g->unmatched, 1u);
    EXPECT_EQ(g->row_group[3], -1);
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
