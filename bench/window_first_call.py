#!/usr/bin/python3
"""bench/RESULTS.md "Synapse activations of 1,002 imported trials, one decoder": the CPU time of ds.window(245, 265,
group_by="index~^([^_]+)") on a freshly opened dataset and again, beside ISF's pandas expression, medians of 21.
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
def cpu(fn, setup=None, runs=21):
    c = []
    for _ in range(runs):
        a = setup() if setup else None
        c0 = time.process_time(); fn(a) if setup else fn(); c.append(time.process_time() - c0)
    return statistics.median(c)
peer = cpu(isf)
first = cpu(lambda d: d.window(245, 265, group_by="index~^([^_]+)"), setup=lambda: db.dataset("isf18000"))
ds = db.dataset("isf18000"); ds.window(245, 265, group_by="index~^([^_]+)")
again = cpu(lambda: ds.window(245, 265, group_by="index~^([^_]+)"))
print(f"pandas {peer*1e3:.2f} ms CPU, first {first*1e3:.3f} ms ({peer/first:.0f}x), again {again*1e3:.3f} ms ({peer/again:.0f}x)")
# Where a first call goes: the C++ query alone on a fresh dataset, without and with the index grouping (the
# PCRE2 match of every index string), and again (grouping kept), whose rest is building the pandas frame.
group = ["index~^([^_]+)"]
query = cpu(lambda d: d._data.query_window(245.0, 265.0, [], []), setup=lambda: db.dataset("isf18000"))
grouped = cpu(lambda d: d._data.query_window(245.0, 265.0, [], group), setup=lambda: db.dataset("isf18000"))
kept = cpu(lambda: ds._data.query_window(245.0, 265.0, [], group))
print(f"first call, C++ only: query {query*1e3:.3f} ms, with the grouping {grouped*1e3:.3f} ms "
      f"(grouping {(grouped-query)*1e3:.3f} ms); again, C++ {kept*1e3:.3f} ms, so the frame {(again-kept)*1e3:.3f} ms")
