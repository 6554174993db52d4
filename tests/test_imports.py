"`from ftkit.all import *` works beside `from fastai.vision.all import *`, in either order, and shadows nothing."
import subprocess, sys, textwrap
import pytest

API = {'digits_dls', 'folder_dls', 'clothing_dls', 'pets_dls', 'efficientnet_lite0', 'NotebookFigure', 'save_figure', 'sample_backbone', 'transfer_learner', 'lr_find', 'LRFindResult', 'plot_lr_finds', 'seed_learner',
       'freeze', 'unfreeze', 'gradual_unfreeze', 'group_lrs', 'show_groups', 'discriminative_lrs', 'layer_groups', 'plot_group_rates', 'plot_groups',
       'RecordHypers', 'triangular_schedule', 'fit_head', 'fit_body', 'two_phase', 'FineTuneReport', 'PhaseResult',
       'bottleneck_features', 'linear_probe', 'ProbeResult', 'cached_body', 'cache_problems', 'compare_strategies', 'plot_strategies',
       'fit_probe', 'load_reference', 'reproduce', 'sample_task_learner', 'search_head_lr', 'HeadRateSearch'}

def run_python(code):
    "Run `code` in a fresh interpreter (star imports must start from a clean namespace); return its stdout."
    done = subprocess.run([sys.executable, '-c', textwrap.dedent(code)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout

@pytest.mark.parametrize('first,second', [('fastai.vision.all', 'ftkit.all'), ('ftkit.all', 'fastai.vision.all')])
def test_star_imports_in_either_order(first, second):
    out = run_python(f"""
        from {first} import *
        from {second} import *
        import fastai.vision.all as fv, ftkit.all as fk
        fastai_names = {{n for n in dir(fv) if not n.startswith('_')}}
        ns = dict(globals())
        assert all(ns[n] is getattr(fv, n) for n in fastai_names), 'a fastai name was shadowed'
        assert all(ns[n] is getattr(fk, n) for n in fk.__all__), 'an ftkit name was shadowed'
        assert 'Learner' in ns and 'digits_dls' in ns
        print(sorted(fk.__all__))
    """)
    assert set(eval(out)) == API

def test_public_api_shadows_no_fastai_name():
    import fastai.vision.all as fv, ftkit.all as fk
    assert set(fk.__all__) == API
    assert not set(fk.__all__) & {n for n in dir(fv) if not n.startswith('_')}

def test_no_module_imports_another_modules_private_names():
    "What two modules share is public in the lower one: no `from .x import _name` (or `from ftkit.x import _name`)."
    import ast, pathlib, ftkit
    found = []
    for path in sorted(pathlib.Path(ftkit.__file__).parent.glob('*.py')):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.level or (node.module or '').startswith('ftkit')):
                found += [f'{path.name}: {node.module}.{a.name}' for a in node.names if a.name.startswith('_')]
    assert not found, found
