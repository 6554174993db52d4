"""What a training step costs, in forward passes, for `ftkit finetune`'s CPU forecast (`_STEP_COST` in `10_cli`); and
the forecast against the run it forecasts.

The set-up of `ftkit finetune`: `--per-class` photos of each of 4 classes copied from the real family's training photos
(FTKIT_REAL, default ../shared/real) into a temporary folder, `folder_dls` (20% held out), torchvision's resnet18 with
random weights, `transfer_learner`'s default BatchNorm policy. For each size: `_time_one_batch` (one validation batch's
loading and forward pass), then one epoch of each phase at a fixed rate with a callback timing the training batches
alone; a step's cost is (seconds per training batch - loading) / forward pass. Then `_expected_seconds(learn, 3, 6)` and
the `two_phase(learn, 3, 6)` it forecasts, on a fresh learner.

    .venv/bin/python bench/forecast_cost.py --sizes 64 128
"""
import argparse, shutil, sys, tempfile, time, warnings
from pathlib import Path
warnings.filterwarnings('ignore')
import torchvision
from fastai.vision.all import Callback, accuracy, set_seed
sys.path.insert(0, str(Path(__file__).parent))
from families import real_files
from ftkit.cli import _STEP_COST, _expected_seconds, _time_one_batch
from ftkit.learner.data import folder_dls
from ftkit.learner.groups import unfreeze
from ftkit.learner.models import transfer_learner
from ftkit.recipe.two_phase import two_phase

CLASSES = ('dress', 'pants', 'shoes', 't-shirt')

class TrainTimer(Callback):
    "Seconds per training batch (loading included) of the last epoch."
    order = 99
    def before_train(self): self.started = time.perf_counter()
    def after_train(self): self.per_batch = (time.perf_counter() - self.started) / self.n_iter

def photo_folder(root:Path, per_class:int)->Path:
    "`per_class` training photos of each of CLASSES, copied into `root`/<class>/."
    for c in CLASSES:
        (root/c).mkdir(parents=True, exist_ok=True)
        for f in [f for f, k in real_files('train') if k == c][:per_class]: shutil.copy(f, root/c/f.name)
    return root

def learner(path, size):
    set_seed(0, reproducible=True)
    return transfer_learner(folder_dls(path, size=size, seed=0), torchvision.models.resnet18, pretrained=False, metrics=accuracy)

def step_costs(path, size)->dict:
    "Each part's cost (seconds per training step - loading) / forward pass, on one learner."
    learn = learner(path, size)
    load, forward = _time_one_batch(learn)
    timer, costs = TrainTimer(), {}
    for part in ('frozen', 'unfrozen'):
        if part == 'unfrozen': unfreeze(learn)
        with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(1, 1e-3, cbs=timer)
        costs[part] = (timer.per_batch - load) / forward
    return dict(load=load, forward=forward, **costs)

def main(sizes, per_class):
    with tempfile.TemporaryDirectory() as tmp:
        path = photo_folder(Path(tmp), per_class)
        print(f'{per_class} photos of each of {len(CLASSES)} classes; STEP_COST now {_STEP_COST}')
        print('| size | load (s) | forward (s) | frozen step / forward | unfrozen step / forward | forecast (s) | two_phase(3, 6) took (s) |')
        print('|---|---|---|---|---|---|---|')
        for size in sizes:
            costs = step_costs(path, size)
            learn = learner(path, size)
            forecast = _expected_seconds(learn, 3, 6)['total']
            started = time.perf_counter(); two_phase(learn, 3, 6, finder_kw=dict(seed=0), progress=False)
            took = time.perf_counter() - started
            print(f"| {size} | {costs['load']:.3f} | {costs['forward']:.3f} | {costs['frozen']:.2f} | {costs['unfrozen']:.2f} | "
                  f"{forecast:.0f} | {took:.0f} |", flush=True)

if __name__ == '__main__':
    parser = argparse.ArgumentParser()
    parser.add_argument('--sizes', type=int, nargs='+', default=[64, 128])
    parser.add_argument('--per-class', type=int, default=24)
    args = parser.parse_args()
    main(args.sizes, args.per_class)
