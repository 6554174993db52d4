"""ftkit `lr_find` against fastai's own `Learner.lr_find` on the learners of `tests/test_learners.py` (text, language
model, plain PyTorch loaders, vision_learner, and the callbacks that shape a training step): same seed and batch
order, one sweep each. Prints the steps of each, the largest relative gap of the smoothed losses over the common steps,
each fastai suggestion's ratio (ftkit / fastai), and whether the learner's state came back bit for bit.
Run: .venv/bin/python bench/lr_find_agreement.py"""
import importlib.util, warnings
from pathlib import Path
warnings.filterwarnings('ignore')
import numpy as np
from ftkit.finder.snapshot import _learner_state, _state_differences
from ftkit.finder.lr_find import lr_find

spec = importlib.util.spec_from_file_location('test_learners', Path(__file__).parent.parent/'tests'/'test_learners.py')
tests = importlib.util.module_from_spec(spec); spec.loader.exec_module(tests)

print('| learner | steps (ftkit/fastai) | largest relative gap | valley | steep | minimum | slide | state restored |')
print('|---|---|---|---|---|---|---|---|')
for name, make in tests.LEARNERS.items():
    theirs, suggestions = tests.fastai_curve(make, 1)
    learn = make(None)
    before = _learner_state(learn)
    ours = lr_find(learn, seed=1, progress=False)
    restored = _state_differences(before, _learner_state(learn)) == []
    n = min(len(theirs), len(ours.smoothed))
    gap = float(np.max(np.abs(ours.smoothed[:n] - theirs[:n]) / np.abs(theirs[:n])))
    ratios = ' | '.join(f"{ours.suggestions[k] / suggestions[k]:.3f}" for k in ('valley', 'steep', 'minimum', 'slide'))
    print(f'| {name} | {len(ours.smoothed)}/{len(theirs)} | {gap:.1e} | {ratios} | {restored} |', flush=True)
