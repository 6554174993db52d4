"""Which LR-finder notes single out the runs that go wrong? The curves of every setting of the regret benchmark.

For each setting of `lr_find_regret.py` (families 'digits' and 'shapes', 20 and 100 labels per class, seeds 0-4; the
body frozen, unfrozen, and unfrozen after phase 1), this re-runs the same seeded LR finder on the same fresh learner and
stores the curve beside the regret the benchmark measured for `recommended` (fastai's valley where it was None, as the
phases use it). A note is worth printing if the runs it fires on have a clearly higher regret than the others, and it
fires on a minority of runs; `--report` prints, per note kind, how often it fires and the mean regret with and without it,
recomputing the notes from the stored curves with the installed ftkit (so a change to the notes needs no re-run).

Run:  .venv/bin/python bench/finder_notes.py --family digits --threads 1   (writes bench/results/curves_digits.json)
      .venv/bin/python bench/finder_notes.py --family shapes --threads 1
      .venv/bin/python bench/finder_notes.py --report
The two families ran side by side in about a minute each (2 cores, 2026-12-01)."""
import argparse, json, sys, warnings
from pathlib import Path
warnings.filterwarnings('ignore')
import numpy as np, torch
from fastai.vision.all import set_seed
sys.path.insert(0, str(Path(__file__).parent))
from families import family_learner
from lr_find_regret import EPOCHS, RESULTS, regret
from ftkit.core.basics import _write_text_atomically
from ftkit.finder.curve import LRFindResult
from ftkit.finder.lr_find import lr_find
from ftkit.learner.groups import unfreeze
from ftkit.recipe.phases import fit_head

def curve_of(record)->dict:
    "The LR finder curve of one setting of the regret benchmark, run as that benchmark ran it."
    family, n, seed, mode = record['family'], record['n_per_class'], record['seed'], record['mode']
    learn = family_learner(family, n, seed)
    if mode == 'after phase 1':
        set_seed(seed + 100)
        fit_head(learn, EPOCHS, lr=float(record['head_lr']), cache=True, progress=False)
    if mode != 'frozen': unfreeze(learn)
    found = lr_find(learn, ratios=None if mode == 'frozen' else slice(0.1, 1), seed=seed + 100, progress=False)
    return dict(family=family, n_per_class=n, seed=seed, mode=mode, regret=regret(record, 'ftkit recommended'),
                curve=found.to_dict())

def run_family(family):
    records = json.loads((RESULTS/f'regret_{family}.json').read_text())
    curves = []
    for r in records:
        curves.append(curve_of(r))
        print(family, r['n_per_class'], r['seed'], r['mode'], f"regret {curves[-1]['regret']:.1f}", flush=True)
    _write_text_atomically(RESULTS/f'curves_{family}.json', json.dumps(curves))

def report():
    runs = [c for f in ('digits', 'shapes') if (RESULTS/f'curves_{f}.json').exists()
            for c in json.loads((RESULTS/f'curves_{f}.json').read_text())]
    for c in runs: c['notes'] = list(LRFindResult.from_dict(c['curve']).notes)
    kinds = sorted({k for c in runs for k in c['notes']})
    print(f"{len(runs)} curves; mean regret of the rate the phases use: {np.mean([c['regret'] for c in runs]):.1f} points\n")
    print('| note | fires on | mean regret when it fires | when it does not |\n|---|---|---|---|')
    for k in kinds:
        on = [c['regret'] for c in runs if k in c['notes']]; off = [c['regret'] for c in runs if k not in c['notes']]
        print(f"| {k} | {len(on)} of {len(runs)} | {np.mean(on):.1f} | {np.mean(off) if off else float('nan'):.1f} |")
    for mode in ('frozen', 'unfrozen', 'after phase 1'):
        rows = [c for c in runs if c['mode'] == mode]
        print(f"\n{mode}: " + ', '.join(f"{k} {sum(k in c['notes'] for c in rows)}/{len(rows)}" for k in kinds))

if __name__ == '__main__':
    parser = argparse.ArgumentParser()
    parser.add_argument('--family', choices=['digits', 'shapes'])
    parser.add_argument('--report', action='store_true')
    parser.add_argument('--threads', type=int, default=None)
    args = parser.parse_args()
    if args.threads: torch.set_num_threads(args.threads)
    if args.family: run_family(args.family)
    if args.report or not args.family: report()
