"""Why `digits_dls` uses num_workers=0: fastai's `lr_find` (100 steps) and a 5-epoch `fit_one_cycle` on the offline
task with in-memory data, num_workers=0 vs fastai's default (defaults.cpus), side by side, interleaved, 5 repeats.
Run: .venv/bin/python bench/workers.py"""
import statistics, tempfile, time, warnings
warnings.filterwarnings('ignore')
from fastai.vision.all import accuracy, defaults, set_seed
from ftkit.learner.data import digits_dls
from ftkit.learner.models import sample_backbone, transfer_learner

def timed(num_workers, job):
    set_seed(0)
    learn = transfer_learner(digits_dls(num_workers=num_workers), sample_backbone(), metrics=accuracy, path=tempfile.mkdtemp())
    start = time.perf_counter()
    with learn.no_bar(), learn.no_logging():
        if job == 'lr_find': learn.lr_find(show_plot=False)
        else: learn.fit_one_cycle(5, 1e-2)
    return time.perf_counter() - start

for job in ['lr_find', 'fit_one_cycle(5)']:
    times = {0: [], defaults.cpus: []}
    for _ in range(5):
        for workers in times: times[workers].append(timed(workers, job))
    med = {w: statistics.median(t) for w, t in times.items()}
    print(f"{job}: median {med[0]:.2f} s with num_workers=0, {med[defaults.cpus]:.2f} s with num_workers={defaults.cpus} "
          f"(fastai's default): {med[defaults.cpus] / med[0]:.1f}x slower")
