# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Open-set identification: the enrolled speaker closest to an embedding, or ``'unknown'``.

Scores are cosine similarities in [-1, 1] between the (normalised) query embedding (D,) and each
enrolled embedding (the rows of :meth:`SpeakerDatabase.matrix`, (K, D)). The best enrolled
speaker is the answer when its score reaches ``threshold``; otherwise the answer is ``'unknown'``.
``confidence = 1 / (1 + exp(-scale · (score - threshold)))``: 0.5 exactly at the threshold, towards
1 above it and 0 below it. With an empty database the score is -1.0 (the lowest cosine possible)
and the candidates are empty.

A model that ships a cohort of training-speaker embeddings (metadata ``speaker_cohort``) scores
with AS-norm instead (:class:`~degram.speaker.normalisation.AdaptiveSNorm`, see
:func:`score_normaliser`): the cosines are standardised against the cohort from both sides, so
scores, threshold and candidates are in standard deviations rather than in [-1, 1].
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..inference.metadata import ModelMetadata
from .normalisation import AdaptiveSNorm
from .validation import UNKNOWN, unit

__all__ = ['DEFAULT_SCALE', 'DEFAULT_THRESHOLD', 'EMPTY_SCORE', 'SpeakerMatch', 'identify', 'score_normaliser',
           'score_threshold', 'speaker_scoring']

#: used when the model's metadata holds no ``speaker_threshold`` / ``speaker_score_scale``
DEFAULT_THRESHOLD = 0.5
DEFAULT_SCALE = 10.0
#: the score reported when no one is enrolled
EMPTY_SCORE = -1.0


@dataclass(frozen=True)
class SpeakerMatch:
    """The answer for one embedding."""

    speaker: str                    # an enrolled name, or 'unknown'
    score: float                    # best cosine (or AS-norm score); -1.0 with an empty database
    confidence: float               # sigmoid(scale · (score − threshold)) in [0, 1]
    known: bool                     # score ≥ threshold (and someone is enrolled)
    candidates: list[tuple[str, float]] = field(default_factory=list)   # (name, score), best first, ≤ top_k

    def to_dict(self) -> dict:
        """JSON-ready: candidates as ``[{'name', 'score'}, ...]``."""
        return {'speaker': self.speaker, 'known': self.known, 'score': self.score, 'confidence': self.confidence,
                'candidates': [{'name': name, 'score': score} for name, score in self.candidates]}


def confidence_of(score: float, threshold: float, scale: float) -> float:
    """The logistic ``1 / (1 + exp(-scale · (score − threshold)))``, without overflow."""
    z = scale * (score - threshold)
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def identify(embedding: np.ndarray, database, threshold: float, scale: float = DEFAULT_SCALE,
             top_k: int = 3, normaliser: AdaptiveSNorm | None = None) -> SpeakerMatch:
    """The enrolled speaker of ``embedding`` (D,) in ``database`` (a :class:`SpeakerDatabase`),
    or ``'unknown'`` when the best score is below ``threshold`` or no one is enrolled. Scores are
    cosines, or their AS-norm against ``normaliser``'s cohort when one is given.

    Raises ValueError for a non-finite or zero embedding, one of another dimension than the
    database's, or ``scale`` ≤ 0.
    """
    if not scale > 0 or not math.isfinite(scale):
        raise ValueError(f'scale must be a positive number, got {scale}')
    if not math.isfinite(threshold):
        raise ValueError(f'threshold must be finite, got {threshold}')
    if normaliser is None and not -1.0 <= threshold <= 1.0:
        raise ValueError(f'threshold {threshold} is not a cosine score in [-1, 1]: a model with a speaker_cohort '
                         f'scores in AS-norm units; take threshold, scale and normaliser from speaker_scoring(model)')
    query = unit(embedding)
    names, matrix = database.matrix()
    if not names:
        return SpeakerMatch(UNKNOWN, EMPTY_SCORE, confidence_of(EMPTY_SCORE, threshold, scale), False, [])
    if matrix.shape[1] != query.size:
        raise ValueError(f'an embedding of dimension {query.size}, but the database holds dimension '
                         f'{matrix.shape[1]} (another model?)')
    scores = np.clip(matrix.astype(np.float64) @ query, -1.0, 1.0)
    if normaliser is not None:
        scores = normaliser.normalise(scores[None, :], query[None, :], matrix)[0]
    order = np.argsort(-scores, kind='stable')         # names are sorted: ties go to the first name
    candidates = [(names[i], float(scores[i])) for i in order[:max(1, int(top_k))]]
    best_name, best = candidates[0]
    known = best >= threshold
    return SpeakerMatch(best_name if known else UNKNOWN, best, confidence_of(best, threshold, scale), known,
                        candidates)


def score_threshold(predictor) -> tuple[float, float]:
    """(threshold, scale) for a model: its metadata's ``speaker_threshold`` and
    ``speaker_score_scale`` when present, else :data:`DEFAULT_THRESHOLD` (0.5) and
    :data:`DEFAULT_SCALE` (10.0). Raises ValueError for values out of range."""
    try:
        meta = ModelMetadata.of(predictor)
    except ValueError as exc:
        raise ValueError(f'model {getattr(predictor, "name", "?")}: {exc}') from None
    threshold = DEFAULT_THRESHOLD if meta.speaker_threshold is None else meta.speaker_threshold
    scale = DEFAULT_SCALE if meta.speaker_score_scale is None else meta.speaker_score_scale
    return threshold, scale


def score_normaliser(predictor) -> AdaptiveSNorm | None:
    """The AS-norm of a model that ships a ``speaker_cohort`` in its metadata, else None (cosine
    scoring). Raises ValueError for a cohort that cannot be one (fewer than 2 rows, mixed sizes)."""
    cohort = ModelMetadata.of(predictor).speaker_cohort
    if cohort is None:
        return None
    try:
        return AdaptiveSNorm(np.asarray(cohort, dtype=np.float64))
    except ValueError as exc:
        raise ValueError(f'model {getattr(predictor, "name", "?")}: speaker_cohort: {exc}') from None


def speaker_scoring(predictor, threshold: float | None = None) -> tuple[float, float, AdaptiveSNorm | None]:
    """(threshold, scale, normaliser) to pass to :func:`identify`: the model's calibrated scoring
    (AS-norm when it ships a cohort) or, with a given cosine ``threshold`` in [-1, 1] (a user's
    override: ``degram identify --threshold``, the node's ``threshold`` parameter), raw cosine
    scoring at that threshold (with the model's scale only when that was calibrated on cosines)."""
    model_threshold, scale = score_threshold(predictor)
    normaliser = score_normaliser(predictor)
    if threshold is None:
        return model_threshold, scale, normaliser
    if not -1.0 <= float(threshold) <= 1.0:
        raise ValueError(f'threshold {threshold} is not a cosine score in [-1, 1]')
    return float(threshold), (DEFAULT_SCALE if normaliser is not None else scale), None
