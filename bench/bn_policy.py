"""Which BatchNorm policy should the recipe default to? `transfer_learner(bn=...)`: 'train' (fastai's: every BatchNorm
layer normalises each batch with its own statistics and trains its affine parameters, frozen or not), 'frozen' (the
BatchNorm layers of frozen groups in eval mode with their parameters fixed: timm's `freeze`), 'eval' (every BatchNorm
layer of the body on its running statistics in both phases, its affine parameters training with their group: Keras's
fine-tuning advice).

On the digits and shapes families (bench/families.py), 20 labels per class, seeds 0-4: phase 1 alone (`fit_head`, the
finder's rate), the classic recipe (`two_phase(learn, 3, 12)`) and LP-FT (`two_phase(learn, 0, 15, head='probe')`), with
`keep_best=False` so that no policy is helped by picking its best epoch on the validation set it is scored on. The real
family's numbers come from bench/real_recipes.py (test photos).

Run:  .venv/bin/python bench/bn_policy.py       (about 6 minutes on 2 cores)"""
import argparse, sys, time, warnings
from pathlib import Path
warnings.filterwarnings('ignore')
import numpy as np
from fastai.vision.all import set_seed
sys.path.insert(0, str(Path(__file__).parent))
from families import family_learner
from ftkit.recipe.phases import fit_head
from ftkit.recipe.two_phase import two_phase

POLICIES = ('train', 'frozen', 'eval')

def accuracy(learn)->float:
    with learn.no_bar(), learn.no_logging(): return float(learn.validate()[1])

def run(family, recipe, bn, n, seed)->float:
    learn = family_learner(family, n, seed, bn=bn)
    set_seed(seed + 300, reproducible=True)
    cache = dict(cache=True) if bn != 'train' else {}
    if recipe == 'phase 1': fit_head(learn, 3, finder_kw=dict(seed=seed), progress=False, keep_best=False, **cache)
    elif recipe == 'two_phase': two_phase(learn, 3, 12, finder_kw=dict(seed=seed), progress=False, keep_best=False, head_kw=cache)
    else: two_phase(learn, 0, 15, head='probe', finder_kw=dict(seed=seed), progress=False, keep_best=False)
    return accuracy(learn)

def main(families, n, seeds):
    print(f'validation accuracy, mean ± sd over seeds {list(seeds)}, {n} labels per class, keep_best=False\n')
    print('| family | recipe | ' + ' | '.join(f"bn='{p}'" for p in POLICIES) + ' |\n|---|---|' + '---|' * len(POLICIES))
    for family in families:
        for recipe in ('phase 1', 'two_phase', 'LP-FT'):
            started = time.perf_counter()
            scores = {p: [run(family, recipe, p, n, s) for s in seeds] for p in POLICIES}
            print(f'| {family} | {recipe} | ' + ' | '.join(f'{np.mean(v):.3f} ± {np.std(v):.3f}' for v in scores.values())
                  + f' |   ({time.perf_counter() - started:.0f} s)', flush=True)

if __name__ == '__main__':
    parser = argparse.ArgumentParser()
    parser.add_argument('--families', nargs='+', default=['digits', 'shapes'])
    parser.add_argument('--n', type=int, default=20)
    parser.add_argument('--seeds', type=int, nargs='+', default=list(range(5)))
    args = parser.parse_args()
    main(args.families, args.n, args.seeds)
