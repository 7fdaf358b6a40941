# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Training batches: random crops with negatives (out-of-set audio whose target is "no class"),
speed perturbation (a class per speed), mixup, real noise, the room and channel
(:class:`~degram.data.channel.ChannelAugment`) and level changes, as class indices (softmax),
class probabilities (softmax with mixup) or multi-hot rows (sigmoid)."""
from __future__ import annotations

import numpy as np

from .. import data as D
from ..data.channel import ChannelAugment


class BatchMaker:
    def __init__(self, dataset, options: dict, sample_rate: int, multi_label: bool, noise=None, negatives=None,
                 seed: int = 0):
        self.dataset, self.options, self.sample_rate = dataset, options, sample_rate
        self.multi_label, self.noise, self.negatives = multi_label, noise, negatives
        self.channel = ChannelAugment(dict(options['channel']), sample_rate, seed) if options.get('channel') else None
        self.speeds = [float(s) for s in options.get('speed_perturb') or []]

    def make(self, idx, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Random crops of ``idx`` with negatives, mixup, noise, channel and level changes as
        configured; → (waveforms (B, L), targets: class indices, or (B, N) multi-hot rows or class
        probabilities, positive mask (B,)). With ``speed_perturb`` an item played at the k-th of those
        speeds (k = 1, 2 ...; k = 0: as recorded) is class ``label + k·N``, N the dataset's classes.
        With mixup each item stays the larger part of its mix (λ ≥ 0.5), so its own label and
        positive flag still name what dominates it."""
        d = self.options
        length = max(1, round(float(rng.uniform(float(d['crop_min']), float(d['crop_max']))) * self.sample_rate))
        waves, labels = [self.dataset.load(i) for i in idx], self.dataset.targets[idx]
        if self.speeds:
            speed = rng.integers(0, len(self.speeds) + 1, len(idx))   # 0: as recorded
            waves = [w if k == 0 else D.change_speed(w, self.speeds[k - 1]) for w, k in zip(waves, speed)]
            labels = labels + speed * self.dataset.num_classes
        batch = D.make_batch(waves, length, rng)
        positive = np.ones(len(idx), dtype=bool)
        for b in range(batch.shape[0]):
            if self.negatives is not None and rng.random() < float(d['negative_prob']):
                positive[b] = False
                batch[b] = self._negative(length, rng)
        mixup = float(d['mixup_alpha']) > 0
        if not (self.multi_label or mixup):
            targets = labels
        else:
            targets = np.zeros((len(idx), self.dataset.num_classes), dtype=np.float32)
            targets[np.flatnonzero(positive), labels[positive]] = 1.0
            if mixup:
                batch, targets = self._mixup(batch, targets, rng)
        for b in range(batch.shape[0]):
            if self.noise is not None and rng.random() < float(d['noise_prob']):
                batch[b] = self.noise.mix(batch[b], rng.uniform(float(d['snr_min']), float(d['snr_max'])), rng)
            if self.channel is not None:
                batch[b] = self.channel(batch[b], rng)
        if float(d['gain_db_min']) != 0.0 or float(d['gain_db_max']) != 0.0:
            gains = 10.0 ** (rng.uniform(float(d['gain_db_min']), float(d['gain_db_max']), len(idx)) / 20.0)
            batch = np.clip(batch * gains[:, None].astype(np.float32), -1.0, 1.0)
        return batch, targets, positive

    def _mixup(self, batch: np.ndarray, targets: np.ndarray, rng: np.random.Generator):
        """Mixup (Zhang et al. 2018) of a ``mixup_prob`` share of the items with another item of the
        batch: waveforms and targets mixed with the same λ ~ Beta(α, α), λ ≥ 0.5."""
        d = self.options
        alpha = float(d['mixup_alpha'])
        partner = rng.permutation(len(batch))
        lam = rng.beta(alpha, alpha, len(batch))
        lam = np.maximum(lam, 1.0 - lam)
        lam[rng.random(len(batch)) >= float(d['mixup_prob'])] = 1.0
        lam = lam.astype(np.float32)
        mixed = lam[:, None] * batch + (1.0 - lam[:, None]) * batch[partner]
        return mixed.astype(np.float32), lam[:, None] * targets + (1.0 - lam[:, None]) * targets[partner]

    def _negative(self, length: int, rng: np.random.Generator) -> np.ndarray:
        """Out-of-set audio: a segment of a negative source, or (``silence_prob``) digital silence or
        faint white noise at -60 … -90 dBFS."""
        if rng.random() < float(self.options['silence_prob']):
            if rng.random() < 0.5:
                return np.zeros(length, dtype=np.float32)
            level = 10.0 ** (rng.uniform(-90.0, -60.0) / 20.0)
            return (level * rng.standard_normal(length)).astype(np.float32)
        return self.negatives.sample(length, rng)
