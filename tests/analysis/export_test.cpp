#include "silico/analysis/export.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

#include "analysis_test_support.hpp"
#include "silico/analysis/isf_import.hpp"
#include "silico/store/array.hpp"

namespace silico::analysis {
namespace {

namespace fs = std::filesystem;
using testing::StoreFixture;

std::string slurp(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

ExportOptions opts(ExportWhat what, ExportFormat format = ExportFormat::csv) {
    ExportOptions o;
    o.what = what;
    o.format = format;
    return o;
}

Dataset::Builder::Row row(std::string index, std::int64_t trial, double amp, std::vector<double> spikes) {
    Dataset::Builder::Row r;
    r.index = std::move(index);
    r.trial = trial;
    r.numbers = {amp};
    r.spikes = std::move(spikes);
    return r;
}

Dataset two_trials() {
    Dataset::Builder b({"test", "two", "0"}, {}, {"amp"});
    EXPECT_TRUE(b.add(row("a/000000", 0, 0.5, {1.5, 2.25})));
    EXPECT_TRUE(b.add(row("a/000001", 1, 1.0, {})));
    return *std::move(b).finish();
}

TEST(NpyHeader, IsNumpysFormat10PaddedSoTheDataStartsAtAMultipleOf64) {
    const std::string h = npy_header("'<f8'", {2, 3});
    ASSERT_EQ(h.size() % 64, 0u);
    EXPECT_EQ(h.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
    const auto length = static_cast<std::size_t>(static_cast<unsigned char>(h[8])) +
                        256 * static_cast<std::size_t>(static_cast<unsigned char>(h[9]));
    EXPECT_EQ(length + 10, h.size());
    EXPECT_EQ(h.substr(10, 59), "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }");
    EXPECT_EQ(h.back(), '\n');
    EXPECT_NE(npy_header("'<U3'", {5}).find("'shape': (5,), }"), std::string::npos);
}

TEST(ExportFormat, ComesFromTheExtensionOrTheFormatOptionAndAnUnknownOneIsAnError) {
    EXPECT_EQ(*export_format("x.csv"), ExportFormat::csv);
    EXPECT_EQ(*export_format("x.npy"), ExportFormat::npy);
    EXPECT_EQ(*export_format("d/x.h5"), ExportFormat::h5);
    EXPECT_EQ(*export_format("x.hdf5"), ExportFormat::h5);
    EXPECT_EQ(*export_format("x.h5", "sonata"), ExportFormat::sonata);
    EXPECT_EQ(*export_format("out", "isf-simrun"), ExportFormat::isf_simrun);
    auto unknown = export_format("x.txt");
    ASSERT_FALSE(unknown);
    EXPECT_EQ(
        unknown.error().what(),
        "x.txt: unknown export format '.txt': the file name ends in .csv, .npy or .h5 (or pass --format "
        "sonata|isf-simrun)");
    EXPECT_FALSE(export_format("x.csv", "sonata"));
    EXPECT_FALSE(export_format("x.csv", "parquet"));
    EXPECT_FALSE(parse_export_what("voltages"));
}

TEST(ExportSpikes, CsvIsIsfsSpikeTableAndReadsBackAsOne) {
    store::testing::TempDir tmp;
    const Dataset d = two_trials();
    auto r = export_dataset(nullptr, d, tmp / "s.csv", {});
    ASSERT_TRUE(r) << r.error().what();
    EXPECT_EQ(r->trials, 2u);
    EXPECT_EQ(r->values, 2u);
    EXPECT_EQ(slurp(tmp / "s.csv"), "sim_trail_index,0,1\na/000000,1.5,2.25\na/000001,,\n");
    auto back = read_isf_spike_times(tmp / "s.csv");
    ASSERT_TRUE(back) << back.error().what();
    EXPECT_EQ(std::vector<double>(back->spikes(0).begin(), back->spikes(0).end()),
              (std::vector<double>{1.5, 2.25}));
    EXPECT_TRUE(back->spikes(1).empty());
}

TEST(ExportSpikes, NpyIsTrialsBySpikesPaddedWithNanAndAnIndexSidecar) {
    store::testing::TempDir tmp;
    auto r =
        export_dataset(nullptr, two_trials(), tmp / "s.npy", opts(ExportWhat::spikes, ExportFormat::npy));
    ASSERT_TRUE(r) << r.error().what();
    const std::string bytes = slurp(tmp / "s.npy");
    const std::string header = npy_header("'<f8'", {2, 2});
    ASSERT_EQ(bytes.size(), header.size() + 4 * 8);
    EXPECT_EQ(bytes.substr(0, header.size()), header);
    double v[4];
    std::memcpy(v, bytes.data() + header.size(), sizeof v);
    EXPECT_EQ(v[0], 1.5);
    EXPECT_EQ(v[1], 2.25);
    EXPECT_TRUE(std::isnan(v[2]) && std::isnan(v[3]));
    const std::string index = slurp(tmp / "s.index.npy");
    const std::string index_header = npy_header("'<U8'", {2});
    ASSERT_EQ(index.size(), index_header.size() + 2 * 8 * 4);
    EXPECT_EQ(index[index_header.size()], 'a');
    EXPECT_EQ(index[index_header.size() + 4], '/');
    EXPECT_EQ(r->files, (std::vector<fs::path>{tmp / "s.npy", tmp / "s.index.npy"}));
}

TEST(ExportSpikes, WhereSelectsRowsAndAnExistingFileIsKeptUnlessForced) {
    store::testing::TempDir tmp;
    ExportOptions options;
    options.select.where = {"amp=1"};
    ASSERT_TRUE(export_dataset(nullptr, two_trials(), tmp / "s.csv", options));
    EXPECT_EQ(slurp(tmp / "s.csv"), "sim_trail_index\na/000001\n");
    auto again = export_dataset(nullptr, two_trials(), tmp / "s.csv", {});
    ASSERT_FALSE(again);
    EXPECT_NE(again.error().what().find("exists already"), std::string::npos);
    options.overwrite = true;
    options.select.where.clear();
    ASSERT_TRUE(export_dataset(nullptr, two_trials(), tmp / "s.csv", options));
    EXPECT_EQ(slurp(tmp / "s.csv").substr(0, 19), "sim_trail_index,0,1");
}

TEST(ExportSpikes, ASpikeTableHasNoTracesToExport) {
    store::testing::TempDir tmp;
    auto r = export_dataset(nullptr, two_trials(), tmp / "t.csv", opts(ExportWhat::traces));
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().what().find("holds spike times only"), std::string::npos);
    auto sonata =
        export_dataset(nullptr, two_trials(), tmp / "t.h5", opts(ExportWhat::traces, ExportFormat::sonata));
    EXPECT_FALSE(sonata);
}

struct ExportSimrun : StoreFixture {
    store::Store store = open_writer();
    Dataset imported() {
        auto r = import_isf_simrun(store, testing::k_simrun_2015, "run2015");
        EXPECT_TRUE(r) << r.error().what();
        return *read_dataset(store, "run2015");
    }
};

TEST_F(ExportSimrun, SynapseCsvHasOneRowPerActiveSynapseOfTheShippedFiles) {
    const Dataset d = imported();
    auto r = export_dataset(&store, d, tmp / "syn.csv", opts(ExportWhat::synapses));
    ASSERT_TRUE(r) << r.error().what();
    // Independently: the activation files' data lines (every line but the '#' header).
    std::size_t lines = 0;
    for (int n = 0; n < 6; ++n) {
        std::ifstream in(testing::k_simrun_2015 + "/simulation_run000" + std::to_string(n) + "_synapses.csv");
        for (std::string line; std::getline(in, line);) lines += !line.empty() && line[0] != '#';
    }
    std::ifstream csv(tmp / "syn.csv");
    std::string header;
    std::getline(csv, header);
    EXPECT_EQ(
        header.substr(0, 95),
        "sim_trial_index,synapse_type,synapse_ID,soma_distance,section_ID,section_pt_ID,dendrite_label,0");
    std::size_t rows = 0;
    for (std::string line; std::getline(csv, line);) ++rows;
    EXPECT_EQ(rows, lines);
    EXPECT_GT(rows, 1000u);
}

TEST_F(ExportSimrun, AMissingTraceFailsNamingTheTrialAndLeavesNoFile) {
    const Dataset d = imported();
    ExportOptions options = opts(ExportWhat::traces, ExportFormat::npy);
    options.site = "nowhere";
    auto r = export_dataset(&store, d, tmp / "t.npy", options);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::not_found);
    EXPECT_NE(r.error().what().find("20150815-1530_20240/000000"), std::string::npos) << r.error().what();
    for (const auto& e : fs::directory_iterator(tmp.path()))
        EXPECT_EQ(e.path().filename().string().find("t."), std::string::npos) << e.path();
}

// Export as ISF simrun files, import those: the same index, spikes, and every output's array bit-equal.
TEST_F(ExportSimrun, IsfSimrunFilesImportBackToTheSameTrials) {
    const Dataset d = imported();
    auto r = export_dataset(&store, d, tmp / "out", opts(ExportWhat::spikes, ExportFormat::isf_simrun));
    ASSERT_TRUE(r) << r.error().what();
    ASSERT_EQ(r->files.size(), 1u);
    EXPECT_TRUE(fs::exists(tmp / "out" / "20150815-1530_20240" / "simulation_run0005_presynaptic_cells.csv"));
    auto again = import_isf_simrun(store, tmp / "out", "back");
    ASSERT_TRUE(again) << again.error().what();
    const Dataset back = *read_dataset(store, "back");
    ASSERT_EQ(back.size(), d.size());
    EXPECT_EQ(back.index(), d.index());
    EXPECT_EQ(back.spike_times(), d.spike_times());
    EXPECT_EQ(back.spike_offsets(), d.spike_offsets());
    for (std::size_t i = 0; i < d.size(); ++i) {
        auto a = store.find_trial(d.keys()[i]);
        auto b = store.find_trial(back.keys()[i]);
        ASSERT_TRUE(a && b);
        ASSERT_EQ(a->outputs.size(), b->outputs.size());
        for (const auto& [name, blob] : a->outputs) {
            if (name.starts_with("parameters.")) continue;  // copied as bytes, checked below
            ASSERT_TRUE(b->outputs.contains(name)) << name;
            auto x = store::decode_array(*store.get_blob(blob.digest));
            auto y = store::decode_array(*store.get_blob(b->outputs.at(name).digest));
            ASSERT_TRUE(x && y) << name;
            EXPECT_EQ(x->f64, y->f64) << name;
            EXPECT_EQ(x->i64, y->i64) << name;
            EXPECT_EQ(x->strings, y->strings) << name;
        }
        EXPECT_EQ(*store.get_blob(a->outputs.at("parameters.neuron").digest),
                  *store.get_blob(b->outputs.at("parameters.neuron").digest));
    }
}

}  // namespace
}  // namespace silico::analysis
