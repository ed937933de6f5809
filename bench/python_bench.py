#!/usr/bin/python3
"""bench/RESULTS.md "Python module": the silico module beside what an ISF user runs in pandas, side by side in one
run, on ISF's 18,000-trial spike table (imported into a store by the real `silico`).

  load    pandas.read_csv(spike_times.csv, index_col=0)            ISF's file into a DataFrame
          silico.open(STORE).dataset("isf18000").spike_times()     the store read-only, the dataset, the DataFrame
          ds.spike_times()                                         the same on a dataset already open
  window  ((st >= 245) & (st < 265)).any(axis=1).groupby(st.index.str.split('_').str[0]).sum()   on the loaded st
          ds.window(245, 265, group_by="index~^([^_]+)")            first call on a freshly opened dataset (groups
                                                                   the 18,000 index strings with PCRE2)
          the same again                                           the dataset keeps its grouping
  synapses  ds.synapse_activation() of 1,002 evoked trials of cell 86 (ISF's six 2015 trials in 167 folders of
          links, imported with `silico import isf-simrun`: every trial is read and decoded from the store)
          ISF's loader: each simrun_run*_synapses.csv, tabs made commas and padded, read with pandas.read_csv
          (IO/roberts_formats.py's approach; one run, over the same 1,002 files)
Each line: name, median wall and CPU (process) time over RUNS runs, wall min and max. On a shared machine the
CPU time is the steadier figure. Usage (from the checkout):
  PYTHONPATH=build/python /usr/bin/python3 bench/python_bench.py build/runner/silico [RUNS]
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time

import glob
import io

import pandas as pd

import silico

SILICO = sys.argv[1] if len(sys.argv) > 1 else "build/runner/silico"
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 21
TABLE = "../shared/isf/getting_started/example_data/simulation_data/18000_trials/spike_times.csv"
STORE = os.environ.get("SILICO_BENCH_DIR", os.path.join(tempfile.gettempdir(), "silico-python-bench")) + "/store"
BY_STIMULUS = "index~^([^_]+)"


def timed(fn, setup=None, runs=RUNS):
    times, cpu = [], []
    for _ in range(runs):
        arg = setup() if setup else None
        t0, c0 = time.perf_counter(), time.process_time()
        fn(arg) if setup else fn()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return statistics.median(times), min(times), max(times), runs, statistics.median(cpu)


def report(name, result):
    median, lo, hi, runs, cpu = result
    print(f"{name:<44} {median * 1e3:9.3f} ms wall, {cpu * 1e3:9.3f} ms CPU  (wall min {lo * 1e3:.3f}, max {hi * 1e3:.3f};"
          f" medians of {runs})", flush=True)
    return median


def isf_window(st):
    return ((st >= 245) & (st < 265)).any(axis=1).groupby(st.index.str.split("_").str[0]).sum()


SYNAPSE_COLUMNS = ["synapse_type", "synapse_ID", "soma_distance", "section_ID", "section_pt_ID", "dendrite_label"]
RUN_2015 = ("../shared/isf/getting_started/example_data/simulation_data/C2_evoked_UpState_INH_PW_1.0_SuW_0.5_C2center/"
            "20150815-1530_20240")


def tiled_store():
    """1,002 trials: 167 folders linking the 2015 run's files, imported once."""
    base = os.path.dirname(STORE)
    store = base + "/store86"
    if not os.path.isdir(store + "/db"):
        for i in range(167):
            folder = f"{base}/tiled/copy_{i:03d}/20150815-1530_20240"
            os.makedirs(folder, exist_ok=True)
            for f in glob.glob(RUN_2015 + "/*"):
                link = os.path.join(folder, os.path.basename(f))
                if not os.path.exists(link):
                    os.symlink(os.path.abspath(f), link)
        subprocess.run([SILICO, "--store", store, "import", "isf-simrun", base + "/tiled", "--as", "cell86x1002"],
                       check=True)
    return store, sorted(glob.glob(base + "/tiled/*/*/simulation_run*_synapses.csv"))


def isf_read_synapses(path):
    with open(path) as f:
        lines = [line.rstrip("\n").replace("\t", ",").rstrip(",") for line in f if not line.startswith("#")]
    width = max(line.count(",") for line in lines) + 1
    names = SYNAPSE_COLUMNS + [str(k) for k in range(width - len(SYNAPSE_COLUMNS))]
    return pd.read_csv(io.StringIO("\n".join(lines)), header=None, names=names)


def synapses():
    store, files = tiled_store()
    ds = silico.open(store).dataset("cell86x1002")
    sa = ds.synapse_activation()
    print(f"synapse_activation: {len(ds)} trials, {len(sa)} active synapses x {sa.shape[1]} columns")
    report("synapses: ds.synapse_activation()", timed(lambda: ds.synapse_activation(), runs=3))
    report("synapses: ISF's loader over the same files", timed(lambda: [isf_read_synapses(f) for f in files], runs=1))


def main():
    if not os.path.isdir(STORE + "/db"):
        subprocess.run([SILICO, "--store", STORE, "import", "isf-spike-times", TABLE, "--as", "isf18000"], check=True)
    print(f"pandas {pd.__version__}, silico {silico.version} (NEURON {silico.neuron_version}), store {STORE}")

    csv = report("load: pandas.read_csv of ISF's file", timed(lambda: pd.read_csv(TABLE, index_col=0)))
    cold = report("load: silico.open + dataset + spike_times()",
                  timed(lambda: silico.open(STORE).dataset("isf18000").spike_times()))
    ds = silico.open(STORE).dataset("isf18000")
    warm = report("load: spike_times() of an open dataset", timed(lambda: ds.spike_times()))

    st = ds.spike_times()
    isf = isf_window(st)
    assert isf.to_dict() == ds.window(245, 265, group_by=BY_STIMULUS).set_index(BY_STIMULUS)["spiking"].to_dict()
    peer = report("window: ISF's pandas expression", timed(lambda: isf_window(st)))
    db = silico.open(STORE)
    first = report("window: ds.window(...) on a fresh dataset",
                   timed(lambda d: d.window(245, 265, group_by=BY_STIMULUS), setup=lambda: db.dataset("isf18000")))
    again = report("window: ds.window(...) again (grouping kept)",
                   timed(lambda: ds.window(245, 265, group_by=BY_STIMULUS)))
    print(f"load: read_csv / module cold {csv / cold:.1f}x, / warm {csv / warm:.1f}x")
    print(f"window: pandas / module first call {peer / first:.1f}x, / again {peer / again:.1f}x")
    synapses()


if __name__ == "__main__":
    main()
