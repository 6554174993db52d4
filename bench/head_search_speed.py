"""What the head's rate search costs against one LR finder, on both evaluation families (bench/families.py).

For each family and 20 / 100 labels per class, on a fresh learner (body frozen, bn='frozen'), variants interleaved:
- `lr_find`: one LR range test (100 steps) on the frozen learner, as `fit_head` runs it without the cache;
- `search_head_lr`: 13 rates x 3 folds = 39 heads for 5 epochs on the cached training features, features included;
- `fit_head(5, cache=True)` with the finder and `fit_head(5, lr='search', cache=True)`: the whole phase 1 each way.
Medians of --repeats runs (default 5). Run: .venv/bin/python bench/head_search_speed.py (about 4 minutes)"""
import argparse, sys, time, warnings
from pathlib import Path
warnings.filterwarnings('ignore')
import numpy as np
sys.path.insert(0, str(Path(__file__).parent))
from families import family_learner
from ftkit.finder.lr_find import lr_find
from ftkit.recipe.phases import fit_head
from ftkit.recipe.search import search_head_lr

VARIANTS = {
    'lr_find (100 steps)': lambda learn: lr_find(learn, seed=0, progress=False),
    'search_head_lr (39 heads, 5 epochs)': lambda learn: search_head_lr(learn, 5),
    'fit_head(5, cache=True), finder': lambda learn: fit_head(learn, 5, cache=True, finder_kw=dict(seed=0), progress=False),
    "fit_head(5, lr='search', cache=True)": lambda learn: fit_head(learn, 5, lr='search', cache=True, progress=False),
}

def main(repeats):
    print('| family | labels per class | variant | median (s) | variant / lr_find |\n|---|---|---|---|---|')
    for family in ('digits', 'shapes'):
        for n in (20, 100):
            times = {name: [] for name in VARIANTS}
            for _ in range(repeats):
                for name, run in VARIANTS.items():
                    learn = family_learner(family, n, seed=0)
                    started = time.perf_counter(); run(learn); times[name].append(time.perf_counter() - started)
            base = np.median(times['lr_find (100 steps)'])
            for name, values in times.items():
                print(f'| {family} | {n} | {name} | {np.median(values):.3f} | {np.median(values) / base:.2f}x |', flush=True)

if __name__ == '__main__':
    parser = argparse.ArgumentParser(); parser.add_argument('--repeats', type=int, default=5)
    main(parser.parse_args().repeats)
