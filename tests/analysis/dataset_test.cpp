#include "silico/analysis/dataset.hpp"

#include <gtest/gtest.h>

#include "analysis_test_support.hpp"

namespace silico::analysis {
namespace {

using testing::StoreFixture;

Dataset two_rows(bool with_keys = true) {
    Dataset::Builder b({"api", "test", "00"}, {"whisker"}, {"amplitude"});
    Dataset::Builder::Row r0{"a/000000", 0, std::nullopt, std::nullopt, {"C2"}, {0.4}, {245.5, 250.25}};
    Dataset::Builder::Row r1{"a/000001", 1, std::nullopt, std::nullopt, {"D2"}, {0.8}, {}};
    if (with_keys) {
        r0.key = sha256("0");
        r1.key = sha256("1");
        r0.seed = 7;
        r1.seed = 8;
    }
    EXPECT_TRUE(b.add(r0));
    EXPECT_TRUE(b.add(r1));
    return *std::move(b).finish();
}

TEST(Dataset, EncodesAndDecodesEveryColumnBitForBit) {
    const Dataset d = two_rows();
    auto back = Dataset::decode(d.encode());
    ASSERT_TRUE(back) << back.error().what();
    EXPECT_EQ(*back, d);
    EXPECT_EQ(back->size(), 2u);
    EXPECT_EQ(back->spikes(0).size(), 2u);
    EXPECT_EQ(back->spikes(0)[1], 250.25);
    EXPECT_TRUE(back->spikes(1).empty());
    EXPECT_EQ(back->column("whisker")->texts[1], "D2");
    EXPECT_EQ(back->column("amplitude")->text(0), "0.4");
    EXPECT_EQ(back->seeds()[1], 8u);
    EXPECT_EQ(back->keys()[0], sha256("0"));
}

TEST(Dataset, RowsWithoutKeysAreNotStoreTrials) {
    auto back = Dataset::decode(two_rows(false).encode());
    ASSERT_TRUE(back);
    EXPECT_FALSE(back->has_records());
    EXPECT_TRUE(back->seeds().empty());
}

TEST(Dataset, DecodeRefusesTruncatedOrForeignBytesAndNewerVersions) {
    const std::string bytes = two_rows().encode();
    for (std::size_t cut : {std::size_t{3}, std::size_t{20}, bytes.size() / 2, bytes.size() - 1}) {
        auto r = Dataset::decode(bytes.substr(0, cut));
        ASSERT_FALSE(r) << cut;
        EXPECT_EQ(r.error().code, Errc::corruption);
    }
    std::string newer = bytes;
    newer[8] = 9;
    EXPECT_EQ(Dataset::decode(newer).error().code, Errc::version);
    EXPECT_EQ(Dataset::decode("SLCA....").error().code, Errc::corruption);
}

TEST(Dataset, BuilderRefusesEmptyDatasetsRepeatedIndicesAndMissingValues) {
    EXPECT_EQ(Dataset::Builder({"api", "", ""}).finish().error().code, Errc::invalid_argument);
    Dataset::Builder b({"api", "", ""}, {"whisker"});
    EXPECT_FALSE(b.add({"x", 0, {}, {}, {}, {}, {}}));  // no whisker value
    ASSERT_TRUE(b.add({"x", 0, {}, {}, {"C2"}, {}, {}}));
    EXPECT_FALSE(b.add({"y", 1, 5, {}, {"C2"}, {}, {}}));  // a seed where the first row had none
    ASSERT_TRUE(b.add({"x", 1, {}, {}, {"C2"}, {}, {}}));
    auto r = std::move(b).finish();
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("index x appears twice"), std::string::npos);
}

struct DatasetStore : StoreFixture {};

TEST_F(DatasetStore, WriteIsIdempotentAndRefusesOtherContentUnderATakenName) {
    auto store = open_writer();
    ASSERT_TRUE(write_dataset(store, "runs/a", two_rows()));
    ASSERT_TRUE(write_dataset(store, "runs/a", two_rows()));
    auto other = write_dataset(store, "runs/a", two_rows(false));
    ASSERT_FALSE(other);
    EXPECT_EQ(other.error().code, Errc::validation);
    EXPECT_NE(other.error().what().find("dataset runs/a"), std::string::npos);
    auto back = read_dataset(store, "runs/a");
    ASSERT_TRUE(back) << back.error().what();
    EXPECT_EQ(*back, two_rows());
    EXPECT_EQ(*dataset_names(store), std::vector<std::string>{"runs/a"});
}

TEST_F(DatasetStore, ReadNamesTheMissingDatasetAndRefusesOtherItemsAndBadNames) {
    auto store = open_writer();
    auto missing = read_dataset(store, "nothing");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, Errc::not_found);
    EXPECT_NE(missing.error().what().find("dataset nothing"), std::string::npos);
    ASSERT_TRUE(store.put_item("dataset/plain", "bytes"));
    EXPECT_EQ(read_dataset(store, "plain").error().code, Errc::invalid_argument);
    EXPECT_EQ(write_dataset(store, "bad name!", two_rows()).error().code, Errc::invalid_argument);
}

TEST_F(DatasetStore, AReaderOpensAMillionTrialDatasetFromOneItem) {
    {
        auto store = open_writer();
        Dataset::Builder b({"api", "synthetic", ""}, {}, {"stimulus"});
        for (int i = 0; i < 1'000'000; ++i)
            ASSERT_TRUE(
                b.add({"t" + std::to_string(i), i, {}, {}, {}, {double(i % 10)}, {240.0 + (i % 50)}}));
        ASSERT_TRUE(write_dataset(store, "million", *std::move(b).finish()));
    }
    auto reader = store::Store::open(tmp / "store", {.read_only = true});
    ASSERT_TRUE(reader);
    auto d = read_dataset(*reader, "million");
    ASSERT_TRUE(d) << d.error().what();
    EXPECT_EQ(d->size(), 1'000'000u);
    EXPECT_EQ(d->spikes(999'999)[0], 240.0 + 999'999 % 50);
    EXPECT_EQ(d->index()[123'456], "t123456");
}

}  // namespace
}  // namespace silico::analysis
