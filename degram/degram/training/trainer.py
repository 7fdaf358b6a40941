# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The training loop of the DEGram paper's recipe (§3.3): :class:`Trainer` (fit /
train_one_epoch / validate) over a :class:`~degram.training.run_folder.RunFolder`.

Configs are described in :mod:`degram.training.config`.
"""
from __future__ import annotations

import copy
import dataclasses
import math
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from .. import data as D
from ..evaluation import classification_metrics, predict_logits
from ..inference import load_checkpoint, save_checkpoint, save_half, scores_from_logits
from ..nn import build_model
from ..nn.losses import aam_softmax_loss
from ..progress import Progress
from .batches import BatchMaker
from .config import CSV_COLUMNS, ConfigError, monitor_mode, training_device, validate_config
from .distributed import close_world, init_world
from .run_folder import RunFolder
from .schema import TrainingConfig

__all__ = ['Trainer', 'aam_softmax_loss', 'train']


def _finite_or_none(metrics: dict) -> dict:
    return {k: (None if isinstance(v, float) and not math.isfinite(v) else v)
            for k, v in metrics.items() if k != 'confusion'}


def _fmt(v) -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return '-'
    return f'{v:.4g}' if isinstance(v, float) else str(v)


class Trainer:
    """Data, model, optimiser and run folder of one training config.

    ``Trainer(config).fit(resume=False)`` trains until ``max_epochs`` or early stopping and
    returns a summary dict (``run_dir``, ``best``, ``last``, ``best_metrics``, ``epochs``,
    ``stopped`` …). ``resume``: True continues from ``<run>/last.pt`` when it exists (a fresh
    start otherwise); a path resumes from that file.
    """

    def __init__(self, config: dict, log=None):
        self.cfg = cfg = validate_config(copy.deepcopy(config))
        self.config = TrainingConfig.from_dict(cfg)     # typed: self.train_cfg.lr is a float
        self.data_cfg, self.train_cfg = cfg['data'], self.config.train
        self.world = init_world(self.train_cfg.device)
        log = log or (lambda msg: print(msg, flush=True))
        self.log = log if self.world.main else (lambda msg: None)   # rank 0 speaks for the run
        if self.train_cfg.num_threads:
            torch.set_num_threads(self.train_cfg.num_threads)
        self.device = training_device(self.train_cfg.device)
        if self.world.distributed and self.device.type == 'cuda':
            self.device = torch.device(f'cuda:{self.world.local_rank}')
        seed = self.train_cfg.seed
        self.plan_rng = np.random.default_rng(seed)               # the epoch plan: the same on every rank
        self.rng = np.random.default_rng([seed, self.world.rank])  # crops, noise, negatives: per rank
        torch.manual_seed(seed)
        self.multi_label = self.train_cfg.loss == 'bce'
        self.model_cfg = dict(cfg['model'], sample_rate=int(cfg['model'].get('sample_rate') or 16000))
        self.sample_rate = self.model_cfg['sample_rate']
        self._open_data()
        self._build_model()
        self.net = self.model if not self.world.distributed else torch.nn.parallel.DistributedDataParallel(
            self.model, device_ids=[self.device.index] if self.device.type == 'cuda' else None)
        self.run = RunFolder(Path(self.config.output) / self.config.name).create()
        self.monitor = self.train_cfg.monitor if len(self.val_idx) else 'train_loss'
        self.mode = monitor_mode(self.monitor)
        self.scheduler = self._make_scheduler()
        self.best_value, self.bad_epochs, self.best_metrics = None, 0, None
        self.stopped = 'max_epochs'

    # -- set-up --------------------------------------------------------------------------------
    def _open_data(self) -> None:
        d = self.config.data
        cache = D.WaveCache()  # shared by the dataset and the noise bank
        self.dataset = D.open_dataset(d.spec, d.data_root, sample_rate=self.sample_rate,
                                      group_regex=d.group_regex, cache=cache)
        left_out = [d.exclude_labels] if isinstance(d.exclude_labels, str) else list(d.exclude_labels or [])
        if left_out:
            self.dataset = self.dataset.without_labels(left_out)
            self.log(f'left out of training: {len(left_out)} classes ({", ".join(sorted(left_out))})')
        dataset = self.dataset
        self.train_idx, self.val_idx = dataset.split(d.validation, seed=d.split_seed)
        if len(self.train_idx) == 0:
            raise ConfigError(f'{dataset.name}: the training split is empty')
        self.labels = list(dataset.labels)
        counts = dataset.class_counts(self.train_idx)
        missing = [self.labels[c] for c in range(len(self.labels)) if counts[c] == 0]
        if missing:
            self.log(f'warning: classes without training clips: {missing}')
        # speed perturbation: the dataset's classes at each extra speed are classes of their own,
        # after the recorded ones (BatchMaker's label + k·N); validation scores the recorded ones
        speeds = d.speed_perturb or []
        self.labels += [f'{label}@speed{speed:g}' for speed in speeds for label in dataset.labels]
        if speeds:
            self.log(f'speed perturbation: x{", x".join(f"{s:g}" for s in speeds)}, each a class of its own '
                     f'({len(self.labels)} classes in training)')
        self.log(f'{dataset!r}: {len(self.train_idx)} train / {len(self.val_idx)} validation clips '
                 f'(validation {dataset.group_kind}s: {", ".join(dataset.group_names(self.val_idx)) or "none"})')
        start = time.perf_counter()
        dataset.preload(np.concatenate([self.train_idx, self.val_idx]))
        self.log(f'decoded {len(self.train_idx) + len(self.val_idx)} clips in {time.perf_counter() - start:.1f} s')
        root = D.find_data_root(d.data_root)
        self.noise, self.negatives = (D.NoiseBank(source, self.sample_rate, root=root, cache=cache) if source
                                      else None for source in (d.noise, d.negatives))
        if self.noise is not None:
            self.log(f'noise augmentation: {len(self.noise)} clips, p={d.noise_prob}, '
                     f'SNR U[{d.snr_min}, {d.snr_max}] dB')
        if self.negatives is not None:
            self.log(f'negatives: {len(self.negatives)} clips, share {d.negative_prob} of each batch '
                     f'({d.silence_prob} of them silence)')
        validation = d.validation if d.validation is not None else dataset.default_validation
        self.dataset_meta = dict(dataset.describe(), spec=d.spec, validation=validation,
                                 excluded_labels=sorted(left_out),
                                 validation_groups=dataset.group_names(self.val_idx),
                                 split_seed=d.split_seed,
                                 train_clips=len(self.train_idx), val_clips=len(self.val_idx))
        self.batches = BatchMaker(dataset, self.data_cfg, self.sample_rate, self.multi_label, self.noise,
                                  self.negatives, seed=self.train_cfg.seed)
        self.val_waves = [dataset.load(i) for i in self.val_idx]
        self.val_targets = dataset.targets[self.val_idx]

    def _build_model(self) -> None:
        t = self.train_cfg
        self.model = build_model(num_classes=len(self.labels), **self.model_cfg).to(self.device)
        if t.init_from:
            start = load_checkpoint(t.init_from)
            if start.labels != self.labels or start.model.config != self.model.config:
                raise ConfigError(f"train.init_from {start.path}: its architecture or labels differ from "
                                  f"this config's; fine-tuning needs the same model and classes")
            self.model.load_state_dict(start.model.state_dict())
            self.log(f'weights initialised from {start.path}')
        if t.init_trunk_from:
            self._load_trunk(t.init_trunk_from)
        optimizer = torch.optim.AdamW if t.optimizer == 'adamw' else torch.optim.Adam
        self.optimizer = optimizer(self.model.parameters(), lr=t.lr,
                                   weight_decay=t.weight_decay)

    def _make_scheduler(self):
        """ReduceLROnPlateau on ``monitor``, or a cosine decay (per epoch) after a linear warm-up."""
        t = self.train_cfg
        min_lr = t.min_lr
        if t.scheduler == 'plateau':
            return torch.optim.lr_scheduler.ReduceLROnPlateau(
                self.optimizer, mode=self.mode, factor=t.plateau_factor,
                patience=t.plateau_patience, min_lr=min_lr)
        epochs, warmup, base = t.max_epochs, t.warmup_epochs, t.lr

        def factor(done: int) -> float:   # done: epochs finished; the lr of epoch done + 1
            if done < warmup:
                return (done + 1) / (warmup + 1)
            progress = (done - warmup) / max(1, epochs - warmup)
            return (min_lr + (base - min_lr) * 0.5 * (1.0 + math.cos(math.pi * progress))) / base
        return torch.optim.lr_scheduler.LambdaLR(self.optimizer, factor)

    def _load_trunk(self, source) -> None:
        """Every weight but the classifier layer from a checkpoint of the same architecture; an
        embedding layer comes along when it has the same shape (fine-tuning an embedding on other
        classes), else it starts new too."""
        start = load_checkpoint(source)
        mine, theirs = self.model.config, start.model.config

        def architecture(config):   # what the trunk's weights depend on (not the head or dropout)
            options = {k: v for k, v in config.backbone.options.items()
                       if k not in ('dropout', 'head', 'scale', 'pooling', 'embedding_dim')}
            return config.frontend, config.backbone.name, options, config.sample_rate
        if architecture(mine) != architecture(theirs):
            raise ConfigError(f'train.init_trunk_from {start.path}: its front-end, backbone or sample rate '
                              f"differ from this config's")
        classifier, embedding = 'backbone.fc.', 'backbone.project.'
        own = self.model.state_dict()

        def starts_new(key, value) -> bool:
            return key.startswith(classifier) or (key.startswith(embedding) and (
                key not in own or own[key].shape != value.shape))
        trunk = {k: v for k, v in start.model.state_dict().items() if not starts_new(k, v)}
        missing, _ = self.model.load_state_dict(trunk, strict=False)
        assert all(k.startswith((classifier, embedding)) for k in missing), missing
        kept = 'embedding layer kept, ' if any(k.startswith(embedding) for k in trunk) else ''
        self.log(f'trunk initialised from {start.path} ({kept}classifier layer new: {len(self.labels)} classes)')

    # -- resume --------------------------------------------------------------------------------
    def _state(self, epoch: int) -> dict:
        return {
            'model': self.model.state_dict(), 'optimizer': self.optimizer.state_dict(),
            'scheduler': self.scheduler.state_dict(), 'epoch': epoch, 'best_value': self.best_value,
            'bad_epochs': self.bad_epochs, 'best_metrics': self.best_metrics,
            'numpy_rng': self.rng.bit_generator.state, 'plan_rng': self.plan_rng.bit_generator.state,
            'torch_rng': torch.get_rng_state(),
            'cuda_rng': torch.cuda.get_rng_state_all() if self.device.type == 'cuda' else None,
            'labels': self.labels, 'config': self.cfg, 'finished': self.stopped == 'early_stopping',
            'stopped': self.stopped,
        }

    def _restore(self, path: Path) -> int:
        """Load a ``last.pt`` state; → the first epoch still to run."""
        state = self.run.load_state(path)
        if state.get('labels') != self.labels:
            raise ConfigError(f'{path}: its labels differ from the data ({len(state.get("labels") or [])} '
                              f'vs {len(self.labels)} classes); cannot resume')
        self.model.load_state_dict(state['model'])
        self.optimizer.load_state_dict(state['optimizer'])
        self.scheduler.load_state_dict(state['scheduler'])
        self.best_value, self.bad_epochs = state.get('best_value'), int(state.get('bad_epochs', 0))
        self.best_metrics = state.get('best_metrics')
        if self.world.distributed:   # this rank's augmentation stream continues from a fresh seed
            self.rng = np.random.default_rng([self.train_cfg.seed, self.world.rank, int(state['epoch'])])
        else:
            self.rng.bit_generator.state = state['numpy_rng']
        self.plan_rng.bit_generator.state = state.get('plan_rng', state['numpy_rng'])
        torch.set_rng_state(state['torch_rng'])
        if self.device.type == 'cuda' and state.get('cuda_rng') is not None:
            try:
                torch.cuda.set_rng_state_all(state['cuda_rng'])
            except RuntimeError:
                pass
        if state.get('finished'):
            self.stopped = state.get('stopped', 'finished')
        start_epoch = int(state['epoch']) + 1
        self.run.keep_rows_before(start_epoch)
        self.log(f'resumed from {path} at epoch {start_epoch} (best {self.monitor} = {_fmt(self.best_value)})')
        return start_epoch

    # -- one epoch -----------------------------------------------------------------------------
    def train_one_epoch(self, epoch: int) -> dict:
        """One class-balanced pass over random crops; → the metrics row (train columns)."""
        t = self.train_cfg
        targets = self.dataset.targets[self.train_idx]
        order = D.balanced_indices(targets, self.plan_rng) if self.config.data.balance else \
            self.plan_rng.permutation(len(self.train_idx))
        batch_size = t.batch_size
        chunks = [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
        chunks = [c for c in chunks if len(c) >= 2] or chunks  # BatchNorm needs 2 items
        chunks = self.world.share(chunks)
        if t.max_steps_per_epoch:
            chunks = chunks[:t.max_steps_per_epoch]
        grad_clip = t.grad_clip or None
        self.net.train()
        total_loss, items, correct, seen = 0.0, 0, 0, 0  # accuracy over positives only
        bar = Progress(len(chunks), f'epoch {epoch}', t.progress)
        for chunk in chunks:
            batch, targets, positive = self.batches.make(self.train_idx[chunk], self.rng)
            x, y = torch.from_numpy(batch).to(self.device), torch.from_numpy(targets).to(self.device)
            logits = self.net(x)
            loss = self._loss(logits, y)
            self.optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if grad_clip:
                torch.nn.utils.clip_grad_norm_(self.model.parameters(), grad_clip)
            self.optimizer.step()
            n = int(y.shape[0])
            total_loss += float(loss.detach()) * n
            items += n
            mask = torch.from_numpy(positive).to(self.device)
            labels = y if y.ndim == 1 else torch.from_numpy(self.dataset.targets[self.train_idx[chunk]]).to(self.device)
            correct += int((logits.detach()[mask].argmax(1) == labels[mask]).sum())
            seen += int(positive.sum())
            bar.update(loss=float(loss.detach()))
        bar.close()
        return {'epoch': epoch, 'lr': self.optimizer.param_groups[0]['lr'],
                'train_loss': total_loss / max(items, 1), 'train_acc': correct / max(seen, 1)}

    def _loss(self, logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        if self.multi_label:
            return F.binary_cross_entropy_with_logits(logits, targets)
        if self.train_cfg.loss == 'aam':
            return aam_softmax_loss(logits, targets, self.model.backbone.scale, self.train_cfg.margin)
        return F.cross_entropy(logits, targets)

    def validate(self) -> dict | None:
        """Whole validation clips through the model's inference path; → metrics with ``loss``, or
        None without validation clips."""
        if not len(self.val_idx):
            return None
        logits = torch.from_numpy(predict_logits(self.model, self.val_waves, device=self.device,
                                                 batch_size=self.train_cfg.eval_batch_size))
        logits = logits[:, :self.dataset.num_classes]   # the recorded classes, without speed copies
        targets = torch.from_numpy(self.val_targets)
        if self.multi_label:
            targets = F.one_hot(targets, self.dataset.num_classes).float()
        loss = float(self._loss(logits, targets))
        scores = scores_from_logits(logits, self.multi_label).numpy()
        metrics = _finite_or_none(classification_metrics(self.val_targets, scores))
        metrics['loss'] = loss
        return metrics

    # -- the loop ------------------------------------------------------------------------------
    def fit(self, resume: bool | str | Path = False) -> dict:
        resume_from = Path(resume) if isinstance(resume, (str, Path)) and resume not in ('', True) else (
            self.run.last if resume else None)
        start_epoch = 1
        if resume_from is not None and resume_from.is_file():
            start_epoch = self._restore(resume_from)
        else:
            if resume_from is not None and resume:
                self.log(f'nothing to resume at {resume_from}: starting afresh')
            if self.world.main:
                self.run.start_afresh()
        if self.world.main:
            self.run.write_config(self.cfg)
        self.world.barrier()
        n_params = sum(p.numel() for p in self.model.parameters())
        self.log(f'model {self.model.frontend_name}-{self.model.backbone_name}: {n_params / 1e6:.2f} M '
                 f'parameters, {len(self.labels)} classes, device {self.device}, run folder {self.run.path}')
        patience = self.train_cfg.early_stopping or None
        epoch = start_epoch - 1
        for epoch in range(start_epoch, self.train_cfg.max_epochs + 1):
            if self.stopped == 'early_stopping':
                break
            started = time.perf_counter()
            row = self.train_one_epoch(epoch)
            due = epoch % self.train_cfg.val_every == 0 or epoch == self.train_cfg.max_epochs
            val_metrics = self.validate() if self.world.main and due else None
            if val_metrics is not None:
                row['val_loss'] = val_metrics['loss']
                row.update({f'val_{k}': val_metrics.get(k) for k in ('top1', 'top5', 'map', 'auc', 'dprime')})
            row['seconds'] = time.perf_counter() - started
            # every rank steps its scheduler and early stopping with rank 0's numbers
            row, val_metrics = self.world.broadcast((row, val_metrics))
            improved = self._end_epoch(epoch, row, val_metrics)
            if self.world.main:
                self.run.append_row(row)
            self.log(f'epoch {epoch}: ' + ' '.join(f'{k}={_fmt(row.get(k))}' for k in CSV_COLUMNS[1:])
                     + (' *' if improved else ''))
            if patience is not None and self.bad_epochs >= patience:
                self.stopped = 'early_stopping'
                self.log(f'early stopping: {self.monitor} did not improve for {self.bad_epochs} epochs')
            if self.world.main:
                self.run.save_state(self._state(epoch))
            self.world.barrier()
            if self.stopped == 'early_stopping':
                break
        close_world(self.world)
        if self.world.main and self.config.export and self.run.best.is_file():
            dest = save_half(self.run.best, self.config.export)
            self.log(f'exported {self.run.best} -> {dest} (fp16 weights)')
        self.log(f'done: best {self.monitor} = {_fmt(self.best_value)} -> {self.run.best}')
        return {'run_dir': str(self.run.path), 'best': str(self.run.best), 'last': str(self.run.last),
                'monitor': self.monitor, 'best_value': self.best_value, 'best_metrics': self.best_metrics,
                'epochs': epoch, 'stopped': self.stopped, 'labels': self.labels}

    def _end_epoch(self, epoch: int, row: dict, val_metrics: dict | None) -> bool:
        """Scheduler step, early-stopping bookkeeping and the best checkpoint; → improved?"""
        skipped = val_metrics is None and self.monitor.startswith('val_')   # not validated (val_every)
        value = row.get(self.monitor)
        if value is None or not math.isfinite(float(value)):
            value = float('inf') if self.mode == 'min' else float('-inf')
        if not isinstance(self.scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau):
            self.scheduler.step()
        elif not skipped:
            self.scheduler.step(value)
        if skipped:   # neither improves nor counts as a bad epoch
            return self._keep_last(epoch, row, val_metrics)
        better = (lambda a, b: a < b) if self.mode == 'min' else (lambda a, b: a > b)
        improved = self.best_value is None or better(value, self.best_value)
        if not improved:
            self.bad_epochs += 1
            return self._keep_last(epoch, row, val_metrics)
        self.best_value, self.bad_epochs = float(value), 0
        best = val_metrics or {'train_loss': row['train_loss'], 'train_acc': row['train_acc']}
        self.best_metrics = dict(best, epoch=epoch)
        self._save_best(epoch, self.best_metrics)
        return True

    def _keep_last(self, epoch: int, row: dict, val_metrics: dict | None) -> bool:
        """``checkpoint: last``: best.pt follows every epoch, with the latest validation's numbers."""
        if self.train_cfg.checkpoint == 'last':
            metrics = val_metrics or {'train_loss': row['train_loss'], 'train_acc': row['train_acc']}
            self._save_best(epoch, dict(metrics, epoch=epoch))
        return False

    def _save_best(self, epoch: int, metrics: dict) -> None:
        if not self.world.main:
            return
        inference = {k: v for k, v in dataclasses.asdict(self.config.inference).items() if v is not None}
        save_checkpoint(self.model, self.run.best, labels=self.labels, task=self.config.task,
                        name=self.config.name, metrics=metrics, config=self.cfg,
                        dataset=self.dataset_meta, epoch=epoch, multi_label=self.multi_label, **inference)


def train(config: dict, *, resume: bool | str = False, log=None) -> dict:
    """Train a model as ``config`` says; see :class:`Trainer`."""
    return Trainer(config, log).fit(resume)
