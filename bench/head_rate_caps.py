"""Which cap keeps the frozen head's rate from blowing up? Candidate rules scored leave-one-family-out.

The head's rate is `recommended` (fastai's `minimum`: a tenth of the rate at the lowest smoothed loss). On a held-out
ImageNet network it took rates 1-2 decades above the best grid rate and the heads blew up. A cap computed from the
curve's other suggestions would stop that; this script scores candidate caps on the frozen-head settings that
`lr_find_regret.py` recorded (digits, shapes: 20 and 100 labels per class x 5 seeds; real: 10 and 20 per class x 3 seeds),
then chooses the best on two families and reports it on the third.

A candidate's rate is a function of fastai's four suggestions, which every record stores (its `rules`). Its accuracy
is the accuracy actually trained when it equals a rate the record trained (a rule's or a grid rate), otherwise the
grid's accuracies interpolated linearly in log(rate) (clamped at the grid's ends, 1e-5 and 3e-1). The interpolation's
own error is measured on the rules' trained rates and printed with the tables.

Command: `.venv/bin/python bench/head_rate_caps.py` (reads bench/results/regret_*.json, trains nothing, a second); it
prints the tables as Markdown, as bench/README.md holds them.
"""
import argparse, json, math
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).parent/'results'
FAMILIES = ('digits', 'shapes', 'real')
SETTINGS = ('frozen', 'frozen, bn=train')

CANDIDATES = {
    'minimum (recommended today)':       lambda r: r['minimum'],
    'valley':                            lambda r: r['valley'],
    'steep':                             lambda r: r['steep'],
    'slide':                             lambda r: r['slide'],
    'minimum, at most 3x valley':        lambda r: min(r['minimum'], 3 * r['valley']),
    'minimum, at most 10x valley':       lambda r: min(r['minimum'], 10 * r['valley']),
    'minimum, at most 10x steep':        lambda r: min(r['minimum'], 10 * r['steep']),
    'geometric mean of valley, minimum': lambda r: math.sqrt(r['minimum'] * r['valley']),
    'minimum / 3':                       lambda r: r['minimum'] / 3,
    'median of the four':                lambda r: float(np.median([r[k] for k in ('valley', 'steep', 'minimum', 'slide')])),
}

def records(family:str, setting:str)->list:
    "The stored records of `family` in `setting`, each with its grid, its rules' trained rates and the best accuracy."
    path = RESULTS/f'regret_{family}.json'
    return [r for r in json.loads(path.read_text()) if r['mode'] == setting] if path.exists() else []

def interpolated(record:dict, rate:float)->float:
    "The grid's accuracy at `rate`, linear in log(rate) between grid points, clamped at the ends."
    rates = sorted(float(k) for k in record['grid'])
    accs = [record['grid'][k] for k in sorted(record['grid'], key=float)]
    return float(np.interp(math.log(rate), np.log(rates), accs))

def accuracy_at(record:dict, rate:float)->float:
    "The trained accuracy at `rate` when the record trained it (a rule's or a grid rate), else the interpolation."
    trained = {float(k): a for k, a in record['grid'].items()} | {lr: a for lr, a in record['rules'].values()}
    for lr, acc in trained.items():
        if math.isclose(lr, rate, rel_tol=1e-6): return acc
    return interpolated(record, rate)

def regret(record:dict, rule)->float:
    "Points lost against the best grid rate by the rate `rule` picks from the record's four suggestions."
    suggestions = {k: v[0] for k, v in record['rules'].items()}
    return 100 * (record['best'] - accuracy_at(record, rule(suggestions)))

def interpolation_error(recs:list)->float:
    "Mean absolute gap, in points, between the interpolated and the trained accuracy at the four rules' rates."
    gaps = [abs(interpolated(r, lr) - acc) for r in recs for name, (lr, acc) in r['rules'].items()
            if name in ('valley', 'steep', 'minimum', 'slide')]
    return 100 * float(np.mean(gaps))

def tables(setting:str)->tuple:
    "Mean regret per candidate and family, and the leave-one-family-out choices, for one setting."
    recs = {f: records(f, setting) for f in FAMILIES}
    mean = {name: {f: float(np.mean([regret(r, rule) for r in recs[f]])) for f in FAMILIES if recs[f]}
            for name, rule in CANDIDATES.items()}
    worst = {name: {f: float(np.max([regret(r, rule) for r in recs[f]])) for f in FAMILIES if recs[f]}
             for name, rule in CANDIDATES.items()}
    folds = []
    for out in (f for f in FAMILIES if recs[f]):
        others = [f for f in FAMILIES if f != out and recs[f]]
        chosen = min(CANDIDATES, key=lambda n: np.mean([mean[n][f] for f in others]))
        folds.append((out, ' + '.join(others), chosen, np.mean([mean[chosen][f] for f in others]), mean[chosen][out],
                      mean['minimum (recommended today)'][out]))
    return recs, mean, worst, folds

def report():
    for setting in SETTINGS:
        recs, mean, worst, folds = tables(setting)
        fams = [f for f in FAMILIES if recs[f]]
        sizes = ', '.join(f"{f} {len(recs[f])}" for f in fams)
        errors = ', '.join(f"{f} {interpolation_error(recs[f]):.1f}" for f in fams)
        print(f"\nSetting `{setting}` (settings per family: {sizes}; interpolation error at trained rates, points: {errors})\n")
        print('| rule | ' + ' | '.join(f"{f}: mean (worst)" for f in fams) + ' |')
        print('|---|' + '---|' * len(fams))
        for name in CANDIDATES:
            print(f"| {name} | " + ' | '.join(f"{mean[name][f]:.1f} ({worst[name][f]:.1f})" for f in fams) + ' |')
        print('\n| left out | chosen on | rule | regret there | regret on the family left out | `minimum` there |')
        print('|---|---|---|---|---|---|')
        for out, on, rule, there, left, today in folds:
            print(f"| {out} | {on} | {rule} | {there:.1f} | {left:.1f} | {today:.1f} |")

if __name__ == '__main__':
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    report()
