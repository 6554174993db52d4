"""LR range test speed: ftkit `lr_find` vs fastai `Learner.lr_find` (fastai's default loader workers, and num_workers=0)
vs a hand-written PyTorch loop doing the same 100 steps (same model, optimizer, loss and batches, no bookkeeping).
Offline task (digits 5-9, all 717 training images, bs=32: 22 batches per pass), pretrained `sample_backbone`, body
frozen; end_lr=1 with the divergence stop off so that every variant runs exactly 100 steps. Variants are interleaved,
15 repeats, medians. Run: .venv/bin/python bench/lr_find_speed.py"""
import statistics, tempfile, time, warnings
warnings.filterwarnings('ignore')
import torch
from fastai.vision.all import accuracy, defaults, set_seed
from ftkit.data import digits_dls
from ftkit.finder import lr_find, lr_schedule
from ftkit.models import sample_backbone, transfer_learner

STEPS = 100

def make(num_workers=0):
    set_seed(0)
    return transfer_learner(digits_dls(num_workers=num_workers), sample_backbone(), metrics=accuracy, path=tempfile.mkdtemp())

def plain_loop(learn):
    "The same steps, written by hand: set the rate, forward, loss, backward, step, zero_grad."
    opt, model, dl = learn.opt, learn.model, learn.dls.train
    model.train()
    rates, it = lr_schedule(1e-7, 1, STEPS), iter(dl)
    for lr in rates:
        try: xb, yb = next(it)
        except StopIteration: it = iter(dl); xb, yb = next(it)
        opt.set_hyper('lr', float(lr))
        loss = learn.loss_func(model(xb), yb)
        loss.backward(); opt.step(); opt.zero_grad()
        float(loss)

def fastai_find(learn):
    with learn.no_bar(): learn.lr_find(end_lr=1, num_it=STEPS, stop_div=False, show_plot=False)

variants = {
    'ftkit lr_find (num_workers=0)': (0, lambda l: lr_find(l, end_lr=1, num_it=STEPS, stop_div=None, progress=False)),
    'fastai lr_find (num_workers=0)': (0, fastai_find),
    f'fastai lr_find (fastai default, num_workers={defaults.cpus})': (defaults.cpus, fastai_find),
    'plain PyTorch loop (num_workers=0)': (0, plain_loop),
}
times = {name: [] for name in variants}
for repeat in range(15):
    for name, (workers, run) in variants.items():
        learn = make(workers)
        start = time.perf_counter(); run(learn); times[name].append(time.perf_counter() - start)
med = {name: statistics.median(t) for name, t in times.items()}
ftkit = med['ftkit lr_find (num_workers=0)']
print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; {STEPS} steps; median of 15\n")
print('| variant | median (s) | ftkit / variant |\n|---|---|---|')
for name, m in med.items(): print(f'| {name} | {m:.3f} | {ftkit / m:.2f}x |')
