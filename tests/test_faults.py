"""Faults injected where a user's run can break: exceptions and Ctrl-Cs inside a sweep, a cached phase or the rate
search, and a disk that fills while ftkit saves. After each, the learner is whole (exactly as before where ftkit
promises that) and no file that was there is lost or half-written."""
import errno, os, warnings
from unittest import mock

import numpy as np
import pytest
import torch
from torch import nn
from fastai.vision.all import Callback, accuracy, set_seed

from ftkit.all import *
from ftkit.finder.snapshot import _learner_state, _state_differences
from ftkit.recipe.phases import fit_head

def make_learner(**kwargs):
    set_seed(0, reproducible=True)
    return transfer_learner(digits_dls(n_per_class=20), sample_backbone(), metrics=accuracy, **kwargs)

class Failing(nn.Module):
    "Wraps a model; its `at`-th forward call raises `error`, or (error None) returns NaN from then on."
    def __init__(self, model, at, error=None): super().__init__(); self.model, self.at, self.error, self.calls = model, at, error, 0
    def forward(self, x):
        self.calls += 1
        if self.calls >= self.at:
            if self.error is not None: raise self.error
            return self.model(x) * float('nan')
        return self.model(x)

class RaiseIn(Callback):
    "A user's callback that raises `error` at `event` on its `at`-th call."
    def __init__(self, event, error, at=1): self.event, self.error, self.at, self.calls = event, error, at, 0
    def __getattr__(self, name):
        if name == self.__dict__.get('event'): return self._fire
        return super().__getattr__(name)
    def _fire(self):
        self.calls += 1
        if self.calls >= self.at: raise self.error

SWEEP_FAULTS = [(at, error) for at in (1, 7, 50) for error in (RuntimeError('boom'), KeyboardInterrupt('Ctrl-C'))] + \
               [(1, None), (30, None)]           # NaN from the first step, or from the middle on

@pytest.mark.parametrize('at,error', SWEEP_FAULTS, ids=[f'{type(e).__name__ if e else "NaN"} at call {a}' for a, e in SWEEP_FAULTS])
def test_sweep_fault_restores_the_learner(at, error):
    learn = make_learner()
    before = _learner_state(learn)
    original = learn.model
    learn.model = Failing(original, at, error)
    state = _learner_state(learn)
    try: lr_find(learn, progress=False)
    except (RuntimeError, KeyboardInterrupt): pass
    assert _state_differences(state, _learner_state(learn)) == []
    learn.model = original
    assert _state_differences(before, _learner_state(learn)) == []

CALLBACK_FAULTS = [('before_fit', RuntimeError('in before_fit')), ('after_batch', RuntimeError('after batch 5')),
                   ('after_loss', KeyboardInterrupt('Ctrl-C after a loss')), ('after_backward', RuntimeError('after backward'))]

@pytest.mark.parametrize('event,error', CALLBACK_FAULTS, ids=[e for e, _ in CALLBACK_FAULTS])
def test_a_users_callback_failing_in_a_sweep_restores_the_learner(event, error):
    learn = make_learner()
    learn.add_cb(RaiseIn(event, error, at=5 if event == 'after_batch' else 1))
    before = _learner_state(learn)
    with pytest.raises(type(error)): lr_find(learn, progress=False)
    assert _state_differences(before, _learner_state(learn)) == []

CACHE_FAULTS = [('after_batch', RuntimeError('in the cached training')), ('after_batch', KeyboardInterrupt('Ctrl-C in training')),
                ('after_loss', RuntimeError('in the cached LR finder'))]

@pytest.mark.parametrize('event,error', CACHE_FAULTS, ids=[str(e) for _, e in CACHE_FAULTS])
def test_a_fault_in_a_cached_phase_gives_the_whole_model_back(event, error):
    "Inside `cached_body` the model is only the head and the loaders hold features: a fault must not leave it so."
    learn = make_learner(bn='frozen')
    model, dls = learn.model, learn.dls
    cb = RaiseIn(event, error, at=3)
    learn.add_cb(cb) if event == 'after_loss' else None
    with pytest.raises(type(error)):
        fit_head(learn, 2, lr=None if event == 'after_loss' else 1e-2, cache=True, progress=False,
                 **({} if event == 'after_loss' else dict(cbs=cb)))
    assert learn.model is model and learn.dls is dls
    assert {id(p) for g in learn.opt.param_lists for p in g} == {id(p) for p in model.parameters()}

def test_a_fault_in_the_rate_search_leaves_the_learner_and_threads():
    learn = make_learner(bn='frozen')
    freeze(learn)
    before, threads = _learner_state(learn), torch.get_num_threads()
    with mock.patch('ftkit.recipe.search.HeadBank.forward', side_effect=RuntimeError('a head failed')):
        with pytest.raises(RuntimeError): search_head_lr(learn, 1)
    assert torch.get_num_threads() == threads and _state_differences(before, _learner_state(learn)) == []

def full_disk_after(n_good):
    "`os.fsync` that works `n_good` times, then fails as a full disk does."
    calls = []
    def fsync(fd):
        calls.append(fd)
        if len(calls) > n_good: raise OSError(errno.ENOSPC, 'No space left on device')
    return mock.patch('os.fsync', side_effect=fsync)

@pytest.fixture(scope='module')
def report():
    learn = make_learner()
    return two_phase(learn, 1, 1, finder_kw=dict(seed=0), progress=False)

@pytest.mark.parametrize('n_good', [0, 1, 2, 3, 4])
def test_disk_full_while_saving_a_report_loses_nothing(report, tmp_path, n_good):
    report.save(tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    with full_disk_after(n_good), pytest.raises(OSError, match='was not written'): report.save(tmp_path)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before     # each file the old one, whole; nothing left over
    assert FineTuneReport.load(tmp_path).summary().equals(report.summary())

def test_disk_full_while_saving_a_figure_or_a_result(report, tmp_path):
    figure, result = report['head'].finder.plot(), report['head'].finder
    save_figure(figure, tmp_path/'plot.png'); result.save(tmp_path/'result.json')
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    with full_disk_after(0):
        with pytest.raises(OSError, match='plot.png was not written'): save_figure(figure, tmp_path/'plot.png')
        with pytest.raises(OSError, match='result.json was not written'): result.save(tmp_path/'result.json')
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before

def test_ctrl_c_while_saving_keeps_the_old_file(report, tmp_path):
    report['head'].finder.save(tmp_path/'result.json')
    before = (tmp_path/'result.json').read_bytes()
    with mock.patch('os.fsync', side_effect=KeyboardInterrupt), pytest.raises(KeyboardInterrupt):
        report['head'].finder.save(tmp_path/'result.json')
    assert (tmp_path/'result.json').read_bytes() == before and os.listdir(tmp_path) == ['result.json']

def test_disk_full_after_training_keeps_the_report(tmp_path):
    learn = make_learner()
    with full_disk_after(0), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        kept = two_phase(learn, 1, 1, finder_kw=dict(seed=0), progress=False, save_to=tmp_path)
    assert [p.name for p in kept.phases] == ['head', 'body'] and list(tmp_path.iterdir()) == []
    assert any('The report was not saved' in str(w.message) for w in caught)
    kept.save(tmp_path)                                          # the disk has room again: the same report saves
    assert FineTuneReport.load(tmp_path).summary().equals(kept.summary())
