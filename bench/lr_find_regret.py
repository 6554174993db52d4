"""How good is each LR-finder suggestion? Regret benchmark on the offline task.

For each setting (20 and 100 labels per class; body frozen (head only) or fully unfrozen; seeds 0-2) train
`fit_one_cycle(5, lr)` from the same start at 10 rates from 1e-5 to 3e-1 to find the best validation accuracy, run
ftkit's `lr_find` (the same sweep and suggestions as fastai's), then train at each rule's suggestion. Regret = best
grid accuracy - accuracy at the suggestion, in points. Run: .venv/bin/python bench/lr_find_regret.py (about 3 minutes)"""
import warnings
warnings.filterwarnings('ignore')
import numpy as np
from fastai.vision.all import accuracy, set_seed
from ftkit.data import digits_dls
from ftkit.finder import lr_find
from ftkit.models import sample_backbone, transfer_learner

def make(n_per_class, frozen, seed):
    set_seed(seed, reproducible=True)
    learn = transfer_learner(digits_dls(n_per_class=n_per_class, seed=seed), sample_backbone(), metrics=accuracy)
    if not frozen: learn.unfreeze()
    return learn

def accuracy_at(n_per_class, frozen, seed, lr, epochs=5):
    learn = make(n_per_class, frozen, seed)
    set_seed(seed + 100)
    with learn.no_bar(), learn.no_logging():
        learn.fit_one_cycle(epochs, float(lr))
        return float(learn.validate()[1])

grid = np.logspace(-5, np.log10(3e-1), 10)
regrets = {}
for n_per_class in [20, 100]:
    for frozen in [True, False]:
        for seed in range(3):
            found = lr_find(make(n_per_class, frozen, seed), seed=seed + 100, progress=False)
            best = max(accuracy_at(n_per_class, frozen, seed, lr) for lr in grid)
            rules = {**found.suggestions, 'ftkit recommended': found.recommended}
            for rule, lr in rules.items():
                regret = 100 * (best - accuracy_at(n_per_class, frozen, seed, lr)) if lr is not None else np.nan
                regrets.setdefault(rule, []).append((frozen, regret))
            print(f"n_per_class={n_per_class} {'frozen' if frozen else 'unfrozen'} seed={seed}: best {best:.3f}; "
                  + ', '.join(f'{k} {v:.1e}' for k, v in rules.items() if v is not None), flush=True)
print('\n| rule | all | body frozen | unfrozen |\n|---|---|---|---|')
for rule, rows in regrets.items():
    mean = lambda keep: np.nanmean([r for f, r in rows if keep(f)])
    print(f'| {rule} | {mean(lambda f: True):.1f} | {mean(lambda f: f):.1f} | {mean(lambda f: not f):.1f} |')
