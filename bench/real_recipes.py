"""Which recipe holds on a real ImageNet network and real photos? The real family of bench/families.py: the ImageNet
MobileNetV2 of FTKIT_REAL (default ../shared/real) on the clothing photos (10 classes), `--size` px, few-shot sizes.

Every run builds fresh loaders and a fresh learner from its seed (so equal seeds give equal runs) with the same epoch
budget, 2 epochs with the body frozen and 5 with everything trained (LP-FT: 0 + 5), and scores the 341 validation photos
(what the recipe could see) and the 372 test photos (never used to choose anything). Recipes:

- fastai fine_tune: `learn.fine_tune(5, base_lr=2e-3, freeze_epochs=2)`, fastai's defaults, on `transfer_learner`'s learner
  (fastai's head, BatchNorm `bn='train'`);
- fastai fine_tune at valley: the same at the LR finder's `valley` (the curve of fastai's `lr_find`, here ftkit's);
- two_phase: `two_phase(learn, 2, 5)`, ftkit's defaults (the finder's recommendation, the body rule, `keep_best=True`);
- two_phase, bn='frozen': the same on a `bn='frozen'` learner with phase 1 on the cached body (`head_kw=dict(cache=True)`);
- two_phase, bn='eval': the same on a `bn='eval'` learner (the body's BatchNorm on its running statistics in both phases);
- two_phase, search: `two_phase(learn, 2, 5, head_lr='search')` on the default `bn='train'` learner (the search approximates);
- LP-FT: `two_phase(learn, 0, 5, head='probe')`; 'LP-FT: the probe alone' is its learner after the probe, before phase 2.
  Since 2026-12-01 `fit_probe` keeps the body's BatchNorm on its running statistics for phase 2 (`bn='eval'`);
- two diagnoses of why LP-FT's phase 2 spoiled the probe before that: 'LP-FT, batch statistics (before)' is LP-FT with
  the body's BatchNorm back on batch statistics in phase 2 (as `bn='train'` had it), and 'LP-FT, batch statistics,
  rate / 10 (before)' the same at a tenth of the rate `fit_body` chooses.

For the two_phase recipes the test accuracy of every epoch is recorded too, so one run also says what the learner would
hold without `keep_best` (its last epoch). Results go to bench/results/real_recipes.json (one record per run, appended
and rewritten atomically after each), and `--report` prints the tables.

Run:  .venv/bin/python bench/real_recipes.py --sizes 5 20 --seeds 0 1 2     (about 8 minutes per seed at 20 per class, 96 px)
      .venv/bin/python bench/real_recipes.py --report"""
import argparse, json, sys, time, warnings
from pathlib import Path
warnings.filterwarnings('ignore')
import numpy as np, torch
from fastai.vision.all import Callback, set_seed
sys.path.insert(0, str(Path(__file__).parent))
from fastai.vision.all import accuracy
from families import real_body, real_dls, real_files, real_photo
from ftkit.core.basics import _modes_kept, _write_text_atomically
from ftkit.finder.lr_find import lr_find
from ftkit.learner.models import RunningStatsBatchNorm, transfer_learner
from ftkit.learner.groups import unfreeze
from ftkit.recipe.report import FineTuneReport
from ftkit.recipe.phases import _body_rate_rule, fit_body, fit_probe
from ftkit.recipe.two_phase import two_phase

RESULTS = Path(__file__).parent/'results'/'real_recipes.json'
HEAD_EPOCHS, BODY_EPOCHS = 2, 5

class TestPhotos:
    "The test photos at `size`, normalised as the network wants, and the accuracy of a model on them."
    def __init__(self, size:int, vocab:list):
        files = real_files('test')
        self.x = (torch.stack([real_photo(f, size) for f, _ in files]).float() / 255 - 0.5) / 0.5
        self.y = torch.tensor([list(vocab).index(c) for _, c in files])
    @torch.no_grad()
    def accuracy(self, model)->float:
        with _modes_kept(model):
            model.eval()
            preds = torch.cat([model(xb).argmax(1) for xb in self.x.split(64)])
        return float((preds == self.y).float().mean())

class TestEveryEpoch(Callback):
    "Record the test accuracy after every epoch (not used by the training, only reported)."
    order = 62                                          # after ftkit's KeepBest has looked at the epoch
    def __init__(self, test:TestPhotos, model): self.test, self.whole, self.accuracies = test, model, []
    def after_epoch(self): self.accuracies.append(self.test.accuracy(self.whole))   # the whole model, also while phase 1 is cached

def _validation_accuracy(learn)->float:
    with learn.no_bar(), learn.no_logging(): return float(learn.validate()[1])

def run(recipe:str, n:int, seed:int, size:int)->dict:
    "One run of `recipe`: validation and test accuracy, the seconds it took, per-epoch test accuracies where recorded."
    bn = 'frozen' if recipe == "two_phase, bn='frozen'" else 'eval' if recipe == "two_phase, bn='eval'" else 'train'
    learn = real_learner(n, seed, bn, size)
    test = TestPhotos(size, learn.dls.vocab)
    tracker = TestEveryEpoch(test, learn.model)
    record = dict(recipe=recipe, n_per_class=n, seed=seed, size=size)
    set_seed(seed + 300, reproducible=True)
    started = time.perf_counter()
    with learn.no_bar(), learn.no_logging():
        if recipe.startswith('fastai fine_tune'):
            base_lr = 2e-3
            if recipe.endswith('valley'):
                base_lr = lr_find(learn, seed=seed, progress=False).suggestions['valley']
                record['base_lr'] = base_lr
            learn.fine_tune(BODY_EPOCHS, base_lr=base_lr, freeze_epochs=HEAD_EPOCHS, cbs=[tracker])
        elif recipe.startswith('LP-FT'):              # what two_phase(learn, 0, 5, head='probe') runs, the probe scored between
            probe = fit_probe(learn, seed=seed, progress=False)
            record.update(probe_valid=_validation_accuracy(learn), probe_test=test.accuracy(learn.model))
            if 'batch statistics' in recipe: learn.remove_cbs([cb for cb in learn.cbs if isinstance(cb, RunningStatsBatchNorm)])
            cbs = [tracker]
            if recipe.endswith('rate / 10'):                # the rate fit_body would choose, found as it finds it, then / 10
                unfreeze(learn)
                hi = _body_rate_rule(None, lr_find(learn, ratios=slice(0.1, 1), seed=seed, progress=False))[0]
                body = fit_body(learn, BODY_EPOCHS, lr=slice(hi / 100, hi / 10), progress=False, cbs=cbs)
            else: body = fit_body(learn, BODY_EPOCHS, finder_kw=dict(seed=seed), progress=False, cbs=cbs)
            report = FineTuneReport([probe, body])
        else:
            kw = dict(head_lr='search') if recipe == 'two_phase, search' else dict(head_kw=dict(cache=True)) if bn != 'train' else {}
            report = two_phase(learn, HEAD_EPOCHS, BODY_EPOCHS, finder_kw=dict(seed=seed), progress=False, cbs=[tracker], **kw)
    record.update(seconds=round(time.perf_counter() - started, 1), valid=_validation_accuracy(learn), test=test.accuracy(learn.model),
                  epoch_tests=tracker.accuracies)
    if not recipe.startswith('fastai'):
        record.update(kept=[p.kept_epoch for p in report.phases], rates=[p.rates for p in report.phases],
                      rules=[p.rule for p in report.phases], epoch_valids=[p.history['epochs'].get('accuracy') for p in report.phases])
    return record

def real_learner(n, seed, bn, size):
    "A fresh learner of the real family at `size` px: loaders and head from `seed`."
    set_seed(seed, reproducible=True)
    return transfer_learner(real_dls(n_per_class=n, seed=seed, size=size), real_body(), bn=bn, metrics=accuracy)

RECIPES = ['fastai fine_tune', 'fastai fine_tune at valley', 'two_phase', "two_phase, bn='frozen'", "two_phase, bn='eval'",
           'two_phase, search', 'LP-FT', 'LP-FT, batch statistics (before)', 'LP-FT, batch statistics, rate / 10 (before)']
# Phase 2 rules tried on 2026-12-01 after the regret benchmark's re-run (bench/lr_find_regret.py), and not kept: `fit_body` at
# phase 1's own rate, and LP-FT's phase 2 at the second finder's `minimum`. Their runs are kept and reported; not re-runnable.
TRIED = ["two_phase, bn='frozen', phase 2 at phase 1's rate (tried)", "LP-FT, phase 2 at the second finder's minimum (tried)"]

def main(sizes, seeds, size, recipes):
    records = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
    done = {(r['recipe'], r['n_per_class'], r['seed'], r['size']) for r in records}
    for n in sizes:
        for seed in seeds:
            for recipe in recipes:
                if (recipe, n, seed, size) in done: continue
                record = run(recipe, n, seed, size)
                records.append(record)
                RESULTS.parent.mkdir(exist_ok=True)
                _write_text_atomically(RESULTS, json.dumps(records, indent=1))
                extra = f" (probe alone: valid {record['probe_valid']:.3f}, test {record['probe_test']:.3f})" if 'probe_test' in record else ''
                print(f"n={n} seed={seed} {size}px {recipe}: valid {record['valid']:.3f}, test {record['test']:.3f}{extra}, "
                      f"kept {record.get('kept')}, {record['seconds']:.0f} s", flush=True)

def report():
    records = json.loads(RESULTS.read_text())
    for size in sorted({r['size'] for r in records}):
        rows = [r for r in records if r['size'] == size]
        sizes = sorted({r['n_per_class'] for r in rows})
        print(f'\n{size} px: test accuracy, mean ± sd over seeds (validation accuracy in brackets), seconds per run\n')
        print('| recipe | ' + ' | '.join(f'{n} per class' for n in sizes) + ' |\n|---' * 1 + '|---' * len(sizes) + '|')
        cell = lambda rs, key, vkey: (f"{np.mean([r[key] for r in rs]):.3f} ± {np.std([r[key] for r in rs]):.3f} "
                                      f"({np.mean([r[vkey] for r in rs]):.3f}; {len(rs)} seeds, {np.mean([r['seconds'] for r in rs]):.0f} s)") if rs else ''
        for recipe in RECIPES + TRIED:
            print(f'| {recipe} | ' + ' | '.join(cell([r for r in rows if r['recipe'] == recipe and r['n_per_class'] == n], 'test', 'valid') for n in sizes) + ' |')
            if recipe.startswith('LP-FT') and 'batch' not in recipe:
                print(f'| {recipe}: the probe alone | ' + ' | '.join(cell([dict(r, test=r['probe_test'], valid=r['probe_valid']) for r in rows
                                                                  if r['recipe'] == recipe and r['n_per_class'] == n], 'test', 'valid') for n in sizes) + ' |')
        print('\nkeep_best: test accuracy of what the learner holds against its last epoch (two_phase recipes, mean over seeds)\n')
        print('| recipe | ' + ' | '.join(f'{n} per class' for n in sizes) + ' |\n|---' + '|---' * len(sizes) + '|')
        for recipe in RECIPES[2:] + TRIED:
            cells = []
            for n in sizes:
                rs = [r for r in rows if r['recipe'] == recipe and r['n_per_class'] == n]
                if not rs: cells.append(''); continue
                kept, last = np.mean([r['test'] for r in rs]), np.mean([r['epoch_tests'][-1] for r in rs])
                starts = sum(r['kept'][-1] == 0 for r in rs)
                cells.append(f'{kept:.3f} against {last:.3f} (phase 2 kept its start in {starts} of {len(rs)})')
            print(f'| {recipe} | ' + ' | '.join(cells) + ' |')

if __name__ == '__main__':
    parser = argparse.ArgumentParser()
    parser.add_argument('--sizes', type=int, nargs='+', default=[5, 20])
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--size', type=int, default=96, help='photo size in px (96-160)')
    parser.add_argument('--recipes', nargs='+', default=RECIPES)
    parser.add_argument('--report', action='store_true')
    args = parser.parse_args()
    if args.report: report()
    else: main(args.sizes, args.seeds, args.size, args.recipes)
