"""Two evaluation families that share nothing but the protocol, for the rate benchmarks (`lr_find_regret.py`).

- 'digits': ftkit's offline task. The shipped `sample_backbone` (a plain 6-conv CNN pretrained on digits 0-4), 8x8 grey
  scikit-learn digits, target digits 5-9.
- 'shapes': a fastai `XResNet` (residual blocks, a 3-conv stem, max-pooling), random-initialised and pretrained here on
  a source task this file generates: 32x32 colour images of 5 shapes (disk, square, triangle, plus, horizontal bar) on
  noisy backgrounds. The target is 5 *other* shapes (ring, diamond, X, hollow square, vertical bar) drawn the same way.
  Different architecture, input size, channels, images and labels.

- 'real': a genuinely ImageNet-pretrained MobileNetV2 on real photos of clothes (10 classes), from the folder named by
  the environment variable FTKIT_REAL (default ../shared/real; its README says where the files come from). Photos are
  resized so the short side is `size` and centre-cropped (deterministic), decoded once per process.

The pretrained shapes body is written to bench/weights/shapes_xresnet.pth the first time (about 30 s) and loaded
after that; delete the file to pretrain again. On the source task's 300 validation images it scores 0.993."""
import os
from functools import lru_cache
from pathlib import Path
import numpy as np, torch
from torch import nn
from PIL import Image
import torchvision
from fastai.vision.all import (Datasets, ItemGetter, Categorize, IntToFloatTensor, TensorImage, XResNet, ResBlock, accuracy,
                               set_seed)
from ftkit.learner.data import digits_dls, _fitting_batch_size
from ftkit.learner.models import sample_backbone, transfer_learner

SOURCE_SHAPES = ('disk', 'square', 'triangle', 'plus', 'hbar')
TARGET_SHAPES = ('ring', 'diamond', 'x', 'hollow_square', 'vbar')
SIZE = 32

def shape_mask(shape:str, u:np.ndarray, v:np.ndarray, r:float)->np.ndarray:
    "Boolean mask of `shape` of radius `r` at the origin of the pixel offsets `u` (across) and `v` (down)."
    au, av, t = np.abs(u), np.abs(v), max(r / 3, 1.2)
    return {'disk': u**2 + v**2 <= r**2,
            'ring': (u**2 + v**2 <= r**2) & (u**2 + v**2 >= (0.55 * r)**2),
            'square': (au <= 0.8 * r) & (av <= 0.8 * r),
            'hollow_square': (au <= 0.85 * r) & (av <= 0.85 * r) & ~((au <= 0.85 * r - t) & (av <= 0.85 * r - t)),
            'triangle': (v <= 0.7 * r) & (v >= -r + 2 * au),
            'diamond': au + av <= r,
            'plus': ((au <= t / 2) & (av <= r)) | ((av <= t / 2) & (au <= r)),
            'x': ((np.abs(u - v) <= t * 0.7) | (np.abs(u + v) <= t * 0.7)) & (au <= 0.8 * r) & (av <= 0.8 * r),
            'hbar': (au <= r) & (av <= t / 2),
            'vbar': (av <= r) & (au <= t / 2)}[shape]

def shape_images(shapes:tuple, n_per_class:int, seed:int)->tuple:
    "`n_per_class` random images of each of `shapes`: random size, place, colours and noise; (images, labels)."
    rng = np.random.default_rng(seed)
    grid = np.arange(SIZE, dtype=np.float32)
    images, labels = [], []
    for label, shape in enumerate(shapes):
        for _ in range(n_per_class):
            r = rng.uniform(5, 11)
            cu, cv = rng.uniform(r + 1, SIZE - r - 1, size=2)
            mask = shape_mask(shape, grid[None, :] - cu, grid[:, None] - cv, r)
            background, colour = rng.uniform(0, 1, 3), rng.uniform(0, 1, 3)
            while np.abs(colour - background).sum() < 0.6: colour = rng.uniform(0, 1, 3)
            image = np.where(mask[None], colour[:, None, None], background[:, None, None])
            images.append(np.clip(image + rng.normal(0, 0.08, image.shape), 0, 1)); labels.append(label)
    return torch.tensor(np.stack(images), dtype=torch.float32), np.array(labels)

def shapes_dls(task:str='target', n_per_class:int=None, bs:int=32, seed:int=0, n_valid:int=60, n_pool:int=150, **kwargs):
    "fastai DataLoaders for the shapes family: a fixed validation set per `seed`, `n_per_class` training images per class."
    shapes = SOURCE_SHAPES if task == 'source' else TARGET_SHAPES
    n_train = n_pool if n_per_class is None else n_per_class
    images, labels = shape_images(shapes, n_valid + n_pool, seed=1000 * (task == 'source') + seed)
    per_class = n_valid + n_pool
    train = np.concatenate([np.arange(c * per_class + n_valid, c * per_class + n_valid + n_train) for c in range(len(shapes))])
    valid = np.concatenate([np.arange(c * per_class, c * per_class + n_valid) for c in range(len(shapes))])
    order = np.concatenate([train, valid])
    items = [(TensorImage(images[i]), shapes[labels[i]]) for i in order]
    dsets = Datasets(items, [[ItemGetter(0)], [ItemGetter(1), Categorize(vocab=list(shapes))]],
                     splits=[list(range(len(train))), list(range(len(train), len(order)))])
    return dsets.dataloaders(bs=_fitting_batch_size(len(train), bs), num_workers=0, **kwargs)

def shapes_arch()->nn.Sequential:
    "A small fastai XResNet: one residual block per stage, widths 16-128 (`widen=0.25`), 3 input channels."
    return XResNet(ResBlock, 1, [1, 1, 1, 1], c_in=3, n_out=len(SOURCE_SHAPES), stem_szs=(16, 16, 64), widen=0.25)

WEIGHTS = Path(__file__).parent/'weights'/'shapes_xresnet.pth'
CUT = -4                 # XResNet ends with AdaptiveAvgPool, Flatten, Dropout, Linear

def pretrain_shapes_body(epochs:int=12, lr:float=1e-2, seed:int=0)->nn.Module:
    "Pretrain the XResNet on the source shapes (5 x 1000 images, bs 64) and return its body (about 30 s)."
    set_seed(seed, reproducible=True)
    learn = transfer_learner(shapes_dls('source', seed=seed, n_pool=1000, bs=64), shapes_arch(), cut=CUT, pretrained=False, metrics=accuracy)
    with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(epochs, lr)
    print(f'shapes body pretrained on the source task: validation accuracy {float(learn.validate()[1]):.3f}', flush=True)
    return learn.model[0]

def shapes_body()->nn.Module:
    "The pretrained shapes body (pretrained and saved on first use)."
    if not WEIGHTS.exists():
        WEIGHTS.parent.mkdir(exist_ok=True)
        torch.save(pretrain_shapes_body().state_dict(), WEIGHTS)
    body = nn.Sequential(*list(shapes_arch().children())[:CUT])
    body.load_state_dict(torch.load(WEIGHTS, weights_only=True))
    return body

REAL = Path(os.environ.get('FTKIT_REAL', Path(__file__).resolve().parents[2]/'shared'/'real'))
REAL_SOURCES = ("The real family needs a folder (FTKIT_REAL, default ../shared/real) with mobilenet_v2_imagenet.pth and "
                "clothing/{train,valid,test}/<class>/*.jpg. Public sources: the network is Google's quantised ImageNet "
                "MobileNetV2 (mobilenet_v2_1.0_224_quant.tflite in github.com/google-coral/test_data, Apache-2.0), dequantised "
                "into torchvision's mobilenet_v2 with TensorFlow's SAME padding (see real_arch); the photos are "
                "github.com/alexeygrigorev/clothing-dataset-small (its own train/validation/test split).")
REAL_SIZE = 96                    # the network's pretraining size is 224; 96-160 px keeps a CPU run in minutes

def real_folder()->Path:
    "The real family's folder, or a clear error naming what it must hold and where the files come from."
    if not (REAL/'mobilenet_v2_imagenet.pth').is_file() or not (REAL/'clothing'/'train').is_dir(): raise FileNotFoundError(f"{REAL}: {REAL_SOURCES}")
    return REAL

def real_arch()->nn.Module:
    "torchvision's MobileNetV2 with TensorFlow's SAME padding: each stride-2 convolution unpadded, after a right/bottom ZeroPad2d."
    model = torchvision.models.mobilenet_v2(weights=None)
    for module in list(model.features.modules()):
        for name, child in list(module.named_children()):
            if isinstance(child, nn.Conv2d) and child.stride == (2, 2):
                child.padding = (0, 0)
                setattr(module, name, nn.Sequential(nn.ZeroPad2d((0, 1, 0, 1)), child))
    return model

def real_body()->nn.Module:
    "The ImageNet MobileNetV2 with its own weights; it declares its inputs: RGB in [0, 1] normalised with mean 0.5, std 0.5."
    model = real_arch()
    model.load_state_dict(torch.load(real_folder()/'mobilenet_v2_imagenet.pth', weights_only=True))
    model.input_stats = ((0.5,) * 3, (0.5,) * 3)
    return model

@lru_cache(maxsize=None)
def real_photo(path:Path, size:int)->torch.Tensor:
    "One photo as a uint8 (3, size, size) tensor: short side resized to `size` (bilinear), centre crop."
    image = Image.open(path).convert('RGB')
    w, h = image.size
    scale = size / min(w, h)
    image = image.resize((max(size, round(w * scale)), max(size, round(h * scale))), Image.BILINEAR)
    w, h = image.size
    left, top = (w - size) // 2, (h - size) // 2
    return torch.from_numpy(np.asarray(image.crop((left, top, left + size, top + size)))).permute(2, 0, 1).contiguous()

def real_files(split:str)->list:
    "(path, class) of every photo of `split` ('train', 'valid', 'test'), sorted."
    root = real_folder()/'clothing'/split
    return [(f, d.name) for d in sorted(root.iterdir()) if d.is_dir() for f in sorted(d.iterdir())]

def real_dls(n_per_class:int=None, seed:int=0, size:int=REAL_SIZE, bs:int=32, valid:str='valid', **kwargs):
    "fastai DataLoaders for the real family: `n_per_class` training photos per class drawn by `seed`, all of `valid`."
    rng = np.random.default_rng(seed)
    by_class = {}
    for f, c in real_files('train'): by_class.setdefault(c, []).append(f)
    classes = sorted(by_class)
    train = [(f, c) for c in classes for f in (by_class[c] if n_per_class is None else
                                                [by_class[c][i] for i in sorted(rng.choice(len(by_class[c]), min(n_per_class, len(by_class[c])), replace=False))])]
    held = real_files(valid)
    items = [(TensorImage(real_photo(f, size)), c) for f, c in train + held]
    dsets = Datasets(items, [[ItemGetter(0)], [ItemGetter(1), Categorize(vocab=classes)]],
                     splits=[list(range(len(train))), list(range(len(train), len(items)))])
    return dsets.dataloaders(bs=_fitting_batch_size(len(train), bs), num_workers=0, after_batch=[IntToFloatTensor()], **kwargs)

def test_accuracy(learn, size:int=REAL_SIZE)->float:
    "Accuracy on the real family's test photos (never used to choose anything)."
    items = [(TensorImage(real_photo(f, size)), c) for f, c in real_files('test')]
    dl = learn.dls.test_dl(items, with_labels=True)
    with learn.no_bar(), learn.no_logging(): preds, targets = learn.get_preds(dl=dl)
    return float((preds.argmax(1) == targets).float().mean())

FAMILIES = {'digits': (digits_dls, sample_backbone), 'shapes': (shapes_dls, shapes_body), 'real': (real_dls, real_body)}

def family_learner(family:str, n_per_class:int, seed:int, bn:str='frozen', **kwargs):
    "A fresh `transfer_learner` of `family` (body frozen), its data and head seeded by `seed`."
    make_dls, make_body = FAMILIES[family]
    set_seed(seed, reproducible=True)
    return transfer_learner(make_dls(n_per_class=n_per_class, seed=seed), make_body(), bn=bn, metrics=accuracy, **kwargs)
