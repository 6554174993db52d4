"""Phase 1 on cached bottleneck features against the same phase without the cache and against fastai.

Offline task (default): each variant runs the LR finder and then 5 epochs of one-cycle on the head of a fresh learner
(body frozen, `bn='frozen'`), on the digits at 8x8 pixels and upsampled to 64x64.

Real family (`--family real`, bench/families.py: the ImageNet MobileNetV2 of FTKIT_REAL on the clothing photos,
`--n` photos per class, all 341 validation photos) at `--sizes` px: ftkit's phase 1 (`fit_head(5, cache=True)` on
`transfer_learner`'s default `bn='frozen'`, with its finder and at a fixed rate) against fastai's frozen epochs on a
learner with fastai's BatchNorm policy (`bn='train'`, what `vision_learner` builds): `learn.freeze()`, then
`fit_one_cycle(5, 2e-3)` (the frozen epochs of `fine_tune`, 5 of them here) and with `lr_find()`'s valley first.

Variants are interleaved; the table gives medians of `--repeats` runs and the validation accuracy after the phase
(mean over the runs).

    .venv/bin/python bench/cache_speed.py [--repeats 5]
    .venv/bin/python bench/cache_speed.py --family real --sizes 128 160 --n 20 --repeats 2
"""
import argparse, statistics, sys, time, warnings
from pathlib import Path
import numpy as np
warnings.filterwarnings('ignore')
from fastai.vision.all import accuracy, set_seed
sys.path.insert(0, str(Path(__file__).parent))
from ftkit.learner.data import digits_dls
from ftkit.learner.models import sample_backbone, transfer_learner
from ftkit.recipe.phases import fit_head

EPOCHS, FASTAI_LR = 5, 2e-3

def digits_learner(size):
    set_seed(0, reproducible=True)
    return transfer_learner(digits_dls(size=size), sample_backbone(), bn='frozen', metrics=accuracy)

def real_learner(size, n, bn):
    from families import real_body, real_dls
    set_seed(0, reproducible=True)
    return transfer_learner(real_dls(n_per_class=n, seed=0, size=size), real_body(), bn=bn, metrics=accuracy)

def ftkit_phase(cache, lr=None):
    def run(learn): fit_head(learn, EPOCHS, lr=lr, finder_kw=dict(seed=0), cache=cache, progress=False, keep_best=False)
    return run

def fastai_phase(finder):
    "fastai's own frozen epochs: freeze, then `fit_one_cycle` on the head (at `lr_find`'s valley, or `fine_tune`'s 2e-3)."
    def run(learn):
        learn.freeze()
        with learn.no_bar(), learn.no_logging():
            lr = learn.lr_find(show_plot=False).valley if finder else FASTAI_LR
            learn.fit_one_cycle(EPOCHS, lr)
    return run

DIGITS = {'ftkit fit_head(5, cache=True)': ftkit_phase(True), 'ftkit fit_head(5), no cache': ftkit_phase(False),
          'fastai lr_find + fit_one_cycle(5, valley)': fastai_phase(True)}
REAL = {'ftkit fit_head(5, cache=True), its finder': ('frozen', ftkit_phase(True)),
        'ftkit fit_head(5, lr=2e-3, cache=True)': ('frozen', ftkit_phase(True, FASTAI_LR)),
        'fastai lr_find + fit_one_cycle(5, valley), bn=train': ('train', fastai_phase(True)),
        'fastai fit_one_cycle(5, 2e-3), bn=train': ('train', fastai_phase(False))}

def timed(variants, repeats):
    "Median seconds and mean accuracy of each of `variants` ({name: (make a learner, run)}), interleaved."
    times, accs = {k: [] for k in variants}, {k: [] for k in variants}
    for _ in range(repeats):
        for name, (make, run) in variants.items():
            learn = make()
            t0 = time.perf_counter(); run(learn); times[name].append(time.perf_counter() - t0)
            with learn.no_bar(), learn.no_logging(): accs[name].append(float(learn.validate()[1]))
    return {k: statistics.median(v) for k, v in times.items()}, {k: float(np.mean(v)) for k, v in accs.items()}, len(learn.dls.train_ds)

def table(title, medians, accs, against):
    "Print a markdown table: each variant's median, its ratio to each variant of `against`, its accuracy."
    print(f'\n{title}\n| variant | median (s) | ' + ' | '.join(f'/ {a}' for a in against) + ' | accuracy |')
    print('|---' * (3 + len(against)) + '|')
    for name, m in medians.items():
        print(f'| {name} | {m:.2f} | ' + ' | '.join(f'{m / medians[a]:.1f}x' for a in against) + f' | {accs[name]:.3f} |', flush=True)

def main(family, repeats, sizes, n):
    if family == 'digits':
        for size in sizes or (8, 64):
            medians, accs, n_train = timed({k: (lambda s=size: digits_learner(s), run) for k, run in DIGITS.items()}, repeats)
            table(f'{size}x{size} pixels, {n_train} training images, {repeats} repeats', medians, accs, ['ftkit fit_head(5, cache=True)'])
    else:
        for size in sizes or (128, 160):
            variants = {k: (lambda s=size, bn=bn: real_learner(s, n, bn), run) for k, (bn, run) in REAL.items()}
            medians, accs, n_train = timed(variants, repeats)
            table(f'real family, {size} px, {n_train} training photos, {repeats} repeats', medians, accs, list(REAL)[:2])

if __name__ == '__main__':
    parser = argparse.ArgumentParser()
    parser.add_argument('--family', choices=['digits', 'real'], default='digits')
    parser.add_argument('--sizes', type=int, nargs='+', default=None)
    parser.add_argument('--n', type=int, default=20, help='photos per class (real family)')
    parser.add_argument('--repeats', type=int, default=5)
    args = parser.parse_args()
    main(args.family, args.repeats, args.sizes, args.n)
