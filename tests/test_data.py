"Data edge cases: few-shot splits, tiny training sets, broken and badly laid-out image folders."
import numpy as np, pytest
from PIL import Image
from fastai.vision.all import accuracy
from ftkit.learner.data import _digit_images, digits_dls, folder_dls
from ftkit.learner.models import sample_backbone, transfer_learner

def write_pngs(folder, digits=(5, 6), n=4):
    images, labels = _digit_images()
    for d in digits:
        (folder/str(d)).mkdir(parents=True, exist_ok=True)
        for k, i in enumerate(np.flatnonzero(labels == d)[:n]):
            Image.fromarray((images[i, 0].numpy() * 255).astype(np.uint8)).save(folder/str(d)/f'{k}.png')
    return folder

def test_validation_set_is_fixed_by_seed_not_by_n_per_class():
    import torch
    valid = lambda dls: torch.stack([x for x, _ in dls.valid_ds])
    assert torch.equal(valid(digits_dls(n_per_class=30, seed=1)), valid(digits_dls(seed=1)))
    assert not torch.equal(valid(digits_dls(seed=1)), valid(digits_dls(seed=2)))

def test_training_set_smaller_than_a_batch_still_runs_fastai_lr_find(tmp_path):
    with pytest.warns(UserWarning, match='bs=5'):
        dls = digits_dls(n_per_class=1, bs=32)
    assert len(dls.train) == 1
    learn = transfer_learner(dls, sample_backbone(), metrics=accuracy, path=tmp_path)
    with learn.no_bar(), learn.no_logging():
        suggestion = learn.lr_find(num_it=10, show_plot=False)   # fastai's: ZeroDivisionError with an empty train loader
    assert np.isfinite(suggestion.valley)

@pytest.mark.parametrize('kwargs,argument', [(dict(n_per_class=0), 'n_per_class'), (dict(n_per_class=1000), 'n_per_class'),
                                             (dict(task='other'), 'task'), (dict(bs=0), 'bs'), (dict(valid_pct=1.5), 'valid_pct'),
                                             (dict(size=4), 'size')])
def test_bad_digits_arguments_name_the_argument(kwargs, argument):
    with pytest.raises(ValueError, match=argument): digits_dls(**kwargs)

def test_corrupt_image_is_named_and_skipped(tmp_path):
    write_pngs(tmp_path)
    (tmp_path/'5'/'corrupt.png').write_bytes(b'\x89PNG\r\n\x1a\n' + b'\x00' * 20)
    with pytest.warns(UserWarning, match='corrupt.png'):
        dls = folder_dls(tmp_path, size=16, bs=2)
    assert len(dls.train_ds) + len(dls.valid_ds) == 8
    xb, yb = dls.one_batch()
    assert xb.shape == (2, 3, 16, 16)

def test_folder_smaller_than_a_batch_gets_a_batch(tmp_path):
    write_pngs(tmp_path, n=3)
    with pytest.warns(UserWarning, match='bs='):
        dls = folder_dls(tmp_path, size=16, bs=64)
    assert len(dls.train) >= 1

@pytest.mark.parametrize('layout,message', [('missing', 'is not a folder'), ('empty', 'No readable image'), ('one class', 'at least two classes')])
def test_bad_folders_get_clear_errors(tmp_path, layout, message):
    if layout == 'one class': write_pngs(tmp_path, digits=(7,))
    path = tmp_path/'nope' if layout == 'missing' else tmp_path
    with pytest.raises((ValueError, FileNotFoundError), match=message): folder_dls(path)
