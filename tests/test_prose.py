"""The prose says what the code does: every call a chapter or tutorial quotes in its prose with concrete arguments
(`two_phase(learn, 2, 4)`, `fine_tune(4, freeze_epochs=2)`) is a call its own code makes, with those arguments (the
code may pass more keywords, e.g. a seed). A tutorial whose text says 6 epochs while its code runs 4 fails here.
Templates (`fit_head(learn, epochs)`) and a "Where next" list, which points at other chapters, are not checked."""
import ast, json, re
from pathlib import Path

import pytest

NBS = Path(__file__).resolve().parent.parent/'nbs'
QUOTED = re.compile(r'`((?:\w+\.)?(?:fine_tune|two_phase|fit_head|fit_body|fit_one_cycle|lr_find)\([^`]*\))`')
QUOTING = [p for p in sorted(NBS.rglob('*.ipynb')) if p.name != 'index.ipynb' and '.ipynb_checkpoints' not in p.parts]

def parse_call(text):
    "The `ast.Call` of a quoted call, or None when it is not concrete (`...`, or it does not parse)."
    if '...' in text: return None
    try: node = ast.parse(text, mode='eval').body
    except SyntaxError: return None
    return node if isinstance(node, ast.Call) else None

def name(call): return call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, 'id', None)

def code_calls(nb):
    "Every call in the notebook's code cells (cells that do not parse, e.g. with shell magics, are skipped)."
    for cell in nb['cells']:
        if cell['cell_type'] != 'code': continue
        source = '\n'.join(l for l in ''.join(cell['source']).splitlines() if not l.lstrip().startswith(('!', '%')))
        try: yield from (n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Call))
        except SyntaxError: continue

def made_by(quoted, call):
    "Does `call` make the quoted call: same function, same positional arguments, the quoted keywords among its own?"
    same = lambda a, b: ast.dump(a) == ast.dump(b)
    keywords = {k.arg: k.value for k in call.keywords}
    return (name(quoted) == name(call) and len(quoted.args) == len(call.args) and all(map(same, quoted.args, call.args))
            and all(k.arg in keywords and same(k.value, keywords[k.arg]) for k in quoted.keywords))

def quoted_calls(path):
    nb = json.loads(path.read_text())
    prose = '\n'.join(''.join(c['source']) for c in nb['cells']
                      if c['cell_type'] == 'markdown' and not ''.join(c['source']).startswith('## Where next'))
    calls = list(code_calls(nb))
    for text in QUOTED.findall(prose):
        quoted = parse_call(text)
        concrete = lambda a: isinstance(a, ast.Constant) or (isinstance(a, ast.Name) and a.id == 'learn')
        if quoted is not None and all(map(concrete, quoted.args)):
            yield text, any(made_by(quoted, c) for c in calls)

@pytest.mark.parametrize('path', QUOTING, ids=[str(p.relative_to(NBS)) for p in QUOTING])
def test_quoted_calls_are_made(path):
    missing = [text for text, made in quoted_calls(path) if not made]
    assert not missing, f'{path.name} quotes calls its code does not make: {missing}'

def test_the_check_catches_a_mismatch(tmp_path):
    "The defect this file was written for: prose quoting `fine_tune(6, freeze_epochs=2)` over code running 4."
    cell = lambda kind, text: dict(cell_type=kind, source=[text], metadata={}, **({'outputs': []} if kind == 'code' else {}))
    nb = dict(cells=[cell('markdown', 'Compare with `fine_tune(6, freeze_epochs=2)`, or `two_phase(learn, 2, 4)`.'),
                     cell('code', 'learn.fine_tune(4, freeze_epochs=2)\nreport = two_phase(learn, 2, 4, finder_kw=dict(seed=0))')])
    (tmp_path/'t.ipynb').write_text(json.dumps(nb))
    assert list(quoted_calls(tmp_path/'t.ipynb')) == [('fine_tune(6, freeze_epochs=2)', False), ('two_phase(learn, 2, 4)', True)]
