"`lr_find` reliability beyond the notebook: real Ctrl-Cs mid-sweep and during the restore, and a process where writing any file is forbidden."
import signal, subprocess, sys, textwrap
from unittest import mock
import pytest
from fastai.vision.all import accuracy, set_seed
from ftkit.learner.data import digits_dls
from ftkit.finder.snapshot import _learner_state, _same_state
from ftkit.finder.lr_find import lr_find
from ftkit.learner.models import sample_backbone, transfer_learner

def make_learner():
    set_seed(0, reproducible=True)
    return transfer_learner(digits_dls(n_per_class=20), sample_backbone(), metrics=accuracy)

def test_ctrl_c_mid_sweep_restores_everything():
    learn = make_learner()
    before = _learner_state(learn)
    calls = []
    def press_ctrl_c(module, inputs):
        calls.append(1)
        if len(calls) == 12: signal.raise_signal(signal.SIGINT)     # what a user's Ctrl-C delivers
    hook = learn.model.register_forward_pre_hook(press_ctrl_c)
    # Python's own Ctrl-C handler, as in a terminal or notebook; a process started in the background (`cmd &`)
    # inherits SIGINT ignored, and then the signal would do nothing at all
    handler = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt): lr_find(learn, progress=False)
    finally: hook.remove(); signal.signal(signal.SIGINT, handler)
    assert len(calls) == 12
    assert _same_state(before, _learner_state(learn))

def test_second_ctrl_c_during_the_restore_waits_for_it():
    "A user presses Ctrl-C mid-sweep, then again while lr_find puts the learner back: the learner is still whole."
    from ftkit.finder.snapshot import Attributes
    learn = make_learner()
    before = _learner_state(learn)
    calls, real_restore = [], Attributes.restore
    def press_ctrl_c(module, inputs):
        calls.append(1)
        if len(calls) == 12: signal.raise_signal(signal.SIGINT)
    def restore_with_a_second_ctrl_c(self):
        signal.raise_signal(signal.SIGINT); real_restore(self)        # the second Ctrl-C lands inside the restore
    hook = learn.model.register_forward_pre_hook(press_ctrl_c)
    handler = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with mock.patch.object(Attributes, 'restore', restore_with_a_second_ctrl_c), pytest.raises(KeyboardInterrupt):
            lr_find(learn, progress=False)
    finally: hook.remove(); signal.signal(signal.SIGINT, handler)
    assert _same_state(before, _learner_state(learn))
    assert signal.getsignal(signal.SIGINT) is handler

def test_interrupts_deferred_raises_after_the_block():
    from ftkit.finder.snapshot import _interrupts_deferred
    handler = signal.signal(signal.SIGINT, signal.default_int_handler)
    done = []
    try:
        with pytest.raises(KeyboardInterrupt, match='restored first'):
            with _interrupts_deferred():
                signal.raise_signal(signal.SIGINT)
                done.append('the rest of the block ran')
        assert done == ['the rest of the block ran'] and signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally: signal.signal(signal.SIGINT, handler)

def test_a_terminal_bar_ends_its_line(capsys):
    "In a terminal the sweep's bar ends with a newline, so fastai's epoch table never starts on the bar's line."
    lr_find(make_learner(), num_it=20)
    out = capsys.readouterr().out
    assert '\r' in out and out.endswith('\n') and 'reached end_lr' in out.rsplit('\r', 1)[-1]


def test_sweep_never_opens_a_file_for_writing():
    code = textwrap.dedent("""
        import sys, warnings; warnings.filterwarnings('ignore')
        from pathlib import Path
        from fastai.vision.all import accuracy, set_seed
        from ftkit.learner.data import digits_dls
        from ftkit.finder.lr_find import lr_find
        from ftkit.learner.models import sample_backbone, transfer_learner
        set_seed(0)
        learn = transfer_learner(digits_dls(n_per_class=20), sample_backbone(), metrics=accuracy)
        learn.path = Path('/proc/ftkit-read-only')
        import os
        def forbid_writes(event, args):
            mode_writes = event == 'open' and args[1] is not None and any(c in str(args[1]) for c in 'wax+')
            flags_write = event == 'open' and args[1] is None and args[2] & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)  # os.open, mkstemp
            if mode_writes or flags_write or event in ('os.rename', 'os.remove', 'os.mkdir'):
                raise PermissionError(f'lr_find tried to write {args[0]} ({event})')
        sys.addaudithook(forbid_writes)
        result = lr_find(learn, progress=False)
        print(result.recommended is not None, len(result.lr))
    """)
    done = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    found, steps = done.stdout.split()
    assert found == 'True' and int(steps) > 50
