// Reading a trial's outputs by name (store/read_outputs.hpp): in the order asked, into reused buffers, and a
// missing output named with the outputs the trial has.
#include "silico/store/read_outputs.hpp"

#include <gtest/gtest.h>

#include "silico/core/digest.hpp"
#include "temp_dir.hpp"

namespace silico::store {
namespace {

using testing::TempDir;

TEST(ReadOutputs, GivesTheNamedOutputsInTheOrderAskedAndShrinksALongerVector) {
    TempDir tmp;
    auto store = Store::open(tmp.path());
    ASSERT_TRUE(store) << store.error().what();
    const Digest key = sha256("trial");
    ASSERT_TRUE(store->commit_trial(key, {}, {{"a", "first"}, {"b", "second"}, {"c", "third"}}));
    auto record = store->find_trial(key);
    ASSERT_TRUE(record) << record.error().what();

    std::vector<NamedArray> out(5, NamedArray{"stale", "stale bytes"});
    const std::array<std::string_view, 2> names{"c", "a"};
    for (auto check : {BlobCheck::digest, BlobCheck::block_checksums}) {
        ASSERT_TRUE(read_outputs(*store, *record, names, out, check));
        ASSERT_EQ(out.size(), 2u);
        EXPECT_EQ(out[0].name, "c");
        EXPECT_EQ(out[0].bytes, "third");
        EXPECT_EQ(out[1].name, "a");
        EXPECT_EQ(out[1].bytes, "first");
    }
}

TEST(ReadOutputs, AMissingOutputIsNotFoundListingTheOutputsTheTrialHas) {
    TempDir tmp;
    auto store = Store::open(tmp.path());
    ASSERT_TRUE(store) << store.error().what();
    const Digest key = sha256("trial");
    ASSERT_TRUE(store->commit_trial(key, {}, {{"soma.v", "volts"}, {"spikes", "times"}}));
    auto record = store->find_trial(key);
    ASSERT_TRUE(record) << record.error().what();

    std::vector<NamedArray> out;
    const std::array<std::string_view, 2> names{"spikes", "synapse_activation.times"};
    auto read = read_outputs(*store, *record, names, out);
    ASSERT_FALSE(read);
    EXPECT_EQ(read.error().code, Errc::not_found);
    EXPECT_EQ(read.error().what(), "has no output synapse_activation.times (outputs: soma.v, spikes)");
}

}  // namespace
}  // namespace silico::store
