"The `ftkit` console script: `ftkit demo` end to end, its help, and its bad-input errors."
import json, shutil, subprocess, sys
from pathlib import Path
import pytest

def ftkit_command():
    "The installed console script, next to this interpreter."
    script = Path(sys.executable).parent/'ftkit'
    return [str(script)] if script.exists() else [shutil.which('ftkit')]

def run(*args, cwd):
    return subprocess.run([*ftkit_command(), *args], capture_output=True, text=True, cwd=cwd, timeout=600)

@pytest.fixture(scope='module')
def demo_run(tmp_path_factory):
    cwd = tmp_path_factory.mktemp('demo')
    return run('demo', cwd=cwd), cwd

def test_demo_writes_plots_and_report(demo_run):
    done, cwd = demo_run
    assert done.returncode == 0, done.stderr
    out = cwd/'ftkit-demo'
    assert sorted(p.name for p in out.iterdir()) == ['loss.png', 'lr_find_body.png', 'lr_find_head.png', 'report.json', 'report.md']
    assert all((out/f).read_bytes()[:4] == b'\x89PNG' for f in ['loss.png', 'lr_find_body.png', 'lr_find_head.png'])
    assert sorted(p.name for p in cwd.iterdir()) == ['ftkit-demo']          # nothing written outside --out

def test_demo_learns_and_reports_it(demo_run):
    done, cwd = demo_run
    report = json.loads((cwd/'ftkit-demo'/'report.json').read_text())
    head, body = report['phases']
    assert head['accuracy'] > 0.6 and body['accuracy'] > 0.8                  # five classes: chance is 0.2
    assert len(body['lr']) == 3 and body['lr'][0] < body['lr'][1] < body['lr'][2]
    assert 'accuracy after phase 1' in done.stdout and 'accuracy after phase 2' in done.stdout
    assert f"{body['accuracy']:.3f}" in (cwd/'ftkit-demo'/'report.md').read_text()

def test_demo_help_explains_every_option(tmp_path):
    done = run('demo', '--help', cwd=tmp_path)
    assert done.returncode == 0
    for option in ['--out', '--n-per-class', '--head-epochs', '--body-epochs', '--bs', '--seed', '--no-progress']:
        assert option in done.stdout

@pytest.mark.parametrize('args,message', [(['--head-epochs', '0'], 'head_epochs'), (['--n-per-class', '0'], 'n_per_class'),
                                          (['--bs', '-1'], 'bs')])
def test_bad_arguments_fail_fast_and_clearly(tmp_path, args, message):
    done = run('demo', '--out', str(tmp_path/'out'), *args, cwd=tmp_path)
    assert done.returncode == 2 and message in done.stderr and 'Traceback' not in done.stderr
    assert not any((tmp_path/'out').glob('*.png'))

def test_unwritable_out_is_refused_before_training(tmp_path):
    blocker = tmp_path/'file'; blocker.write_text('not a folder')
    done = run('demo', '--out', str(blocker/'out'), cwd=tmp_path)
    assert done.returncode == 2 and 'out' in done.stderr and 'Traceback' not in done.stderr
