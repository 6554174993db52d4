"""Which recipe holds on the pair ftkit ships: EfficientNet-Lite0 (ImageNet weights from pip) on the shipped clothing photos.

A pair no ftkit default was tuned on (the rate rules and the recipe defaults were chosen on digits, shapes and the
MobileNetV2 real family of bench/families.py). `clothing_dls()` (20 training and 10 validation photos per class, 96 px)
and `transfer_learner(dls, efficientnet_lite0, metrics=accuracy)`, a fresh learner per run, seeded; each recipe trains
2 epochs with the body frozen and 5 with everything (LP-FT: the probe, then 5), like bench/real_recipes.py:

- fastai fine_tune: `learn.fine_tune(5, freeze_epochs=2)`, fastai's default rate;
- two_phase: `two_phase(learn, 2, 5)`, ftkit's defaults;
- LP-FT: `two_phase(learn, 0, 5, head='probe')`.

Scored on the 372 test photos of clothing-dataset-small (FTKIT_REAL, default ../shared/real: `clothing/test/`), centre-
cropped to 96 px as the shipped ones, which none of the recipes sees; the 100 shipped validation photos (which
`keep_best` sees) in brackets. Results: bench/results/shipped_pair.json.

Command: `.venv/bin/python bench/shipped_pair.py --seeds 0 1 2` (about a minute per run on 2 cores), `--report`.
"""
import argparse, json, sys, time, warnings
from pathlib import Path
warnings.filterwarnings('ignore')
import numpy as np, torch
from fastai.vision.all import accuracy, set_seed
sys.path.insert(0, str(Path(__file__).parent))
import real_recipes
from families import real_folder
from make_clothing_sample import square
from ftkit.core.basics import _write_text_atomically
from ftkit.learner.data import clothing_dls
from ftkit.learner.models import efficientnet_lite0, transfer_learner
from ftkit.recipe.two_phase import two_phase

RESULTS = Path(__file__).parent/'results'/'shipped_pair.json'
RECIPES = {'fastai fine_tune': lambda learn: learn.fine_tune(5, freeze_epochs=2),
           'two_phase': lambda learn: two_phase(learn, 2, 5, progress=False),
           'LP-FT': lambda learn: two_phase(learn, 0, 5, head='probe', progress=False)}

class TestPhotos(real_recipes.TestPhotos):
    "The held-out test photos, cropped and normalised as the shipped ones reach the network; `accuracy` as in real_recipes."
    def __init__(self, vocab:list):
        files = [(f, d.name) for d in sorted((real_folder()/'clothing'/'test').iterdir()) for f in sorted(d.glob('*.jpg'))]
        pixels = np.stack([np.asarray(square(f)) for f, _ in files])
        self.x = (torch.from_numpy(pixels).permute(0, 3, 1, 2).float() / 255 - 0.5) / 0.5   # efficientnet_lite0's stats
        self.y = torch.tensor([list(vocab).index(c) for _, c in files])

def run(recipe:str, seed:int, test:TestPhotos)->dict:
    set_seed(seed, reproducible=True)
    learn = transfer_learner(clothing_dls(), efficientnet_lite0, metrics=accuracy)
    start = time.perf_counter()
    with learn.no_bar(), learn.no_logging(): RECIPES[recipe](learn)
    seconds = time.perf_counter() - start
    with learn.no_bar(), learn.no_logging(): valid = float(learn.validate()[1])
    return dict(recipe=recipe, seed=seed, test=test.accuracy(learn.model), valid=valid, seconds=seconds)

def report():
    records = json.loads(RESULTS.read_text())
    print('| recipe | test accuracy, mean ± sd (validation) | seeds | seconds per run |\n|---|---|---|---|')
    for recipe in RECIPES:
        rs = [r for r in records if r['recipe'] == recipe]
        if not rs: continue
        test, valid = [r['test'] for r in rs], [r['valid'] for r in rs]
        print(f"| {recipe} | {np.mean(test):.3f} ± {np.std(test):.3f} ({np.mean(valid):.3f}) | {len(rs)} | "
              f"{np.mean([r['seconds'] for r in rs]):.0f} |")

if __name__ == '__main__':
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--recipes', nargs='+', default=list(RECIPES), choices=list(RECIPES))
    parser.add_argument('--report', action='store_true')
    args = parser.parse_args()
    if not args.report:
        test = TestPhotos(clothing_dls().vocab)
        records = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
        done = {(r['recipe'], r['seed']) for r in records}
        for seed in args.seeds:
            for recipe in args.recipes:
                if (recipe, seed) in done: continue
                records.append(run(recipe, seed, test))
                print(records[-1], flush=True)
                _write_text_atomically(RESULTS, json.dumps(records, indent=1))
    report()
