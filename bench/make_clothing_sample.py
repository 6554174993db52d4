"""Build the real photo set ftkit ships (`ftkit/photos/clothing`): 20 training and 10 validation photos per class.

The photos are a seeded subset of alexeygrigorev/clothing-dataset-small (its README: "This dataset can be freely used
for any purpose, including commercial"), each centre-cropped to a square and resized to 96 x 96 px (JPEG quality 90).
Reads the folder in FTKIT_REAL (default ../shared/real: `clothing/{train,valid}/<class>/*.jpg`, the repository's own
split with the short side at 160 px), or `--source` (a clone of the public repository, whose folders are the same).

Command: `.venv/bin/python bench/make_clothing_sample.py` (a few seconds); it rewrites the folder from scratch.
"""
import argparse, os, shutil, tempfile
from pathlib import Path

import numpy as np
from PIL import Image

HERE = Path(__file__).resolve().parent
TARGET = HERE.parent/'ftkit'/'photos'/'clothing'
PER_SPLIT = dict(train=20, valid=10)
SIZE = 96

def square(path:Path, size:int=SIZE)->Image.Image:
    "The photo at `path`, centre-cropped to a square and resized to `size` x `size`."
    image = Image.open(path).convert('RGB')
    w, h = image.size
    side = min(w, h)
    left, top = (w - side) // 2, (h - side) // 2
    return image.crop((left, top, left + side, top + side)).resize((size, size), Image.BICUBIC)

def main(source:Path, seed:int=0):
    rng = np.random.default_rng(seed)
    staging = Path(tempfile.mkdtemp(dir=TARGET.parent.parent))        # built beside the target, then renamed into place
    for split, n in PER_SPLIT.items():
        folders = source/split if (source/split).is_dir() else source/{'valid': 'validation'}.get(split, split)
        for folder in sorted(folders.iterdir()):
            photos = sorted(folder.glob('*.jpg'))
            picked = [photos[i] for i in sorted(rng.choice(len(photos), n, replace=False))]
            (staging/split/folder.name).mkdir(parents=True)
            for photo in picked: square(photo).save(staging/split/folder.name/photo.name, quality=90)
    shutil.copy(TARGET/'README.md', staging/'README.md')
    old = TARGET.with_name('clothing.old')
    if TARGET.exists(): TARGET.rename(old)
    staging.rename(TARGET)
    shutil.rmtree(old, ignore_errors=True)
    n = sum(1 for _ in TARGET.rglob('*.jpg'))
    print(f"{n} photos, {sum(f.stat().st_size for f in TARGET.rglob('*.jpg')) / 1e6:.2f} MB in {TARGET}")

if __name__ == '__main__':
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--source', type=Path, default=Path(os.environ.get('FTKIT_REAL', HERE.parents[1]/'shared'/'real'))/'clothing',
                        help='folder with train/ and valid/ class folders of clothing-dataset-small')
    parser.add_argument('--seed', type=int, default=0)
    main(**vars(parser.parse_args()))
