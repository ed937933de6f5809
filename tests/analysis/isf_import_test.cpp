#include "silico/analysis/isf_import.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "analysis_test_support.hpp"
#include "silico/analysis/spikes.hpp"
#include "silico/analysis/synapses.hpp"

namespace silico::analysis {
namespace {

namespace fs = std::filesystem;
using testing::StoreFixture;

struct IsfImport : StoreFixture {
    // A writable copy of ISF's 2015 simrun folder, for tests that break it.
    fs::path copy_of_2015() {
        const fs::path dir = tmp / "sim" / "20150815-1530_20240";
        fs::create_directories(dir);
        for (const auto& e : fs::directory_iterator(testing::k_simrun_2015))
            fs::copy_file(e.path(), dir / e.path().filename());
        for (const auto& e : fs::directory_iterator(dir))
            fs::permissions(e.path(), fs::perms::owner_read | fs::perms::owner_write);
        return dir;
    }
};

TEST(ParseIsfSpikeTimes, ReadsIndexTrialFolderAndSpikesAndSkipsEmptyFields) {
    auto d = parse_isf_spike_times("sim_trail_index,0,1,2\nrun/a/000003,173.625,214.4,\nrun/a/000004,,,\n",
                                   "t.csv");
    ASSERT_TRUE(d) << d.error().what();
    ASSERT_EQ(d->size(), 2u);
    EXPECT_EQ(d->index()[0], "run/a/000003");
    EXPECT_EQ(d->trial()[0], 3);
    EXPECT_EQ(d->column("path")->texts[1], "run/a");
    EXPECT_EQ(std::vector<double>(d->spikes(0).begin(), d->spikes(0).end()),
              (std::vector<double>{173.625, 214.4}));
    EXPECT_TRUE(d->spikes(1).empty());
    EXPECT_FALSE(d->has_records());
}

TEST(ParseIsfSpikeTimes, BadInputNamesFileAndLine) {
    struct Case {
        std::string text, message;
    };
    const Case cases[] = {
        {"i,0,1\na,1.0,2.0\nb,1.0\n", "t.csv:3: expected 3 fields like the header, found 2"},
        {"i,0,1\na,1.0,x2\n", "t.csv:2: field 3 'x2' is not a spike time"},
        {"i,0,1\na,3.0,2.0\n", "t.csv:2: spike times are not in ascending order"},
        {"i,0,5\n", "t.csv:1: header column 3 is '5', expected '1'"},
        {"i,0,1\n", "t.csv: the table has a header but no trial"},
        {"", "t.csv: empty file: no header line"},
        {"i,0\na,1\na,2\n", "t.csv: index a appears twice"},
    };
    for (const auto& c : cases) {
        auto d = parse_isf_spike_times(c.text, "t.csv");
        ASSERT_FALSE(d) << c.text;
        EXPECT_EQ(d.error().code, Errc::parse);
        EXPECT_EQ(d.error().what(), c.message);
    }
}

TEST_F(IsfImport, TheShippedSpikeTableImportsOnceAndAgainWritesNothing) {
    auto store = open_writer();
    auto r = import_isf_spike_times(store, testing::k_spike_table, "isf18000");
    ASSERT_TRUE(r) << r.error().what();
    EXPECT_EQ(r->trials, 18000u);
    EXPECT_FALSE(r->dataset_existed);
    auto again = import_isf_spike_times(store, testing::k_spike_table, "isf18000");
    ASSERT_TRUE(again);
    EXPECT_TRUE(again->dataset_existed);
    auto d = read_dataset(store, "isf18000");
    ASSERT_TRUE(d);
    EXPECT_EQ(d->provenance().kind, "isf-spike-times");
    EXPECT_EQ(d->index()[0], "B1_evoked_UpState_INH_PW_1.0_SuW_0.5_B1border/20150817-1856_20686/000000");
}

TEST_F(IsfImport, AMalformedTableWritesNothing) {
    auto store = open_writer();
    testing::write_text(tmp / "bad.csv", "i,0\na,1\nb,oops\n");
    auto r = import_isf_spike_times(store, tmp / "bad.csv", "bad");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().what().find("bad.csv:3:"), std::string::npos) << r.error().what();
    EXPECT_TRUE(store.item_names()->empty());
}

// The stored 2015 run: the dataset's spike times and the synapse activations per cell type equal what the files
// say, recomputed here from the files with pandas.
TEST_F(IsfImport, The2015SimrunImportsItsTrialsWithSpikesAndSynapsesAsTheFilesSay) {
    auto store = open_writer();
    auto r = import_isf_simrun(store, testing::k_simrun_parent, "run2015");
    ASSERT_TRUE(r) << r.error().what();
    EXPECT_EQ(r->folders, 1u);
    EXPECT_EQ(r->trials, 6u);
    EXPECT_EQ(r->new_trials, 6u);
    auto again = import_isf_simrun(store, testing::k_simrun_parent, "run2015");
    ASSERT_TRUE(again);
    EXPECT_TRUE(again->dataset_existed);
    EXPECT_EQ(again->new_trials, 0u);

    auto d = read_dataset(store, "run2015");
    ASSERT_TRUE(d);
    ASSERT_TRUE(d->has_records());
    EXPECT_EQ(d->index()[5], "20150815-1530_20240/000005");
    auto record = store.find_trial(d->keys()[0]);
    ASSERT_TRUE(record);
    for (const char* out :
         {"time", "soma.v", "spikes", "synapse_activation.times", "presynaptic_spikes.times",
          "parameters.neuron", "parameters.network",
          "apical_proximal_distal_rec_sites_ID_001_sec_025_seg_001_x_0.500_somaDist_198.1.v"})
        EXPECT_TRUE(record->outputs.contains(out)) << out;

    std::ostringstream ours;
    for (std::size_t i = 0; i < d->size(); ++i) {
        ours << "spikes " << i;
        for (double t : d->spikes(i)) ours << " " << format_number(t);
        ours << "\n";
    }
    auto counts = query_synapses(store, *d, {}, {{}, {"trial"}});
    ASSERT_TRUE(counts) << counts.error().what();
    for (const auto& b : counts->bins)
        ours << "syn " << counts->group_labels[b.group][0] << " " << b.values[0] << " " << b.count << "\n";

    const auto theirs = testing::python(tmp.path(), R"(
import glob, numpy as np, pandas as pd
d = ")" + testing::k_simrun_2015 + R"("
vm = pd.read_csv(d + "/20240_vm_all_traces.csv", sep="\t")
t = vm["t"].values
for i in range(6):
    v = vm["Vm run %02d" % i].values
    up = np.where((v[:-1] < 0) & (v[1:] >= 0))[0] + 1
    print("spikes %d" % i + "".join(" %s" % repr(float(x)) for x in t[up]))
for i in range(6):
    counts = {}
    for line in open(d + "/simulation_run%04d_synapses.csv" % i):
        if line.startswith("#") or not line.strip():
            continue
        f = line.rstrip("\n").split("\t")
        celltype = f[0].split("_")[0]
        counts[celltype] = counts.get(celltype, 0) + len([x for x in f[6].split(",") if x.strip()])
    for k in sorted(counts):
        print("syn %d %s %d" % (i, k, counts[k]))
)");
    EXPECT_EQ(ours.str(), theirs);
}

TEST_F(IsfImport, AFolderWithAMissingOrRaggedFileIsRefusedWholeAndNamesTheFile) {
    auto store = open_writer();
    const auto dir = copy_of_2015();
    fs::remove(dir / "simulation_run0003_presynaptic_cells.csv");
    auto missing = import_isf_simrun(store, tmp / "sim", "broken");
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().what().find("missing simulation_run0003_presynaptic_cells.csv"),
              std::string::npos)
        << missing.error().what();
    fs::copy_file(fs::path(testing::k_simrun_2015) / "simulation_run0003_presynaptic_cells.csv",
                  dir / "simulation_run0003_presynaptic_cells.csv");
    { std::ofstream(dir / "20240_vm_all_traces.csv", std::ios::app) << "345.05\t-60.0\t-61.0\n"; }
    auto ragged = import_isf_simrun(store, tmp / "sim", "broken");
    ASSERT_FALSE(ragged);
    EXPECT_NE(ragged.error().what().find("20240_vm_all_traces.csv:9804: expected 7 fields, found 3"),
              std::string::npos)
        << ragged.error().what();
    fs::remove(dir / "20240_vm_all_traces.csv");
    EXPECT_EQ(import_isf_simrun(store, tmp / "sim", "broken").error().code, Errc::not_found);
    std::size_t trials = 0;
    ASSERT_TRUE(
        store.for_each_trial([&](const Digest&, const store::TrialRecord&) { return ++trials, true; }));
    EXPECT_EQ(trials, 0u);
    EXPECT_TRUE(store.item_names()->empty());
}

}  // namespace
}  // namespace silico::analysis
