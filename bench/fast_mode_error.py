#!/usr/bin/python3
"""The fast mode's error against the exact mode on cell 86 with ISF's network (issue 17).

    bench/fast_mode_error.py [--trials 100] [--tstop 300] [--variants exact,so2_dt0.1,...]
        [--silico build/runner/silico] [--work DIR] [--nice 10] [--json-out FILE]

Each variant is the same evoked recipe (cell 86 as shipped, ISF's C2 network, ISF's random stream with seed
1234, so every variant sees the same release times in trial i) with other integration settings:

  exact        fixed dt 0.025, implicit Euler: the exact mode, the reference
  so2_dt0.05   [simulation.fast] secondorder = 2, dt 0.05
  so2_dt0.1    [simulation.fast] secondorder = 2, dt 0.1
  so2_dt0.2    [simulation.fast] secondorder = 2, dt 0.2
  tables_dt0.025  [simulation.fast] secondorder = 2, rate_tables = true, dt 0.025
  tables_dt0.05   [simulation.fast] secondorder = 2, rate_tables = true, dt 0.05
  euler_dt0.1  dt 0.1 without the fast mode (implicit Euler): what the second-order method buys
  cvode_atol1e-2  CVODE with simulation.atol = 1e-2 (NEURON's default is 1e-3)

A variant runs `silico run --executor local:1` (under `nice`), then `silico export --what traces` writes its
soma Vm as npy into --work; a variant whose npy is already there is not run again (delete it to rerun), so an
interrupted measurement resumes. Against exact, per variant:
- soma Vm RMS per trial: the exact trace interpolated linearly at the variant's sample times (t <= tstop);
- spikes: upward 0 mV crossings of the soma Vm, linearly interpolated between samples (as ISF's harness),
  so the step size does not quantise the times; spikes of a trial are paired in order when the counts agree;
- spike-count changes: trials whose count differs, and the sum of |count difference|;
- cost: the run's CPU seconds (user + sys of silico and its worker, set-up included) per trial.
It prints a markdown table and writes the raw figures as JSON (--json-out).
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(HERE)
SHARED = os.path.abspath(os.path.join(SOURCE, '..', 'shared'))

VARIANTS = {
    'exact': ('fixed dt 0.025, implicit Euler (exact mode)', ['dt = 0.025'], []),
    'so2_dt0.05': ('fast: secondorder 2, dt 0.05', ['dt = 0.05'], ['[simulation.fast]', 'secondorder = 2']),
    'so2_dt0.1': ('fast: secondorder 2, dt 0.1', ['dt = 0.1'], ['[simulation.fast]', 'secondorder = 2']),
    'so2_dt0.2': ('fast: secondorder 2, dt 0.2', ['dt = 0.2'], ['[simulation.fast]', 'secondorder = 2']),
    'tables_dt0.025': ('fast: secondorder 2, rate tables, dt 0.025', ['dt = 0.025'],
                       ['[simulation.fast]', 'secondorder = 2', 'rate_tables = true']),
    'tables_dt0.05': ('fast: secondorder 2, rate tables, dt 0.05', ['dt = 0.05'],
                      ['[simulation.fast]', 'secondorder = 2', 'rate_tables = true']),
    'tables_dt0.0625': ('fast: secondorder 2, rate tables, dt 0.0625', ['dt = 0.0625'],
                        ['[simulation.fast]', 'secondorder = 2', 'rate_tables = true']),
    'euler_dt0.1': ('implicit Euler, dt 0.1 (no fast mode)', ['dt = 0.1'], []),
    'cvode_atol1e-2': ('CVODE, atol 1e-2', ['dt = 0.025', 'solver = "cvode"', 'atol = 1e-2'], []),
}


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--trials', type=int, default=100)
    ap.add_argument('--tstop', type=float, default=300.0)
    ap.add_argument('--variants', default='exact,so2_dt0.05,so2_dt0.1,euler_dt0.1')
    ap.add_argument('--silico', default=os.path.join(SOURCE, 'build', 'runner', 'silico'))
    ap.add_argument('--work', default='/tmp/silico-fast-error')
    ap.add_argument('--nice', type=int, default=10)
    ap.add_argument('--json-out', default=None)
    a = ap.parse_args(argv)
    a.variants = [v.strip() for v in a.variants.split(',') if v.strip()]
    bad = [v for v in a.variants if v not in VARIANTS]
    if bad:
        ap.error('unknown variant(s) %s; choose from %s' % (bad, ', '.join(VARIANTS)))
    if 'exact' not in a.variants:
        a.variants.insert(0, 'exact')
    if a.trials < 1:
        ap.error('--trials must be >= 1')
    return a


def recipe_text(a, variant):
    _, simulation, extra = VARIANTS[variant]
    data = '[IN_SILICO_FRAMEWORK_DIR]/getting_started/example_data'
    lines = ['[paths]', 'IN_SILICO_FRAMEWORK_DIR = %s' % json.dumps(os.path.join(SHARED, 'isf')), '',
             '[experiment]', 'name = "fast-error-%s"' % variant.replace('_', '-').replace('.', '-'),
             'protocol = "evoked"', '',
             '[cell]', 'biophysics = "%s/biophysical_constraints/86_C2_center.param.TEMPLATE"' % data, '',
             '[input]', 'network = "%s/functional_constraints/network.param.TEMPLATE"' % data, '',
             '[simulation]', 'tstop = %r' % a.tstop] + simulation + [
             'units = "modern"', 'trials = %d' % a.trials, ''] + extra + [
             '', '[seeds]', 'mode = "isf"', 'root = 1234', '']
    return '\n'.join(lines)


def run_variant(a, variant, log):
    """Runs the variant's trials unless its traces are already exported; returns its cost record."""
    recipe = os.path.join(a.work, variant + '.toml')
    npy = os.path.join(a.work, variant + '.npy')
    cost = os.path.join(a.work, variant + '.cost.json')
    with open(recipe, 'w') as f:
        f.write(recipe_text(a, variant))
    store = os.path.join(a.work, 'store')
    if not os.path.exists(npy):
        ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.monotonic()
        subprocess.run(['nice', '-n', str(a.nice), a.silico, '--store', store, 'run', recipe,
                        '--executor', 'local:1'], stdout=log, stderr=log, check=True)
        wall = time.monotonic() - t0
        ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
        with open(cost, 'w') as f:
            json.dump({'wall_s': wall, 'cpu_s': cpu, 'trials': a.trials, 'loadavg': os.getloadavg(),
                       'uptime': subprocess.run(['uptime'], stdout=subprocess.PIPE, text=True).stdout}, f)
        subprocess.run([a.silico, '--store', store, 'export', recipe, '--what', 'traces', '-o', npy],
                       stdout=log, stderr=log, check=True)
    with open(cost) as f:
        return json.load(f)


def load_traces(a, variant):
    """(sample times, {trial number: soma Vm}) of a variant's export."""
    base = os.path.join(a.work, variant)
    v = np.load(base + '.npy')
    t = np.load(base + '.time.npy')
    index = np.load(base + '.index.npy')
    # index "<condition>/<trial, 6 digits>": trial i of every variant had the same release times
    return t, {int(str(name).rsplit('/', 1)[1]): v[k] for k, name in enumerate(index)}


def crossings(t, v, threshold=0.0):
    """Upward threshold crossings, linearly interpolated between the two samples around each."""
    above = v >= threshold
    k = np.nonzero(~above[:-1] & above[1:])[0]
    return t[k] + (threshold - v[k]) * (t[k + 1] - t[k]) / (v[k + 1] - v[k])


def compare(a, t_ref, v_ref, t, v):
    """The variant's trials against exact's, on the trials both have."""
    keep = t <= a.tstop + 1e-9
    common = sorted(set(v_ref) & set(v))
    rms, shifts, count_changed, count_diff, ref_spikes = [], [], 0, 0, 0
    for i in common:
        ref_at_t = np.interp(t[keep], t_ref, v_ref[i])
        rms.append(float(np.sqrt(np.mean((v[i][keep] - ref_at_t) ** 2))))
        s_ref, s = crossings(t_ref, v_ref[i]), crossings(t, v[i])
        ref_spikes += len(s_ref)
        if len(s_ref) == len(s):
            shifts.extend((s - s_ref).tolist())
        else:
            count_changed += 1
            count_diff += abs(len(s) - len(s_ref))
    shifts = np.abs(np.array(shifts))
    return {'trials': len(common), 'rms_median_mV': float(np.median(rms)),
            'rms_max_mV': float(np.max(rms)), 'reference_spikes': ref_spikes,
            'paired_spikes': int(shifts.size),
            'shift_median_ms': float(np.median(shifts)) if shifts.size else float('nan'),
            'shift_p95_ms': float(np.percentile(shifts, 95)) if shifts.size else float('nan'),
            'shift_max_ms': float(np.max(shifts)) if shifts.size else float('nan'),
            'trials_count_changed': count_changed, 'count_abs_diff': count_diff}


def table(a, results, costs):
    rows = ['| variant | Vm RMS median / max (mV) | spike shift median / p95 / max (ms) | trials with another '
            'spike count | CPU s per trial | CPU vs exact |', '|---|---|---|---|---|---|']
    exact_cpu = costs['exact']['cpu_s'] / costs['exact']['trials']
    for variant in a.variants:
        c = costs[variant]['cpu_s'] / costs[variant]['trials']
        if variant == 'exact':
            rows.append('| %s | reference (%d spikes in %d trials) | — | — | %.2f | 1 |' % (
                VARIANTS[variant][0], results['exact_spikes'], results['exact_trials'], c))
            continue
        r = results[variant]
        rows.append('| %s | %.3f / %.3f | %.3f / %.3f / %.3f (%d paired) | %d of %d (Σ|Δn| = %d) | %.2f | %.2f |' % (
            VARIANTS[variant][0], r['rms_median_mV'], r['rms_max_mV'], r['shift_median_ms'], r['shift_p95_ms'],
            r['shift_max_ms'], r['paired_spikes'], r['trials_count_changed'], r['trials'], r['count_abs_diff'],
            c, c / exact_cpu))
    return rows


def main():
    a = parse_args(sys.argv[1:])
    os.makedirs(a.work, exist_ok=True)
    costs, results = {}, {}
    with open(os.path.join(a.work, 'fast_mode_error.log'), 'a') as log:
        for variant in a.variants:
            print('[fast-error] %s: running %d trials' % (variant, a.trials), file=sys.stderr, flush=True)
            costs[variant] = run_variant(a, variant, log)
    t_ref, v_ref = load_traces(a, 'exact')
    results['exact_trials'] = len(v_ref)
    results['exact_spikes'] = int(sum(len(crossings(t_ref, row)) for row in v_ref.values()))
    for variant in a.variants[1:]:
        t, v = load_traces(a, variant)
        results[variant] = compare(a, t_ref, v_ref, t, v)
    print('\n'.join(table(a, results, costs)))
    out = a.json_out or os.path.join(a.work, 'fast_mode_error.json')
    with open(out, 'w') as f:
        json.dump({'args': vars(a), 'costs': costs, 'results': results}, f, indent=1)
    return 0


if __name__ == '__main__':
    sys.exit(main())
