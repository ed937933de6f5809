// The trial-outputs container: what a worker sends back round-trips, and damaged bytes are corruption.
#include "silico/store/trial_outputs.hpp"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace silico::store
