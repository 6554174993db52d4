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

REPORT_FILES = ['lr_find_body.png', 'lr_find_head.png', 'report.json', 'report.md', 'report.png']

def test_demo_writes_plots_and_report(demo_run):
    done, cwd = demo_run
    assert done.returncode == 0, done.stderr
    out = cwd/'ftkit-demo'
    assert sorted(p.name for p in out.iterdir()) == REPORT_FILES
    assert all((out/f).read_bytes()[:4] == b'\x89PNG' for f in REPORT_FILES if f.endswith('.png'))
    assert sorted(p.name for p in cwd.iterdir()) == ['ftkit-demo']          # nothing written outside --out

def test_demo_learns_and_reports_it(demo_run):
    done, cwd = demo_run
    report = json.loads((cwd/'ftkit-demo'/'report.json').read_text())
    head, body = report['phases']
    assert head['metrics']['accuracy'] > 0.6 and body['metrics']['accuracy'] > 0.8     # five classes: chance is 0.2
    assert len(body['rates']) == 3 and body['rates'][0] < body['rates'][1] < body['rates'][2]
    assert head['finder'] is not None and body['finder'] is not None
    assert 'after phase 1' in done.stdout and 'after phase 2' in done.stdout
    assert f"{body['metrics']['accuracy']:.4f}" in (cwd/'ftkit-demo'/'report.md').read_text()

def test_piped_demo_log_is_plain_lines(demo_run):
    "Without a terminal (a pipe, a CI log): one plain line per LR sweep and per epoch, no carriage returns or bar glyphs."
    done, cwd = demo_run
    log = done.stdout + done.stderr
    assert '\r' not in log and '\u2588' not in log and len(log.encode()) < 8000, len(log)
    assert [line.split(':')[0] for line in done.stdout.splitlines() if line.startswith(('head epoch', 'body epoch'))] == \
           [f'head epoch {i}/3' for i in (1, 2, 3)] + [f'body epoch {i}/6' for i in range(1, 7)]
    assert sum(line.startswith('LR finder: ') for line in done.stdout.splitlines()) == 2
    assert 'FutureWarning' not in done.stderr
    report = json.loads((cwd/'ftkit-demo'/'report.json').read_text())
    headers = [line for line in done.stdout.splitlines() if line.startswith(('head phase:', 'body phase:'))]
    head, body = report['phases']                  # each phase's table is preceded by which phase it is and its rate
    assert headers == [f"head phase: 3 epochs at lr {head['rates'][-1]:.1e}, 1 of 3 layer groups training; rate: {head['rule']}",
                       f"body phase: 6 epochs at lr {body['rates'][0]:.1e}..{body['rates'][-1]:.1e}, 3 of 3 layer groups "
                       f"training; rate: {body['rule']}"], headers


def test_demo_help_explains_every_option(tmp_path):
    done = run('demo', '--help', cwd=tmp_path)
    assert done.returncode == 0
    for option in ['--out', '--n-per-class', '--head', '--head-epochs', '--body-epochs', '--epochs', '--bs', '--seed', '--no-progress']:
        assert option in done.stdout

def test_demo_lp_ft(tmp_path):
    done = run('demo', '--head', 'probe', '--n-per-class', '20', '--body-epochs', '3', '--out', 'lp', '--no-progress', cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    report = json.loads((tmp_path/'lp'/'report.json').read_text())
    head, body = report['phases']
    assert (head['epochs'], head['lr'], head['finder']) == (0, 'linear probe', None) and body['epochs'] == 3
    assert report['info']['settings']['head'] == 'probe' and body['metrics']['accuracy'] > 0.8
    assert sorted(p.name for p in (tmp_path/'lp').iterdir()) == [f for f in REPORT_FILES if f != 'lr_find_head.png']

def test_demo_refuses_an_unknown_head(tmp_path):
    done = run('demo', '--head', 'svm', cwd=tmp_path)
    assert done.returncode == 2 and "invalid choice: 'svm'" in done.stderr and not any(tmp_path.iterdir())

def make_image_folder(root, n_per_class=6, size=24):
    "Two classes of small PNGs (reddish and bluish noise) in class folders under `root`."
    import numpy as np
    from PIL import Image
    rng = np.random.default_rng(0)
    for name, channel in [('red', 0), ('blue', 2)]:
        (root/name).mkdir(parents=True)
        for i in range(n_per_class):
            pixels = rng.integers(0, 120, (size, size, 3), dtype=np.uint8); pixels[..., channel] += 120
            Image.fromarray(pixels).save(root/name/f'{i}.png')
    return root

def test_finetune_a_folder_offline(tmp_path):
    images = make_image_folder(tmp_path/'images')
    done = run('finetune', str(images), '--arch', 'resnet18', '--weights', 'none', '--head', 'train', '--epochs', '1', '2', '--size', '24',
               '--bs', '4', '--out', str(tmp_path/'out'), '--no-progress', cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path/'out').iterdir()) == REPORT_FILES
    report = json.loads((tmp_path/'out'/'report.json').read_text())
    assert [p['epochs'] for p in report['phases']] == [1, 2]
    assert report['info']['settings']['arch'] == 'resnet18' and report['info']['classes'] == ['blue', 'red']
    assert set(json.loads(done.stdout.strip().splitlines()[-1])) == {'head', 'body'}
    forecast = [l for l in done.stdout.splitlines() if l.startswith('No GPU: expect up to about')]   # a CPU run says how long
    assert len(forecast) == 1 and '--body-epochs 1' in forecast[0] and '--head probe' in forecast[0], done.stdout

@pytest.mark.parametrize('args,message', [(['--arch', 'resnet19'], 'arch'), (['--head', 'train', '--epochs', '0', '2'], 'head_epochs'),
                                          (['--size', '0'], 'size'), (['--epochs', '3', '6'], "--head train"),
                                          (['--head-epochs', '2'], "--head train")])
def test_finetune_bad_arguments_fail_before_training(tmp_path, args, message):
    images = make_image_folder(tmp_path/'images')
    done = run('finetune', str(images), '--weights', 'none', '--out', str(tmp_path/'out'), *args, cwd=tmp_path)
    assert done.returncode == 2 and message in done.stderr and 'Traceback' not in done.stderr
    assert not (tmp_path/'out').exists()

def test_finetune_a_real_imagenet_body_offline(tmp_path):
    "efficientnet_lite0's ImageNet weights come with the install (`--weights imagenet`, the default): no network; LP-FT by default."
    images = make_image_folder(tmp_path/'images', size=32)
    done = run('finetune', str(images), '--arch', 'efficientnet_lite0', '--body-epochs', '1', '--size', '32', '--bs', '4',
               '--out', str(tmp_path/'out'), '--no-progress', cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    report = json.loads((tmp_path/'out'/'report.json').read_text())
    assert report['info']['body'] == 'efficientnet_lite0, ImageNet weights' and [p['epochs'] for p in report['phases']] == [0, 1]
    assert report['info']['settings']['head'] == 'probe' and report['phases'][0]['lr'] == 'linear probe'
    assert 'efficientnet_lite0 (ImageNet weights), 3 layer groups' in done.stdout

def test_finetune_real_photos_with_the_default_recipe(tmp_path):
    "A real transfer, offline and end to end: the shipped clothing photos, the installed ImageNet body, LP-FT by default."
    from ftkit.learner.data import clothing_path
    done = run('finetune', str(clothing_path()), '--arch', 'efficientnet_lite0', '--size', '96', '--body-epochs', '1',
               '--out', str(tmp_path/'out'), '--no-progress', cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    report = json.loads((tmp_path/'out'/'report.json').read_text())
    assert [p['epochs'] for p in report['phases']] == [0, 1] and report['info']['settings']['head'] == 'probe'
    assert len(report['info']['classes']) == 10 and '200 training and 100 validation images' in done.stdout
    accuracy = json.loads(done.stdout.strip().splitlines()[-1])
    assert accuracy['head'] > 0.5 and accuracy['body'] >= accuracy['head'], accuracy   # chance: 0.1; keep_best keeps the probe
    assert 'Traceback' not in done.stderr and 'jit.script' not in done.stderr

def test_finetune_from_a_weights_file(tmp_path):
    "`--weights FILE`: a state_dict of --arch starts the run; one of another architecture is one clear line, exit 2."
    import torch, torchvision
    from ftkit.learner.models import efficientnet_lite0
    images = make_image_folder(tmp_path/'images', size=32)
    torch.save(efficientnet_lite0().state_dict(), tmp_path/'mine.pth')
    torch.save(torchvision.models.resnet18().state_dict(), tmp_path/'resnet.pth')
    common = ['--arch', 'efficientnet_lite0', '--epochs', '0', '1', '--size', '32', '--bs', '4', '--no-progress']
    done = run('finetune', str(images), '--weights', str(tmp_path/'mine.pth'), '--normalize', 'imagenet',
               '--out', str(tmp_path/'out'), *common, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    settings = json.loads((tmp_path/'out'/'report.json').read_text())['info']['settings']
    assert settings['weights'] == str(tmp_path/'mine.pth')
    for weights, message in [(tmp_path/'resnet.pth', 'does not fit the architecture'), (tmp_path/'missing.pth', 'is not a file')]:
        wrong = run('finetune', str(images), '--weights', str(weights), '--out', str(tmp_path/'wrong'), *common, cwd=tmp_path)
        assert wrong.returncode == 2 and message in wrong.stderr and 'Traceback' not in wrong.stderr, wrong.stderr
        assert len(wrong.stderr.strip().splitlines()) <= 2 and not (tmp_path/'wrong').exists()
    bad = run('finetune', str(images), '--normalize', '0.5/0.5/0.5', '--out', str(tmp_path/'bad'), *common, cwd=tmp_path)
    assert bad.returncode == 2 and 'normalize must be' in bad.stderr and 'Traceback' not in bad.stderr

def test_finetune_missing_folder(tmp_path):
    done = run('finetune', str(tmp_path/'nowhere'), '--weights', 'none', cwd=tmp_path)
    assert done.returncode == 2 and 'path' in done.stderr and 'Traceback' not in done.stderr

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


def test_reproduce_agrees_with_the_stored_curves(tmp_path):
    done = run('reproduce', cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert 'Every curve agrees with its reference.' in done.stdout
    for name in ['head', 'body', 'largest gap', 'recommended ratio', 'agrees']: assert name in done.stdout
    assert list(tmp_path.iterdir()) == []                                  # it writes nothing


def test_reproduce_exits_1_when_a_curve_disagrees(tmp_path):
    from ftkit.finder.reproduce import _reference_path
    stored = json.loads(_reference_path('head').read_text())
    stored['lrs'] = [[r * 1.01 for r in row] for row in stored['lrs']]   # rates 1% away: compared under every PyTorch version
    (tmp_path/'head.json').write_text(json.dumps(stored))
    done = run('reproduce', 'head', '--folder', str(tmp_path), cwd=tmp_path)
    assert done.returncode == 1 and 'DISAGREES: head' in done.stdout, done.stdout + done.stderr
    done = run('reproduce', 'body', '--folder', str(tmp_path), cwd=tmp_path)
    assert done.returncode == 2 and "no reference 'body'" in done.stderr


def test_reproduce_on_a_broken_reference_is_a_short_error(tmp_path):
    from ftkit.finder.reproduce import _reference_path
    stored = json.loads(_reference_path('head').read_text())
    del stored['lrs']
    (tmp_path/'head.json').write_text(json.dumps(stored))
    done = run('reproduce', 'head', '--folder', str(tmp_path), cwd=tmp_path)
    assert done.returncode == 2 and 'no lrs field' in done.stderr and 'Traceback' not in done.stderr, done.stderr


def test_demo_on_a_full_disk_keeps_the_last_report(tmp_path, capsys):
    "A second run whose disk fills while saving: one line on stderr, exit 1, the first run's files whole and unchanged."
    import errno
    from unittest import mock
    from ftkit.cli import main
    args = ['demo', '--out', str(tmp_path/'out'), '--n-per-class', '10', '--epochs', '1', '1', '--no-progress']
    assert main(args) == 0
    before = {p.name: p.read_bytes() for p in (tmp_path/'out').iterdir()}
    with mock.patch('os.fsync', side_effect=OSError(errno.ENOSPC, 'No space left on device')):
        assert main(args + ['--seed', '1']) == 1
    err = capsys.readouterr().err
    assert 'ftkit demo: error:' in err and 'No space left on device' in err and 'Traceback' not in err
    assert {p.name: p.read_bytes() for p in (tmp_path/'out').iterdir()} == before        # no partial or temporary file


def test_help_answers_without_importing_torch():
    code = ("import sys, contextlib, io\nfrom ftkit.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()) as out, contextlib.suppress(SystemExit): main(['--help'])\n"
            "print('demo' in out.getvalue(), 'torch' in sys.modules, 'fastai' in sys.modules)")
    done = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, timeout=120)
    assert done.stdout.split() == ['True', 'False', 'False'], done.stdout + done.stderr


def test_finetune_without_a_network_names_weights_none(tmp_path, capsys):
    "The ImageNet download cannot happen (as offline): two lines at most, exit 1, `--weights none` named, no traceback."
    from unittest import mock
    from urllib.error import URLError
    import numpy as np
    from PIL import Image
    from ftkit.cli import main
    for name in ('red', 'blue'):
        (tmp_path/'images'/name).mkdir(parents=True)
        for i in range(6): Image.fromarray(np.full((16, 16, 3), 40 * i, dtype=np.uint8)).save(tmp_path/'images'/name/f'{i}.png')
    def offline(weights=None): raise URLError('[Errno -2] Name or service not known')
    offline.__name__ = 'resnet18'
    with mock.patch('torchvision.models.get_model_builder', return_value=offline):
        code = main(['finetune', str(tmp_path/'images'), '--size', '16', '--out', str(tmp_path/'out'), '--no-progress'])
    err = capsys.readouterr().err
    assert code == 1 and '--weights none' in err and 'Name or service not known' in err, err
    assert 'Traceback' not in err and len(err.strip().splitlines()) <= 2
