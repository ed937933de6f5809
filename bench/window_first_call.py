#!/usr/bin/python3
"""bench/RESULTS.md "Where a first spikes-in-window call goes": the CPU time of ds.window(245, 265,
group_by="index~^([^_]+)") on a freshly opened dataset, on the open dataset with a grouping it has not kept, and
again, beside ISF's pandas expression on its loaded DataFrame, medians of 101.
Needs a store holding ISF's 18,000-trial spike table as isf18000 (bench/python_bench.py makes it). Usage:
  PYTHONPATH=build/python /usr/bin/python3 bench/window_first_call.py STORE
"""
import statistics
import sys
import time

import silico

db = silico.open(sys.argv[1] if len(sys.argv) > 1 else "/tmp/silico-python-bench/store")
st = db.dataset("isf18000").spike_times()
def isf(): return ((st >= 245) & (st < 265)).any(axis=1).groupby(st.index.str.split("_").str[0]).sum()
def cpu(fn, setup=None, runs=101):
    c = []
    for _ in range(runs):
        a = setup() if setup else None
        c0 = time.process_time(); fn(a) if setup else fn(); c.append(time.process_time() - c0)
    return statistics.median(c)
peer = cpu(isf)
first = cpu(lambda d: d.window(245, 265, group_by="index~^([^_]+)"), setup=lambda: db.dataset("isf18000"))
ds = db.dataset("isf18000"); ds.window(245, 265, group_by="index~^([^_]+)")
# On the open dataset, as pandas runs on its loaded frame, with a grouping it has not kept: the regex gets a
# comment of its own each run, "(?#1)", "(?#2)", ..., which changes no match but is a new grouping.
runs = iter(range(10**9))
fresh = cpu(lambda: ds.window(245, 265, group_by=f"index~^([^_]+)(?#{next(runs)})"))
again = cpu(lambda: ds.window(245, 265, group_by="index~^([^_]+)"))
print(f"pandas {peer*1e3:.2f} ms CPU; freshly opened dataset {first*1e3:.3f} ms ({peer/first:.0f}x); "
      f"open dataset, new grouping {fresh*1e3:.3f} ms ({peer/fresh:.0f}x); again {again*1e3:.3f} ms ({peer/again:.0f}x)")
# Where a first call goes: the C++ query alone on a fresh dataset, without and with the index grouping (every
# row's index read, the regex run where the prefix that decided the last match changes), and again (grouping
# kept), whose rest is building the pandas frame.
group = ["index~^([^_]+)"]
query = cpu(lambda d: d._data.query_window(245.0, 265.0, [], []), setup=lambda: db.dataset("isf18000"))
grouped = cpu(lambda d: d._data.query_window(245.0, 265.0, [], group), setup=lambda: db.dataset("isf18000"))
kept = cpu(lambda: ds._data.query_window(245.0, 265.0, [], group))
print(f"first call, C++ only: query {query*1e3:.3f} ms, with the grouping {grouped*1e3:.3f} ms "
      f"(grouping {(grouped-query)*1e3:.3f} ms); again, C++ {kept*1e3:.3f} ms, so the frame {(again-kept)*1e3:.3f} ms")
