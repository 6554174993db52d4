"Notebooks run as users run them: in a real ipykernel (nbclient), where nbdev's execnb and its inline plotting are absent."
import os, re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NBS = Path(__file__).parent.parent/'nbs'
PLOTTING = re.compile(r'\.plot\(|\.show_batch\(|\bplot_\w+\(|NotebookFigure\(')     # a cell that draws with ftkit


SKIPPED = re.compile(r'^#\|\s*(notest|slow|eval:\s*false)\b', re.M)   # what nbdev-test skips (tst_flags): downloads, long runs


def run_in_kernel(path:Path):
    "Execute a copy of the notebook at `path` in a fresh python3 ipykernel, in its own folder; return it with outputs."
    nb = nbformat.read(path, as_version=4)
    nb.cells = [c for c in nb.cells if not (c.cell_type == 'code' and SKIPPED.search(c.source))]
    env = {k: v for k, v in os.environ.items() if k != 'MPLBACKEND'}    # conftest's Agg is for this process, not a user's kernel
    NotebookClient(nb, timeout=600, kernel_name='python3', resources={'metadata': {'path': str(path.parent)}}).execute(env=env)
    return nb


def texts(output)->list:
    "Every piece of text an output shows."
    return [output.get('text', ''), *(v for k, v in output.get('data', {}).items() if k.startswith('text/'))]


def drawing_cells(nb)->list:
    "The code cells that draw with ftkit (definitions, bad-input checks and plain matplotlib axes show nothing)."
    shows = lambda line: 'test_fail(' not in line and 'Figure().subplots()' not in line
    return [c for c in nb.cells if c.cell_type == 'code' and not re.match(r'\s*(#\| export|def |class )', c.source)
            and PLOTTING.search('\n'.join(l for l in c.source.splitlines() if shows(l)))]


NOTEBOOKS = sorted(str(p.relative_to(NBS)) for p in NBS.rglob('*.ipynb') if '.ipynb_checkpoints' not in p.parts)


@pytest.mark.parametrize('name', NOTEBOOKS)
def test_every_plot_shows_once_as_an_image(name):
    nb = run_in_kernel(NBS/name)
    code = [c for c in nb.cells if c.cell_type == 'code']
    drawing = drawing_cells(nb)
    for cell in drawing:
        images = [o for o in cell.outputs if 'image/png' in o.get('data', {})]
        assert images, f"no image from:\n{cell.source}"
    for cell in code:
        for output in cell.outputs:
            shown_as_text = 'image/png' not in output.get('data', {}) and any('<Figure size' in t for t in texts(output))
            assert not shown_as_text, f"a figure shown as text in:\n{cell.source}"     # text/plain beside an image is not shown
            import_noise = output.get('name') == 'stderr' and 'torch.jit.script' in output.get('text', '')
            assert not import_noise, f"torch's jit.script FutureWarning (fastai's import) shown as a red box by:\n{cell.source}"
    print(f"{name}: {sum('image/png' in o.get('data', {}) for c in code for o in c.outputs)} images, "
          f"{len(drawing)} plotting cells")
