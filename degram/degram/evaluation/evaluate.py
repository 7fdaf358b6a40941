# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Evaluation of a checkpoint on a dataset split, clean, with real noise at a given SNR, or through
channel conditions (:func:`degram.data.channel.channel_condition`: low-pass, telephone band, room,
microphone EQ, resampler, noise).

Whole clips are classified (the models pool globally, so any length works); clips of equal
length are batched together. Scores are softmax probabilities; metrics are those of
:mod:`degram.evaluation.metrics`. :func:`evaluate` returns a JSON-serialisable dict with ``top1``,
``top5``, ``map``, ``auc``, ``dprime``, ``n`` and details; :func:`plot_confusion` draws the
confusion matrix (matplotlib, Agg backend).
"""
from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path

import numpy as np
import torch

from .. import data as D
from ..inference import load_checkpoint, scores_from_logits
from ..inference.metadata import ModelMetadata
from .metrics import classification_metrics, per_class_accuracy

__all__ = ['channel_waves', 'evaluate', 'evaluate_checkpoint', 'noisy_waves', 'predict_logits', 'select_split']


def predict_logits(model, waves, device='cpu', batch_size: int = 16, max_batch_seconds: float = 320.0,
                   sample_rate: int = 16000) -> np.ndarray:
    """Logits (N, C) of whole clips; clips of equal length go in batches of up to ``batch_size``
    (and at most ``max_batch_seconds`` of audio). The model is put in eval mode and restored."""
    was_training = model.training
    model.eval()
    by_len: dict[int, list[int]] = defaultdict(list)
    for i, w in enumerate(waves):
        by_len[int(np.asarray(w).shape[-1])].append(i)
    out: list[np.ndarray | None] = [None] * len(waves)
    try:
        with torch.inference_mode():
            for length, idx in by_len.items():
                per = max(1, min(int(batch_size), int(max_batch_seconds * sample_rate // max(length, 1))))
                for s in range(0, len(idx), per):
                    part = idx[s:s + per]
                    x = torch.from_numpy(np.stack([np.asarray(waves[i], dtype=np.float32) for i in part]))
                    logits = model(x.to(device)).float().cpu().numpy()
                    for j, i in enumerate(part):
                        out[i] = logits[j]
    finally:
        model.train(was_training)
    if not out:
        return np.zeros((0, 0), dtype=np.float32)
    return np.stack(out).astype(np.float32)


def noisy_waves(waves, noise: D.NoiseBank, snr_db: float, seed: int = 0):
    """Each clip mixed with real noise at ``snr_db``; clip i always gets the same noise for a
    given seed (independent of order and batch)."""
    return [noise.mix(np.asarray(w, dtype=np.float32), snr_db, np.random.default_rng([int(seed), i]))
            for i, w in enumerate(waves)]


def channel_waves(waves, conditions, sample_rate: int = 16000, seed: int = 0, data_root=None):
    """Each clip through the channel ``conditions`` (specs such as ``lowpass:7000``, applied in
    order); clip i always meets the same random draws for a given seed."""
    from ..data.channel import channel_condition
    transforms = [channel_condition(c, sample_rate, data_root) for c in conditions]
    out = []
    for i, w in enumerate(waves):
        w = np.asarray(w, dtype=np.float32)
        for k, transform in enumerate(transforms):
            w = transform(w, np.random.default_rng([int(seed), i, k]))
        out.append(w)
    return out


def _finite(v):
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def evaluate(model, dataset: D.AudioDataset, indices=None, *, labels=None, noise=None, snr=None,
             seed: int = 0, device='cpu', batch_size: int = 16, k: int = 5, multi_label: bool = False,
             channel=(), data_root=None) -> dict:
    """Metrics of ``model`` (logits out) on ``dataset`` entries ``indices`` (all by default).

    ``labels`` is the model's class order (default: the dataset's); every evaluated clip's label
    must be among them. ``noise`` (a :class:`~degram.data.NoiseBank` or folder path(s)) is
    mixed in at ``snr`` dB with a fixed ``seed``, after the ``channel`` conditions (see
    :func:`channel_waves`). Scores are those the model publishes
    (:func:`degram.inference.scores_from_logits`: sigmoid for ``multi_label``, else softmax)."""
    idx = np.arange(len(dataset)) if indices is None else np.asarray(indices, dtype=np.int64)
    labels = list(dataset.labels if labels is None else labels)
    pos = {lab: i for i, lab in enumerate(labels)}
    unknown = sorted({dataset.entries[i].label for i in idx} - set(pos))
    if unknown:
        raise D.DatasetError(f'labels {unknown[:10]} of the data are not classes of the model')
    y = np.array([pos[dataset.entries[i].label] for i in idx], dtype=np.int64)
    waves = [dataset.load(i) for i in idx]
    if noise is not None:
        if snr is None:
            raise ValueError('noise needs an SNR (dB)')
        if not isinstance(noise, D.NoiseBank):
            noise = D.NoiseBank(noise, dataset.sample_rate)
    if channel:
        waves = channel_waves(waves, channel, dataset.sample_rate, seed, data_root)
    if noise is not None:
        waves = noisy_waves(waves, noise, float(snr), seed)
    logits = predict_logits(model, waves, device=device, batch_size=batch_size,
                            sample_rate=dataset.sample_rate)
    if logits.size == 0:
        raise D.DatasetError('nothing to evaluate: the split is empty')
    if logits.shape[1] != len(labels):
        raise ValueError(f'the model gives {logits.shape[1]} scores but has {len(labels)} labels')
    probs = scores_from_logits(torch.from_numpy(logits).double(), multi_label).numpy()
    m = classification_metrics(y, probs, k=k)
    cm = np.asarray(m['confusion'])
    with np.errstate(all='ignore'):
        loss = float(-np.mean(np.log(np.maximum(probs[np.arange(len(y)), y], 1e-12))))
    acc = per_class_accuracy(cm)
    result = {key: _finite(m[key]) for key in ('top1', f'top{k}', 'map', 'auc', 'dprime', 'n')}
    result.update({
        'loss': loss,
        'labels': labels,
        'per_class_top1': {lab: _finite(float(a)) for lab, a in zip(labels, acc)},
        'confusion': m['confusion'],
        'noise': None if noise is None else {'files': len(noise), 'snr_db': float(snr), 'seed': int(seed)},
        'channel': list(channel),
    })
    result['_predictions'] = {'y_true': y, 'probs': probs,
                              'paths': [dataset.entries[i].path for i in idx]}
    return result


def select_split(ckpt, data_spec: str, split: str = 'val', validation=None, data_root=None):
    """→ (dataset at the model's rate, entry indices, group names, the split scored) of ``split``:
    ``val`` (``validation`` groups, else the ones recorded in the checkpoint when it was trained on
    the same spec, else the dataset's named default), ``train`` (the rest) or ``all``. Data that
    names no validation part (a plain ``path,label`` manifest or folder: its default is a random
    share) is scored whole: ``val`` and ``train`` become ``all``."""
    dataset = D.open_dataset(data_spec, data_root, sample_rate=int(ckpt.sample_rate), labels=None)
    trained_on = ModelMetadata.of(ckpt).dataset
    split_seed = 0
    if validation is None and trained_on.get('spec') == data_spec and trained_on.get('validation') is not None:
        validation = trained_on['validation']  # the checkpoint's own validation split
        split_seed = int(trained_on.get('split_seed') or 0)
    if validation is None and isinstance(D.parse_groups(dataset.default_validation), float):
        split = 'all'
    if split == 'all':
        idx = np.arange(len(dataset))
        groups_used = dataset.group_names()
    elif split in ('val', 'train'):
        tr, va = dataset.split(validation, seed=split_seed)
        idx = va if split == 'val' else tr
        groups_used = dataset.group_names(idx)
    else:
        raise ValueError(f'split must be val, train or all, got {split!r}')
    return dataset, idx, groups_used, split


def evaluate_checkpoint(model_path, data_spec: str, *, split: str = 'val', validation=None,
                        data_root=None, noise=None, snr=None, seed: int = 0, device='cpu',
                        batch_size: int = 16, num_threads=None, channel=()) -> dict:
    """Load a checkpoint (path or shipped name) and evaluate it on ``data_spec`` (see
    :func:`degram.data.open_dataset`). ``split``: ``val`` (``validation`` groups, else the
    ones recorded in the checkpoint when it was trained on the same spec, else the dataset's
    default), ``train`` (the rest) or ``all``."""
    if num_threads:
        torch.set_num_threads(int(num_threads))
    ckpt = load_checkpoint(model_path, device=device)
    dataset, idx, groups_used, split = select_split(ckpt, data_spec, split, validation, data_root)
    result = evaluate(ckpt.model, dataset, idx, labels=list(ckpt.labels), noise=noise, snr=snr, seed=seed,
                      device=device, batch_size=batch_size, multi_label=ckpt.multi_label, channel=channel,
                      data_root=data_root)
    result.update({
        'model': str(model_path),
        'name': ckpt.name,
        'task': ckpt.task,
        'data': str(data_spec),
        'split': split,
        'groups': groups_used,
        'group_kind': dataset.group_kind,
        'sample_rate': int(ckpt.sample_rate),
    })
    if result['noise'] is not None:
        result['noise']['sources'] = [str(s) for s in ([noise] if isinstance(noise, (str, Path)) else noise)]
    return result
