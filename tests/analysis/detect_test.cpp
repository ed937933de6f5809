#include "silico/analysis/detect.hpp"

#include <gtest/gtest.h>

#include "analysis_test_support.hpp"
#include "silico/analysis/isf_import.hpp"
#include "silico/store/array.hpp"

namespace silico::analysis {
namespace {

using testing::StoreFixture;

struct Detect : StoreFixture {};

TEST_F(Detect, FindsUpwardCrossingsOfAStoredSiteTraceAtTheThreshold) {
    auto store = open_writer();
    const Digest key = sha256("d");
    ASSERT_TRUE(
        store.commit_trial(key, {},
                           {{"time", *store::encode_f64_table({{0, 1, 2, 3, 4, 5}})},
                            {"dend.v", *store::encode_f64_table({{-60, -30, -10, -40, -29.9, -35}})}}));
    Dataset::Builder b({"api", "", ""});
    ASSERT_TRUE(b.add({"t", 0, {}, key, {}, {}, {}}));
    auto d = *std::move(b).finish();
    DetectOptions o;
    o.threshold = -30.0;
    o.site = "dend";
    auto r = query_detect(store, d, o);
    ASSERT_TRUE(r) << r.error().what();
    ASSERT_EQ(r->trials.size(), 1u);
    EXPECT_EQ(r->trials[0].times, (std::vector<double>{1, 4}));  // -30 reached at 1; -29.9 at 4
}

TEST_F(Detect, ZeroMillivoltsOnTheSomaGivesBackTheImportedSpikes) {
    auto store = open_writer();
    ASSERT_TRUE(import_isf_simrun(store, testing::k_simrun_2015, "run2015"));
    auto d = read_dataset(store, "run2015");
    ASSERT_TRUE(d);
    DetectOptions o;
    o.threshold = 0.0;
    auto r = query_detect(store, *d, o);
    ASSERT_TRUE(r) << r.error().what();
    std::size_t total = 0;
    for (const auto& t : r->trials) {
        const auto stored = d->spikes(t.row);
        EXPECT_EQ(t.times, std::vector<double>(stored.begin(), stored.end()));
        total += t.times.size();
    }
    EXPECT_EQ(total, 11u);
}

}  // namespace
}  // namespace silico::analysis
