# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Open-set speaker evaluation: the protocol and its numbers, from embeddings to rates (numpy only).

Utterances belong to speakers; each speaker enrols its first ``enrol`` utterances (in the given
order). The protocol works on one matrix ``scores`` (N, S): the cosine of every utterance's
embedding (the normalised mean of its window embeddings) with every speaker's enrolled embedding
(what :meth:`degram.speaker.SpeakerDatabase.enroll` stores for the enrolment utterances). A
speaker's enrolled embedding does not depend on who else is enrolled, so every enrolment below is
a choice of columns:

- **all enrolled**: every utterance not used for enrolment is identified among all speakers:
  ``top1`` (the best-scoring speaker is the right one, whatever the score), ``named`` (right and
  best score ≥ threshold), ``unknown`` (best score < threshold), ``misnamed`` (≥ threshold, wrong);
- **rotations** (:data:`ROTATIONS` = 4): speaker i is in fold i mod 4; in rotation r the speakers
  of fold r are strangers (not enrolled: every one of their utterances, enrolment ones included,
  must come out unknown) and the others are enrolled and identified as above; ``far`` = the
  share of stranger utterances named as someone;
- **verification**: the cosine of every pair of utterance embeddings → EER and minDCF;
- **calibration**: :func:`choose_threshold` (the lowest threshold whose stranger false-accept
  rate in the rotations is ≤ ``max_far``, which keeps the most correct names) and
  :func:`platt_scale` (the slope of ``confidence = 1 / (1 + exp(-scale · (cos − threshold)))``,
  Platt's logistic regression on target and non-target scores).
"""
from __future__ import annotations

import math

import numpy as np

from .metrics import equal_error_rate, min_dcf

__all__ = ['P_TARGET', 'ROTATIONS', 'choose_threshold', 'enrolment_mask', 'identification_counts',
           'open_set_protocol', 'platt_scale', 'rotation_folds', 'rotation_scores', 'verification']

ROTATIONS = 4
P_TARGET = 0.01
#: added to the highest stranger score still to be rejected, so that it is (float rounding aside)
THRESHOLD_MARGIN = 1e-6


def enrolment_mask(labels, enrol: int) -> np.ndarray:
    """(N,) bool: the first ``enrol`` utterances (in the given order) of each speaker. Raises
    ValueError when a speaker has no utterance left to identify."""
    labels = np.asarray(labels)
    if enrol < 1:
        raise ValueError(f'enrol at least one utterance per speaker, got {enrol}')
    mask = np.zeros(labels.size, dtype=bool)
    for speaker in np.unique(labels):
        rows = np.flatnonzero(labels == speaker)
        if rows.size <= enrol:
            raise ValueError(f'speaker {speaker!r} has {rows.size} utterance(s): enrolling {enrol} needs at '
                             f'least {enrol + 1}')
        mask[rows[:enrol]] = True
    return mask


def rotation_folds(n_speakers: int, rotations: int = ROTATIONS) -> list[np.ndarray]:
    """The strangers of each rotation: speaker i is in fold i mod ``rotations``."""
    if n_speakers < rotations + 1:
        raise ValueError(f'{rotations} rotations need at least {rotations + 1} speakers, got {n_speakers}')
    return [np.arange(r, n_speakers, rotations) for r in range(rotations)]


def identification_counts(scores, labels, enrolled, rows, threshold: float) -> dict:
    """Utterances ``rows`` identified among the speakers ``enrolled`` (column indices) at
    ``threshold``; an utterance whose speaker is not enrolled is a stranger. Counts only."""
    scores, labels = np.asarray(scores, dtype=np.float64), np.asarray(labels)
    enrolled, rows = np.asarray(enrolled, dtype=np.int64), np.asarray(rows, dtype=np.int64)
    part = scores[np.ix_(rows, enrolled)]
    best = enrolled[part.argmax(axis=1)] if rows.size else np.zeros(0, np.int64)
    known = part.max(axis=1) >= threshold if rows.size else np.zeros(0, bool)
    truth = labels[rows]
    member = np.isin(truth, enrolled)
    right = best == truth
    return {'trials': int(member.sum()), 'top1': int((member & right).sum()),
            'named': int((member & right & known).sum()), 'unknown': int((member & ~known).sum()),
            'misnamed': int((member & known & ~right).sum()),
            'stranger_trials': int((~member).sum()), 'false_accepts': int((~member & known).sum())}


def _rates(counts: dict) -> dict:
    def share(part, whole):
        return counts[part] / counts[whole] if counts[whole] else None

    rates = {key: share(key, 'trials') for key in ('top1', 'named', 'unknown', 'misnamed')}
    if counts['stranger_trials']:
        rates['far'] = share('false_accepts', 'stranger_trials')
    return dict(rates, counts=dict(counts))


def open_set_protocol(scores, labels, enrolment, threshold: float, rotations: int = ROTATIONS) -> dict:
    """``{'all_enrolled': rates, 'rotations': rates + far}`` (see the module docstring); ``labels``
    are column indices of ``scores``, ``enrolment`` the :func:`enrolment_mask`."""
    scores, labels, enrolment = np.asarray(scores), np.asarray(labels), np.asarray(enrolment, dtype=bool)
    speakers = np.arange(scores.shape[1])
    everyone = identification_counts(scores, labels, speakers, np.flatnonzero(~enrolment), threshold)
    total: dict[str, int] = {}
    for fold in rotation_folds(len(speakers), rotations):
        rows = np.flatnonzero(~enrolment | np.isin(labels, fold))
        for key, value in identification_counts(scores, labels, np.setdiff1d(speakers, fold), rows,
                                                threshold).items():
            total[key] = total.get(key, 0) + value
    return {'threshold': float(threshold), 'all_enrolled': _rates(everyone),
            'rotations': dict(_rates(total), rotations=rotations)}


def rotation_scores(scores, labels, enrolment, rotations: int = ROTATIONS) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Over the rotations: (the best enrolled score of each stranger utterance, the best score of
    each enrolled speaker's test utterance, whether that best speaker is the right one)."""
    scores, labels, enrolment = np.asarray(scores, np.float64), np.asarray(labels), np.asarray(enrolment, bool)
    speakers = np.arange(scores.shape[1])
    strangers, best, right = [], [], []
    for fold in rotation_folds(len(speakers), rotations):
        enrolled = np.setdiff1d(speakers, fold)
        is_stranger = np.isin(labels, fold)
        strangers.append(scores[np.ix_(is_stranger, enrolled)].max(axis=1))
        rows = np.flatnonzero(~enrolment & ~is_stranger)
        part = scores[np.ix_(rows, enrolled)]
        best.append(part.max(axis=1))
        right.append(enrolled[part.argmax(axis=1)] == labels[rows])
    return np.concatenate(strangers), np.concatenate(best), np.concatenate(right)


def choose_threshold(stranger_best, max_far: float = 0.02, ceiling: float | None = 1.0) -> float:
    """The lowest threshold at which at most ``max_far`` of the stranger utterances (their best
    enrolled scores, ``stranger_best``: cosines or AS-norm scores) are accepted: just above the
    highest score that must be rejected (at most ``ceiling``: the highest cosine; None for AS-norm).
    Lower thresholds name more enrolled speakers, so this keeps the most."""
    best = np.sort(np.asarray(stranger_best, dtype=np.float64).reshape(-1))[::-1]
    if best.size == 0:
        raise ValueError('no stranger trials to calibrate on')
    if not 0.0 <= max_far < 1.0:
        raise ValueError(f'max_far must lie in [0, 1), got {max_far}')
    allowed = int(math.floor(max_far * best.size + 1e-9))     # false accepts the rate allows
    threshold = float(best[allowed] + THRESHOLD_MARGIN)
    return threshold if ceiling is None else min(float(ceiling), threshold)


def platt_scale(target, nontarget, bounds=(1e-2, 1e4)) -> float:
    """The score scale: the slope ``a`` of Platt's logistic regression P(target | cos) =
    1 / (1 + exp(-(a · cos + b))) on target and non-target cosine scores (targets smoothed to
    (N₊ + 1) / (N₊ + 2) and 1 / (N₋ + 2), so separable scores give a finite slope; both classes
    weighted equally). The identification confidence keeps the slope and puts its centre on the
    threshold instead of −b / a: ``1 / (1 + exp(-a · (cos − threshold)))`` is 0.5 there. Clipped to
    ``bounds`` (positive even when the scores rank the wrong way round)."""
    target = np.asarray(target, dtype=np.float64).reshape(-1)
    nontarget = np.asarray(nontarget, dtype=np.float64).reshape(-1)
    if target.size == 0 or nontarget.size == 0:
        raise ValueError(f'need target and non-target scores, got {target.size} and {nontarget.size}')
    x = np.r_[target, nontarget]
    spread = float(x.std()) or 1.0
    features = np.c_[(x - x.mean()) / spread, np.ones_like(x)]      # standardised for a well-posed Newton
    y = np.r_[np.full(target.size, (target.size + 1) / (target.size + 2)),
              np.full(nontarget.size, 1.0 / (nontarget.size + 2))]
    w = np.r_[np.full(target.size, 0.5 / target.size), np.full(nontarget.size, 0.5 / nontarget.size)]

    def loss(theta):                          # weighted cross-entropy with soft labels (convex)
        z = features @ theta
        return float(np.sum(w * (np.logaddexp(0.0, z) - y * z)))

    theta = np.zeros(2)
    for _ in range(100):                      # Newton with step halving
        p = 1.0 / (1.0 + np.exp(-np.clip(features @ theta, -500, 500)))
        hessian = (features.T * (w * p * (1 - p))) @ features + 1e-12 * np.eye(2)
        step = np.linalg.solve(hessian, features.T @ (w * (p - y)))
        t, before = 1.0, loss(theta)
        while loss(theta - t * step) > before and t > 1e-8:
            t /= 2
        theta = theta - t * step
        if np.abs(t * step).max() < 1e-10:
            break
    return float(np.clip(theta[0] / spread, *bounds))


def verification(embeddings, labels, test_embeddings=None, normaliser=None) -> dict:
    """EER and minDCF (p_target :data:`P_TARGET`) of utterance pairs: every pair i < j of
    ``embeddings`` (N, D, unit rows); with ``test_embeddings`` (the same utterances in another
    condition) every ordered pair (i, j ≠ i) of embeddings[i] against test_embeddings[j]. Scores
    are cosines, or their AS-norm with ``normaliser`` (an :class:`~degram.speaker.AdaptiveSNorm`)."""
    left = np.asarray(embeddings, dtype=np.float64)
    labels = np.asarray(labels)
    right = left if test_embeddings is None else np.asarray(test_embeddings, dtype=np.float64)
    cosine = left @ right.T
    if normaliser is not None:
        cosine = normaliser.normalise(cosine, left, right)
    n = len(labels)
    pairs = np.triu(np.ones((n, n), bool), 1) if test_embeddings is None else ~np.eye(n, dtype=bool)
    same = labels[:, None] == labels[None, :]
    target, nontarget = cosine[pairs & same], cosine[pairs & ~same]
    eer, eer_threshold = equal_error_rate(target, nontarget)
    dcf, dcf_threshold = min_dcf(target, nontarget, P_TARGET)
    finite = {key: value if math.isfinite(value) else None        # +inf: reject every trial
              for key, value in (('eer_threshold', eer_threshold), ('min_dcf_threshold', dcf_threshold))}
    return {'eer': eer, 'min_dcf': dcf, **finite,
            'p_target': P_TARGET, 'target_pairs': int(target.size), 'nontarget_pairs': int(nontarget.size),
            'pairs': 'unordered, same condition' if test_embeddings is None else 'ordered, clean against noisy',
            'scores': 'cosine' if normaliser is None else 'as-norm'}
