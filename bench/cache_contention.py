"""Phase 1 with and without the feature cache on a busy CPU: two processes run the same timings side by side.

On a machine where another job uses the cores (a notebook next to a training run, CI with parallel jobs), torch's
default of one thread per core makes two processes' threads wait on each other; the cached phase, whose head trains
on many tiny operations, suffered most. `cached_body` now trains on one thread. Each process times
`fit_head(5, cache=...)` (LR finder included, all 717 training images at 8x8, `bn='frozen'`) alternately; the table
gives each variant's median over both processes.

    .venv/bin/python bench/cache_contention.py [--repeats 3] [--size 8]
"""
import argparse, json, statistics, subprocess, sys, time

def worker(repeats:int, size:int):
    import warnings; warnings.filterwarnings('ignore')
    from fastai.vision.all import accuracy, set_seed
    from ftkit.learner.data import digits_dls
    from ftkit.learner.models import sample_backbone, transfer_learner
    from ftkit.recipe.phases import fit_head
    times = {'cache=True': [], 'cache=False': []}
    for _ in range(repeats):
        for cache in (True, False):
            set_seed(0, reproducible=True)
            learn = transfer_learner(digits_dls(size=size), sample_backbone(), bn='frozen', metrics=accuracy)
            started = time.perf_counter()
            fit_head(learn, 5, finder_kw=dict(seed=0), cache=cache, progress=False)
            times[f'cache={cache}'].append(time.perf_counter() - started)
    print(json.dumps(times))

def main(repeats:int, size:int):
    command = [sys.executable, __file__, '--worker', '--repeats', str(repeats), '--size', str(size)]
    alone = json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout)
    pair = [subprocess.Popen(command, stdout=subprocess.PIPE, text=True) for _ in range(2)]
    busy = [json.loads(p.communicate()[0]) for p in pair]
    print(f'\n{size}x{size} pixels, {repeats} repeats per process; median seconds')
    print('| variant | alone | two processes side by side | busy / alone |\n|---|---|---|---|')
    for name in alone:
        a, b = statistics.median(alone[name]), statistics.median([t for run in busy for t in run[name]])
        print(f'| fit_head(5, {name}) | {a:.2f} | {b:.2f} | {b / a:.1f}x |')

if __name__ == '__main__':
    parser = argparse.ArgumentParser()
    parser.add_argument('--repeats', type=int, default=3); parser.add_argument('--size', type=int, default=8)
    parser.add_argument('--worker', action='store_true')
    args = parser.parse_args()
    (worker if args.worker else main)(args.repeats, args.size)
