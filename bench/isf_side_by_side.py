#!/usr/bin/python3
"""ISF and silico on the same cases, one after the other, on this machine (issue 17).

    ISF_MIRROR=GITDIR bench/isf_side_by_side.py [--runs 3] [--trials 3]
        [--cases evoked,fast,step_fixed,step_cvode,throughput] [--evoked-tstop 300] [--step-tstop 3000]
        [--fast-dt 0.05] [--fast-tables] [--throughput-trials 12] [--silico build/runner/silico] [--results bench/RESULTS.md]
    bench/isf_side_by_side.py --from-json FILE [--results bench/RESULTS.md]    (the block of an earlier run)

GITDIR is the bare mirror of github:mpinb/in_silico_framework (the search tool's fetch). The script
1. runs ../shared/isf_harness/setup.sh (idempotent: ISF into /tmp/isf-src, its mechanisms, runnable .params);
2. N times, for each case: ISF's `time_isf.py --case C` (one fresh Python process), then silico's equivalent
   recipe with `silico run --executor local:1` on an empty store (one `silico` process and its worker);
3. writes every run, the medians and the ratios silico / ISF, the CPU model and the load (`uptime` before and
   after) between the markers `<!-- isf-side-by-side:begin -->` / `end` of bench/RESULTS.md (replacing what
   was there), and the raw figures as JSON next to it (`--json-out`).

The cases (what ../shared/isf_harness/README.md describes for ISF):
  evoked      cell 86 as shipped, ISF's C2 network, fixed dt 0.025, `--trials` trials in one process, ISF's
              random stream (`seeds.mode = "isf"`, seed 1234 on both sides), modern units (NEURON 8.2 default)
  step_fixed  cell 86, 0.793 nA soma step 500-2500 ms, tstop 3000, fixed dt 0.025
  step_cvode  the same with CVODE (NEURON's default tolerances)
  fast        silico's evoked recipe in the fast mode ([simulation.fast] secondorder = 2, dt --fast-dt, and
              with --fast-tables rate_tables = true) against
              ISF's evoked process (the one of the `evoked` case of the same run when both are selected)
  throughput  campaign throughput, evoked trials per core-hour with 1 and 2 workers: silico runs
              --throughput-trials trials with `--executor local:1`, then `local:2` (independent seeds, as a
              campaign would); ISF runs them in one harness process, then in two harness processes side by
              side with half the trials each (seeds 1234 and 1235). Trials per core-hour = trials / (wall
              hours x workers); each ISF process pays its own mapping of the anatomical synapses (trial 0)

Wall seconds are whole processes (start-up, cell build, network set-up, simulation, silico's store commits),
so they are what a campaign pays; CPU seconds (user + sys of the process and its children) are less
disturbed by other jobs on the machine. ISF records Vm in every segment, silico what the recipe asks for
(soma Vm and, for evoked, the param's apical recording sites, as ISF's RecordingSiteManager).
"""
import argparse
import datetime
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(HERE)
SHARED = os.path.abspath(os.path.join(SOURCE, '..', 'shared'))
HARNESS = os.path.join(SHARED, 'isf_harness')
CASES = ('evoked', 'fast', 'step_fixed', 'step_cvode', 'throughput')
PAIRED = ('evoked', 'fast', 'step_fixed', 'step_cvode')  # one ISF process against one silico run
BEGIN = '<!-- isf-side-by-side:begin -->'
END = '<!-- isf-side-by-side:end -->'


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--runs', type=int, default=3, help='side-by-side repetitions (default 3)')
    ap.add_argument('--trials', type=int, default=3, help='evoked trials per process (default 3)')
    ap.add_argument('--cases', default=','.join(CASES))
    ap.add_argument('--evoked-tstop', type=float, default=300.0)
    ap.add_argument('--step-tstop', type=float, default=3000.0)
    ap.add_argument('--fast-dt', type=float, default=0.05, help='dt of the fast case (default 0.05, docs/neuron.md "Fast mode")')
    ap.add_argument('--fast-tables', action='store_true',
                    help='the fast case also interpolates the channels\' rates ([simulation.fast] rate_tables)')
    ap.add_argument('--throughput-trials', type=int, default=12,
                    help='evoked trials of each throughput measurement (even; default 12)')
    ap.add_argument('--silico', default=os.path.join(SOURCE, 'build', 'runner', 'silico'))
    ap.add_argument('--results', default=os.path.join(HERE, 'RESULTS.md'),
                    help='markdown file whose side-by-side block is replaced ("-": print only)')
    ap.add_argument('--json-out', default=None, help='raw figures (default: $TMPDIR/isf_side_by_side.json)')
    ap.add_argument('--skip-setup', action='store_true', help='ISF is already set up (setup.sh ran)')
    ap.add_argument('--from-json', default=None, metavar='FILE',
                    help='run nothing: write the block of an earlier run from its --json-out file')
    a = ap.parse_args(argv)
    if a.from_json:
        return a
    a.cases = [c.strip() for c in a.cases.split(',') if c.strip()]
    bad = [c for c in a.cases if c not in CASES]
    if bad:
        ap.error('unknown case(s) %s; choose from %s' % (bad, ', '.join(CASES)))
    if a.runs < 1 or a.trials < 1:
        ap.error('--runs and --trials must be >= 1')
    if a.throughput_trials < 2 or a.throughput_trials % 2:
        ap.error('--throughput-trials must be even and >= 2 (two ISF processes share them)')
    if not os.access(a.silico, os.X_OK):
        ap.error('no silico executable at %s (build it, or pass --silico)' % a.silico)
    if a.json_out is None:
        a.json_out = os.path.join(tempfile.gettempdir(), 'isf_side_by_side.json')
    return a


def setup_isf(a):
    if a.skip_setup:
        return
    mirror = os.environ.get('ISF_MIRROR')
    if not mirror:
        sys.exit('isf_side_by_side: set ISF_MIRROR to the bare mirror of github:mpinb/in_silico_framework')
    subprocess.run(['bash', os.path.join(HARNESS, 'setup.sh')], check=True, stdout=sys.stderr)


def timed(cmd, **kw):
    """Runs cmd; returns (completed process, wall s, CPU s of it and its children)."""
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, **kw)
    wall = time.monotonic() - t0
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
    return p, wall, cpu


def isf_command(a, case, trials, seed=1234):
    cmd = ['/usr/bin/python3', os.path.join(HARNESS, 'time_isf.py'), '--case', case,
           '--tstop', repr(tstop_of(a, case))]
    if case == 'evoked':
        cmd += ['--trials', str(trials), '--seed', str(seed)]
    return cmd


def isf_env():
    env = dict(os.environ)
    env.pop('PYTHONHOME', None)
    return env


def run_isf(a, case, log):
    p, wall, cpu = timed(isf_command(a, case, a.trials), stderr=log, env=isf_env())
    if p.returncode != 0:
        sys.exit('isf_side_by_side: time_isf.py --case %s failed (%d); see %s' % (case, p.returncode, log.name))
    r = json.loads(p.stdout)['cases'][case]
    out = {'wall_s': wall, 'cpu_s': cpu, 'sim_s': r.get('sim_s', r.get('sim_s_total'))}
    if case == 'evoked':
        out['spikes'] = [t['soma_spike_times_ms'] for t in r['trials']]
        out['network_setup_s'] = [t['network_setup_s'] for t in r['trials']]
        out['trial_sim_s'] = [t['sim_s'] for t in r['trials']]
    else:
        out['spikes'] = r['soma_spike_times_ms']
    return out


def tstop_of(a, case):
    return a.evoked_tstop if case in ('evoked', 'fast', 'throughput') else a.step_tstop


def recipe_text(a, case, trials=None, seeds='isf'):
    """silico's recipe for a case; `evoked`, `fast` and `throughput` are the evoked protocol."""
    evoked = case in ('evoked', 'fast', 'throughput')
    if trials is None:
        trials = a.trials if evoked else 1
    isf = os.path.join(SHARED, 'isf')
    data = '[IN_SILICO_FRAMEWORK_DIR]/getting_started/example_data'
    lines = ['[paths]', 'IN_SILICO_FRAMEWORK_DIR = %s' % json.dumps(isf), '',
             '[experiment]', 'name = "isf-side-by-side-%s"' % case.replace('_', '-'),
             'protocol = "%s"' % ('evoked' if evoked else 'current_step'), '',
             '[cell]', 'biophysics = "%s/biophysical_constraints/86_C2_center.param.TEMPLATE"' % data, '']
    if evoked:
        lines += ['[input]', 'network = "%s/functional_constraints/network.param.TEMPLATE"' % data, '']
    else:
        lines += ['[[stimulus.step]]', 'amplitude = 0.793', 'delay = 500.0', 'duration = 2000.0', '']
    lines += ['[simulation]', 'tstop = %r' % tstop_of(a, case), 'dt = %r' % (a.fast_dt if case == 'fast' else 0.025),
              'solver = "%s"' % ('cvode' if case == 'step_cvode' else 'fixed'),
              'temperature = 34.0', 'v_init = -75.0', 'units = "modern"', 'trials = %d' % trials, '']
    if case == 'fast':
        lines += ['[simulation.fast]', 'secondorder = 2'] + (['rate_tables = true'] if a.fast_tables else []) + ['']
    if evoked:
        lines += ['[[record.site]]', 'name = "apical"',
                  'landmarks = "%s/apical_proximal_distal_rec_sites.landmarkAscii"' % data, '',
                  '[seeds]', 'mode = "%s"' % seeds, 'root = 1234', '']
    return '\n'.join(lines)


def silico_run(a, log, work, name, text, workers):
    """`silico run` of a recipe on an empty store: (recipe, store, completed process, wall s, CPU s)."""
    recipe = os.path.join(work, name + '.toml')
    with open(recipe, 'w') as f:
        f.write(text)
    store = tempfile.mkdtemp(prefix='store-', dir=work)
    cmd = [a.silico, '--store', store, 'run', recipe, '--executor', 'local:%d' % workers, '--json']
    p, wall, cpu = timed(cmd, stderr=log)
    if p.returncode != 0:
        sys.exit('isf_side_by_side: %s failed (%d); see %s' % (' '.join(cmd), p.returncode, log.name))
    return recipe, store, p, wall, cpu


def run_silico(a, case, log, work):
    recipe, store, p, wall, cpu = silico_run(a, log, work, case, recipe_text(a, case), 1)
    spikes = query_spikes(a, recipe, store, log)
    return {'wall_s': wall, 'cpu_s': cpu, 'spikes': spikes if case in ('evoked', 'fast') else spikes[0],
            'run': json.loads(p.stdout)}


def isf_parallel(a, log, processes):
    """`processes` harness processes side by side, each a share of the trials: (wall s, CPU s)."""
    share = a.throughput_trials // processes
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    running = [subprocess.Popen(isf_command(a, 'evoked', share, 1234 + k), stdout=subprocess.DEVNULL,
                                stderr=log, env=isf_env()) for k in range(processes)]
    codes = [p.wait() for p in running]
    wall = time.monotonic() - t0
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if any(codes):
        sys.exit('isf_side_by_side: a throughput harness process failed (%s); see %s' % (codes, log.name))
    return wall, (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)


def run_throughput(a, log, work):
    """Evoked trials per core-hour, ISF and silico, with 1 and 2 workers."""
    out = {}
    for workers in (1, 2):
        iw, ic = isf_parallel(a, log, workers)
        text = recipe_text(a, 'throughput', trials=a.throughput_trials, seeds='independent')
        _, _, _, sw, sc = silico_run(a, log, work, 'throughput-%d' % workers, text, workers)
        per_core_hour = lambda wall: a.throughput_trials / (wall * workers / 3600.0)
        out[str(workers)] = {'isf': {'wall_s': iw, 'cpu_s': ic, 'per_core_hour': per_core_hour(iw)},
                             'silico': {'wall_s': sw, 'cpu_s': sc, 'per_core_hour': per_core_hour(sw)}}
    return out


def query_spikes(a, recipe, store, log):
    p = subprocess.run([a.silico, '--store', store, 'query', 'spikes', recipe, '--json'],
                       stdout=subprocess.PIPE, stderr=log, check=True)
    # one row per trial: {"index", "trial", "spikes": count, "times": "t1 t2 ..."}
    rows = sorted(json.loads(p.stdout), key=lambda r: r['trial'])
    return [[round(float(t), 4) for t in re.split(r'[\s,;]+', r['times'].strip()) if t] for r in rows]


def uptime():
    return subprocess.run(['uptime'], stdout=subprocess.PIPE, text=True).stdout.strip()


def cpu_model():
    for line in subprocess.run(['lscpu'], stdout=subprocess.PIPE, text=True).stdout.splitlines():
        if line.startswith('Model name'):
            return line.split(':', 1)[1].strip()
    return 'unknown'


def git_commit():
    p = subprocess.run(['git', '-C', SOURCE, 'rev-parse', '--short', 'HEAD'], stdout=subprocess.PIPE, text=True)
    dirty = subprocess.run(['git', '-C', SOURCE, 'status', '--porcelain', '--untracked-files=no'],
                           stdout=subprocess.PIPE, text=True).stdout.strip()
    return p.stdout.strip() + (' (uncommitted changes)' if dirty else '')


def median(xs):
    return statistics.median(xs) if xs else float('nan')


def summary_table(a, runs):
    rows = ['| case | ISF wall (runs) | silico wall (runs) | wall ratio | ISF CPU | silico CPU | CPU ratio |',
            '|---|---|---|---|---|---|---|']
    for case in [c for c in a.cases if c in PAIRED]:
        iw = [r[case]['isf']['wall_s'] for r in runs]
        sw = [r[case]['silico']['wall_s'] for r in runs]
        ic = [r[case]['isf']['cpu_s'] for r in runs]
        sc = [r[case]['silico']['cpu_s'] for r in runs]
        fmt = lambda xs: ' / '.join('%.2f' % x for x in xs)
        # Ratios to three decimals: a target such as <= 0.1 must not be met by rounding 0.102 down.
        rows.append('| %s | **%.2f s** (%s) | **%.2f s** (%s) | **%.3f** | %.2f s | %.2f s | **%.3f** |' % (
            label(a, case), median(iw), fmt(iw), median(sw), fmt(sw), median(sw) / median(iw),
            median(ic), median(sc), median(sc) / median(ic)))
    return rows


def throughput_table(a, runs):
    if 'throughput' not in a.cases:
        return []
    rows = ['', 'Campaign throughput: %d evoked trials × %g ms (set-up included), evoked trials per core-hour '
            '= trials / (wall hours × workers), medians of %d runs:' % (a.throughput_trials, a.evoked_tstop,
                                                                       len(runs)), '',
            '| workers | ISF wall (runs) | silico wall (runs) | ISF trials / core-hour | silico trials / core-hour '
            '| silico / ISF |', '|---|---|---|---|---|---|']
    fmt = lambda xs: ' / '.join('%.1f' % x for x in xs)
    for workers in ('1', '2'):
        iw = [r['throughput'][workers]['isf']['wall_s'] for r in runs]
        sw = [r['throughput'][workers]['silico']['wall_s'] for r in runs]
        ih = median([r['throughput'][workers]['isf']['per_core_hour'] for r in runs])
        sh = median([r['throughput'][workers]['silico']['per_core_hour'] for r in runs])
        rows.append('| %s | %.1f s (%s) | %.1f s (%s) | **%.0f** | **%.0f** | **%.2f** |' % (
            workers, median(iw), fmt(iw), median(sw), fmt(sw), ih, sh, sh / ih))
    return rows


def label(a, case):
    if case == 'evoked':
        return 'evoked, %d trials × %g ms (one process)' % (a.trials, a.evoked_tstop)
    if case == 'fast':
        return 'evoked in the fast mode (silico: secondorder 2, dt %g%s; ISF: its evoked process)' % (
            a.fast_dt, ', rate tables' if a.fast_tables else '')
    return '%g ms step, %s' % (a.step_tstop, 'CVODE' if case == 'step_cvode' else 'fixed dt 0.025')


def spike_lines(a, runs):
    out = []
    for case in [c for c in a.cases if c in PAIRED]:
        isf, sil = runs[-1][case]['isf']['spikes'], runs[-1][case]['silico']['spikes']
        out.append('- %s: ISF spikes %s; silico %s%s' % (case, json.dumps(isf), json.dumps(sil),
                                                       ' (identical)' if isf == sil else ''))
    return out


def markdown(a, runs, meta):
    lines = [BEGIN, '#### The latest run', '',
             '```sh', 'ISF_MIRROR=GITDIR ' + meta['command'], '```', '',
             '%s to %s UTC, silico %s, ISF 6c2c82f (`../shared/isf_harness`), NEURON 8.2.2 (Debian), `lscpu`: %s, '
             '%d CPUs. Load (`uptime`) before: `%s`; after: `%s`. Medians of %d side-by-side runs (each case: ISF, '
             'then silico). Wall = whole process; CPU = user + sys of the process and its children. '
             'A loaded machine inflates wall times: read the CPU columns then.' % (
                 meta['start'], meta['end'], meta['commit'], meta['cpu'], os.cpu_count(), meta['load_start'],
                 meta['load_end'], len(runs)), '']
    lines += summary_table(a, runs)
    lines += throughput_table(a, runs)
    lines += ['', 'Soma spike times (ms) of the last run, for the record:'] + spike_lines(a, runs)
    lines += [END]
    return '\n'.join(lines) + '\n'


def write_results(path, block):
    if path == '-':
        sys.stdout.write(block)
        return
    text = ''
    if os.path.exists(path):
        with open(path) as f:
            text = f.read()
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + block.rstrip('\n') + rest.split(END, 1)[1]
    else:
        text = text.rstrip('\n') + '\n\n' + block
    with open(path, 'w') as f:
        f.write(text)


def run_case(a, case, run, log, work):
    load = os.getloadavg()
    if case == 'throughput':
        return dict(run_throughput(a, log, work), load_before=load)
    if case == 'fast' and 'evoked' in run:
        isf = run['evoked']['isf']  # the same ISF process: the fast mode is silico's alone
    else:
        isf = run_isf(a, 'evoked' if case == 'fast' else case, log)
    return {'load_before': load, 'isf': isf, 'silico': run_silico(a, case, log, work)}


def render_saved(a):
    """The block of an earlier run, from its JSON, with this script's formatting (--from-json)."""
    with open(a.from_json) as f:
        saved = json.load(f)
    results = a.results
    a = argparse.Namespace(**saved['args'])
    write_results(results, markdown(a, saved['runs'], saved['meta']))
    return 0


def main():
    a = parse_args(sys.argv[1:])
    if a.from_json:
        return render_saved(a)
    setup_isf(a)
    meta = {'command': ' '.join(['bench/isf_side_by_side.py'] + sys.argv[1:]), 'cpu': cpu_model(),
            'commit': git_commit(), 'load_start': uptime(),
            'start': datetime.datetime.utcnow().strftime('%Y-%m-%d %H:%M')}
    runs = []
    with tempfile.TemporaryDirectory(prefix='isf-side-by-side-') as work, \
            open(os.path.join(tempfile.gettempdir(), 'isf_side_by_side.log'), 'w') as log:
        for i in range(a.runs):
            run = {}
            for case in a.cases:
                run[case] = run_case(a, case, run, log, work)
                print('[side-by-side] run %d %s: %s' % (i + 1, case, json.dumps(
                    {k: v for k, v in run[case].items() if k != 'load_before'}, default=str)[:300]),
                    file=sys.stderr, flush=True)
            runs.append(run)
            # after every run, so that an interrupted session keeps the runs it completed
            meta['load_end'] = uptime()
            meta['end'] = datetime.datetime.utcnow().strftime('%H:%M')
            with open(a.json_out, 'w') as f:
                json.dump({'meta': meta, 'args': vars(a), 'runs': runs}, f, indent=1)
            write_results(a.results, markdown(a, runs, meta))
    return 0


if __name__ == '__main__':
    sys.exit(main())
