"""Phase 1 on cached bottleneck features against the same phase without the cache and against fastai.

Each variant runs the LR finder and then 5 epochs of one-cycle on the head of a fresh learner (body frozen,
`bn='frozen'`), on the offline task at 8x8 pixels and upsampled to 64x64. Variants are interleaved; the table gives
medians of `--repeats` runs and the accuracy after the phase (mean over the runs, which differ only in timing).

    .venv/bin/python bench/cache_speed.py [--repeats 5]
"""
import argparse, statistics, time, warnings
import numpy as np
warnings.filterwarnings('ignore')
from fastai.vision.all import accuracy, set_seed
from ftkit.data import digits_dls
from ftkit.models import sample_backbone, transfer_learner
from ftkit.recipe import fit_head

def learner(size):
    set_seed(0, reproducible=True)
    return transfer_learner(digits_dls(size=size), sample_backbone(), bn='frozen', metrics=accuracy)

def ftkit_phase(cache):
    def run(learn):
        fit_head(learn, 5, finder_kw=dict(seed=0), cache=cache, progress=False)
    return run

def fastai_phase(learn):
    "fastai's own: lr_find (valley) on the frozen learner, then fit_one_cycle on the head."
    learn.freeze()
    with learn.no_bar(), learn.no_logging():
        valley = learn.lr_find(show_plot=False).valley
        learn.fit_one_cycle(5, valley)

VARIANTS = {'ftkit fit_head, cache=True': ftkit_phase(True), 'ftkit fit_head, no cache': ftkit_phase(False),
            'fastai lr_find + fit_one_cycle': fastai_phase}

def main(repeats):
    for size in (8, 64):
        times, accs = {k: [] for k in VARIANTS}, {k: [] for k in VARIANTS}
        for _ in range(repeats):
            for name, run in VARIANTS.items():
                learn = learner(size)
                t0 = time.perf_counter(); run(learn); times[name].append(time.perf_counter() - t0)
                with learn.no_bar(), learn.no_logging(): accs[name].append(float(learn.validate()[1]))
        cached = statistics.median(times['ftkit fit_head, cache=True'])
        print(f'\n{size}x{size} pixels, {len(learn.dls.train_ds)} training images, {repeats} repeats')
        print('| variant | median (s) | variant / cached | accuracy |\n|---|---|---|---|')
        for name in VARIANTS:
            m = statistics.median(times[name])
            print(f'| {name} | {m:.3f} | {m / cached:.1f}x | {np.mean(accs[name]):.3f} |')

if __name__ == '__main__':
    parser = argparse.ArgumentParser(); parser.add_argument('--repeats', type=int, default=5)
    main(parser.parse_args().repeats)
