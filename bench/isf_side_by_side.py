#!/usr/bin/python3
"""ISF and silico on the same cases, one after the other, on this machine (issue 17).

    ISF_MIRROR=GITDIR bench/isf_side_by_side.py [--runs 3] [--trials 3] [--cases evoked,step_fixed,step_cvode]
        [--evoked-tstop 300] [--step-tstop 3000] [--silico build/runner/silico] [--results bench/RESULTS.md]

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
CASES = ('evoked', 'step_fixed', 'step_cvode')
BEGIN = '<!-- isf-side-by-side:begin -->'
END = '<!-- isf-side-by-side:end -->'


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--runs', type=int, default=3, help='side-by-side repetitions (default 3)')
    ap.add_argument('--trials', type=int, default=3, help='evoked trials per process (default 3)')
    ap.add_argument('--cases', default=','.join(CASES))
    ap.add_argument('--evoked-tstop', type=float, default=300.0)
    ap.add_argument('--step-tstop', type=float, default=3000.0)
    ap.add_argument('--silico', default=os.path.join(SOURCE, 'build', 'runner', 'silico'))
    ap.add_argument('--results', default=os.path.join(HERE, 'RESULTS.md'),
                    help='markdown file whose side-by-side block is replaced ("-": print only)')
    ap.add_argument('--json-out', default=None, help='raw figures (default: $TMPDIR/isf_side_by_side.json)')
    ap.add_argument('--skip-setup', action='store_true', help='ISF is already set up (setup.sh ran)')
    a = ap.parse_args(argv)
    a.cases = [c.strip() for c in a.cases.split(',') if c.strip()]
    bad = [c for c in a.cases if c not in CASES]
    if bad:
        ap.error('unknown case(s) %s; choose from %s' % (bad, ', '.join(CASES)))
    if a.runs < 1 or a.trials < 1:
        ap.error('--runs and --trials must be >= 1')
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


def run_isf(a, case, log):
    cmd = ['/usr/bin/python3', os.path.join(HARNESS, 'time_isf.py'), '--case', case,
           '--tstop', repr(tstop_of(a, case))]
    if case == 'evoked':
        cmd += ['--trials', str(a.trials)]
    env = dict(os.environ)
    env.pop('PYTHONHOME', None)
    p, wall, cpu = timed(cmd, stderr=log, env=env)
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
    return a.evoked_tstop if case == 'evoked' else a.step_tstop


def recipe_text(a, case):
    isf = os.path.join(SHARED, 'isf')
    data = '[IN_SILICO_FRAMEWORK_DIR]/getting_started/example_data'
    lines = ['[paths]', 'IN_SILICO_FRAMEWORK_DIR = %s' % json.dumps(isf), '',
             '[experiment]', 'name = "isf-side-by-side-%s"' % case.replace('_', '-'),
             'protocol = "%s"' % ('evoked' if case == 'evoked' else 'current_step'), '',
             '[cell]', 'biophysics = "%s/biophysical_constraints/86_C2_center.param.TEMPLATE"' % data, '']
    if case == 'evoked':
        lines += ['[input]', 'network = "%s/functional_constraints/network.param.TEMPLATE"' % data, '']
    else:
        lines += ['[[stimulus.step]]', 'amplitude = 0.793', 'delay = 500.0', 'duration = 2000.0', '']
    lines += ['[simulation]', 'tstop = %r' % tstop_of(a, case), 'dt = 0.025',
              'solver = "%s"' % ('cvode' if case == 'step_cvode' else 'fixed'),
              'temperature = 34.0', 'v_init = -75.0', 'units = "modern"',
              'trials = %d' % (a.trials if case == 'evoked' else 1), '']
    if case == 'evoked':
        lines += ['[[record.site]]', 'name = "apical"',
                  'landmarks = "%s/apical_proximal_distal_rec_sites.landmarkAscii"' % data, '',
                  '[seeds]', 'mode = "isf"', 'root = 1234', '']
    return '\n'.join(lines)


def run_silico(a, case, log, work):
    recipe = os.path.join(work, case + '.toml')
    with open(recipe, 'w') as f:
        f.write(recipe_text(a, case))
    store = tempfile.mkdtemp(prefix='store-', dir=work)
    cmd = [a.silico, '--store', store, 'run', recipe, '--executor', 'local:1', '--json']
    p, wall, cpu = timed(cmd, stderr=log)
    if p.returncode != 0:
        sys.exit('isf_side_by_side: %s failed (%d); see %s' % (' '.join(cmd), p.returncode, log.name))
    spikes = query_spikes(a, recipe, store, log)
    return {'wall_s': wall, 'cpu_s': cpu, 'spikes': spikes if case == 'evoked' else spikes[0],
            'run': json.loads(p.stdout)}


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
    for case in a.cases:
        iw = [r[case]['isf']['wall_s'] for r in runs]
        sw = [r[case]['silico']['wall_s'] for r in runs]
        ic = [r[case]['isf']['cpu_s'] for r in runs]
        sc = [r[case]['silico']['cpu_s'] for r in runs]
        fmt = lambda xs: ' / '.join('%.2f' % x for x in xs)
        rows.append('| %s | **%.2f s** (%s) | **%.2f s** (%s) | **%.2f** | %.2f s | %.2f s | **%.2f** |' % (
            label(a, case), median(iw), fmt(iw), median(sw), fmt(sw), median(sw) / median(iw),
            median(ic), median(sc), median(sc) / median(ic)))
    return rows


def label(a, case):
    if case == 'evoked':
        return 'evoked, %d trials × %g ms (one process)' % (a.trials, a.evoked_tstop)
    return '%g ms step, %s' % (a.step_tstop, 'CVODE' if case == 'step_cvode' else 'fixed dt 0.025')


def spike_lines(a, runs):
    out = []
    for case in a.cases:
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


def main():
    a = parse_args(sys.argv[1:])
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
                run[case] = {'load_before': os.getloadavg(), 'isf': run_isf(a, case, log),
                             'silico': run_silico(a, case, log, work)}
                print('[side-by-side] run %d %s: ISF %.2f s wall %.2f s CPU, silico %.2f s wall %.2f s CPU' % (
                    i + 1, case, run[case]['isf']['wall_s'], run[case]['isf']['cpu_s'],
                    run[case]['silico']['wall_s'], run[case]['silico']['cpu_s']), file=sys.stderr, flush=True)
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
