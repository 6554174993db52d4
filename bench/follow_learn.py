"""Follow `learn` through one `two_phase` call (issue 33): the ftkit calls that take it, their modules, and how often
the path changes module. Run: `python bench/follow_learn.py` (digits, 20 images per class, 1 + 1 epochs, ~30 s)."""
import sys, warnings; warnings.filterwarnings('ignore')
from ftkit.all import digits_dls, sample_backbone, transfer_learner, two_phase
from fastai.vision.all import accuracy, set_seed

set_seed(0, reproducible=True)
learn = transfer_learner(digits_dls(n_per_class=20), sample_backbone(), metrics=accuracy)
stops = []

def takes_learn(frame):
    "Does this call get `learn` as an argument (or is it a method of `learn`)?"
    code = frame.f_code
    return 'learn' in code.co_varnames[:code.co_argcount + code.co_kwonlyargcount] or frame.f_locals.get('self') is learn

def profile(frame, event, arg):
    module = frame.f_globals.get('__name__', '')
    if event == 'call' and module.startswith('ftkit.') and takes_learn(frame): stops.append((module, frame.f_code.co_name))

sys.setprofile(profile)
two_phase(learn, 1, 1, progress=False)
sys.setprofile(None)
changes = sum(a[0] != b[0] for a, b in zip(stops, stops[1:]))
print(f'{len(stops)} calls taking learn, in {len({m for m, _ in stops})} modules, {changes} module changes')
for module, name in stops: print(f'  {module}.{name}')
