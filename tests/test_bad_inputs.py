"""Every public function at its boundary: a bad input is a clear error that names the argument (a ValueError, TypeError
or FileNotFoundError, never a raw IndexError or ZeroDivisionError from deep inside), and a call that raised left the
learner exactly as it was (weights, optimizer, flags, modes, callbacks, RNGs). Valid inputs of other numeric types
(numpy and torch scalars) are taken. Each row is one input a careful user tried; the counts are printed by
`pytest tests/test_bad_inputs.py -s -k counts`."""
import json, math, warnings
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn
from fastai.vision.all import Learner, accuracy, params, set_seed

from ftkit.all import *
from ftkit.learner.data import _digit_images
from ftkit.finder.snapshot import _learner_state, _state_differences

CLEAR = (ValueError, TypeError, FileNotFoundError)
NAN, INF = float('nan'), float('inf')

def make_learner(**kwargs):
    set_seed(0, reproducible=True)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return transfer_learner(digits_dls(n_per_class=20), sample_backbone(), metrics=accuracy, **kwargs)

@pytest.fixture
def learn(): return make_learner(bn='train')   # fastai's policy; a fresh one for each input: a call that wrongly trained cannot spoil the next

@pytest.fixture
def frozen_bn(): return make_learner(bn='frozen')

@pytest.fixture(scope='module')
def dls(): return digits_dls(n_per_class=20)

@pytest.fixture(scope='module')
def files(tmp_path_factory):
    "Bad files to load: each a path with what it holds."
    folder = tmp_path_factory.mktemp('bad_files')
    good = lr_find(make_learner(), num_it=30, progress=False).to_dict()
    def write(name, text): (folder/name).write_text(text); return folder/name
    def with_(**changes): return json.dumps({**good, **changes})
    made = dict(
        not_json=write('not_json.json', 'not json {'),
        a_list=write('a_list.json', '[1, 2, 3]'),
        other_format=write('other_format.json', with_(format='something.else/1')),
        no_lrs=write('no_lrs.json', json.dumps({k: v for k, v in good.items() if k != 'lrs'})),
        no_settings=write('no_settings.json', json.dumps({k: v for k, v in good.items() if k != 'settings'})),
        settings_a_list=write('settings_a_list.json', with_(settings=[1, 2])),
        too_many_rates=write('too_many_rates.json', with_(lrs=[[1e-3]] * 300)),
        infinite_rates=write('infinite_rates.json', with_(lrs=[[INF] * 3 for _ in good['lrs']])),
        negative_rates=write('negative_rates.json', with_(lrs=[[-0.1] * 3 for _ in good['lrs']])),
        nan_losses=write('nan_losses.json', with_(losses=[NAN] * len(good['losses']))),
        text_losses=write('text_losses.json', with_(losses=['a'] * len(good['losses']))),
        deep=write('deep.json', '[' * 100000 + ']' * 100000),
        binary=folder/'binary.json', truncated=write('truncated.json', with_()[:500]),
        missing=folder/'missing.json')
    made['binary'].write_bytes(b'\xff\xfe\x00\x81garbage')
    reports = tmp_path_factory.mktemp('reports')
    for name, text in dict(no_phases=json.dumps({'format': 'ftkit.FineTuneReport/1', 'info': {}, 'phases': []}),
                           phases_a_dict=json.dumps({'format': 'ftkit.FineTuneReport/1', 'info': {}, 'phases': {}}),
                           not_json='{', other='{"format": "x"}',
                           version_0=json.dumps({'format': 'ftkit.FineTuneReport/0', 'info': {}, 'phases': []})).items():
        (reports/name).mkdir(); (reports/name/'report.json').write_text(text)
    (reports/'empty').mkdir()
    made['reports'] = reports
    checkpoints = tmp_path_factory.mktemp('checkpoints')
    torch.save(sample_backbone().state_dict(), checkpoints/'good.pth')
    (checkpoints/'truncated.pth').write_bytes((checkpoints/'good.pth').read_bytes()[:1000])
    wrong = {k: torch.zeros(*v.shape[:-1], v.shape[-1] + 1) if v.ndim else v for k, v in sample_backbone().state_dict().items()}
    torch.save(wrong, checkpoints/'wrong_shape.pth')
    torch.save([1, 2, 3], checkpoints/'a_list.pth')
    (checkpoints/'text.pth').write_text('hello')
    made['checkpoints'] = checkpoints
    return made

def one_group(dls):
    "A learner whose splitter gives one group (fastai's default for a plain model)."
    return Learner(dls, nn.Sequential(nn.Flatten(), nn.Linear(64, 5)))

def no_parameters(dls): return Learner(dls, nn.Sequential(nn.Flatten(), nn.Identity()))

# (id, function of the fixtures -> the call, what the error must name)
LEARNER_CASES = [
    # lr_find
    ('lr_find start_lr=0', lambda l: lr_find(l, start_lr=0), '`start_lr`'),
    ('lr_find start_lr=-1', lambda l: lr_find(l, start_lr=-1), '`start_lr`'),
    ('lr_find start_lr nan', lambda l: lr_find(l, start_lr=NAN), '`start_lr`'),
    ('lr_find start_lr str', lambda l: lr_find(l, start_lr='1e-7'), '`start_lr`'),
    ('lr_find start_lr a list', lambda l: lr_find(l, start_lr=[1e-7]), '`start_lr`'),
    ('lr_find start_lr tensor of 2', lambda l: lr_find(l, start_lr=torch.tensor([1e-7, 1e-6])), '`start_lr`'),
    ('lr_find end_lr inf', lambda l: lr_find(l, end_lr=INF), '`end_lr`'),
    ('lr_find end_lr below start', lambda l: lr_find(l, start_lr=1, end_lr=1e-3), '`start_lr`'),
    ('lr_find end_lr equal start', lambda l: lr_find(l, start_lr=1e-3, end_lr=1e-3), '`start_lr`'),
    ('lr_find num_it=0', lambda l: lr_find(l, num_it=0), '`num_it`'),
    ('lr_find num_it=1', lambda l: lr_find(l, num_it=1), '`num_it`'),
    ('lr_find num_it=2.5', lambda l: lr_find(l, num_it=2.5), '`num_it`'),
    ('lr_find num_it=True', lambda l: lr_find(l, num_it=True), '`num_it`'),
    ('lr_find num_it=1e11', lambda l: lr_find(l, num_it=10**11), '`num_it`'),
    ('lr_find num_it str', lambda l: lr_find(l, num_it='100'), '`num_it`'),
    ('lr_find stop_div=1', lambda l: lr_find(l, stop_div=1), '`stop_div`'),
    ('lr_find stop_div=0', lambda l: lr_find(l, stop_div=0), '`stop_div`'),
    ('lr_find stop_div nan', lambda l: lr_find(l, stop_div=NAN), '`stop_div`'),
    ('lr_find beta=1', lambda l: lr_find(l, beta=1), '`beta`'),
    ('lr_find beta=-0.1', lambda l: lr_find(l, beta=-0.1), '`beta`'),
    ('lr_find beta nan', lambda l: lr_find(l, beta=NAN), '`beta`'),
    ('lr_find beta True', lambda l: lr_find(l, beta=True), '`beta`'),
    ('lr_find step_mode', lambda l: lr_find(l, step_mode='log'), '`step_mode`'),
    ('lr_find seed=1.5', lambda l: lr_find(l, seed=1.5), '`seed`'),
    ('lr_find seed=-1', lambda l: lr_find(l, seed=-1), '`seed`'),
    ('lr_find seed str', lambda l: lr_find(l, seed='0'), '`seed`'),
    ('lr_find seed=2**70', lambda l: lr_find(l, seed=2**70), '`seed`'),
    ('lr_find progress no', lambda l: lr_find(l, progress='no'), '`progress`'),
    ('lr_find progress 1', lambda l: lr_find(l, progress=1), '`progress`'),
    ('lr_find ratios reversed', lambda l: lr_find(l, ratios=slice(1, 1e-3)), '`ratios`'),
    ('lr_find ratios too few', lambda l: lr_find(l, ratios=[1, 2]), '`ratios`'),
    ('lr_find ratios negative', lambda l: lr_find(l, ratios=[1, -1, 1]), '`ratios`'),
    ('lr_find ratios str', lambda l: lr_find(l, ratios='0.1'), '`ratios`'),
    ('lr_find ratios step', lambda l: lr_find(l, ratios=slice(0.1, 1, 2)), '`ratios`'),
    # freezing and rates
    ('freeze n=0', lambda l: freeze(l, 0), '`n`'),
    ('freeze n=3', lambda l: freeze(l, 3), '`n`'),
    ('freeze n=-3', lambda l: freeze(l, -3), '`n`'),
    ('freeze n=1.5', lambda l: freeze(l, 1.5), '`n`'),
    ('freeze n=True', lambda l: freeze(l, True), '`n`'),
    ('freeze n str', lambda l: freeze(l, '1'), '`n`'),
    ('group_lrs -1', lambda l: group_lrs(l, -1), '`lr`'),
    ('group_lrs 0', lambda l: group_lrs(l, 0), '`lr`'),
    ('group_lrs nan', lambda l: group_lrs(l, NAN), '`lr`'),
    ('group_lrs inf', lambda l: group_lrs(l, INF), '`lr`'),
    ('group_lrs str', lambda l: group_lrs(l, '1e-3'), '`lr`'),
    ('group_lrs None', lambda l: group_lrs(l, None), '`lr`'),
    ('group_lrs short list', lambda l: group_lrs(l, [1e-3]), '`lr`'),
    ('group_lrs list with nan', lambda l: group_lrs(l, [1e-3, NAN, 1e-3]), '`lr`'),
    ('group_lrs slice reversed', lambda l: group_lrs(l, slice(1e-2, 1e-4)), '`lr`'),
    ('group_lrs slice negative', lambda l: group_lrs(l, slice(-1, 1e-3)), '`lr`'),
    ('group_lrs slice step', lambda l: group_lrs(l, slice(1e-4, 1e-3, 2)), '`lr`'),
    ('group_lrs slice of str', lambda l: group_lrs(l, slice('a', 'b')), '`lr`'),
    ('show_groups lr str', lambda l: show_groups(l, 'x'), '`lr`'),
    ('gradual_unfreeze epochs 1.0', lambda l: gradual_unfreeze(l, 1.0), '`epochs_per_stage`'),
    ('gradual_unfreeze epochs 0', lambda l: gradual_unfreeze(l, 0), '`epochs_per_stage`'),
    ('gradual_unfreeze epochs list short', lambda l: gradual_unfreeze(l, [1, 2]), '`epochs_per_stage`'),
    ('gradual_unfreeze epochs str', lambda l: gradual_unfreeze(l, '1'), '`epochs_per_stage`'),
    ('gradual_unfreeze lr_max', lambda l: gradual_unfreeze(l, 1, lr_max=-1), '`lr_max`'),
    ('gradual_unfreeze factor', lambda l: gradual_unfreeze(l, 1, factor=0.5), '`factor`'),
    ('gradual_unfreeze pct_start=2', lambda l: gradual_unfreeze(l, 1, pct_start=2), '`pct_start`'),
    ('gradual_unfreeze unknown', lambda l: gradual_unfreeze(l, 1, epochz=2), 'epochz'),
    ('gradual_unfreeze moms', lambda l: gradual_unfreeze(l, 1, moms=(0.9,)), '`moms`'),
    ('gradual_unfreeze wd nan', lambda l: gradual_unfreeze(l, 1, wd=NAN), '`wd`'),
    # phase 1
    ('fit_head epochs 0', lambda l: fit_head(l, 0), '`epochs`'),
    ('fit_head epochs 1.5', lambda l: fit_head(l, 1.5), '`epochs`'),
    ('fit_head epochs True', lambda l: fit_head(l, True), '`epochs`'),
    ('fit_head epochs None', lambda l: fit_head(l, None), '`epochs`'),
    ('fit_head lr typo', lambda l: fit_head(l, 1, lr='serch'), '`lr`'),
    ('fit_head lr -1', lambda l: fit_head(l, 1, lr=-1), '`lr`'),
    ('fit_head lr nan', lambda l: fit_head(l, 1, lr=NAN), '`lr`'),
    ('fit_head lr short list', lambda l: fit_head(l, 1, lr=[1e-3]), '`lr`'),
    ('fit_head lr reversed slice', lambda l: fit_head(l, 1, lr=slice(1e-2, 1e-4)), '`lr`'),
    ('fit_head div 0', lambda l: fit_head(l, 1, lr=1e-3, div=0), '`div`'),
    ('fit_head div nan', lambda l: fit_head(l, 1, lr=1e-3, div=NAN), '`div`'),
    ('fit_head div_final -1', lambda l: fit_head(l, 1, lr=1e-3, div_final=-1), '`div_final`'),
    ('fit_head pct_start 0', lambda l: fit_head(l, 1, lr=1e-3, pct_start=0), '`pct_start`'),
    ('fit_head pct_start 1', lambda l: fit_head(l, 1, lr=1e-3, pct_start=1), '`pct_start`'),
    ('fit_head pct_start str', lambda l: fit_head(l, 1, lr=1e-3, pct_start='0.3'), '`pct_start`'),
    ('fit_head moms one', lambda l: fit_head(l, 1, lr=1e-3, moms=(0.9,)), '`moms`'),
    ('fit_head moms str', lambda l: fit_head(l, 1, lr=1e-3, moms='x'), '`moms`'),
    ('fit_head moms nan', lambda l: fit_head(l, 1, lr=1e-3, moms=(0.95, NAN, 0.95)), '`moms`'),
    ('fit_head moms above 1', lambda l: fit_head(l, 1, lr=1e-3, moms=(0.95, 1.5, 0.95)), '`moms`'),
    ('fit_head wd nan', lambda l: fit_head(l, 1, lr=1e-3, wd=NAN), '`wd`'),
    ('fit_head wd -1', lambda l: fit_head(l, 1, lr=1e-3, wd=-1), '`wd`'),
    ('fit_head wd str', lambda l: fit_head(l, 1, lr=1e-3, wd='0.01'), '`wd`'),
    ('fit_head cbs str', lambda l: fit_head(l, 1, lr=1e-3, cbs='x'), '`cbs`'),
    ('fit_head cbs number', lambda l: fit_head(l, 1, lr=1e-3, cbs=42), '`cbs`'),
    ('fit_head cbs a class', lambda l: fit_head(l, 1, lr=1e-3, cbs=[type(l.cbs[0])]), '`cbs`'),
    ('fit_head unknown setting', lambda l: fit_head(l, 1, lr=1e-3, epochz=2), 'epochz'),
    ('fit_head finder_kw str', lambda l: fit_head(l, 1, finder_kw='seed=0'), '`finder_kw`'),
    ('fit_head finder_kw unknown', lambda l: fit_head(l, 1, finder_kw=dict(sed=0)), '`finder_kw`'),
    ('fit_head finder_kw num_it', lambda l: fit_head(l, 1, finder_kw=dict(num_it=1)), '`num_it`'),
    ('fit_head finder_kw seed', lambda l: fit_head(l, 1, finder_kw=dict(seed=-1)), '`seed`'),
    ('fit_head cache', lambda l: fit_head(l, 1, cache='yes'), '`cache`'),
    ('fit_head cache on bn train', lambda l: fit_head(l, 1, cache=True), "bn='frozen'"),
    ('fit_head search_kw without search', lambda l: fit_head(l, 1, lr=1e-3, search_kw=dict(n_folds=3)), '`search_kw`'),
    ('fit_head search_kw str', lambda l: fit_head(l, 1, lr='search', search_kw='n_folds=3'), '`search_kw`'),
    ('fit_head progress str', lambda l: fit_head(l, 1, lr=1e-3, progress='no'), '`progress`'),
    # phase 2
    ('fit_body epochs 0', lambda l: fit_body(l, 0), '`epochs`'),
    ('fit_body lr -1', lambda l: fit_body(l, 1, lr=-1), '`lr`'),
    ('fit_body head_lr -1', lambda l: fit_body(l, 1, head_lr=-1), '`head_lr`'),
    ('fit_body head_lr nan', lambda l: fit_body(l, 1, head_lr=NAN), '`head_lr`'),
    ('fit_body below_head 0.5', lambda l: fit_body(l, 1, below_head=0.5), '`below_head`'),
    ('fit_body spread 0', lambda l: fit_body(l, 1, spread=0), '`spread`'),
    ('fit_body spread nan', lambda l: fit_body(l, 1, spread=NAN), '`spread`'),
    ('fit_body wd -1', lambda l: fit_body(l, 1, lr=1e-3, wd=-1), '`wd`'),
    ('fit_body finder_kw str', lambda l: fit_body(l, 1, finder_kw='x'), '`finder_kw`'),
    ('fit_body pct_start 2', lambda l: fit_body(l, 1, lr=1e-3, pct_start=2), '`pct_start`'),
    # both phases
    ('two_phase head_epochs 0', lambda l: two_phase(l, 0, 1), '`head_epochs`'),
    ('two_phase head_epochs -1', lambda l: two_phase(l, -1, 1), '`head_epochs`'),
    ('two_phase body_epochs 0', lambda l: two_phase(l, 1, 0), '`body_epochs`'),
    ('two_phase body_epochs 3.5', lambda l: two_phase(l, 1, 3.5), '`body_epochs`'),
    ('two_phase head str', lambda l: two_phase(l, 1, 1, head='linear'), '`head`'),
    ('two_phase probe with epochs', lambda l: two_phase(l, 3, 1, head='probe'), '`head_epochs`'),
    ('two_phase probe with head_lr', lambda l: two_phase(l, 0, 1, head='probe', head_lr=1e-3), '`head_lr`'),
    ('two_phase head_lr -1', lambda l: two_phase(l, 1, 1, head_lr=-1), '`head_lr`'),
    ('two_phase head_lr typo', lambda l: two_phase(l, 1, 1, head_lr='serch'), '`head_lr`'),
    ('two_phase body_lr -1', lambda l: two_phase(l, 1, 1, body_lr=-1), '`body_lr`'),
    ('two_phase body_lr reversed', lambda l: two_phase(l, 1, 1, body_lr=slice(1e-2, 1e-4)), '`body_lr`'),
    ('two_phase head_kw str', lambda l: two_phase(l, 1, 1, head_kw='cache'), '`head_kw`'),
    ('two_phase body_kw str', lambda l: two_phase(l, 1, 1, body_kw=3), '`body_kw`'),
    ('two_phase head_kw unknown', lambda l: two_phase(l, 1, 1, head_kw=dict(epochz=1)), 'epochz'),
    ('two_phase body_kw below_head', lambda l: two_phase(l, 1, 1, body_kw=dict(below_head=0)), '`below_head`'),
    ('two_phase finder_kw str', lambda l: two_phase(l, 1, 1, finder_kw='seed=0'), '`finder_kw`'),
    ('two_phase finder_kw unknown', lambda l: two_phase(l, 1, 1, finder_kw=dict(x=1)), '`finder_kw`'),
    ('two_phase wd nan', lambda l: two_phase(l, 1, 1, wd=NAN), '`wd`'),
    ('two_phase cbs str', lambda l: two_phase(l, 1, 1, cbs='x'), '`cbs`'),
    ('two_phase save_to a file', lambda l: two_phase(l, 1, 1, save_to=Path(__file__)), '`save_to`'),
    ('two_phase save_to under a file', lambda l: two_phase(l, 1, 1, save_to=Path(__file__)/'sub'), '`save_to`'),
    ('two_phase search_kw without search', lambda l: two_phase(l, 1, 1, head_kw=dict(search_kw=dict(n_folds=3))), '`search_kw`'),
    # features
    ('linear_probe model', lambda l: linear_probe(l, model='tree'), '`model`'),
    ('linear_probe svm to head', lambda l: linear_probe(l, model='svm', to_head=True), '`to_head`'),
    ('linear_probe Cs empty', lambda l: linear_probe(l, Cs=[]), '`Cs`'),
    ('linear_probe Cs negative', lambda l: linear_probe(l, Cs=[-1.]), '`Cs`'),
    ('linear_probe Cs nan', lambda l: linear_probe(l, Cs=[NAN]), '`Cs`'),
    ('linear_probe Cs str', lambda l: linear_probe(l, Cs='1'), '`Cs`'),
    ('linear_probe Cs a number', lambda l: linear_probe(l, Cs=1.0), '`Cs`'),
    ('linear_probe cv 2.5', lambda l: linear_probe(l, cv=2.5), '`cv`'),
    ('linear_probe cv 1', lambda l: linear_probe(l, cv=1), '`cv`'),
    ('linear_probe cv 0', lambda l: linear_probe(l, cv=0), '`cv`'),
    ('linear_probe cv True', lambda l: linear_probe(l, cv=True), '`cv`'),
    ('linear_probe seed -1', lambda l: linear_probe(l, seed=-1), '`seed`'),
    ('linear_probe to_head str', lambda l: linear_probe(l, to_head='yes'), '`to_head`'),
    ('bottleneck_features dl str', lambda l: bottleneck_features(l, 'test'), '`dl`'),
    ('bottleneck_features dl number', lambda l: bottleneck_features(l, 3), '`dl`'),
]

FROZEN_BN_CASES = [
    ('search_head_lr epochs 0', lambda l: search_head_lr(l, 0), '`epochs`'),
    ('search_head_lr rates one', lambda l: search_head_lr(l, 1, rates=[1e-3]), '`rates`'),
    ('search_head_lr rates negative', lambda l: search_head_lr(l, 1, rates=[1e-3, -1]), '`rates`'),
    ('search_head_lr rates str', lambda l: search_head_lr(l, 1, rates='1e-3'), '`rates`'),
    ('search_head_lr n_folds 1', lambda l: search_head_lr(l, 1, n_folds=1), '`n_folds`'),
    ('search_head_lr n_folds 2.5', lambda l: search_head_lr(l, 1, n_folds=2.5), '`n_folds`'),
    ('search_head_lr seed -1', lambda l: search_head_lr(l, 1, seed=-1), '`seed`'),
    ('search_head_lr pct_start 2', lambda l: search_head_lr(l, 1, pct_start=2), '`pct_start`'),
    ('search_head_lr unfrozen learner', lambda l: (unfreeze(l), search_head_lr(l, 1, rates=[1e-3, -1])), '`rates`'),
    ('fit_head search n_folds 1', lambda l: fit_head(l, 1, lr='search', search_kw=dict(n_folds=1)), '`n_folds`'),
    ('cached_body unfrozen', lambda l: (unfreeze(l), cached_body(l)), 'freeze it first'),
]

# (id, call, what the error must name): no learner to keep whole
PLAIN_CASES = [
    ('digits_dls task', lambda f: digits_dls('middle'), '`task`'),
    ('digits_dls n_per_class 0', lambda f: digits_dls(n_per_class=0), '`n_per_class`'),
    ('digits_dls n_per_class 1e6', lambda f: digits_dls(n_per_class=10**6), '`n_per_class`'),
    ('digits_dls n_per_class 2.5', lambda f: digits_dls(n_per_class=2.5), '`n_per_class`'),
    ('digits_dls n_per_class True', lambda f: digits_dls(n_per_class=True), '`n_per_class`'),
    ('digits_dls bs 0', lambda f: digits_dls(bs=0), '`bs`'),
    ('digits_dls bs -1', lambda f: digits_dls(bs=-1), '`bs`'),
    ('digits_dls bs str', lambda f: digits_dls(bs='32'), '`bs`'),
    ('digits_dls seed -1', lambda f: digits_dls(seed=-1), '`seed`'),
    ('digits_dls seed 1.5', lambda f: digits_dls(seed=1.5), '`seed`'),
    ('digits_dls seed str', lambda f: digits_dls(seed='0'), '`seed`'),
    ('digits_dls seed 2**70', lambda f: digits_dls(seed=2**70), '`seed`'),
    ('folder_dls seed 2**70', lambda f: folder_dls(f['reports'], seed=2**70), '`seed`'),
    ('digits_dls valid_pct 0', lambda f: digits_dls(valid_pct=0), '`valid_pct`'),
    ('digits_dls valid_pct 1', lambda f: digits_dls(valid_pct=1), '`valid_pct`'),
    ('digits_dls valid_pct 0.999', lambda f: digits_dls(valid_pct=0.999), '`valid_pct`'),
    ('digits_dls valid_pct nan', lambda f: digits_dls(valid_pct=NAN), '`valid_pct`'),
    ('digits_dls valid_pct str', lambda f: digits_dls(valid_pct='0.2'), '`valid_pct`'),
    ('digits_dls size 4', lambda f: digits_dls(size=4), '`size`'),
    ('digits_dls size 8.5', lambda f: digits_dls(size=8.5), '`size`'),
    ('folder_dls missing', lambda f: folder_dls(f['missing']), '`path`'),
    ('folder_dls a file', lambda f: folder_dls(f['not_json']), '`path`'),
    ('folder_dls empty folder', lambda f: folder_dls(f['reports']/'empty'), '`path`'),
    ('folder_dls size 0', lambda f: folder_dls(f['reports'], size=0), '`size`'),
    ('folder_dls bs 0', lambda f: folder_dls(f['reports'], bs=0), '`bs`'),
    ('folder_dls valid_pct 0', lambda f: folder_dls(f['reports'], valid_pct=0), '`valid_pct`'),
    ('sample_backbone pretrained str', lambda f: sample_backbone(pretrained='no'), '`pretrained`'),
    ('sample_backbone pretrained 1', lambda f: sample_backbone(pretrained=1), '`pretrained`'),
    ('transfer_learner body number', lambda f: transfer_learner(digits_dls(n_per_class=5), 42), '`body`'),
    ('transfer_learner body missing file', lambda f: transfer_learner(digits_dls(n_per_class=5), f['missing']), '`body`'),
    ('transfer_learner checkpoint truncated', lambda f: transfer_learner(digits_dls(n_per_class=5), f['checkpoints']/'truncated.pth'), '`body`'),
    ('transfer_learner checkpoint wrong shape', lambda f: transfer_learner(digits_dls(n_per_class=5), f['checkpoints']/'wrong_shape.pth'), '`body`'),
    ('transfer_learner checkpoint a list', lambda f: transfer_learner(digits_dls(n_per_class=5), f['checkpoints']/'a_list.pth'), '`body`'),
    ('transfer_learner checkpoint text', lambda f: transfer_learner(digits_dls(n_per_class=5), f['checkpoints']/'text.pth'), '`body`'),
    ('transfer_learner bare conv', lambda f: transfer_learner(digits_dls(n_per_class=5), nn.Conv2d(1, 4, 3)), 'two blocks'),
    ('transfer_learner no parameters', lambda f: transfer_learner(digits_dls(n_per_class=5), nn.Sequential(nn.ReLU(), nn.ReLU())), '`body`'),
    ('transfer_learner bn', lambda f: transfer_learner(digits_dls(n_per_class=5), sample_backbone(), bn='running'), '`bn`'),
    ('transfer_learner n_out 0', lambda f: transfer_learner(digits_dls(n_per_class=5), sample_backbone(), n_out=0), '`n_out`'),
    ('transfer_learner n_out 3', lambda f: transfer_learner(digits_dls(n_per_class=5), sample_backbone(), n_out=3), '`n_out`'),
    ('transfer_learner n_out 10', lambda f: transfer_learner(digits_dls(n_per_class=5), sample_backbone(), n_out=10), '`n_out`'),
    ('transfer_learner n_out 2.5', lambda f: transfer_learner(digits_dls(n_per_class=5), sample_backbone(), n_out=2.5), '`n_out`'),
    ('transfer_learner pretrained str', lambda f: transfer_learner(digits_dls(n_per_class=5), sample_backbone(), pretrained='yes'), '`pretrained`'),
    ('transfer_learner cut str', lambda f: transfer_learner(digits_dls(n_per_class=5), sample_backbone(), cut='x'), '`cut`'),
    ('transfer_learner cut 1.5', lambda f: transfer_learner(digits_dls(n_per_class=5), sample_backbone(), cut=1.5), '`cut`'),
    ('transfer_learner cut 0', lambda f: transfer_learner(digits_dls(n_per_class=5), sample_backbone(), cut=0), '`body`'),
    ('transfer_learner splitter str', lambda f: transfer_learner(digits_dls(n_per_class=5), sample_backbone(), splitter='x'), '`splitter`'),
    ('transfer_learner splitter one group', lambda f: transfer_learner(digits_dls(n_per_class=5), sample_backbone(), splitter=lambda m: params(m)), '`splitter`'),
    ('transfer_learner cbs str', lambda f: transfer_learner(digits_dls(n_per_class=5), sample_backbone(), cbs='x'), '`cbs`'),
    ('transfer_learner cbs a class', lambda f: transfer_learner(digits_dls(n_per_class=5), sample_backbone(), cbs=[Learner]), '`cbs`'),
    ('transfer_learner one class', lambda f: transfer_learner(one_class_dls(), sample_backbone()), 'one class'),
    ('discriminative_lrs lr_max 0', lambda f: discriminative_lrs(0, 3), '`lr_max`'),
    ('discriminative_lrs n_groups 0', lambda f: discriminative_lrs(1e-3, 0), '`n_groups`'),
    ('discriminative_lrs n_groups 2.5', lambda f: discriminative_lrs(1e-3, 2.5), '`n_groups`'),
    ('discriminative_lrs factor 0.5', lambda f: discriminative_lrs(1e-3, 3, 0.5), '`factor`'),
    ('discriminative_lrs factor nan', lambda f: discriminative_lrs(1e-3, 3, NAN), '`factor`'),
    ('plot_lr_finds empty', lambda f: plot_lr_finds([]), '`results`'),
    ('plot_lr_finds not results', lambda f: plot_lr_finds([1, 2]), '`results`'),
    ('LRFindResult.load missing', lambda f: LRFindResult.load(f['missing']), '`path`'),
    ('LRFindResult.load not json', lambda f: LRFindResult.load(f['not_json']), '`path`'),
    ('LRFindResult.load a list', lambda f: LRFindResult.load(f['a_list']), '`path`'),
    ('LRFindResult.load other format', lambda f: LRFindResult.load(f['other_format']), '`path`'),
    ('LRFindResult.load no lrs', lambda f: LRFindResult.load(f['no_lrs']), '`lrs`'),
    ('LRFindResult.load no settings', lambda f: LRFindResult.load(f['no_settings']), '`settings`'),
    ('LRFindResult.load settings a list', lambda f: LRFindResult.load(f['settings_a_list']), '`settings`'),
    ('LRFindResult.load too many rates', lambda f: LRFindResult.load(f['too_many_rates']), '`lrs`'),
    ('LRFindResult.load infinite rates', lambda f: LRFindResult.load(f['infinite_rates']), '`lrs`'),
    ('LRFindResult.load negative rates', lambda f: LRFindResult.load(f['negative_rates']), '`lrs`'),
    ('LRFindResult.load nan losses', lambda f: LRFindResult.load(f['nan_losses']), '`losses`'),
    ('LRFindResult.load text losses', lambda f: LRFindResult.load(f['text_losses']), '`losses`'),
    ('LRFindResult.load deep nesting', lambda f: LRFindResult.load(f['deep']), '`path`'),
    ('LRFindResult.load binary', lambda f: LRFindResult.load(f['binary']), '`path`'),
    ('LRFindResult.load truncated', lambda f: LRFindResult.load(f['truncated']), '`path`'),
    ('LRFindResult.from_losses lengths', lambda f: LRFindResult.from_losses([1e-3, 1e-2], [1.]), '`lrs`'),
    ('FineTuneReport.load missing', lambda f: FineTuneReport.load(f['missing']), '`folder`'),
    ('FineTuneReport.load no phases', lambda f: FineTuneReport.load(f['reports']/'no_phases'), '`phases`'),
    ('FineTuneReport.load phases a dict', lambda f: FineTuneReport.load(f['reports']/'phases_a_dict'), '`phases`'),
    ('FineTuneReport.load not json', lambda f: FineTuneReport.load(f['reports']/'not_json'), 'report.json'),
    ('FineTuneReport.load other', lambda f: FineTuneReport.load(f['reports']/'other'), 'report.json'),
    ('FineTuneReport.load version 0', lambda f: FineTuneReport.load(f['reports']/'version_0'), 'which no ftkit writes'),
    ('reproduce rtol -1', lambda f: reproduce(rtol=-1), '`rtol`'),
    ('reproduce rtol nan', lambda f: reproduce(rtol=NAN), '`rtol`'),
    ('reproduce lr_factor 0.5', lambda f: reproduce(lr_factor=0.5), '`lr_factor`'),
    ('reproduce names unknown', lambda f: reproduce(['nope']), '`name`'),
    ('reproduce names empty', lambda f: reproduce([]), '`names`'),
    ('reproduce folder missing', lambda f: reproduce(folder=f['missing']), 'reference'),
    ('reproduce names traversal', lambda f: reproduce(['../../etc/passwd']), '`name`'),
    ('compare not a result', lambda f: LRFindResult.from_losses(np.geomspace(1e-5, 1, 30), np.linspace(2, 1, 30)).compare(3), '`reference`'),
    ('compare rtol -1', lambda f: LRFindResult.from_losses(np.geomspace(1e-5, 1, 30), np.linspace(2, 1, 30)).compare(
        LRFindResult.from_losses(np.geomspace(1e-5, 1, 30), np.linspace(2, 1, 30)), rtol=-1), '`rtol`'),
    ('compare_strategies epochs 0', lambda f: compare_strategies(make_learner, epochs=0), '`epochs`'),
    ('compare_strategies unknown', lambda f: compare_strategies(make_learner, strategies=['magic']), '`strategies`'),
    ('compare_strategies seeds empty', lambda f: compare_strategies(make_learner, seeds=[]), '`seeds`'),
]

def one_class_dls():
    "Loaders with two classes whose training items are all of one class."
    from fastai.vision.all import Categorize, Datasets, ItemGetter, TensorImageBW
    images = [TensorImageBW(torch.rand(1, 8, 8)) for _ in range(12)]
    items = [(x, 'a' if i < 8 else 'b') for i, x in enumerate(images)]
    dsets = Datasets(items, [[ItemGetter(0)], [ItemGetter(1), Categorize(vocab=['a', 'b'])]], splits=[list(range(8)), list(range(8, 12))])
    return dsets.dataloaders(bs=4)

GROUP_CASES = [          # learners that cannot be frozen: the error, and no optimizer left behind
    ('freeze one group', lambda d: freeze(one_group(d)), 'single layer group'),
    ('fit_head one group', lambda d: fit_head(one_group(d), 1), 'single layer group'),
    ('two_phase one group', lambda d: two_phase(one_group(d), 1, 1), 'single layer group'),
    ('freeze no parameters', lambda d: freeze(no_parameters(d)), 'no parameters'),
    ('unfreeze no parameters', lambda d: unfreeze(no_parameters(d)), 'no parameters'),
    ('lr_find no parameters', lambda d: lr_find(no_parameters(d)), 'no trainable parameters'),
]

RESULTS = {'tried': 0, 'clear': 0}

def expect_clear_error(call, names):
    RESULTS['tried'] += 1
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        with pytest.raises(CLEAR) as raised: call()
    message = str(raised.value)
    assert names in message, f'the error does not name {names}: {type(raised.value).__name__}: {message}'
    assert '\n' not in message.strip() or len(message) < 600, f'not a short message: {message}'
    RESULTS['clear'] += 1

@pytest.mark.parametrize('case', LEARNER_CASES, ids=[c[0] for c in LEARNER_CASES])
def test_bad_input_to_a_learner(learn, case):
    _, call, names = case
    before = _learner_state(learn)
    expect_clear_error(lambda: call(learn), names)
    assert _state_differences(before, _learner_state(learn)) == [], 'the call changed the learner before it raised'

@pytest.mark.parametrize('case', FROZEN_BN_CASES, ids=[c[0] for c in FROZEN_BN_CASES])
def test_bad_input_to_a_frozen_bn_learner(frozen_bn, case):
    _, call, names = case
    freeze(frozen_bn)
    before = _learner_state(frozen_bn)
    expect_clear_error(lambda: call(frozen_bn), names)
    freeze(frozen_bn)                      # the case may unfreeze on purpose first: compare with the frozen state
    assert _state_differences(before, _learner_state(frozen_bn)) == []

@pytest.mark.parametrize('case', PLAIN_CASES, ids=[c[0] for c in PLAIN_CASES])
def test_bad_input(files, case):
    _, call, names = case
    expect_clear_error(lambda: call(files), names)

@pytest.mark.parametrize('case', GROUP_CASES, ids=[c[0] for c in GROUP_CASES])
def test_learners_that_cannot_be_frozen(dls, case):
    _, call, names = case
    expect_clear_error(lambda: call(dls), names)

def test_user_module_untouched_when_transfer_learner_refuses():
    "A 3-channel body on grey digits gets its first convolution adapted only when the learner is really built."
    body = nn.Sequential(nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU()), nn.Sequential(nn.Conv2d(8, 8, 3), nn.ReLU()))
    weights = {k: v.clone() for k, v in body.state_dict().items()}
    dls = digits_dls(n_per_class=5)
    after_batch = list(dls.after_batch.fs)
    with pytest.raises(ValueError, match='`splitter`'): transfer_learner(dls, body, splitter=lambda m: params(m))
    assert body[0][0].in_channels == 3 and all(torch.equal(weights[k], v) for k, v in body.state_dict().items())
    assert list(dls.after_batch.fs) == after_batch

def test_linear_probe_to_head_keeps_the_head_when_a_step_fails(learn, monkeypatch):
    from ftkit.recipe import features
    head, before = learn.model[1], _learner_state(learn)
    monkeypatch.setattr(features, 'probe_head', lambda *a, **k: (_ for _ in ()).throw(RuntimeError('failed while building the head')))
    with pytest.raises(RuntimeError): linear_probe(learn, to_head=True, Cs=[1.])
    changed = [d for d in _state_differences(before, _learner_state(learn)) if not d.startswith(('python_rng', 'numpy_rng', 'torch_rng'))]
    assert learn.model[1] is head and changed == []     # the probe's loaders draw from the global RNGs, as fastai's loaders do

VALID = [   # inputs of other numeric types that mean a valid value
    ('group_lrs torch scalar', lambda l: group_lrs(l, torch.tensor(1e-3))),
    ('group_lrs numpy scalar', lambda l: group_lrs(l, np.float32(1e-3))),
    ('group_lrs slice of torch', lambda l: group_lrs(l, slice(torch.tensor(1e-4), torch.tensor(1e-3)))),
    ('fit_head torch rate', lambda l: fit_head(l, 1, lr=torch.tensor(1e-3), progress=False)),
    ('fit_head numpy epochs', lambda l: fit_head(l, np.int64(1), lr=1e-3, progress=False)),
    ('fit_body numpy rates', lambda l: fit_body(l, 1, lr=np.array([1e-5, 1e-4, 1e-3]), progress=False)),
    ('lr_find torch rates', lambda l: lr_find(l, start_lr=torch.tensor(1e-6), end_lr=np.float64(1.), num_it=np.int64(20), progress=False)),
    ('linear_probe numpy Cs', lambda l: linear_probe(l, Cs=np.array([0.1, 1.]), cv=np.int64(2))),
    ('freeze numpy n', lambda l: freeze(l, np.int64(-1))),
    ('digits_dls numpy sizes', lambda l: digits_dls(n_per_class=np.int64(5), bs=np.int64(8), seed=np.int64(1))),
    ('digits_dls numpy image size', lambda l: digits_dls(n_per_class=5, size=np.int64(16))),
    ('lr_find numpy seed', lambda l: lr_find(l, num_it=20, seed=np.int64(0), progress=False)),
    ('lr_find torch seed', lambda l: lr_find(l, num_it=20, seed=torch.tensor(3), progress=False)),
    ('lr_find largest seed', lambda l: lr_find(l, num_it=20, seed=2**32 - 1, progress=False)),
    ('two_phase search_kw through head_kw', lambda l: two_phase(l, 1, 1, head_kw=dict(search_kw=dict(n_folds=2)), head_lr='search',
                                                                 progress=False)),
]

@pytest.mark.parametrize('case', VALID, ids=[c[0] for c in VALID])
def test_valid_input_of_another_type_is_taken(case):
    _, call = case
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        call(make_learner(bn='frozen'))

def test_counts():
    "Run last (-k counts after the others): how many bad inputs were tried and how many got a clear error."
    total = len(LEARNER_CASES) + len(FROZEN_BN_CASES) + len(PLAIN_CASES) + len(GROUP_CASES)
    print(f"\nbad inputs: {total} in the table, {RESULTS['tried']} tried in this run, {RESULTS['clear']} clear errors")
    assert RESULTS['clear'] == RESULTS['tried']
