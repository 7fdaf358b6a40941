# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Per-window scores and detections of taught sounds, and a predictor that adds them to a sound-event
model's own classes so that everything downstream (thresholds, events, annotate, the node) treats a
taught sound like a built-in class.

    matcher = SoundMatcher.of(database)            # a snapshot: teaching later does not change it
    cosines = matcher.cosines(embeddings)          # (N, D) unit → (N, K), K taught sounds
    scores = matcher.scores(embeddings)            # (N, K) in [0, 1]; ≥ 0.5 ⇔ detected
    extended = TaughtPredictor(predictor, matcher)  # labels: the model's + the taught ones

The score of sound k is ``sigmoid(scale_k · (cosine_k - threshold_k))``, so every taught sound's
detection threshold in score space is 0.5.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ['DETECTION_SCORE', 'SoundMatcher', 'TaughtPredictor']

DETECTION_SCORE = 0.5


@dataclass(frozen=True)
class SoundMatcher:
    """A snapshot of taught sounds: ``names`` (K), prototypes stacked (Q, D) with ``owner`` (Q,)
    (the sound index of each row), ``thresholds`` (K,) cosines and ``scales`` (K,)."""

    names: tuple
    prototypes: np.ndarray
    owner: np.ndarray
    thresholds: np.ndarray
    scales: np.ndarray
    version: int = 0
    center: np.ndarray | None = None   # (D,): embeddings are compared as unit(e - center)

    @classmethod
    def of(cls, database) -> SoundMatcher:
        """The sounds of a :class:`~degram.sounds.SoundDatabase` now."""
        sounds = database.sounds() if database is not None else []
        dimension = (database.dimension or 0) if database is not None else 0
        center = None if database is None or database.center is None else database.center.copy()
        if not sounds:
            return cls((), np.zeros((0, dimension), np.float32), np.zeros(0, np.int64), np.zeros(0), np.zeros(0),
                       getattr(database, 'version', 0), center)
        return cls(tuple(s.name for s in sounds), np.concatenate([s.prototypes for s in sounds]).astype(np.float32),
                   np.concatenate([np.full(len(s.prototypes), k) for k, s in enumerate(sounds)]).astype(np.int64),
                   np.array([s.threshold for s in sounds]), np.array([s.scale for s in sounds]),
                   database.version, center)

    def __len__(self) -> int:
        return len(self.names)

    def cosines(self, embeddings) -> np.ndarray:
        """(N, D) embeddings → (N, K): each sound's largest cosine to its prototypes (the rows are
        compared as ``unit(e - center)``)."""
        rows = np.atleast_2d(np.asarray(embeddings, dtype=np.float64))
        out = np.full((rows.shape[0], len(self.names)), -1.0)
        if len(self.names) and rows.shape[0]:
            if rows.shape[1] != self.prototypes.shape[1]:
                raise ValueError(f'embeddings of dimension {rows.shape[1]}, the taught sounds have '
                                 f'{self.prototypes.shape[1]}')
            if self.center is not None:
                rows = rows - self.center.astype(np.float64)[None, :]
            rows = rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)
            all_cos = rows @ self.prototypes.astype(np.float64).T
            for k in range(len(self.names)):
                out[:, k] = all_cos[:, self.owner == k].max(axis=1)
        return out

    def logits(self, embeddings) -> np.ndarray:
        """(N, D) → (N, K) ``scale · (cosine - threshold)``: > 0 ⇔ detected."""
        return (self.cosines(embeddings) - self.thresholds[None, :]) * self.scales[None, :]

    def scores(self, embeddings) -> np.ndarray:
        """(N, D) → (N, K) scores in [0, 1]; a sound is detected where its score ≥ 0.5."""
        return 1.0 / (1.0 + np.exp(-self.logits(embeddings)))

    def detections(self, embeddings) -> np.ndarray:
        """(N, D) → (N, K) bool: cosine at or above the sound's threshold."""
        return self.cosines(embeddings) >= self.thresholds[None, :]


class TaughtPredictor:
    """A sound-event :class:`~degram.inference.Predictor` with taught sounds appended to its classes.

    ``labels`` = the model's labels + the taught names; :meth:`infer` returns the model's output with
    the taught sounds' logits (:meth:`SoundMatcher.logits`) appended to its logits, (B, N + K);
    :meth:`scores` gives the model's scores for the first N and sigmoids of the last K. ``metadata``
    carries the model's thresholds followed by 0.5 per taught sound. Everything else is the model's.
    Immutable: when the database changes, make a new one (and re-publish the labels).

    ``listener(windows (B, L) float32, embeddings (B, D) unit float32)``, when given, sees every
    batch :meth:`infer` runs (the node teaches a sound from the stream with it)."""

    def __init__(self, predictor, matcher: SoundMatcher, listener=None):
        from ..inference.metadata import ModelMetadata

        self.base, self.matcher, self.listener = predictor, matcher, listener
        clash = set(matcher.names) & set(predictor.labels)
        if clash:
            raise ValueError(f'taught sounds named like the model\'s classes: {sorted(clash)}')
        self.labels = list(predictor.labels) + list(matcher.names)
        meta = ModelMetadata.of(predictor)
        if meta.thresholds is not None or matcher.names:
            base = DETECTION_SCORE if meta.thresholds is None else meta.thresholds
            base = [float(base)] * len(predictor.labels) if not isinstance(base, list) else list(base)
            meta = meta.replace(thresholds=base + [DETECTION_SCORE] * len(matcher.names))
        self.metadata = meta

    def __getattr__(self, name):
        return getattr(self.base, name)

    @property
    def num_builtin(self) -> int:
        """N, the model's own classes (the taught ones follow)."""
        return len(self.base.labels)

    def infer(self, batch):
        """(B, L) → the model's output with logits (B, N + K)."""
        import torch

        from ..nn import ModelOutput

        out = self.base.infer(batch)
        if not len(self.matcher) and self.listener is None:
            return out
        embedding = torch.nn.functional.normalize(out.embedding.float(), dim=-1).cpu().numpy()
        if self.listener is not None:
            samples = batch.detach().cpu().numpy() if isinstance(batch, torch.Tensor) else np.asarray(batch)
            self.listener(samples, embedding)
        if not len(self.matcher):
            return out
        taught = torch.from_numpy(self.matcher.logits(embedding)).to(out.logits.dtype).to(out.logits.device)
        return ModelOutput(out.representation, out.embedding, torch.cat([out.logits, taught], dim=-1))

    def scores(self, logits):
        """(…, N + K) → the model's scores of its N classes, then sigmoids of the K taught logits."""
        import torch

        n = self.num_builtin
        return torch.cat([self.base.scores(logits[..., :n]), torch.sigmoid(logits[..., n:])], dim=-1)

    def predict(self, waveform, sample_rate: int) -> np.ndarray:
        """Waveform (L,) or (B, L) → scores (N + K,) or (B, N + K)."""
        samples, single = self.base._batch(waveform, sample_rate)
        scores = self.scores(self.infer(samples).logits).float().cpu().numpy()
        return scores[0] if single else scores
