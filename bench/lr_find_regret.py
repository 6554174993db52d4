"""How good is each rate rule? Regret on two evaluation families that share nothing (bench/families.py).

For each family ('digits': the shipped sample backbone on 8x8 digits; 'shapes': an XResNet pretrained here on 32x32
generated shapes), 20 and 100 labels per class, seeds 0-4, and three settings:

- frozen: the body frozen, the head trained (`fit_head(EPOCHS, lr, cache=True)`);
- unfrozen: everything trained from the pretrained body with `slice(lr/10, lr)` (`fit_body(EPOCHS, lr=...)`);
- after phase 1: the same, after a phase 1 at the rate search's choice, which is when users run the second finder;

the best validation accuracy over 10 rates from 1e-5 to 3e-1 is compared with the accuracy at each rule's rate:
fastai's four suggestions, ftkit's `recommended`, the head's rate search (`lr='search'`, frozen only), and after phase 1
`fit_body`'s default rule and the posts' "phase 1's rate / 10". Regret = best grid accuracy - accuracy at the rule's
rate, in points. Every training run is seeded, so a rate that two rules share is trained once.

`recommended` and the search's defaults were chosen looking at the digits family only; shapes is the held-out family.

Run:  .venv/bin/python bench/lr_find_regret.py --family digits   (writes bench/results/regret_digits.json)
      .venv/bin/python bench/lr_find_regret.py --family shapes
      .venv/bin/python bench/lr_find_regret.py --report          (the tables, from both files)
The two families ran at once with --threads 1 each on 2 cores: about 15 (digits) and 28 minutes (shapes)."""
import argparse, json, sys, time, warnings
from pathlib import Path
warnings.filterwarnings('ignore')
import numpy as np, torch
from fastai.vision.all import set_seed
sys.path.insert(0, str(Path(__file__).parent))
from families import family_learner
from ftkit.finder.lr_find import lr_find
from ftkit.learner.groups import unfreeze
from ftkit.core.basics import _write_text_atomically
from ftkit.recipe.phases import _body_rate_rule, fit_body, fit_head
from ftkit.recipe.search import search_head_lr

EPOCHS, SEEDS, SIZES = 5, range(5), (20, 100)
MODES = ('frozen', 'unfrozen', 'after phase 1', 'frozen, bn=train')
GRID = np.logspace(-5, np.log10(3e-1), 10)
RESULTS = Path(__file__).parent/'results'

def accuracy(learn)->float:
    with learn.no_bar(), learn.no_logging(): return float(learn.validate()[1])

def trained(family, n, seed, head_lr=None, body_lr=None, bn='frozen'):
    "A fresh learner of the setting, its head trained at `head_lr` (if any), then everything at slice(body_lr/10, body_lr)."
    learn = family_learner(family, n, seed, bn=bn)
    if head_lr is not None:
        set_seed(seed + 100)
        fit_head(learn, EPOCHS, lr=float(head_lr), cache=bn == 'frozen', progress=False, keep_best=False)
    if body_lr is not None:
        set_seed(seed + 200)
        fit_body(learn, EPOCHS, lr=slice(body_lr / 10, body_lr), progress=False, keep_best=False)
    return learn

def run_setting(family, n, seed, mode, head_lr=None)->dict:
    "Grid and rules of one setting; for the frozen mode also the rate search and the cost of finder and search."
    scores, frozen, bn = {}, mode.startswith('frozen'), 'train' if mode == 'frozen, bn=train' else 'frozen'
    def score(lr):
        lr = float(lr)
        if lr not in scores:
            scores[lr] = accuracy(trained(family, n, seed, head_lr=lr, bn=bn) if frozen else
                                  trained(family, n, seed, head_lr=head_lr, body_lr=lr))
        return scores[lr]
    learn = trained(family, n, seed, head_lr=head_lr if mode == 'after phase 1' else None, bn=bn)
    if not frozen: unfreeze(learn)
    started = time.perf_counter()
    found = lr_find(learn, ratios=None if frozen else slice(0.1, 1), seed=seed + 100, progress=False)
    finder_seconds = time.perf_counter() - started
    rules = {**found.suggestions, 'ftkit recommended': found.recommended}
    record = dict(family=family, n_per_class=n, seed=seed, mode=mode, finder_seconds=finder_seconds,
                  finder_passes=found.settings['num_it'] * found.settings['bs'] / len(learn.dls.train_ds),
                  curve=found.to_dict())                     # the whole curve: rules that read it can be scored later
    if frozen:
        searched = search_head_lr(learn, EPOCHS, seed=seed)        # with bn='train': the approximation (features computed once)
        rules['ftkit search'] = searched.best
        record.update(search_seconds=searched.seconds, search=searched.to_dict())
    if mode == 'after phase 1':
        rules['fit_body rule'] = _body_rate_rule(head_lr, found)[0]
        rules.update(body_candidates(head_lr, found.suggestions.get('minimum')))
        record.update(head_lr=head_lr, noise_to_descent=found.facts['noise_to_descent'])
    grid = {float(lr): score(lr) for lr in GRID}
    record.update(grid=grid, best=max(grid.values()),
                  rules={k: (None, None) if v is None else (float(v), score(v)) for k, v in rules.items()})
    return record

def body_candidates(head_lr, minimum=None)->dict:
    "Phase 2 rules beside `fit_body`'s (phase 1's rate / 3, capped at 10x the second curve's minimum unless it is too noisy)."
    cap = np.inf if minimum is None else 10 * minimum         # the second curve's lowest loss; none (unreadable): no cap
    return {'phase 1 rate / 10': head_lr / 10, 'phase 1 rate / 3, never capped': head_lr / 3, 'phase 1 rate / 1': head_lr,
            'phase 1 rate / 3, always capped': min(head_lr / 3, cap), 'phase 1 rate / 10, always capped': min(head_lr / 10, cap)}

def add_body_candidates(family):
    "Score `body_candidates` in the after-phase-1 records that lack them (the same seeded phase 1 and second finder again)."
    path = RESULTS/f'regret_{family}.json'
    records = json.loads(path.read_text())
    for r in records:
        if r['mode'] != 'after phase 1' or all(k in r['rules'] for k in body_candidates(1.)): continue
        n, seed, head_lr = r['n_per_class'], r['seed'], r['head_lr']
        learn = trained(family, n, seed, head_lr=head_lr)
        unfreeze(learn)
        found = lr_find(learn, ratios=slice(0.1, 1), seed=seed + 100, progress=False)
        if not np.isclose(found.suggestions.get('valley', np.nan), r['rules']['valley'][0], rtol=1e-6):
            raise RuntimeError(f'{family} n={n} seed={seed}: the second finder did not reproduce ({found.suggestions} vs {r["rules"]})')
        scores = {**{float(k): v for k, v in r['grid'].items()}, **{lr: a for lr, a in r['rules'].values() if a is not None}}
        for name, lr in body_candidates(head_lr, found.suggestions.get('minimum')).items():
            if lr not in scores: scores[lr] = accuracy(trained(family, n, seed, head_lr=head_lr, body_lr=lr))
            r['rules'][name] = (float(lr), scores[lr])
        r['noise_to_descent'] = found.facts['noise_to_descent']
        print(f"{family} n={n} seed={seed}: noise/descent {r['noise_to_descent']:.2f}; " + ', '.join(
              f"{k} {100 * (r['best'] - a):.1f}" for k, (lr, a) in r['rules'].items() if 'phase 1' in k or k == 'fit_body rule'), flush=True)
        _write_text_atomically(path, json.dumps(records, indent=1))

def run_family(family, sizes=SIZES, seeds=SEEDS, modes=MODES):
    "Run every setting of `family` not yet in its results file (so a run can be resumed or extended: a new mode, a seed)."
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS/f'regret_{family}.json'
    records = json.loads(path.read_text()) if path.exists() else []
    for n in sizes:
        for seed in seeds:
            have = {r['mode']: r for r in records if r['n_per_class'] == n and r['seed'] == seed}
            new = [m for m in modes if m not in have]
            if not new: continue
            for mode in new:
                if mode == 'after phase 1' and 'frozen' not in have:     # phase 1 there runs at the search's rate
                    have['frozen'] = run_setting(family, n, seed, 'frozen'); records.append(have['frozen']); new.insert(0, 'frozen')
                head_lr = have['frozen']['rules']['ftkit search'][0] if mode == 'after phase 1' else None
                have[mode] = run_setting(family, n, seed, mode, head_lr)
                records.append(have[mode])
            for r in records[-len(new):]:
                regrets = {k: 100 * (r['best'] - a) for k, (lr, a) in r['rules'].items() if a is not None}
                print(f"{family} n={n} seed={seed} {r['mode']}: best {r['best']:.3f}; "
                      + ', '.join(f'{k} {v:.1f}' for k, v in regrets.items()), flush=True)
            _write_text_atomically(path, json.dumps(records, indent=1))

RECOMMENDED_NOW = 'ftkit recommended now (minimum)'   # before 2026-12-01's re-run: `minimum` frozen, `valley` unfrozen

def regret(record, rule):
    "Regret of `rule` in `record`; `recommended` without a trustworthy curve counts as fastai's valley, as `fit_head` uses it."
    if rule == RECOMMENDED_NOW:          # `recommended` since it is `minimum` in every phase: None where the curve was untrustworthy
        rule = 'minimum' if record['rules']['ftkit recommended'][0] is not None else 'valley'
    lr, acc = record['rules'].get(rule, (None, None))
    if acc is None and rule == 'ftkit recommended': lr, acc = record['rules']['valley']
    return np.nan if acc is None else 100 * (record['best'] - acc)

def scored(record, rule)->bool:
    "Does `record` score `rule` (the derived `RECOMMENDED_NOW` in every record)?"
    return rule in record['rules'] or rule == RECOMMENDED_NOW

def mean_regret(records, family, mode, rule)->float:
    return np.nanmean([regret(r, rule) for r in records if r['family'] == family and r['mode'] == mode and scored(r, rule)])

def cross_check(records, families, modes, rules):
    "Leave one family out: choose the best of fastai's four rules on the others, per mode; report it on the one left out."
    print('\nA rule chosen on the other families, reported on the one left out (mean regret, points):')
    print('| setting | left out | chosen on | rule | regret there | regret on the family left out |\n|---|---|---|---|---|---|')
    fastai_rules = [r for r in rules if r in ('valley', 'steep', 'minimum', 'slide')]
    for m in modes:
        for f in families:
            others = [g for g in families if g != f and any(r['family'] == g and r['mode'] == m for r in records)]
            if not others or not any(r['family'] == f and r['mode'] == m for r in records): continue
            there = lambda rule: np.mean([mean_regret(records, g, m, rule) for g in others])
            best = min(fastai_rules, key=there)
            print(f"| {m} | {f} | {' + '.join(others)} | {best} | {there(best):.1f} | {mean_regret(records, f, m, best):.1f} |")
    body_rules = [r for r in rules if r in fastai_rules + ['ftkit recommended', 'fit_body rule'] or r.startswith('phase 1 rate')]
    print('\nPhase 2 after phase 1: every rule chosen on two families, reported on the one left out (mean regret, points):')
    print('| left out | chosen on | rule | regret there | regret on the family left out | fit_body rule there |\n|---|---|---|---|---|---|')
    m = 'after phase 1'
    for f in families:
        others = [g for g in families if g != f and any(r['family'] == g and r['mode'] == m for r in records)]
        if not others or not any(r['family'] == f and r['mode'] == m for r in records): continue
        scored = [rule for rule in body_rules if all(rule in r['rules'] for r in records if r['mode'] == m)]
        there = lambda rule: np.mean([mean_regret(records, g, m, rule) for g in others])
        best = min(scored, key=there)
        print(f"| {f} | {' + '.join(others)} | {best} | {there(best):.1f} | {mean_regret(records, f, m, best):.1f} | "
              f"{mean_regret(records, f, m, 'fit_body rule'):.1f} |")

def report():
    records = [r for f in ('digits', 'shapes', 'real') if (RESULTS/f'regret_{f}.json').exists()
               for r in json.loads((RESULTS/f'regret_{f}.json').read_text())]
    families = list(dict.fromkeys(r['family'] for r in records))
    modes = [m for m in MODES if any(r['mode'] == m for r in records)]
    rules = list(dict.fromkeys(k for r in records for k in r['rules'])) + [RECOMMENDED_NOW]
    head = '| rule | ' + ' | '.join(f'{f}: {m}' for f in families for m in modes) + ' |'
    print(head + '\n' + '|---' * (len(families) * len(modes) + 1) + '|')
    for rule in rules:
        cells = []
        for f in families:
            for m in modes:
                values = [regret(r, rule) for r in records if r['family'] == f and r['mode'] == m and scored(r, rule)]
                cells.append('' if not values else f'{np.nanmean(values):.1f}' + (f' ({np.isnan(values).sum()} none)' if np.isnan(values).any() else ''))
        print(f'| {rule} | ' + ' | '.join(cells) + ' |')
    fallbacks = sum(r['rules']['ftkit recommended'][0] is None for r in records)
    print(f"\n(`recommended` was None, an untrustworthy curve, in {fallbacks} of {len(records)} settings; there it counts as valley, "
          "the rate `fit_head` and `fit_body` then use.)")
    if len(families) >= 2: cross_check(records, families, modes, rules)
    print('\nPer family and size (mean regret, points):')
    for f in families:
        for n in sorted({r['n_per_class'] for r in records if r['family'] == f}):
            rows = [r for r in records if r['family'] == f and r['n_per_class'] == n]
            print(f"{f} n={n}: " + '; '.join(f"{m}: " + ', '.join(f"{rule} {np.nanmean([regret(r, rule) for r in rows if r['mode'] == m]):.1f}"
                  for rule in ('ftkit recommended', 'ftkit search', 'fit_body rule') if any(rule in r['rules'] for r in rows if r['mode'] == m))
                  for m in modes if any(r['mode'] == m for r in rows)))
    print('\nBest grid rate (median) and the cost of the frozen-mode finder and search:')
    for f in families:
        for m in modes:
            rows = [r for r in records if r['family'] == f and r['mode'] == m]
            if not rows: continue
            best_lrs = [max(r['grid'], key=r['grid'].get) for r in rows]
            extra = ''
            if m.startswith('frozen'):
                extra = (f", finder {np.median([r['finder_seconds'] for r in rows]):.2f} s, search "
                         f"{np.median([r['search_seconds'] for r in rows]):.2f} s (medians)")
            print(f"{f} {m}: best rate median {np.median([float(x) for x in best_lrs]):.1e}, finder passes over the training set "
                  f"{np.median([r['finder_passes'] for r in rows]):.1f}{extra}")

if __name__ == '__main__':
    parser = argparse.ArgumentParser()
    parser.add_argument('--family', choices=['digits', 'shapes', 'real'])
    parser.add_argument('--sizes', type=int, nargs='+', default=list(SIZES))
    parser.add_argument('--seeds', type=int, nargs='+', default=list(SEEDS))
    parser.add_argument('--modes', nargs='+', default=list(MODES))
    parser.add_argument('--report', action='store_true')
    parser.add_argument('--body-candidates', action='store_true', help="score the phase 2 rules the family's records lack")
    parser.add_argument('--threads', type=int, default=None)
    args = parser.parse_args()
    if args.threads: torch.set_num_threads(args.threads)
    if args.family and args.body_candidates: add_body_candidates(args.family)
    elif args.family: run_family(args.family, args.sizes, args.seeds, args.modes)
    if args.report or not args.family: report()
