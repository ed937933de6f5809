#!/usr/bin/python3
"""bench/RESULTS.md "Synapse activations of 1,002 imported trials (issues 12, 13)": silico beside what an ISF user
runs in pandas, one after the other in one run, on 1,002 evoked trials of cell 86 (ISF's six 2015 trials linked
into 167 folders and imported with `silico import isf-simrun`, the store bench/python_bench.py builds).

  query     `silico query synapses cell86x1002 --by celltype,ei,distance,time --csv` (the whole process: store
            opened read-only, 1,002 trials read, decoded and binned; wall and the child's user + system CPU)
  module    silico.open(STORE).dataset("cell86x1002").synapse_activation(): ISF's DataFrame of the same trials
  peer      ISF's loader (each simulation_run*_synapses.csv, tabs made commas and padded, pandas.read_csv; the
            1,002 files, as bench/python_bench.py), then the same bins with pandas: the long form of every
            release time and groupby([celltype, EI, distance, time]).size(), as bench/isf_peer.py
The bins of the query and of the peer are compared before anything is reported. Each line: name, median wall
and CPU over RUNS runs (the peer's loader: one run). Usage (from the checkout, after scripts/build.sh):
  PYTHONPATH=build/python /usr/bin/python3 bench/synapses_bench.py build/runner/silico [RUNS]
With STORE=DIR DATASET=NAME (e.g. DATASET=bench/recipes/evoked86_1000.toml, the store its run filled) the same on
that dataset instead; the peer's files are then the dataset exported by `silico export --format isf-simrun`.
"""
import glob
import io
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd

import silico
from python_bench import isf_read_synapses, tiled_store  # the same 1,002 linked trials and ISF loader

SILICO = sys.argv[1] if len(sys.argv) > 1 else "build/runner/silico"
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 5
BASE = os.environ.get("SILICO_BENCH_DIR", os.path.join(tempfile.gettempdir(), "silico-python-bench"))
STORE = os.environ.get("STORE", BASE + "/store86")
DATASET = os.environ.get("DATASET", "cell86x1002")
RUN_2015 = ("../shared/isf/getting_started/example_data/simulation_data/C2_evoked_UpState_INH_PW_1.0_SuW_0.5_C2center/"
            "20150815-1530_20240")
# ISF's config/cell_types.py EXCITATORY list.
EXCITATORY = ["L1", "L2", "L34", "L4py", "L4sp", "L4ss", "L5st", "L5tt", "L6cc", "L6ccinv", "L6ct", "VPM"]
QUERY = ["query", "synapses", DATASET, "--by", "celltype,ei,distance,time", "--csv"]


def report(name, walls, cpus):
    print(f"{name:<52} {statistics.median(walls) * 1e3:9.1f} ms wall, {statistics.median(cpus) * 1e3:9.1f} ms CPU"
          f"  (wall min {min(walls) * 1e3:.1f}, max {max(walls) * 1e3:.1f}; {len(walls)} runs)", flush=True)
    return statistics.median(cpus)


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_query():
    walls, cpus, out = [], [], None
    for _ in range(RUNS):
        t0, c0 = time.perf_counter(), children_cpu()
        out = subprocess.run([SILICO, "--store", STORE] + QUERY, check=True, capture_output=True, text=True).stdout
        walls.append(time.perf_counter() - t0)
        cpus.append(children_cpu() - c0)
    return walls, cpus, out


def timed(fn, runs):
    walls, cpus, value = [], [], None
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        value = fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return walls, cpus, value


def isf_load(files):
    return pd.concat([isf_read_synapses(f) for f in files], ignore_index=True)


def isf_bins(frame):
    types = frame["synapse_type"].astype("category").cat
    celltype = pd.Categorical(types.categories.str.split("_").str[0])
    row_celltype = celltype.codes[types.codes.values]
    row_exc = np.isin(celltype.categories, EXCITATORY)[row_celltype]
    distance = (frame["soma_distance"].values // 50).astype(int) * 50
    t = frame[[c for c in frame.columns if c.isdigit()]].values
    rows, cols = np.nonzero(~np.isnan(t))
    long = pd.DataFrame({
        "celltype": pd.Categorical.from_codes(row_celltype[rows], celltype.categories),
        "EI": pd.Categorical.from_codes(np.where(row_exc[rows], 0, 1), ["EXC", "INH"]),
        "distance": distance[rows],
        "time": np.floor(t[rows, cols]).astype(int)})
    return long.groupby(["celltype", "EI", "distance", "time"], observed=True).size()


def same_bins(csv, binned):
    ours = pd.read_csv(io.StringIO(csv))
    theirs = {(c, e, f"{d}to{d + 50}", t): n for (c, e, d, t), n in binned.items()}
    mine = {(c, e, d, int(t)): int(n)
            for c, e, d, t, n in zip(ours["celltype"], ours["ei"], ours["distance"], ours["time"], ours["count"])}
    assert mine == theirs, f"silico {len(mine)} bins, pandas {len(theirs)}"
    return len(mine), sum(mine.values())


def peer_files():
    """The dataset as ISF's files: the tiled 2015 run, or an isf-simrun export of DATASET (made once)."""
    if DATASET == "cell86x1002":
        store, files = tiled_store()
        assert store == STORE, (store, STORE)
        return files
    folder = f"{BASE}/export-{DATASET.replace('/', '_')}"
    if not os.path.isdir(folder):
        os.makedirs(BASE, exist_ok=True)
        subprocess.run([SILICO, "--store", STORE, "export", DATASET, "--what", "synapses", "--format", "isf-simrun",
                        "-o", folder], check=True)
    return sorted(glob.glob(folder + "/**/simulation_run*_synapses.csv", recursive=True))


def main():
    files = peer_files()
    print(f"pandas {pd.__version__}, numpy {np.__version__}, silico {silico.version}, store {STORE}, "
          f"{len(files)} files", flush=True)
    q_wall, q_cpu, csv = run_query()
    ds = silico.open(STORE).dataset(DATASET)
    m_wall, m_cpu, sa = timed(ds.synapse_activation, RUNS)
    print(f"module: {len(sa)} active-synapse rows x {sa.shape[1]} columns", flush=True)
    del sa
    l_wall, l_cpu, frame = timed(lambda: isf_load(files), 1)
    b_wall, b_cpu, binned = timed(lambda: isf_bins(frame), 3)
    bins, activations = same_bins(csv, binned)
    print(f"query and pandas agree: {activations} activations in {bins} bins", flush=True)
    query = report("query: silico query synapses (process)", q_wall, q_cpu)
    module = report("module: ds.synapse_activation()", m_wall, m_cpu)
    load = report(f"peer: ISF's loader, read_csv of the {len(files):,} files", l_wall, l_cpu)
    binning = report("peer: pandas binning of the loaded frame", b_wall, b_cpu)
    print(f"query: peer (load + bins) / silico {(load + binning) / query:.1f}x CPU, bins alone {binning / query:.1f}x")
    print(f"module: peer loader / silico {load / module:.1f}x CPU")


if __name__ == "__main__":
    main()
