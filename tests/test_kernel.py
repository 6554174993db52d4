"Notebooks run as users run them: in a real ipykernel (nbclient), where nbdev's execnb and its inline plotting are absent."
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NBS = Path(__file__).parent.parent/'nbs'
PLOTTING = re.compile(r'\.plot\(|\bplot_\w+\(|NotebookFigure\(')     # a cell that draws with ftkit


def run_in_kernel(path:Path):
    "Execute a copy of the notebook at `path` in a fresh python3 ipykernel, in its own folder; return it with outputs."
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name='python3', resources={'metadata': {'path': str(path.parent)}}).execute()
    return nb


def texts(output)->list:
    "Every piece of text an output shows."
    return [output.get('text', ''), *(v for k, v in output.get('data', {}).items() if k.startswith('text/'))]


@pytest.mark.parametrize('name', ['index.ipynb', 'tutorials/two_phase.ipynb', '02_finder.ipynb'])
def test_every_plot_shows_once_as_an_image(name):
    nb = run_in_kernel(NBS/name)
    code = [c for c in nb.cells if c.cell_type == 'code']
    drawing = [c for c in code if not re.match(r'\s*(#\| export|def |class )', c.source)
               and PLOTTING.search('\n'.join(l for l in c.source.splitlines() if 'test_fail(' not in l))]  # bad-input cells draw nothing
    assert drawing, 'no plotting cell found: the pattern is out of date'
    for cell in drawing:
        images = [o for o in cell.outputs if 'image/png' in o.get('data', {})]
        assert images, f"no image from:\n{cell.source}"
    for cell in code:
        for output in cell.outputs:
            assert not any('<Figure size' in t for t in texts(output)), f"a figure shown as text in:\n{cell.source}"
    print(f"{name}: {sum('image/png' in o.get('data', {}) for c in code for o in c.outputs)} images, "
          f"{len(drawing)} plotting cells")
