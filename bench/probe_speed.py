"""How fast is the linear probe? scikit-learn's GridSearchCV of LogisticRegression (ftkit's probe before 2026-12-01) against
ftkit's torch L-BFGS path (`linear_probe` now), side by side on the same features of the real family.

The features are the ImageNet MobileNetV2's concat-pooled bottleneck features (2 x 1,280 = 2,560) of the clothing photos
at 128 px (bench/families.py, 'real'), computed once per size; each solver then chooses C from the same 6 values by the
same 5 stratified folds and refits on the whole training set. Accuracy is on the 341 validation photos. Variants
interleaved, median of `--repeats`.

Run:  .venv/bin/python bench/probe_speed.py            (about 15 minutes on the project's 2 cores)"""
import argparse, sys, time, warnings
from pathlib import Path
warnings.filterwarnings('ignore')
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
sys.path.insert(0, str(Path(__file__).parent))
from families import family_learner
from ftkit.recipe.features import bottleneck_features, _stratified_folds, _logistic_probe

CS = [1e-3, 1e-2, 1e-1, 1., 10., 100.]

def sklearn_probe(x, y, folds, seed=0):
    "ftkit's logistic probe as it was: GridSearchCV over CS of StandardScaler + LogisticRegression(max_iter=5000), then a refit."
    pipeline = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000, random_state=seed))
    search = GridSearchCV(pipeline, {'logisticregression__C': CS}, cv=folds).fit(x, y)
    C = search.best_params_['logisticregression__C']
    return C, float(search.best_score_), pipeline.set_params(logisticregression__C=C).fit(x, y)

def torch_probe(x, y, folds, seed=0): return _logistic_probe(x, y, CS, folds, seed)

def main(sizes, repeats):
    rows = []
    for n in sizes:
        learn = family_learner('real', n, 0, bn='train')
        (x, y), (xv, yv) = bottleneck_features(learn, 'train'), bottleneck_features(learn, 'valid')
        folds = _stratified_folds(y, 5, 0)
        times = {'scikit-learn': [], 'ftkit': []}
        for _ in range(repeats):
            for name, solver in [('scikit-learn', sklearn_probe), ('ftkit', torch_probe)]:
                started = time.perf_counter(); C, cv, pipe = solver(x, y, folds); times[name].append(time.perf_counter() - started)
                result = (C, cv, float(pipe.score(xv, yv)))
                if name == 'scikit-learn': theirs = result
                else: ours = result
        med = {k: float(np.median(v)) for k, v in times.items()}
        rows.append((n, len(y), x.shape[1], med, theirs, ours))
        print(f'| {n} ({len(y)} photos, {x.shape[1]} features) | {med["scikit-learn"]:.2f} s: C {theirs[0]:g}, cv {theirs[1]:.3f}, '
              f'valid {theirs[2]:.3f} | {med["ftkit"]:.2f} s: C {ours[0]:g}, cv {ours[1]:.3f}, valid {ours[2]:.3f} | '
              f'{med["scikit-learn"] / med["ftkit"]:.1f}x |', flush=True)
    return rows

if __name__ == '__main__':
    parser = argparse.ArgumentParser()
    parser.add_argument('--sizes', type=int, nargs='+', default=[5, 20, 100])
    parser.add_argument('--repeats', type=int, default=3)
    args = parser.parse_args()
    print('| photos per class | scikit-learn GridSearchCV (before) | ftkit torch L-BFGS path (now) | speed-up |\n|---|---|---|---|', flush=True)
    main(args.sizes, args.repeats)
