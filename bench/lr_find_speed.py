"""LR range test speed and memory: ftkit `lr_find` vs fastai `Learner.lr_find`, side by side in one run.

Settings (variants interleaved, medians):
- digits: the offline task (717 training images, bs=32), pretrained `sample_backbone`, body frozen, 100 steps; also
  fastai with its default loader workers and a hand-written PyTorch loop doing the same steps;
- resnet18 64px: fastai's `vision_learner(resnet18, pretrained=False)` on 256 generated 3x64x64 images (10 classes,
  bs=16), body frozen as vision_learner leaves it, 40 steps; without and with `to_fp16()` (on a CPU fastai's
  MixedPrecision turns autocast and the gradient scaler off, so this measures the callback's presence, not fp16).
Every variant runs all its steps (divergence stop off). Also prints the snapshot's memory per parameter.
Run: .venv/bin/python bench/lr_find_speed.py [--repeats 15] [--only fp16]"""
import argparse, statistics, tempfile, time, warnings
warnings.filterwarnings('ignore')
import torch
from fastai.vision.all import CrossEntropyLossFlat, DataLoader, DataLoaders, accuracy, defaults, resnet18, set_seed, vision_learner
from ftkit.learner.data import digits_dls
from ftkit.finder.sweep import lr_schedule
from ftkit.finder.snapshot import LearnerSnapshot
from ftkit.finder.lr_find import lr_find
from ftkit.learner.models import sample_backbone, transfer_learner

def digits_learner(num_workers=0):
    set_seed(0)
    return transfer_learner(digits_dls(num_workers=num_workers), sample_backbone(), metrics=accuracy, path=tempfile.mkdtemp())

def generated_images(n, seed):
    "n random 3x64x64 images whose class (of 10) shifts their mean, so that there is something to learn."
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, 10, (n,), generator=g)
    return list(zip(torch.randn(n, 3, 64, 64, generator=g) + y[:, None, None, None] / 10, y))

def resnet_learner(fp16=False):
    set_seed(0)
    dls = DataLoaders(DataLoader(generated_images(256, 0), bs=16, shuffle=True, drop_last=True),
                      DataLoader(generated_images(64, 1), bs=16))
    learn = vision_learner(dls, resnet18, pretrained=False, n_out=10, loss_func=CrossEntropyLossFlat(), metrics=accuracy,
                           path=tempfile.mkdtemp())
    return learn.to_fp16() if fp16 else learn

def plain_loop(learn, steps):
    "The same steps, written by hand: set the rate, forward, loss, backward, step, zero_grad."
    opt, model, dl = learn.opt, learn.model, learn.dls.train
    model.train()
    it = iter(dl)
    for lr in lr_schedule(1e-7, 1, steps):
        try: xb, yb = next(it)
        except StopIteration: it = iter(dl); xb, yb = next(it)
        opt.set_hyper('lr', float(lr))
        loss = learn.loss_func(model(xb), yb)
        loss.backward(); opt.step(); opt.zero_grad()
        float(loss)

def ftkit_find(learn, steps): lr_find(learn, end_lr=1, num_it=steps, stop_div=None, progress=False)
def fastai_find(learn, steps):
    with learn.no_bar(): learn.lr_find(end_lr=1, num_it=steps, stop_div=False, show_plot=False)

SETTINGS = {
    'digits (100 steps)': (100, {
        'ftkit lr_find': lambda: digits_learner(0), 'fastai lr_find': lambda: digits_learner(0),
        f'fastai lr_find, fastai default num_workers={defaults.cpus}': lambda: digits_learner(defaults.cpus),
        'plain PyTorch loop': lambda: digits_learner(0)}),
    'resnet18 64px (40 steps)': (40, {'ftkit lr_find': resnet_learner, 'fastai lr_find': resnet_learner}),
    'resnet18 64px + to_fp16() (40 steps)': (40, {'ftkit lr_find': lambda: resnet_learner(True),
                                                 'fastai lr_find': lambda: resnet_learner(True)}),
}

def run_of(name): return ftkit_find if name.startswith('ftkit') else plain_loop if name.startswith('plain') else fastai_find

def snapshot_bytes_per_parameter(learn)->float:
    "Bytes the in-memory snapshot holds per model parameter, after one epoch (gradients and Adam's state exist)."
    with learn.no_bar(), learn.no_logging(): learn.fit(1, 1e-3)
    snap = LearnerSnapshot(learn)
    tensors = [*snap.weights.values(), *(g for g in snap.grads if g is not None)]
    tensors += [v for state in snap.opt_attrs['state'].values() for v in state.values() if torch.is_tensor(v)]
    return sum(t.numel() * t.element_size() for t in tensors) / sum(p.numel() for p in learn.model.parameters())

if __name__ == '__main__':
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--repeats', type=int, default=15)
    parser.add_argument('--only', default='', help='run only the settings whose name contains this text')
    args = parser.parse_args()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; median of {args.repeats}\n")
    print('| setting | variant | median (s) | ftkit / variant |\n|---|---|---|---|')
    for setting, (steps, variants) in SETTINGS.items():
        if args.only not in setting: continue
        times = {name: [] for name in variants}
        for _ in range(args.repeats):
            for name, make in variants.items():
                learn = make()
                start = time.perf_counter(); run_of(name)(learn, steps); times[name].append(time.perf_counter() - start)
        med = {name: statistics.median(t) for name, t in times.items()}
        for name, m in med.items(): print(f"| {setting} | {name} | {m:.3f} | {med['ftkit lr_find'] / m:.2f}x |", flush=True)
    print('\n| learner | parameters | snapshot bytes per parameter |\n|---|---|---|')
    for name, make in [('digits transfer_learner (Adam)', digits_learner), ('vision_learner resnet18 (Adam)', resnet_learner)]:
        learn = make()
        print(f'| {name} | {sum(p.numel() for p in learn.model.parameters()):,} | {snapshot_bytes_per_parameter(learn):.1f} |')
