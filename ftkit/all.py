"ftkit's public API: `from ftkit.all import *` (works beside `from fastai.vision.all import *`)."
from .learner.data import clothing_dls, digits_dls, folder_dls, pets_dls
from .core.figures import NotebookFigure, save_figure
from .learner.models import efficientnet_lite0, sample_backbone, transfer_learner
from .finder.lr_find import LRFindResult, lr_find, plot_lr_finds, seed_learner
from .learner.groups import (discriminative_lrs, freeze, gradual_unfreeze, group_lrs, layer_groups,
                             plot_group_rates, plot_groups, show_groups, unfreeze)
from .learner.schedules import RecordHypers, triangular_schedule
from .recipe.search import HeadRateSearch, search_head_lr
from .recipe.report import FineTuneReport, PhaseResult
from .recipe.phases import fit_body, fit_head, fit_probe
from .recipe.two_phase import two_phase
from .recipe.features import ProbeResult, bottleneck_features, cache_problems, cached_body, linear_probe
from .recipe.strategies import compare_strategies, plot_strategies
from .finder.reproduce import load_reference, reproduce, sample_task_learner

__all__ = ['digits_dls', 'folder_dls', 'clothing_dls', 'pets_dls', 'NotebookFigure', 'save_figure',
           'sample_backbone', 'efficientnet_lite0', 'transfer_learner', 'lr_find', 'LRFindResult',
           'plot_lr_finds', 'seed_learner', 'freeze', 'unfreeze', 'gradual_unfreeze', 'group_lrs',
           'show_groups', 'discriminative_lrs', 'layer_groups', 'plot_group_rates', 'plot_groups',
           'RecordHypers', 'triangular_schedule', 'fit_head', 'fit_probe', 'fit_body', 'two_phase',
           'FineTuneReport', 'PhaseResult', 'search_head_lr', 'HeadRateSearch', 'bottleneck_features',
           'linear_probe', 'ProbeResult', 'cached_body', 'cache_problems', 'compare_strategies',
           'plot_strategies', 'load_reference', 'reproduce', 'sample_task_learner']
