#!/usr/bin/python3
"""bench/RESULTS.md "1,000 simulated trials, and a huge-page experiment" (issue 13): ds.synapse_activation() called
three times in one fresh process, the median CPU (time.process_time(): both decoder threads) and wall time.
Run it with each build's module, one after the other, to compare them. Usage (from the checkout):
  PYTHONPATH=build/python /usr/bin/python3 bench/module_synapses_bench.py STORE DATASET [LABEL]
e.g. STORE=the store `silico run bench/recipes/evoked86_1000.toml` filled, DATASET=bench/recipes/evoked86_1000.toml.
"""
import statistics
import sys
import time

import silico

ds = silico.open(sys.argv[1]).dataset(sys.argv[2])
cpu, wall = [], []
for _ in range(3):
    c0, w0 = time.process_time(), time.perf_counter()
    frame = ds.synapse_activation()
    cpu.append(time.process_time() - c0)
    wall.append(time.perf_counter() - w0)
    rows = len(frame)
    del frame
label = sys.argv[3] if len(sys.argv) > 3 else "module"
print(f"{label}: synapse_activation of {rows} rows, median {statistics.median(cpu):.3f} s CPU, "
      f"{statistics.median(wall):.3f} s wall (CPU of the three calls {[round(x, 3) for x in cpu]})")
