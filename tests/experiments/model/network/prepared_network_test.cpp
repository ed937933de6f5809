#include "silico/model/prepared_network.hpp"

#include <gtest/gtest.h>

namespace silico::experiments {
namespace {

TEST(Activity, ConFileNamingACellBeyondCellNrIsRejected) {
    auto tree = recipes::parse_isf_param(R"({"network": {"X_C2": {"cellNr": 1, "celltype": "spiketrain",
        "interval": 50.0, "synapses": {"distributionFile": "a.syn", "connectionFile": "a.con",
        "receptors": {"gaba_syn": {"weight": 1.0}}}}}})");
    auto params = network_from_tree(*tree);
    ASSERT_TRUE(params);
    auto con = parse_con("X_C2\t3\t0\n");
    auto net = prepare_network(*params, {{"a.con", *con}});
    ASSERT_FALSE(net);
    EXPECT_NE(net.error().message.find("cellNr"), std::string::npos);
}

}  // namespace
}  // namespace silico::experiments
