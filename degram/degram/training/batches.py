"""Training batches: random crops with real noise, level changes and negatives (out-of-set audio whose
target is "no class"), as class indices (softmax) or multi-hot rows (sigmoid)."""
from __future__ import annotations

import numpy as np

from .. import data as D


class BatchMaker:
    def __init__(self, dataset, options: dict, sample_rate: int, multi_label: bool, noise=None, negatives=None):
        self.dataset, self.options, self.sample_rate = dataset, options, sample_rate
        self.multi_label, self.noise, self.negatives = multi_label, noise, negatives

    def make(self, idx, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Random crops of ``idx`` with noise, level changes and negatives as configured;
        → (waveforms (B, L), targets: class indices or multi-hot (B, N), positive mask (B,))."""
        d = self.options
        length = max(1, round(float(rng.uniform(float(d['crop_min']), float(d['crop_max']))) * self.sample_rate))
        batch = D.make_batch([self.dataset.load(i) for i in idx], length, rng)
        positive = np.ones(len(idx), dtype=bool)
        for b in range(batch.shape[0]):
            if self.negatives is not None and rng.random() < float(d['negative_prob']):
                positive[b] = False
                batch[b] = self._negative(length, rng)
            elif self.noise is not None and rng.random() < float(d['noise_prob']):
                snr = rng.uniform(float(d['snr_min']), float(d['snr_max']))
                batch[b] = self.noise.mix(batch[b], snr, rng)
        if float(d['gain_db_min']) != 0.0 or float(d['gain_db_max']) != 0.0:
            gains = 10.0 ** (rng.uniform(float(d['gain_db_min']), float(d['gain_db_max']), len(idx)) / 20.0)
            batch = np.clip(batch * gains[:, None].astype(np.float32), -1.0, 1.0)
        targets = self.dataset.targets[idx]
        if self.multi_label:
            hot = np.zeros((len(idx), self.dataset.num_classes), dtype=np.float32)
            hot[np.flatnonzero(positive), targets[positive]] = 1.0
            return batch, hot, positive
        return batch, targets, positive

    def _negative(self, length: int, rng: np.random.Generator) -> np.ndarray:
        """Out-of-set audio: a segment of a negative source, or (``silence_prob``) digital silence or
        faint white noise at -60 … -90 dBFS."""
        if rng.random() < float(self.options['silence_prob']):
            if rng.random() < 0.5:
                return np.zeros(length, dtype=np.float32)
            level = 10.0 ** (rng.uniform(-90.0, -60.0) / 20.0)
            return (level * rng.standard_normal(length)).astype(np.float32)
        return self.negatives.sample(length, rng)
