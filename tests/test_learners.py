"""lr_find and the recipe on the learners fastai users build. fastai's own `Learner.lr_find` is the reference: ftkit's
sweep must train exactly as `fit` does, callbacks included, and leave the learner exactly as it was."""
import tempfile, warnings

import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader as TorchDataLoader, TensorDataset
from sklearn.datasets import load_digits
from fastai.vision.all import BnFreeze, DataLoader as FastaiDataLoader, MSELossFlat
from fastai.vision.all import (Callback, CSVLogger, CutMix, DataLoaders, EarlyStoppingCallback,
                               GradientAccumulation, GradientClip, Learner, MixUp, SaveModelCallback, ShowGraphCallback,
                               CrossEntropyLossFlat, accuracy, minimum, resnet18, slide, steep, valley, vision_learner)
from fastai.callback.channelslast import ChannelsLast
from fastai.text.all import (AWD_LSTM, TextDataLoaders, awd_lstm_clas_config, awd_lstm_lm_config, language_model_learner,
                             text_classifier_learner)
from fastai.tabular.all import Categorify, TabularDataLoaders, tabular_learner
from ftkit.all import *
from ftkit.finder.snapshot import _learner_state, _state_differences


# --- learners, each built fresh by `make(path)` -------------------------------------------------------------------

def digits_learner(path=None, cbs=None, unfrozen=True):
    "ftkit's transfer learner on the offline task, unfrozen so that every callback has weights to act on."
    torch.manual_seed(0)                                       # the new head's initial weights
    learn = transfer_learner(digits_dls(n_per_class=20, seed=0), sample_backbone(), metrics=accuracy, cbs=cbs,
                             path=path or '.')
    return unfreeze(learn) if unfrozen else learn

def _sentence(rng, label):
    filler = ['the', 'a', 'film', 'movie', 'was', 'is', 'very', 'quite']
    mood = ['good', 'great', 'fine'] if label else ['bad', 'awful', 'poor']
    return ' '.join(rng.choice(filler, 6).tolist() + [rng.choice(mood)] + rng.choice(filler, 4).tolist())

def reviews(n=160):
    "A tiny offline sentiment task: the label is given away by one word in each sentence."
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, n)
    return pd.DataFrame(dict(text=[_sentence(rng, l) for l in labels], label=np.where(labels, 'pos', 'neg'),
                             is_valid=np.arange(n) >= n * 4 // 5))

def text_classifier(path=None):
    "ULMFiT's classifier (AWD_LSTM, RNN callbacks), small and random-initialised: 4 layer groups."
    torch.manual_seed(0)
    dls = TextDataLoaders.from_df(reviews(), text_col='text', label_col='label', valid_col='is_valid', bs=16, seq_len=16)
    config = dict(awd_lstm_clas_config, emb_sz=16, n_hid=32, n_layers=2)
    return text_classifier_learner(dls, AWD_LSTM, pretrained=False, config=config, metrics=accuracy, path=path or '.')

def language_model(path=None):
    "ULMFiT's language model (AWD_LSTM), small and random-initialised."
    torch.manual_seed(0)
    dls = TextDataLoaders.from_df(reviews(), text_col='text', valid_col='is_valid', is_lm=True, bs=16, seq_len=8)
    config = dict(awd_lstm_lm_config, emb_sz=16, n_hid=32, n_layers=2)
    return language_model_learner(dls, AWD_LSTM, pretrained=False, config=config, path=path or '.')

def torch_loaders_learner(path=None):
    "A `Learner` on plain PyTorch DataLoaders (no fastai `bs`, no loader RNG) with a body/head splitter."
    torch.manual_seed(0)
    digits = load_digits()
    x = torch.tensor(digits.images, dtype=torch.float32)[:, None] / 16
    y = torch.tensor(digits.target)
    train, valid = TensorDataset(x[:320], y[:320]), TensorDataset(x[1500:], y[1500:])
    dls = DataLoaders(TorchDataLoader(train, batch_size=32, shuffle=True, drop_last=True), TorchDataLoader(valid, batch_size=64))
    body = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten())
    model = nn.Sequential(body, nn.Linear(32, 10))
    return Learner(dls, model, loss_func=CrossEntropyLossFlat(), metrics=accuracy, path=path or '.',
                   splitter=lambda m: [list(m[0][:2].parameters()), list(m[0][2:].parameters()), list(m[1].parameters())])

class GreyToRGB(Callback):
    "A user's `before_batch`: grey digits become the 3 channels a torchvision ResNet expects."
    order = 5
    def before_batch(self): self.learn.xb = (self.xb[0].expand(-1, 3, -1, -1),)

def resnet_learner(path=None):
    "fastai's `vision_learner` on a random-initialised torchvision resnet18 (3 layer groups), fed by `GreyToRGB`."
    torch.manual_seed(0)
    learn = vision_learner(digits_dls(n_per_class=20, seed=0), resnet18, pretrained=False, n_in=3, metrics=accuracy,
                           cbs=GreyToRGB(), path=path or '.')
    return learn

def rescaled_learner(path=None):
    class Rescale(Callback):
        "A user's `before_batch` that changes the inputs' scale: it changes the curve, so it must take part."
        def before_batch(self): self.learn.xb = (self.xb[0] * 3,)
    return digits_learner(path, cbs=Rescale())


# --- the reference: fastai's own lr_find ----------------------------------------------------------------------------

def fastai_curve(make, seed):
    "fastai's `Learner.lr_find` on a fresh learner (it writes a checkpoint, so in a temporary folder)."
    with tempfile.TemporaryDirectory() as tmp:
        learn = make(tmp)
        seed_learner(learn, seed)
        with learn.no_bar(): found = learn.lr_find(show_plot=False, suggest_funcs=(valley, steep, minimum, slide))
        return np.array([float(l) for l in learn.recorder.losses]), found._asdict()

def check_same_as_fastai(make, seed=1):
    "ftkit's curve equals fastai's over their common steps (rtol 1e-4), suggestions too, and the state is restored."
    theirs, suggestions = fastai_curve(make, seed)
    learn = make(None)
    before = _learner_state(learn)
    ours = lr_find(learn, seed=seed, progress=False)
    assert _state_differences(before, _learner_state(learn)) == []
    n = min(len(theirs), len(ours.smoothed))
    assert n >= 30, f'only {n} common steps'
    np.testing.assert_allclose(ours.smoothed[:n], theirs[:n], rtol=1e-4)
    if len(theirs) == len(ours.smoothed):
        for name, value in suggestions.items(): assert ours.suggestions[name] == pytest.approx(value, rel=1e-4), name
    return learn, ours

LEARNERS = {
    'text classifier (AWD_LSTM)': text_classifier,
    'language model (AWD_LSTM)': language_model,
    'plain PyTorch DataLoaders': torch_loaders_learner,
    'vision_learner resnet18 + before_batch grey->RGB': resnet_learner,
    'GradientAccumulation': lambda path: digits_learner(path, cbs=GradientAccumulation(64)),
    'MixUp': lambda path: digits_learner(path, cbs=MixUp()),
    'CutMix': lambda path: digits_learner(path, cbs=CutMix()),
    'GradientClip': lambda path: digits_learner(path, cbs=GradientClip(0.05)),
    'ChannelsLast': lambda path: digits_learner(path, cbs=ChannelsLast()),
    'to_fp16 (autocast is off on a CPU)': lambda path: digits_learner(path).to_fp16(),
    'before_batch rescaling': rescaled_learner,
}

@pytest.mark.parametrize('name', LEARNERS)
def test_sweep_is_fastais(name):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        check_same_as_fastai(LEARNERS[name])

def test_a_training_callback_changes_the_curve():
    "The agreement above is not vacuous: MixUp's curve differs from the plain learner's under the same seed."
    plain = lr_find(digits_learner(), seed=1, progress=False)
    mixed = lr_find(digits_learner(cbs=MixUp()), seed=1, progress=False)
    n = min(len(plain.smoothed), len(mixed.smoothed))
    assert np.abs(plain.smoothed[:n] - mixed.smoothed[:n]).max() > 0.05


# --- the recipe on these learners ---------------------------------------------------------------------------------

RECIPE_LEARNERS = {
    'text classifier (AWD_LSTM)': text_classifier,
    'language model (AWD_LSTM)': language_model,
    'plain PyTorch DataLoaders': torch_loaders_learner,
    'vision_learner resnet18 + before_batch grey->RGB': resnet_learner,
    'MixUp': lambda path: digits_learner(path, cbs=MixUp(), unfrozen=False),
    'GradientAccumulation': lambda path: digits_learner(path, cbs=GradientAccumulation(64), unfrozen=False),
    'CutMix': lambda path: digits_learner(path, cbs=CutMix(), unfrozen=False),
    'GradientClip': lambda path: digits_learner(path, cbs=GradientClip(0.05), unfrozen=False),
    'before_batch rescaling': lambda path: freeze(rescaled_learner(path)),
}

@pytest.mark.parametrize('name', RECIPE_LEARNERS)
def test_two_phase_runs(name, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        learn = RECIPE_LEARNERS[name](None)
        report = learn.two_phase(1, 1, finder_kw=dict(seed=0, num_it=40), progress=False, save_to=tmp_path)
    head, body = report['head'], report['body']
    assert not head.trainable[0] and head.trainable[-1] and all(body.trainable)
    assert body.rates[0] < body.rates[-1]                      # discriminative: the first group is the slowest
    assert np.isfinite(body.history['batch_loss']).all()
    assert (tmp_path/'report.json').exists()

def test_fit_head_and_fit_body_on_text():
    "ULMFiT's learner through the phases one at a time, rates given as numpy numbers."
    learn = text_classifier()
    head = fit_head(learn, 1, np.float64(2e-2), progress=False)
    assert head.rates == [2e-2] * 4 and head.trainable == [False, False, False, True]
    body = learn.fit_body(1, slice(np.float64(1e-4), np.float64(1e-2)), progress=False)
    assert body.rates == pytest.approx([1e-4, 1e-4 * 100 ** (1 / 3), 1e-4 * 100 ** (2 / 3), 1e-2])

def test_features_on_plain_pytorch_loaders():
    "ftkit's transfer learner on plain PyTorch DataLoaders: features in dataset order, a probe, a clear no to the cache."
    torch.manual_seed(0)
    digits = load_digits(); keep = digits.target >= 5
    x = torch.tensor(digits.images[keep], dtype=torch.float32)[:, None] / 16
    y = torch.tensor(digits.target[keep] - 5)
    train, valid = TensorDataset(x[:200], y[:200]), TensorDataset(x[700:], y[700:])
    dls = DataLoaders(TorchDataLoader(train, batch_size=32, shuffle=True, drop_last=True), TorchDataLoader(valid, batch_size=64))
    learn = transfer_learner(dls, sample_backbone(), n_out=5, loss_func=CrossEntropyLossFlat(), bn='frozen', metrics=accuracy)
    features, labels = bottleneck_features(learn, 'train')
    assert features.shape == (200, 128) and (labels == y[:200].numpy()).all()      # every item, in order, none dropped
    assert linear_probe(learn, Cs=[0.1, 1.]).valid_accuracy > 0.6
    with pytest.raises(ValueError, match='plain PyTorch'): fit_head(learn, 1, cache=True, progress=False)
    with pytest.warns(UserWarning, match='plain PyTorch'): fit_head(learn, 1, cache='auto', progress=False)
    phase = fit_head(learn, 1, lr='search', progress=False)        # the search builds its own loader: it runs, exactly
    assert phase.search is not None and phase.search.n_items == 200 and phase.search.approximations == []
    assert phase.rates[-1] == phase.search.best

def test_head_rate_search_on_vision_learner():
    "fastai's `vision_learner` with its BatchNorm frozen: the search runs on its own head; a user's `before_batch` falls back."
    torch.manual_seed(0)
    learn = vision_learner(digits_dls(n_per_class=20, seed=0), resnet18, pretrained=False, n_in=1, train_bn=False,
                           cbs=BnFreeze(), metrics=accuracy)
    phase = fit_head(learn, 2, lr='search', progress=False)
    assert phase.search is not None and phase.search.n_items == 100 and phase.rates[-1] == phase.search.best
    assert phase.trainable == [False, False, True]
    with pytest.warns(UserWarning, match=r"callbacks \['GreyToRGB'\] run before every batch.*Using the LR finder"):
        fallback = fit_head(resnet_learner(), 1, lr='search', progress=False)
    assert fallback.search is None and fallback.finder is not None

def test_head_rate_search_on_a_regression_head():
    "Targets that are not classes: folds without strata, and the held-out loss picks the rate."
    digits = load_digits(); keep = digits.target >= 5
    x = torch.tensor(digits.images[keep], dtype=torch.float32)[:, None] / 16
    y = torch.tensor(digits.target[keep] - 5, dtype=torch.float32)[:, None]
    train, valid = list(zip(x[:300], y[:300])), list(zip(x[700:], y[700:]))
    dls = DataLoaders(FastaiDataLoader(train, bs=32, shuffle=True, drop_last=True), FastaiDataLoader(valid, bs=64))
    learn = transfer_learner(dls, sample_backbone(), n_out=1, loss_func=MSELossFlat(), bn='frozen')
    phase = fit_head(learn, 2, lr='search', progress=False)
    search = phase.search
    assert np.isnan(search.accuracy).all() and search.n_items == 300 and search.n_folds == 3
    assert search.best == search.rates[np.argmin(search.loss)] and phase.rates[-1] == search.best
    assert search.loss.min() < search.loss[0] / 2 and search.loss[-1] > search.loss.min()    # a real optimum inside the range

def test_gradual_unfreeze_on_text():
    "ULMFiT's schedule: freeze_to(-2), freeze_to(-3), unfreeze, each stage with discriminative rates (factor 2.6)."
    learn = text_classifier()
    stages = gradual_unfreeze(learn, 1, lr_max=1e-2)
    assert stages.trainable_groups.tolist() == [[3], [2, 3], [1, 2, 3], [0, 1, 2, 3]]
    assert stages.lrs.iloc[-1] == pytest.approx([1e-2 / 2.6 ** 3, 1e-2 / 2.6 ** 2, 1e-2 / 2.6, 1e-2])

def test_one_group_learners_are_refused():
    df = pd.DataFrame(dict(a=np.arange(200) % 7, b=np.random.default_rng(0).normal(size=200), y=np.arange(200) % 2))
    dls = TabularDataLoaders.from_df(df, cat_names=['a'], cont_names=['b'], y_names='y', procs=[Categorify], bs=32)
    def make(path):
        torch.manual_seed(0)
        return tabular_learner(dls, layers=[16], path=path or '.')
    check_same_as_fastai(make)                                                            # lr_find works on any Learner
    learn = make(None)
    with pytest.raises(ValueError, match='single layer group'): fit_head(learn, 1, progress=False)
    with pytest.raises(ValueError, match='single layer group'): two_phase(learn, 1, 1, progress=False)


# --- who sees the sweep -------------------------------------------------------------------------------------------

class CountEvents(Callback):
    "Logs the events it is called for into a class-level list (a sweep restores a callback's own attributes)."
    events = []
    def __call__(self, event_name): type(self).events.append(event_name); return super().__call__(event_name)
    def before_batch(self): pass

class MyLogger(Callback):
    "A user's observer: it opts out of sweeps."
    ftkit_sweep, events = False, []
    def __call__(self, event_name): type(self).events.append(event_name); return super().__call__(event_name)

def counted(cls):
    "A subclass of fastai callback `cls` that logs the events it is called for (in a class-level list)."
    return type(f'Counted{cls.__name__}', (cls,), dict(events=[], __call__=lambda self, event_name: (
        type(self).events.append(event_name), cls.__call__(self, event_name))[1]))

def test_observers_get_no_event_and_write_nothing(tmp_path):
    observers = [counted(c)() for c in (CSVLogger, SaveModelCallback, EarlyStoppingCallback, ShowGraphCallback)]
    learn = digits_learner(tmp_path, cbs=[CountEvents(), MyLogger(), *observers])
    graph = observers.pop()                                  # counted too, but fastai's graph needs a notebook to draw
    for cls in [CountEvents, MyLogger, type(graph), *map(type, observers)]: cls.events.clear()   # `after_create` ran at construction
    before = _learner_state(learn)
    found = lr_find(learn, num_it=60, progress=False)
    assert [type(cb).events for cb in [*observers, graph]] == [[], [], [], []] and MyLogger.events == []
    assert list(tmp_path.rglob('*')) == []
    assert CountEvents.events.count('before_batch') == len(found.losses) >= 30     # a training callback takes part, every batch
    assert _state_differences(before, _learner_state(learn)) == []
    learn.remove_cb(graph)
    with learn.no_bar(): learn.fit(1, 1e-3)                                        # the same observers do see a real fit
    assert all(type(cb).events for cb in observers) and (tmp_path/'history.csv').exists()

def test_recorder_keeps_the_last_fit():
    "The user's `learn.recorder` still describes their last fit after a sweep (fastai's lr_find overwrites it)."
    learn = digits_learner()
    with learn.no_bar(), learn.no_logging(): learn.fit(1, 1e-3)
    losses, values = list(learn.recorder.losses), list(learn.recorder.values)
    lr_find(learn, progress=False)
    assert learn.recorder.losses == losses and learn.recorder.values == values


# --- restore under callbacks, interruption ------------------------------------------------------------------------

class FailAt(Callback):
    "Raises `error` at the `at`-th training batch."
    def __init__(self, at, error): self.at, self.error, self.seen = at, error, 0
    def before_batch(self):
        self.seen += 1
        if self.seen == self.at: raise self.error

@pytest.mark.parametrize('error', [KeyboardInterrupt('Ctrl-C'), RuntimeError('boom')])
def test_restored_when_interrupted_under_mixup(error):
    "MixUp swaps `learn.loss_func` during fit; an interrupted sweep still puts everything back."
    learn = digits_learner(cbs=MixUp())
    failing = FailAt(7, error)
    learn.add_cb(failing)
    before = _learner_state(learn)
    with pytest.raises(type(error)): lr_find(learn, progress=True)
    after = _learner_state(learn)
    assert [d for d in _state_differences(before, after) if not d.startswith('callbacks[')] == []
    assert learn.loss_func is not learn.cbs.filter(lambda cb: isinstance(cb, MixUp))[0].lf


# --- users' habits ------------------------------------------------------------------------------------------------

def test_seed_fixes_the_batch_order_whatever_was_drawn_before():
    learn = digits_learner(unfrozen=False)
    first = lr_find(learn, seed=3, progress=False)
    learn.dls.train.one_batch(); torch.rand(5); np.random.rand(); learn.dls.valid.one_batch()
    again = lr_find(learn, seed=3, progress=False)
    assert np.array_equal(first.smoothed, again.smoothed)
    other = lr_find(learn, seed=4, progress=False)
    assert not np.array_equal(first.smoothed[:20], other.smoothed[:20])

def test_transfer_learner_takes_one_callback_or_a_list():
    single = transfer_learner(digits_dls(n_per_class=5), sample_backbone(), cbs=MixUp())
    listed = transfer_learner(digits_dls(n_per_class=5), sample_backbone(), cbs=[MixUp(), GradientClip()], bn='frozen')
    assert sum(isinstance(cb, MixUp) for cb in single.cbs) == 1
    assert [type(cb).__name__ for cb in listed.cbs][-3:] == ['MixUp', 'GradientClip', 'FreezeBatchNorm']

def test_numpy_rates_everywhere():
    learn = digits_learner(unfrozen=False)
    assert group_lrs(learn, np.float64(1e-3)) == [1e-3] * 3
    phase = learn.fit_head(1, np.float32(1e-2), progress=False)
    assert phase.rates == pytest.approx([1e-2] * 3)
    found = lr_find(learn, start_lr=np.float64(1e-6), end_lr=np.float32(1.), num_it=np.int64(30), progress=False)
    assert len(found.losses) > 10
