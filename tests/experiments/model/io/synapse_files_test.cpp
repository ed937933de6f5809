#include "silico/model/synapse_files.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace silico::experiments {
namespace {

const std::string k_dir = SILICO_SHARED_DIR
    "/isf/getting_started/example_data/anatomical_constraints/"
    "example_embedding_86_C2_center/";

TEST(SynFile, ExampleEmbeddingHas24780SynapsesOf278Types) {
    auto syn = read_syn_file(k_dir + "example_embedding_86_C2_center.syn");
    ASSERT_TRUE(syn) << syn.error().what();
    EXPECT_EQ(syn->synapse_count(), 24780u);
    EXPECT_EQ(syn->types.size(), 278u);
    EXPECT_EQ(syn->types[0].name, "VPM_E1");
    EXPECT_EQ(syn->types[0].synapses[0].section_id, 112);
    EXPECT_DOUBLE_EQ(syn->types[0].synapses[0].x, 0.138046479525);
    auto l1 = syn->find("L1_C2");
    ASSERT_GE(l1, 0);
    EXPECT_EQ(syn->types[static_cast<std::size_t>(l1)].synapses.size(), 177u);
}

TEST(ConFile, ExampleIdsAreContiguousPerType) {
    auto con = read_con_file(k_dir + "example_embedding_86_C2_center.con");
    ASSERT_TRUE(con) << con.error().what();
    EXPECT_EQ(con->anatomical_id, "86_C2_center.syn");
    EXPECT_EQ(con->types.size(), 278u);
    std::size_t lines = 0;
    for (const auto& t : con->types) {
        lines += t.connections.size();
        for (std::size_t i = 0; i < t.connections.size(); ++i) EXPECT_EQ(t.connections[i].synapse_id, i);
    }
    EXPECT_EQ(lines, 24780u);
    auto l1 = con->find("L1_C2");
    ASSERT_GE(l1, 0);
    std::set<std::uint32_t> cells;
    for (const auto& c : con->types[static_cast<std::size_t>(l1)].connections) cells.insert(c.cell_id);
    EXPECT_EQ(cells.size(), 43u);  // ISF_SPEC §4: 177 synapses from 43 cells
}

TEST(ConnectedCellsFile, RowsKeepFileOrderAndZeros) {
    auto rows = read_connected_cells_file(k_dir + "NumberOfConnectedCells.csv");
    ASSERT_TRUE(rows) << rows.error().what();
    EXPECT_EQ(rows->size(), 528u);
    EXPECT_EQ((*rows)[0].column, "A1");
    EXPECT_EQ((*rows)[0].cell_type, "L4py");
    EXPECT_EQ((*rows)[0].cells, 8);
    EXPECT_EQ((*rows)[3].cells, 0);
}

TEST(SynFile, MalformedLinesAreReportedWithFileAndLine) {
    auto bad = parse_syn("# header\n\nL2_C2\t3\t0.5\nL2_C2\t3\n", "a.syn");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, Errc::parse);
    EXPECT_EQ(bad.error().context, "a.syn:4");
    auto bad_x = parse_syn("L2_C2\t3\t1.5\n", "b.syn");
    ASSERT_FALSE(bad_x);
    EXPECT_EQ(bad_x.error().context, "b.syn:1");
    auto bad_sec = parse_syn("L2_C2\tx\t0.5\n", "c.syn");
    ASSERT_FALSE(bad_sec);
    EXPECT_NE(bad_sec.error().message.find("section ID"), std::string::npos);
}

TEST(ConFile, MalformedLinesAreReportedWithFileAndLine) {
    auto bad = parse_con("# a\n# id\nL2_C2\t0\t0\nL2_C2\t-1\t1\n", "x.con");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().context, "x.con:4");
    auto ok = parse_con("# a\n# 86.syn\n\nL2_C2 0 0\nL4_C2\t2\t0\nL2_C2\t1\t1\n", "y.con");
    ASSERT_TRUE(ok) << ok.error().what();
    EXPECT_EQ(ok->anatomical_id, "86.syn");
    ASSERT_EQ(ok->types.size(), 2u);
    EXPECT_EQ(ok->types[0].connections.size(), 2u);
    EXPECT_EQ(ok->types[1].connections[0].cell_id, 2u);
}

TEST(ConnectedCellsFile, BadHeaderAndBadCountsAreParseErrors) {
    auto no_header = parse_connected_cells("A1\tL2\t3\n", "n.csv");
    ASSERT_FALSE(no_header);
    EXPECT_EQ(no_header.error().context, "n.csv:1");
    auto bad = parse_connected_cells(
        "Presynaptic column\tPresynaptic cell type\tConnected presynaptic cells\nA1\tL2\tx\n", "m.csv");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().context, "m.csv:2");
}

}  // namespace
}  // namespace silico::experiments
