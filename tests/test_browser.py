"""Run All on the two-phase tutorial the way a user does: JupyterLab on 127.0.0.1, in Debian's Chromium driven by
Playwright (never Playwright's own browser download, which cannot work offline), through the Run menu."""
import json, os, re, secrets, shutil, socket, subprocess, sys, time, urllib.request
from pathlib import Path

import nbformat
import pytest

from test_kernel import drawing_cells, texts

TUTORIAL = Path(__file__).parent.parent/'nbs'/'tutorials'/'two_phase.ipynb'
CHROMIUM = os.environ.get('FTKIT_CHROMIUM') or shutil.which('chromium') or shutil.which('chromium-browser') or shutil.which('google-chrome')


def why_skipped():
    "Why the browser test cannot run here (None when it can)."
    try: import playwright.sync_api  # noqa: F401
    except ImportError: return 'playwright is not installed: pip install -e ".[dev]"'
    if CHROMIUM is None: return "no system Chromium: install Debian's (as root: apt-get install -y chromium; .ci/run does)"
    return None


pytestmark = pytest.mark.skipif(why_skipped() is not None, reason=str(why_skipped()))

LAB_SETTINGS = {  # every cell in the page (no windowing), no news or update checks (no network)
    '@jupyterlab/notebook-extension/tracker.jupyterlab-settings': {'windowingMode': 'none'},
    '@jupyterlab/apputils-extension/notification.jupyterlab-settings': {'fetchNews': 'false', 'checkForUpdates': False}}


def free_port()->int:
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); return s.getsockname()[1]


@pytest.fixture
def lab(tmp_path):
    "JupyterLab serving a copy of the tutorial (JupyterLab saves what it runs: the tracked notebook stays untouched)."
    root, settings = tmp_path/'root', tmp_path/'settings'
    root.mkdir(); shutil.copy(TUTORIAL, root)
    for name, value in LAB_SETTINGS.items():
        (settings/name).parent.mkdir(parents=True, exist_ok=True); (settings/name).write_text(json.dumps(value))
    port, token = free_port(), secrets.token_hex(16)
    log = open(tmp_path/'jupyterlab.log', 'w')
    server = subprocess.Popen([sys.executable, '-m', 'jupyterlab', '--no-browser', '--allow-root', '--ServerApp.ip=127.0.0.1',
                               f'--ServerApp.port={port}', f'--IdentityProvider.token={token}',
                               f'--ServerApp.root_dir={root}', f'--LabApp.user_settings_dir={settings}',
                               f'--LabApp.workspaces_dir={tmp_path/"workspaces"}'],
                              stdout=log, stderr=subprocess.STDOUT, env={**{k: v for k, v in os.environ.items() if k != 'MPLBACKEND'},   # conftest's Agg is not a user's
                                   'JUPYTER_CONFIG_DIR': str(tmp_path/'config')})
    url = f'http://127.0.0.1:{port}'
    try:
        for _ in range(120):
            if server.poll() is not None: break                                          # it exited
            try:
                urllib.request.urlopen(f'{url}/api/status?token={token}', timeout=2); break
            except OSError: time.sleep(0.5)
        else: pytest.fail(f"JupyterLab did not start: {(tmp_path/'jupyterlab.log').read_text()[-2000:]}")
        yield url, token, root
    finally:
        server.terminate(); server.wait(30); log.close()


def prompts(page)->list:
    "The execution prompt of every code cell, e.g. '[3]:', '[*]:' or '[ ]:'."
    return [t.strip() for t in page.locator('.jp-CodeCell .jp-InputPrompt').all_inner_texts()]


def wait_until(condition, seconds:float)->bool:
    "Poll `condition` every second for up to `seconds`; whether it became true."
    deadline = time.time() + seconds
    while time.time() < deadline:
        if condition(): return True
        time.sleep(1)
    return condition()


def run_all(page, tries:int=3)->int:
    """Run > Run All Cells with the notebook focused; the number of tries it took. A click that lands before the notebook
    is JupyterLab's current widget runs nothing (the command is disabled), so try again until a prompt shows it started."""
    for attempt in range(1, tries + 1):
        page.locator('.jp-Notebook .jp-Cell').first.click()                                  # the notebook is the current widget
        page.locator('.lm-MenuBar-itemLabel', has_text=re.compile(r'^Run$')).click()
        page.locator('.lm-Menu-itemLabel', has_text=re.compile(r'^Run All Cells$')).click()
        if wait_until(lambda: any(s != '[ ]:' for s in prompts(page)), 60): return attempt   # '[*]:' as soon as it is queued
        page.keyboard.press('Escape')                                                          # close a menu left open
    return 0


# Every table in an output whose right edge passes its output area's (it would be cut off or scroll), with its first
# header cells, e.g. a report summary whose `rule` column made it 1,900 px wide.
TABLES_CUT_OFF = '''() => [...document.querySelectorAll('.jp-OutputArea-output table')]
    .filter(t => t.getBoundingClientRect().right > t.closest('.jp-OutputArea-output').getBoundingClientRect().right + 1
                 || t.closest('.jp-OutputArea-output').scrollWidth > t.closest('.jp-OutputArea-output').clientWidth + 1)
    .map(t => [...t.querySelectorAll('th')].slice(0, 4).map(h => h.innerText).join(' | '))'''


def test_run_all_in_jupyterlab_shows_every_plot(lab):
    from playwright.sync_api import sync_playwright
    url, token, root = lab
    saved = root/TUTORIAL.name
    n_code = sum(c.cell_type == 'code' for c in nbformat.read(saved, as_version=4).cells)   # not counted from a page still rendering
    screenshot = Path(os.environ.get('FTKIT_ARTIFACTS', root))/'two_phase_run_all.png'
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    n_tables, cut_off_tables, warning_boxes = 0, [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=['--no-sandbox', '--disable-gpu'])
        try:
            page = browser.new_page(viewport={'width': 1280, 'height': 1000})                  # a laptop's width
            page.goto(f'{url}/lab/tree/{TUTORIAL.name}?token={token}')
            page.locator('.jp-Notebook .jp-Cell').first.wait_for(timeout=120_000)
            page.get_by_text('Kernel status: Idle').first.wait_for(state='attached', timeout=120_000)   # the kernel is up
            tries = run_all(page)
            finished = lambda: (len(prompts(page)) == n_code and all(re.fullmatch(r'\[\d+\]:', s) for s in prompts(page))
                                or page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]').filter(
                                    has_text='Traceback').count() > 0)                     # an error stops Run All
            if tries: wait_until(finished, 540)
            shown = prompts(page)
            page.keyboard.press('Control+s')
            page.wait_for_timeout(2000)
            images_on_page = page.locator('.jp-OutputArea-output img').count()
            cut_off_tables = page.evaluate(TABLES_CUT_OFF)
            n_tables = page.locator('.jp-OutputArea-output table').count()
            warning_boxes = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]').all_inner_texts()
            if n_tables:                                                                    # the report's table, as a user sees it
                page.locator('.jp-OutputArea-output table').last.scroll_into_view_if_needed()
                page.screenshot(path=str(screenshot.with_name('two_phase_report_table.png')))
            if images_on_page: page.locator('.jp-OutputArea-output img').last.scroll_into_view_if_needed()
            page.screenshot(path=str(screenshot))                                           # also when something failed
        finally: browser.close()
    log = (root.parent/'jupyterlab.log').read_text()[-3000:]
    assert tries, f'Run All Cells never started after 3 tries (screenshot {screenshot}); JupyterLab log:\n{log}'
    assert len(shown) == n_code and all(re.fullmatch(r'\[\d+\]:', s) for s in shown), \
        f'not every cell ran: {shown} (screenshot {screenshot}); JupyterLab log:\n{log}'
    nb = nbformat.read(saved, as_version=4)                                                # as JupyterLab saved it
    code = [c for c in nb.cells if c.cell_type == 'code']
    assert all(isinstance(c.execution_count, int) for c in code), 'JupyterLab did not save the run'  # the tracked copy has none
    errors = [o for c in code for o in c.outputs if o.output_type == 'error']
    assert not errors, f"error output: {errors[0].get('ename')}: {errors[0].get('evalue')}"
    for cell in drawing_cells(nb):
        assert any('image/png' in o.get('data', {}) for o in cell.outputs), f"no image from:\n{cell.source}"
    assert not any('image/png' not in o.get('data', {}) and any('<Figure size' in t for t in texts(o)) for c in code for o in c.outputs)
    images = sum('image/png' in o.get('data', {}) for c in code for o in c.outputs)
    assert not warning_boxes, f'warning boxes on the page (screenshot {screenshot}): {warning_boxes}'
    assert n_tables >= 2 and not cut_off_tables, f'tables wider than their output area at 1280 px: {cut_off_tables} (screenshot {screenshot})'
    assert images_on_page == images >= len(drawing_cells(nb)), (images_on_page, images)
    print(f'{TUTORIAL.name} in JupyterLab + Chromium at 1280 px: {len(code)} code cells ran, {images} images, '
          f'{n_tables} tables, none cut off, no warning box; Run All took {tries} '
          f'click(s), screenshot {screenshot}')
