# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Adaptive symmetric score normalisation (AS-norm) against a cohort of other speakers.

A raw cosine means different things for different voices and channels: some people (and some
microphones) sit close to everyone. AS-norm (Cumani et al. 2011; Matějka et al. 2017, the
standard back-end of SpeechBrain's and WeSpeaker's speaker-verification recipes) measures how
an enrolled voice ``e`` and a heard voice ``q`` score against a cohort of impostors (one
embedding per training speaker) and standardises their cosine from both sides::

    s_norm(e, q) = ½ · ( (s − μ_e) / σ_e + (s − μ_q) / σ_q )

where μ and σ are the mean and deviation of each side's ``top_k`` highest cohort cosines (the
impostors most like it). The normalised score is in standard deviations, not in [-1, 1]: a
threshold calibrated on it holds across voices and channels better than one on raw cosines.

Shapes: cohort (N, D); embeddings (M, D) or (D,); scores (Q, E).
"""
from __future__ import annotations

import numpy as np

from .validation import as_embeddings

__all__ = ['AdaptiveSNorm', 'DEFAULT_TOP_K']

#: impostors per side; WeSpeaker's default for cohorts of a few hundred to thousands of speakers
DEFAULT_TOP_K = 100
_MIN_STD = 1e-6


def _unit_rows(rows: np.ndarray) -> np.ndarray:
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


class AdaptiveSNorm:
    """AS-norm against ``cohort`` (N, D) embeddings, using each side's ``top_k`` best cohort scores
    (all N when the cohort is smaller)."""

    def __init__(self, cohort, top_k: int = DEFAULT_TOP_K):
        cohort = as_embeddings(cohort, None)
        if cohort.shape[0] < 2:
            raise ValueError(f'a cohort needs at least 2 embeddings to estimate a spread, got {cohort.shape[0]}')
        if int(top_k) < 2:
            raise ValueError(f'top_k must be at least 2, got {top_k}')
        self.cohort = _unit_rows(cohort)
        self.top_k = min(int(top_k), cohort.shape[0])

    @property
    def dimension(self) -> int:
        return self.cohort.shape[1]

    def statistics(self, embeddings) -> tuple[np.ndarray, np.ndarray]:
        """(mean (M,), deviation (M,)) of each embedding's ``top_k`` highest cohort cosines."""
        rows = _unit_rows(as_embeddings(embeddings, self.dimension))
        cosines = rows @ self.cohort.T                                    # (M, N)
        best = np.partition(cosines, cosines.shape[1] - self.top_k, axis=1)[:, -self.top_k:]
        return best.mean(axis=1), np.maximum(best.std(axis=1), _MIN_STD)

    def normalise(self, scores, queries, enrolled) -> np.ndarray:
        """Cosine ``scores`` (Q, E) of ``queries`` (Q, D) against ``enrolled`` (E, D) → AS-norm (Q, E)."""
        scores = np.asarray(scores, dtype=np.float64)
        q_mean, q_std = self.statistics(queries)
        e_mean, e_std = self.statistics(enrolled)
        if scores.shape != (q_mean.size, e_mean.size):
            raise ValueError(f'scores of shape {scores.shape} for {q_mean.size} queries and {e_mean.size} '
                             f'enrolled embeddings')
        return 0.5 * ((scores - e_mean[None, :]) / e_std[None, :] + (scores - q_mean[:, None]) / q_std[:, None])
