"""How should the sample backbone be pretrained? Each recipe is scored on the target digits with 20 labels per class:
a linear probe on the frozen body's pooled features, and fine-tuning everything for 15 epochs. Mean over
3 pretraining seeds x 3 target seeds. Run: .venv/bin/python bench/pretraining.py  (about 4 minutes on 2 cores)"""
import copy, warnings
warnings.filterwarnings('ignore')
import numpy as np
from fastai.vision.all import LabelSmoothingCrossEntropyFlat, accuracy, set_seed
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from ftkit.learner.data import digits_dls
from ftkit.learner.models import RandomShift, _pooled_features, sample_body, transfer_learner

def probe(body, dls):
    clf = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    clf.fit(*_pooled_features(body, dls.train.new(shuffle=False, drop_last=False)))
    return clf.score(*_pooled_features(body, dls.valid))

def finetune(state, seed):
    set_seed(seed, reproducible=True)
    body = sample_body()
    if state is not None: body.load_state_dict(state)
    learn = transfer_learner(digits_dls(n_per_class=20, seed=seed), body, pretrained=False, metrics=accuracy)
    with learn.no_bar(), learn.no_logging():
        learn.fit_one_cycle(15, 3e-3)
        return float(learn.validate()[1])

def pretrain(seed, epochs, shift, smooth):
    set_seed(seed, reproducible=True)
    dls = digits_dls('source', seed=seed, after_batch=[RandomShift()] if shift else None)
    learn = transfer_learner(dls, sample_body(), pretrained=False,
                             loss_func=LabelSmoothingCrossEntropyFlat() if smooth else None)
    with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(epochs, 3e-3)
    return copy.deepcopy(learn.model[0].state_dict())

recipes = {'random init': None, 'plain, 10 epochs': (10, False, False), 'shifts, 10 epochs (shipped)': (10, True, False),
           'shifts + label smoothing, 10': (10, True, True), 'shifts + label smoothing, 20': (20, True, True),
           'shifts + label smoothing, 5': (5, True, True)}
few_shot = [digits_dls(n_per_class=20, seed=s) for s in range(3)]
print('| pretraining | probe (per pretraining seed) | mean | fine-tuned (per pretraining seed) | mean |\n|---|---|---|---|---|')
for name, args in recipes.items():
    probes, tuned = [], []
    for pretrain_seed in range(3):
        if args is None: set_seed(pretrain_seed); state = sample_body().state_dict()
        else: state = pretrain(pretrain_seed, *args)
        body = sample_body(); body.load_state_dict(state)
        probes.append(np.mean([probe(body, d) for d in few_shot]))
        tuned.append(np.mean([finetune(state, s) for s in range(3)]))
    print(f"| {name} | {', '.join(f'{p:.3f}' for p in probes)} | {np.mean(probes):.3f} "
          f"| {', '.join(f'{t:.3f}' for t in tuned)} | {np.mean(tuned):.3f} |", flush=True)
