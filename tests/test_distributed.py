"ftkit under fastai's `distrib_ctx` in 2 CPU processes (torchrun, gloo): one finder result, one set of rates and weights, one writer."
import json, subprocess, sys
from pathlib import Path

import pytest

RUN = Path(__file__).parent/'distributed_run.py'
TIMEOUT = 300          # seconds; the run takes ~15 s on 2 cores, so a hang (a collective one process skipped) fails here


@pytest.fixture(scope='module')
def ranks(tmp_path_factory):
    "Launch the two processes once; each writes what it saw to rank<N>.json."
    out = tmp_path_factory.mktemp('distributed')
    command = [sys.executable, '-m', 'torch.distributed.run', '--standalone', '--nproc_per_node', '2', str(RUN), str(out)]
    try: done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"the 2-process run did not finish in {TIMEOUT} s (a hang?):\n{(e.stderr or b'')[-3000:]}")
    assert done.returncode == 0, done.stderr[-5000:]
    return out, [json.loads((out/f'rank{r}.json').read_text()) for r in (0, 1)]


def test_processes_start_from_different_weights(ranks):
    _, (zero, one) = ranks
    assert zero['initial'] != one['initial']        # so the equal results below come from the synchronisation


def test_lr_find_is_one_sweep_over_both_processes(ranks):
    _, (zero, one) = ranks
    assert zero['lr_find'] == one['lr_find']        # every loss, rate, the stop and the recommendation, exactly
    assert zero['lr_find']['processes'] == 2 and zero['lr_find']['recommended'] is not None
    assert len(zero['lr_find']['losses']) > 50      # read on past a pass over the shard (3 batches per process)
    assert zero['plain_ddp_lr_find'] == one['plain_ddp_lr_find'] and zero['plain_ddp_lr_find']['processes'] == 2


def test_lr_find_restores_each_process(ranks):
    _, (zero, one) = ranks
    assert zero['lr_find_restored'] == [] and one['lr_find_restored'] == []    # SyncBatchNorm conversion undone too


def test_recipe_gives_the_same_rates_and_weights(ranks):
    _, (zero, one) = ranks
    assert zero['two_phase'] == one['two_phase']                  # rates, weights, validation losses and metrics
    assert zero['training_losses'] == one['training_losses']      # fastai gathers the loss over the processes
    assert zero['gradual_unfreeze'] == one['gradual_unfreeze'] and zero['gradual_unfreeze']['stages'] == 3


def test_head_rate_search_is_rank_zeros_on_every_process(ranks):
    _, (zero, one) = ranks
    assert zero['search'] == one['search']            # scores, chosen rate, and the head trained at it
    assert zero['search']['rates'][-1] == zero['search']['search']['best']


def test_report_counts_each_process_batches(ranks):
    _, (zero, _) = ranks
    assert zero['two_phase']['iters_per_epoch'] == [zero['shard_batches']] * 2 == [3, 3]     # 6 batches split in 2
    assert zero['two_phase']['batches'] == [3, 3]


def test_syncbatchnorm_is_batchnorm(ranks):
    _, (zero, _) = ranks
    assert zero['sync_batchnorm'] > 0                # fastai's default sync_bn=True converted the layers
    assert zero['frozen_bn_kept']                    # and bn='frozen' still keeps the frozen body's statistics


def test_only_rank_zero_prints_and_writes(ranks):
    out, (zero, one) = ranks
    assert sorted(p.name for p in (out/'report').iterdir()) == ['lr_find_body.png', 'lr_find_head.png', 'report.json',
                                                                'report.md', 'report.png']
    assert 'report/report.json' in zero['written']
    assert [p for p in one['written'] if p != 'report'] == []      # rank 1 only checks that the folder is writable
    assert 'diverged' in zero['printed'] and one['printed'] == ''
    not_distributed = [w for w in zero['warnings'] if 'is not distributed' in w]
    assert len(not_distributed) == 1 and not any('ftkit' in w or 'LR finder' in w or 'distributed' in w for w in one['warnings'])
