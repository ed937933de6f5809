#!/usr/bin/python3
"""The peer of bench/analysis_bench.cpp: the operations of ISF's notebook with pandas and numpy (what ISF users
run on their dask workers), on the same data, timed the same way (median of several runs).

  window_per_stimulus_18000   st = pd.read_csv(spike_times.csv, index_col=0) (timed apart), then
                              ((st >= 245) & (st < 265)).any(axis=1).groupby(st.index.str.split('_').str[0]).sum()
  traces_mean_sd              mean and std over axis 0 of a 2,000 x 65,536 float64 array (1.05 GB) that is
                              already in memory: the most favourable case for the peer, no loading at all
  synapse_binning_1000        ISF's 2015 simrun's 6 synapse-activation files read into ISF's DataFrame layout
                              (synapse_type, soma_distance, ..., '0', '1', ... NaN-padded; not timed), each
                              replicated into 1,000 trials; timed: activation counts per cell type, EXC/INH, soma
                              distance bin (50 um) and 1-ms time bin, as synapse_activation_binning's columns
  million_window_by_stimulus  the same window question on a 1,000,000-row spike DataFrame in memory
Prints one line per measurement: name, median seconds, runs. An optional third argument, a regular expression,
runs only the measurements whose names it matches (bench/analysis_bench.sh passes its second argument).
"""
import re, statistics, sys, time

import numpy as np
import pandas as pd

DATA = sys.argv[1] if len(sys.argv) > 1 else "../shared/isf/getting_started/example_data/simulation_data"
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 5
ONLY = re.compile(sys.argv[3] if len(sys.argv) > 3 else "")


def wanted(name):
    return ONLY.search(name) is not None


def median_seconds(fn, runs=RUNS):
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), runs


def report(name, result):
    print("%-32s %.6f s  (median of %d)" % (name, result[0], result[1]), flush=True)


if wanted("window_per_stimulus_18000"):
    path = DATA + "/18000_trials/spike_times.csv"
    report("read_csv_18000", median_seconds(lambda: pd.read_csv(path, index_col=0)))
    st = pd.read_csv(path, index_col=0)


    def window(frame):
        inside = ((frame >= 245) & (frame < 265)).any(axis=1)
        return inside.groupby(frame.index.str.split("_").str[0]).sum()


    report("window_per_stimulus_18000", median_seconds(lambda: window(st)))

rng = np.random.default_rng(42)
if wanted("traces_mean_sd_1GB"):
    pool = pd.read_csv(DATA + "/C2_evoked_UpState_INH_PW_1.0_SuW_0.5_C2center/20150815-1530_20240/20240_vm_all_traces.csv",
                       sep="\t").drop(columns="t").values.T.ravel()
    traces = np.empty((2000, 65536))
    for i in range(2000):
        start = (i * 7919) % pool.size
        traces[i] = np.take(pool, np.arange(start, start + 65536) % pool.size)
    report("traces_mean_sd_1GB", median_seconds(lambda: (traces.mean(axis=0), traces.std(axis=0, ddof=1)), runs=3))
    del traces

if wanted("synapse_binning_1000"):
    # ISF's config/cell_types.py EXCITATORY list.
    EXCITATORY = ["L1", "L2", "L34", "L4py", "L4sp", "L4ss", "L5st", "L5tt", "L6cc", "L6ccinv", "L6ct", "VPM"]
    RUN_2015 = DATA + "/C2_evoked_UpState_INH_PW_1.0_SuW_0.5_C2center/20150815-1530_20240"


    def read_synapse_file(path):
        rows = []
        with open(path) as f:
            for line in f:
                if line.startswith("#"):
                    continue
                fields = line.rstrip("\n").split("\t")
                times = [float(t) for t in fields[6].split(",") if t]
                rows.append(fields[:6] + times)
        width = max(len(r) for r in rows) - 6
        frame = pd.DataFrame([r + [np.nan] * (width + 6 - len(r)) for r in rows],
                             columns=["synapse_type", "synapse_ID", "soma_distance", "section_ID", "section_pt_ID",
                                      "dendrite_label"] + [str(k) for k in range(width)])
        frame["soma_distance"] = frame["soma_distance"].astype(float)
        return frame


    runs = [read_synapse_file("%s/simulation_run%04d_synapses.csv" % (RUN_2015, k)) for k in range(6)]
    sa = pd.concat([runs[i % 6].assign(sim_trial_index="%06d" % i) for i in range(1000)], ignore_index=True)
    sa = sa.set_index("sim_trial_index")
    time_columns = [c for c in sa.columns if c.isdigit()]


    # ISF's dask_to_categorized_msgpack dumper stores synapse_type as a categorical column; so does the peer (untimed).
    sa["synapse_type"] = sa["synapse_type"].astype("category")


    def bin_synapses(frame):
        types = frame["synapse_type"].cat
        celltype = pd.Categorical(types.categories.str.split("_").str[0])
        row_celltype = celltype.codes[types.codes.values]
        row_exc = np.isin(celltype.categories, EXCITATORY)[row_celltype]
        distance = (frame["soma_distance"].values // 50).astype(int) * 50
        t = frame[time_columns].values
        rows, cols = np.nonzero(~np.isnan(t))
        long = pd.DataFrame({
            "celltype": pd.Categorical.from_codes(row_celltype[rows], celltype.categories),
            "EI": pd.Categorical.from_codes(np.where(row_exc[rows], 0, 1), ["EXC", "INH"]),
            "distance": distance[rows],
            "time": np.floor(t[rows, cols]).astype(int)})
        return long.groupby(["celltype", "EI", "distance", "time"], observed=True).size()


    binned = bin_synapses(sa)
    print("synapse_binning_1000: %d activations in %d bins" % (binned.sum(), len(binned)))
    report("synapse_binning_1000", median_seconds(lambda: bin_synapses(sa), runs=3))
    del sa

if wanted("million_window_by_stimulus"):
    n = 1_000_000
    stimuli = np.array(["B1", "B2", "B3", "C1", "C2", "C3", "D1", "D2", "D3", "E2"])
    counts = rng.poisson(1.5, n)
    width = max(int(counts.max()), 1)
    values = np.full((n, width), np.nan)
    for k in range(width):
        has = counts > k
        values[has, k] = np.round(rng.uniform(0, 345, has.sum()) * 40) / 40
    values.sort(axis=1)
    index = ["%s_evoked_UpState_INH_PW_1.0_SuW_0.5/20150817-1856_%05d/%06d" % (stimuli[i % 10], i // 1000, i % 1000)
             for i in range(n)]
    big = pd.DataFrame(values, index=pd.Index(index, name="sim_trial_index"))
    report("million_window_by_stimulus", median_seconds(lambda: window(big), runs=3))
