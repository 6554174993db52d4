"""One process of the 2-process CPU run in test_distributed.py: `torchrun --nproc_per_node 2 distributed_run.py OUT`.

Each process starts from its own random weights (as an unseeded launch does), runs ftkit under fastai's
`learn.distrib_ctx()` and writes what it saw to OUT/rank<N>.json; the test compares the processes.

fastai 2.8 cannot run distributed on CPUs as it is, so two CPU stand-ins live here, in the test, not in ftkit:
- `DistributedDL._broadcast` moves the batch order to CUDA before broadcasting (nccl needs it); gloo does not;
- `nn.SyncBatchNorm` refuses CPU tensors while training, and `DistributedDataParallel` refuses a CPU model holding it;
  the stand-in averages the batch statistics over the processes with gloo (what SyncBatchNorm does on GPUs), so
  fastai's default `sync_bn=True` runs here too.
"""
import contextlib, hashlib, io, json, os, sys, warnings
from pathlib import Path

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn
from torch.nn.parallel import DistributedDataParallel
import fastai.distributed
from fastai.vision.all import L, LongTensor, accuracy
from ftkit.all import *
from ftkit.finder.snapshot import _learner_state, _state_differences


def broadcast_on_cpu(self, t, rank):
    "fastai's `DistributedDL._broadcast` without the move to CUDA."
    t = LongTensor(t); dist.broadcast(t, rank); return t.tolist()


class SumOverProcesses(torch.autograd.Function):
    "`dist.all_reduce` (sum) that gradients flow through: the backward pass sums the gradients over the processes too."
    @staticmethod
    def forward(ctx, t): t = t.clone(); dist.all_reduce(t); return t
    @staticmethod
    def backward(ctx, grad): grad = grad.clone(); dist.all_reduce(grad); return grad


def sync_batchnorm_on_cpu(self, x):
    "`nn.SyncBatchNorm` for CPU tensors: batch mean and variance summed over the processes with gloo (autograd-aware)."
    if not (self.training and dist.is_initialized()):
        return F.batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias, self.training, self.momentum, self.eps)
    dims, shape = [0, *range(2, x.ndim)], [1, -1] + [1] * (x.ndim - 2)
    stats = SumOverProcesses.apply(torch.stack([x.sum(dims), (x * x).sum(dims)]))
    n = x.numel() / x.shape[1] * dist.get_world_size()
    mean, var = stats[0] / n, stats[1] / n - (stats[0] / n) ** 2
    with torch.no_grad():
        self.num_batches_tracked += 1
        self.running_mean.lerp_(mean, self.momentum); self.running_var.lerp_(var * n / (n - 1), self.momentum)
    y = (x - mean.view(shape)) / torch.sqrt(var.view(shape) + self.eps)
    return y if self.weight is None else y * self.weight.view(shape) + self.bias.view(shape)


fastai.distributed.DistributedDL._broadcast = broadcast_on_cpu
nn.SyncBatchNorm.forward = sync_batchnorm_on_cpu
DistributedDataParallel._passing_sync_batchnorm_handle = lambda self, module: None    # its check: "only work with GPU"


def checksum(model)->str:
    "A digest of every parameter and buffer."
    return hashlib.sha256(b''.join(v.detach().cpu().contiguous().numpy().tobytes() for v in model.state_dict().values())).hexdigest()[:16]


class WriteWatch:
    "Every path opened for writing, or renamed into place (ftkit's atomic writes), in this process (an audit hook), while `active`."
    def __init__(self): self.paths, self.active = [], False
    def __call__(self, event, args):
        if not self.active: return
        if event == 'open' and isinstance(args[0], (str, bytes, os.PathLike)) and isinstance(args[1], str) \
           and any(m in args[1] for m in 'wax+'): self.paths.append(str(args[0]))
        if event == 'os.rename': self.paths.append(str(args[1]))           # os.replace(temporary, target)


def main(out:Path):
    rank = int(os.environ['RANK'])
    torch.manual_seed(int.from_bytes(os.urandom(4), 'little'))   # each process its own head, as an unseeded launch
    watch = WriteWatch(); sys.addaudithook(watch)
    seen, printed = {}, io.StringIO()
    dls = digits_dls(n_per_class=40)
    learn = transfer_learner(dls, sample_backbone(), bn='frozen', metrics=accuracy)
    seen['initial'] = checksum(learn.model)
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
        warnings.simplefilter('always')
        lr_find(transfer_learner(dls, sample_backbone()), num_it=20, progress=False)  # not distributed: rank 0 warns
        with learn.distrib_ctx(cpu=True):                                         # sync_bn=True: fastai's default
            before = _learner_state(learn)
            watch.active = True
            found = lr_find(learn)
            seen['lr_find'] = dict(losses=found.losses.tolist(), lrs=found.lrs.tolist(), stop=found.stop,
                                   recommended=found.recommended, processes=found.settings['processes'])
            seen['lr_find_restored'] = _state_differences(before, _learner_state(learn))
            report = learn.two_phase(1, 1, save_to=out/'report')
            seen['two_phase'] = dict(head_lr=report['head'].lr, body_lr=report['body'].lr, weights=checksum(learn.model),
                                     iters_per_epoch=[p.history['iters_per_epoch'] for p in report.phases],
                                     batches=[len(p.history['batch_loss']) for p in report.phases],
                                     valid=[p.history['epochs'] for p in report.phases])
            seen['training_losses'] = [p.history['batch_loss'] for p in report.phases]
            seen['shard_batches'] = len(fastai.distributed.DistributedDL(learn.dls.train))
            seen['sync_batchnorm'] = sum(isinstance(m, nn.SyncBatchNorm) for m in learn.model.modules())
            frozen_stats = learn.model[0].stem[0][1].running_mean.clone()     # bn='frozen': a head phase keeps them
            learn.fit_head(1, lr=1e-2, progress=True)
            seen['frozen_bn_kept'] = bool(torch.equal(learn.model[0].stem[0][1].running_mean, frozen_stats))
            searched = learn.fit_head(1, lr='search', progress=False)       # each process searches from its own head
            seen['search'] = dict(search=searched.search.to_dict() | dict(seconds=None), rates=searched.rates, weights=checksum(learn.model))
            stages = gradual_unfreeze(learn, 1, lr_max=1e-3)
            seen['gradual_unfreeze'] = dict(stages=len(stages), weights=checksum(learn.model))
            watch.active = False
        plain = transfer_learner(dls, sample_backbone())                   # plain torch DDP, no accelerate callback
        plain.model = DistributedDataParallel(plain.model)
        plain.dls.loaders = [fastai.distributed.DistributedDL(dl) for dl in plain.dls.loaders]
        found = lr_find(plain, progress=False)
        seen['plain_ddp_lr_find'] = dict(losses=found.losses.tolist(), recommended=found.recommended,
                                         processes=found.settings['processes'])
    seen['written'] = sorted({str(Path(p).relative_to(out)) for p in watch.paths if Path(p).is_relative_to(out)})
    seen['printed'] = printed.getvalue()
    seen['warnings'] = [str(w.message) for w in caught]
    (out/f'rank{rank}.json').write_text(json.dumps(seen, indent=1))


if __name__ == '__main__': main(Path(sys.argv[1]).resolve())
