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

def test_public_definitions_are_few():
    """The public surface is what users call: at most 100 top-level names without an underscore in ftkit's modules
    (helpers that modules share inside the package are private, `_name`), and none in `ftkit.all` is private."""
    import ast, pathlib, ftkit, ftkit.all as fk
    root = pathlib.Path(ftkit.__file__).parent
    public = [f'{path.relative_to(root).with_suffix("")}.{name}' for path in sorted(root.rglob('[!_]*.py')) if path.stem != 'all'
              for node in ast.parse(path.read_text()).body
              for name in ([node.name] if isinstance(node, (ast.FunctionDef, ast.ClassDef)) else
                           [t.id for t in node.targets if isinstance(t, ast.Name)] if isinstance(node, ast.Assign) else [])
              if not name.startswith('_')]
    assert len(public) <= 100, f"{len(public)} public definitions: {public}"
    assert not [n for n in fk.__all__ if n.startswith('_')]

def test_lines_fit_in_110_characters():
    """Every line ftkit's notebooks export (and `all.py`) is at most 110 characters. Two kinds of line nbdev writes
    itself are left out: `_modidx.py` (pformat at 140) and the `__all__` lists it wraps at 120."""
    import ast, pathlib, ftkit
    def nbdevs_all(source):
        "The line numbers of the module's `__all__ = [...]` statement."
        return {n for node in ast.parse(source).body if isinstance(node, ast.Assign)
                and any(getattr(t, 'id', None) == '__all__' for t in node.targets)
                for n in range(node.lineno, node.end_lineno + 1)}
    root = pathlib.Path(ftkit.__file__).parent
    long = [f'{path.relative_to(root)}:{n}' for path in sorted(root.rglob('*.py')) if path.name != '_modidx.py'
            for source in [path.read_text()] for skip in [nbdevs_all(source)]
            for n, line in enumerate(source.splitlines(), 1) if len(line) > 110 and n not in skip]
    assert not long, f"{len(long)} lines over 110 characters: {long[:10]}"
