#!/usr/bin/python3
"""The peer of bench/analysis_bench.cpp: the operations of ISF's notebook with pandas and numpy (what ISF users
run on their dask workers), on the same data, timed the same way (median of several runs).

  window_per_stimulus_18000   st = pd.read_csv(spike_times.csv, index_col=0) (timed apart), then
                              ((st >= 245) & (st < 265)).any(axis=1).groupby(st.index.str.split('_').str[0]).sum()
  traces_mean_sd              mean and std over axis 0 of a 2,000 x 65,536 float64 array (1.05 GB) that is
                              already in memory: the most favourable case for the peer, no loading at all
  million_window_by_stimulus  the same window question on a 1,000,000-row spike DataFrame in memory
Prints one line per measurement: name, median seconds, runs.
"""
import statistics, sys, time

import numpy as np
import pandas as pd

DATA = sys.argv[1] if len(sys.argv) > 1 else "../shared/isf/getting_started/example_data/simulation_data"
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 5


def median_seconds(fn, runs=RUNS):
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), runs


def report(name, result):
    print("%-32s %.6f s  (median of %d)" % (name, result[0], result[1]), flush=True)


path = DATA + "/18000_trials/spike_times.csv"
report("read_csv_18000", median_seconds(lambda: pd.read_csv(path, index_col=0)))
st = pd.read_csv(path, index_col=0)


def window(frame):
    inside = ((frame >= 245) & (frame < 265)).any(axis=1)
    return inside.groupby(frame.index.str.split("_").str[0]).sum()


report("window_per_stimulus_18000", median_seconds(lambda: window(st)))

rng = np.random.default_rng(42)
pool = pd.read_csv(DATA + "/C2_evoked_UpState_INH_PW_1.0_SuW_0.5_C2center/20150815-1530_20240/20240_vm_all_traces.csv",
                   sep="\t").drop(columns="t").values.T.ravel()
traces = np.empty((2000, 65536))
for i in range(2000):
    start = (i * 7919) % pool.size
    traces[i] = np.take(pool, np.arange(start, start + 65536) % pool.size)
report("traces_mean_sd_1GB", median_seconds(lambda: (traces.mean(axis=0), traces.std(axis=0, ddof=1)), runs=3))
del traces

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
