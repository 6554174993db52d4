"""The LR sweep in 2 processes (fastai's `distrib_ctx`, gloo, the CPU stand-ins of tests/distributed_run.py) against one process.

Under `distrib_ctx` ftkit's sweep is one sweep over all processes: DDP averages the gradients, the loss is averaged over
the processes, so every process stops at the same step with the same curve. Each step then trains on the global batch
(2 x 32). The alternative, one process sweeping alone and sending its rate to the others, would measure the rate for a
batch of 32, not for the batch the training will use. This measures both against a one-process sweep at bs=64.

Run from the repository root:  .venv/bin/python bench/distributed_sweep.py
"""
import json, os, subprocess, sys, tempfile, time
from pathlib import Path

import numpy as np

SEEDS = range(10)
ROOT = Path(__file__).resolve().parent.parent


def sweep(learn, seed):
    "One `lr_find` with this seed: its recommendation, steps and seconds."
    from ftkit.all import lr_find
    started = time.perf_counter()
    found = lr_find(learn, seed=seed, progress=False)
    return dict(recommended=found.recommended, steps=len(found.losses), seconds=time.perf_counter() - started,
                processes=found.settings['processes'])


def learner(bs):
    from ftkit.all import digits_dls, sample_backbone, transfer_learner
    return transfer_learner(digits_dls(bs=bs, seed=0), sample_backbone())


def distributed_worker(out):
    "One of the 2 processes: the same sweeps under `distrib_ctx` (fastai's default sync_bn=True)."
    sys.path.insert(0, str(ROOT/'tests')); import distributed_run    # noqa: F401  (the CPU stand-ins)
    import torch; torch.manual_seed(0)
    rows = []
    for seed in SEEDS:
        learn = learner(32)
        with learn.distrib_ctx(cpu=True): rows.append(sweep(learn, seed))
    if int(os.environ['RANK']) == 0: Path(out).write_text(json.dumps(rows))


def main():
    import torch
    results = {}
    for bs in (32, 64):
        torch.manual_seed(0)
        results[f'1 process, bs={bs}'] = [sweep(learner(bs), seed) for seed in SEEDS]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)/'rows.json'
        subprocess.run([sys.executable, '-m', 'torch.distributed.run', '--standalone', '--nproc_per_node', '2', __file__, str(out)],
                       check=True, capture_output=True, timeout=1200)
        results['2 processes, bs=32 each'] = json.loads(out.read_text())
    reference = np.array([r['recommended'] for r in results['1 process, bs=64']])
    print(f"{'sweep':<26} {'recommended (median)':>21} {'/ 1 process bs=64 (median, range)':>34} {'steps':>6} {'s/sweep':>8}")
    for name, rows in results.items():
        rec = np.array([r['recommended'] for r in rows])
        ratio = rec / reference
        print(f"{name:<26} {np.median(rec):>21.2e} {np.median(ratio):>12.2f} ({ratio.min():.2f}-{ratio.max():.2f})        "
              f"{np.median([r['steps'] for r in rows]):>6.0f} {np.median([r['seconds'] for r in rows]):>8.2f}")


if __name__ == '__main__':
    if 'RANK' in os.environ: distributed_worker(sys.argv[1])
    else: main()
