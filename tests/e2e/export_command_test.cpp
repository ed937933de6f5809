// `silico export` (runner/src/commands/export_command.cpp), run as the real executable: Debian's python3 reads
// every export with numpy, pandas and h5py and must find the numbers `silico query --json` prints (and, for
// ISF's data, the numbers ISF's own files hold).
#include <gtest/gtest.h>

#include <fstream>

#include "silico_cli.hpp"
#include "temp_dir.hpp"

namespace silico {
namespace {

using store::testing::TempDir;
using testing::silico;

const std::string k_data = SILICO_SHARED_DIR "/isf/getting_started/example_data/simulation_data";
const std::string k_spike_table = k_data + "/18000_trials/spike_times.csv";
const std::string k_simrun_2015 =
    k_data + "/C2_evoked_UpState_INH_PW_1.0_SuW_0.5_C2center/20150815-1530_20240";

// Python helpers every check script starts with: the query answers saved by the test, and comparisons that
// print what differs.
const std::string k_prelude = R"PY(
import json, sys, glob, os
import numpy as np, pandas as pd, h5py

def load(name):
    with open(name) as f:
        return json.load(f)

def query_spikes(name):
    """index -> spike times, from `silico query spikes --json`."""
    out = {}
    for row in load(name):
        out[row["index"]] = [float(t) for t in str(row["times"]).split()] if row["spikes"] else []
    return out

def same(label, a, b):
    if a != b:
        print(label, "differs:", str(a)[:300], "vs", str(b)[:300])
        sys.exit(1)

def read_csv(file, **kw):
    """pandas' default float parser may miss the nearest double by an ulp; ISF users' data is decimal text."""
    return pd.read_csv(file, float_precision="round_trip", **kw)

def csv_spikes(file):
    t = read_csv(file, index_col=0)
    return {i: [float(v) for v in row if not np.isnan(v)] for i, row in zip(t.index, t.to_numpy())}

def npy_spikes(stem):
    a = np.load(stem + ".npy")
    index = np.load(stem + ".index.npy")
    return {str(i): [float(v) for v in row if not np.isnan(v)] for i, row in zip(index, a)}

def h5_spikes(file):
    with h5py.File(file, "r") as f:
        index = f["trials/index"].asstr()[()]
        times, offsets = f["spikes/times"][()], f["spikes/offsets"][()]
        same("units", f["spikes/times"].attrs["units"], "ms")
        return {str(i): [float(v) for v in times[offsets[k]:offsets[k + 1]]] for k, i in enumerate(index)}

def sonata_spikes(file, population):
    with h5py.File(file, "r") as f:
        same("magic", int(f.attrs["magic"]), 0x0A7A)
        same("version", [int(v) for v in f.attrs["version"]], [0, 1])
        g = f["spikes"][population]
        sorting = h5py.check_enum_dtype(g.attrs.get_id("sorting").dtype)
        same("sorting enum", sorting, {"none": 0, "by_id": 1, "by_time": 2})
        same("sorting", int(g.attrs["sorting"]), 1)
        same("units", g["timestamps"].attrs["units"], "ms")
        same("node id type", g["node_ids"].dtype, np.dtype("uint64"))
        nodes, times = g["node_ids"][()], g["timestamps"][()]
        same("sorted by id", bool(np.all(np.diff(nodes.astype(np.int64)) >= 0)), True)
        index = f["trials/index"].asstr()[()]
        out = {str(i): [] for i in index}
        for n, t in zip(nodes, times):
            out[str(index[n])].append(float(t))
        return out

def check_spikes(expected, stem, population="silico"):
    same("csv spikes", csv_spikes(stem + ".csv"), expected)
    same("npy spikes", npy_spikes(stem), expected)
    same("h5 spikes", h5_spikes(stem + ".h5"), expected)
    same("sonata spikes", sonata_spikes(stem + ".sonata.h5", population), expected)
)PY";

// Writes `script` (after the prelude) into the test folder and runs it there with Debian's python3.
std::string python(const TempDir& tmp, const std::string& script) {
    { std::ofstream(tmp / "check.py") << k_prelude << script; }
    auto run = testing::run_shell("cd '" + tmp.path().string() + "' && /usr/bin/python3 check.py");
    EXPECT_EQ(run.status, 0) << run.out;
    return run.out;
}

// Runs `silico ARGS`, expects success and saves stdout to `file` in the test folder.
void save(const TempDir& tmp, const std::string& args, const std::string& file) {
    auto r = silico(tmp, args);
    ASSERT_EQ(r.status, 0) << args << "\n" << r.err;
    std::ofstream(tmp / file) << r.out;
}

// Exports DATASET's spikes as csv, npy, h5 and SONATA under `stem`.
void export_spikes(const TempDir& tmp, const std::string& dataset, const std::string& stem) {
    for (std::string ext : {".csv", ".npy", ".h5"}) {
        auto r = silico(tmp, "export " + dataset + " --what spikes -o " + stem + ext);
        ASSERT_EQ(r.status, 0) << r.err;
    }
    auto r = silico(tmp, "export " + dataset + " --what spikes --format sonata -o " + stem + ".sonata.h5");
    ASSERT_EQ(r.status, 0) << r.err;
}

TEST(ExportCommand, TheSpikeTableReadsBackInEveryFormatAsQueryAndIsfsFileSayIt) {
    TempDir tmp;
    ASSERT_EQ(silico(tmp, "import isf-spike-times '" + k_spike_table + "' --as isf18000").status, 0);
    export_spikes(tmp, "isf18000", "st");
    save(tmp, "query spikes isf18000 --json", "spikes.json");
    save(tmp, "query window isf18000 --from 245 --to 265 --group-by 'index~^([^_]+)' --json", "window.json");
    const auto out = python(tmp, R"PY(
expected = query_spikes("spikes.json")
same("trials", len(expected), 18000)
check_spikes(expected, "st")
# ISF's own file, read the way ISF users read it, holds the same numbers as the export.
isf = read_csv(")PY" + k_spike_table +
                                     R"PY(", index_col=0)
ours = read_csv("st.csv", index_col=0)
same("index", list(ours.index), list(isf.index))
same("values", np.array_equal(ours.to_numpy(), isf.to_numpy(), equal_nan=True), True)
# The window question on the export, as ISF's notebook asks it.
a = np.load("st.npy")
hit = ((a >= 245) & (a < 265)).any(axis=1)
stim = pd.Series(np.load("st.index.npy")).str.split("_").str[0]
per = pd.Series(hit).groupby(stim).sum()
same("window", {r["index~^([^_]+)"]: r["spiking"] for r in load("window.json")}, {k: int(v) for k, v in per.items()})
print("ok", int(hit.sum()))
)PY");
    EXPECT_EQ(out, "ok 4415\n");
}

TEST(ExportCommand, The2015SimrunReadsBackAsQueryAndIsfsFilesSayIt) {
    TempDir tmp;
    ASSERT_EQ(silico(tmp, "import isf-simrun '" + k_simrun_2015 + "' --as run2015").status, 0);
    export_spikes(tmp, "run2015", "sp");
    for (std::string what : {"traces", "synapses", "presynaptic"})
        for (std::string ext : {".csv", ".npy", ".h5"}) {
            auto r = silico(tmp, "export run2015 --what " + what + " -o " + what + ext);
            ASSERT_EQ(r.status, 0) << r.err;
        }
    save(tmp, "query spikes run2015 --json", "spikes.json");
    save(tmp, "query traces run2015 --stat mean,sd --json", "traces.json");
    save(tmp, "query synapses run2015 --by celltype --json", "synapses.json");
    const auto out = python(tmp, R"PY(
check_spikes(query_spikes("spikes.json"), "sp")

# Traces: trials x samples; mean and SD (n - 1) per sample are the query's.
csv = read_csv("traces.csv", index_col=0)
npy, time = np.load("traces.npy"), np.load("traces.time.npy")
with h5py.File("traces.h5", "r") as f:
    h5, h5time = f["traces/data"][()], f["traces/time"][()]
    same("units", f["traces/data"].attrs["units"], "mV")
    same("what", f.attrs["what"], "traces")
    same("h5 index", list(f["trials/index"].asstr()[()]), list(np.load("traces.index.npy")))
same("trials", npy.shape[0], 6)
same("csv = npy", np.array_equal(csv.to_numpy(), npy), True)
same("h5 = npy", np.array_equal(h5, npy), True)
same("time", np.array_equal(time, h5time) and np.array_equal(csv.columns.astype(float), time), True)
q = load("traces.json")
same("mean", np.allclose([r["mean"] for r in q], npy.mean(axis=0), rtol=0, atol=1e-9), True)
same("sd", np.allclose([r["sd"] for r in q], npy.std(axis=0, ddof=1), rtol=0, atol=1e-9), True)
same("t", [r["t"] for r in q], list(time))
# ISF's soma file: column i is trial i.
isf = read_csv(glob.glob(")PY" + k_simrun_2015 +
                                     R"PY(/*_vm_all_traces.csv")[0], sep="\t")
same("isf traces", np.array_equal(isf.iloc[:, 1:].to_numpy().T, npy), True)

# Synapses: activations per cell type are the query's, and the rows are the files' rows.
counts = {r["celltype"]: r["count"] for r in load("synapses.json")}
syn = read_csv("synapses.csv")
times = syn[[c for c in syn.columns if c.isdigit()]]
per_type = times.notna().sum(axis=1).groupby(syn["synapse_type"].str.split("_").str[0]).sum()
same("csv synapses", {k: int(v) for k, v in per_type.items()}, counts)
rec = np.load("synapses.npy")
rec = rec[~np.isnan(rec["time"])]
types = pd.Series(rec["synapse_type"]).str.split("_").str[0]
same("npy synapses", {k: int(v) for k, v in types.value_counts().items()}, counts)
with h5py.File("synapses.h5", "r") as f:
    g = f["synapses"]
    n = np.diff(g["offsets"][()])
    t = pd.Series(g["synapse_type"].asstr()[()]).str.split("_").str[0]
    same("h5 synapses", {k: int(v) for k, v in pd.Series(n).groupby(t).sum().items()}, counts)
    same("h5 times", np.array_equal(g["times"][()], times.to_numpy()[times.notna().to_numpy()]), True)
files = sorted(glob.glob(")PY" + k_simrun_2015 +
                                     R"PY(/simulation_run*_synapses.csv"))
lines = sum(1 for f in files for l in open(f) if l.strip() and not l.startswith("#"))
same("synapse rows", len(syn), lines)

# Presynaptic cells: the files' cells and spike counts per trial.
pre = read_csv("presynaptic.csv")
files = sorted(glob.glob(")PY" + k_simrun_2015 +
                                     R"PY(/simulation_run*_presynaptic_cells.csv"))
for k, f in enumerate(files):
    rows = [l.rstrip("\n").split("\t") for l in open(f) if l.strip() and not l.startswith("#")]
    mine = pre[pre["sim_trial_index"].str.endswith("/%06d" % k)]
    same("cells of trial %d" % k, len(mine), len(rows))
    spikes = sum(len([t for t in r[2].split(",") if t]) for r in rows)
    same("spikes of trial %d" % k, int(mine[[c for c in pre.columns if c.isdigit()]].notna().sum().sum()), spikes)
    same("first cell", (mine.iloc[0]["presynaptic_cell_type"], int(mine.iloc[0]["cell_ID"])), (rows[0][0], int(rows[0][1])))
prec = np.load("presynaptic.npy")
same("npy presynaptic", int((~np.isnan(prec["time"])).sum()), int(pre[[c for c in pre.columns if c.isdigit()]].notna().sum().sum()))
with h5py.File("presynaptic.h5", "r") as f:
    same("h5 presynaptic", int(f["presynaptic/offsets"][-1]), len(prec))
print("ok")
)PY");
    EXPECT_EQ(out, "ok\n");
}

// The demo's six current-step trials (a few seconds): numpy and h5py read their spikes and traces as the
// queries print them, and their ISF simrun files import back to the same answers.
TEST(ExportCommand, ARecipeDatasetExportsAndItsSimrunFilesImportBackToTheSameAnswers) {
    TempDir tmp;
    const std::string recipe = "'" + std::string(SILICO_SOURCE_DIR) + "/recipes/examples/demo.toml'";
    auto run = silico(tmp, "run " + recipe + " --executor local:1");
    ASSERT_EQ(run.status, 0) << run.err;
    export_spikes(tmp, recipe, "sp");
    for (std::string ext : {".npy", ".h5"})
        ASSERT_EQ(silico(tmp, "export " + recipe + " --what traces -o tr" + ext).status, 0);
    save(tmp, "query spikes " + recipe + " --json", "spikes.json");
    save(tmp, "query traces " + recipe + " --group-by condition --json", "traces.json");
    const auto out = python(tmp, R"PY(
expected = query_spikes("spikes.json")
check_spikes(expected, "sp")
a, index = np.load("tr.npy"), np.load("tr.index.npy")
with h5py.File("tr.h5", "r") as f:
    same("h5 = npy", np.array_equal(f["traces/data"][()], a), True)
    same("amplitude column", len(f["trials/parameters/stimulus.step[0].amplitude"][()]), len(a))
    same("seeds", len(f["trials/seed"][()]), len(a))
q = pd.DataFrame(load("traces.json"))
for cond, rows in q.groupby("condition"):
    mine = a[[str(i).split("/")[0] == str(cond) for i in index]]
    same("mean of condition %s" % cond, np.allclose(rows["mean"], mine.mean(axis=0), rtol=0, atol=1e-9), True)
print("ok", len(expected))
)PY");
    EXPECT_EQ(out, "ok 6\n");

    auto files = silico(tmp, "export " + recipe + " --format isf-simrun -o simrun");
    ASSERT_EQ(files.status, 0) << files.err;
    auto back = silico(tmp, "import isf-simrun simrun --as back");
    ASSERT_EQ(back.status, 0) << back.err;
    // ISF's simrun files hold no spike times: ISF (and the import) detect them in the soma trace, at its
    // samples, where silico's trials detected them during the run at every time step.
    auto ours = silico(tmp, "query detect " + recipe + " --threshold 0 --csv");
    auto theirs = silico(tmp, "query spikes back --csv");
    EXPECT_EQ(theirs.out, ours.out);
    EXPECT_NE(ours.out.find("\n2/000001,1,8,"), std::string::npos) << ours.out;
    auto ours_traces = silico(tmp, "query traces " + recipe + " --every 500 --csv");
    auto their_traces = silico(tmp, "query traces back --every 500 --csv");
    EXPECT_EQ(their_traces.out, ours_traces.out);
    EXPECT_GT(ours_traces.out.size(), 100u);
}

TEST(ExportCommand, BadInputGetsOneClearMessageAndLeavesNoFile) {
    TempDir tmp;
    ASSERT_EQ(silico(tmp, "import isf-spike-times '" + k_spike_table + "' --as isf18000").status, 0);
    auto ext = silico(tmp, "export isf18000 -o st.parquet");
    EXPECT_EQ(ext.status, 2);
    EXPECT_EQ(ext.err,
              "silico: error: st.parquet: unknown export format '.parquet': the file name ends in .csv, .npy "
              "or .h5 "
              "(or pass --format sonata|isf-simrun)\n");
    auto traces = silico(tmp, "export isf18000 --what traces -o t.npy");
    EXPECT_EQ(traces.status, 2);
    EXPECT_NE(traces.err.find("holds spike times only"), std::string::npos) << traces.err;
    auto what = silico(tmp, "export isf18000 --what voltages -o t.csv");
    EXPECT_EQ(what.status, 2);
    EXPECT_NE(what.err.find("unknown export 'voltages'"), std::string::npos) << what.err;
    ASSERT_EQ(silico(tmp, "export isf18000 -o st.csv").status, 0);
    auto twice = silico(tmp, "export isf18000 -o st.csv");
    EXPECT_EQ(twice.status, 2);
    EXPECT_NE(twice.err.find("st.csv: exists already (pass --force to replace it)"), std::string::npos);
    EXPECT_EQ(silico(tmp, "export isf18000 -o st.csv --force").status, 0);
    std::size_t files = 0;
    for (const auto& e : std::filesystem::directory_iterator(tmp.path()))
        files +=
            e.path().filename().string().starts_with("st.") || e.path().filename().string().starts_with("t.");
    EXPECT_EQ(files, 1u);
}

}  // namespace
}  // namespace silico
