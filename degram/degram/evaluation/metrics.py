# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Classification metrics of the DEGram paper (§3.2), numpy only.

All functions take integer targets ``y_true`` of shape (N,) and class scores ``scores`` of shape
(N, C) (probabilities or logits: every metric here depends only on the ranking of the scores,
except that ties are handled explicitly).

- :func:`top_k_accuracy` — top-1 / top-5 accuracy.
- :func:`average_precision` — AP of one binary problem: the mean, over the positives, of the
  precision at each positive's rank (tied scores share one threshold, as in the usual
  precision-recall definition, so the result does not depend on the order of tied items).
- :func:`mean_average_precision` — mAP: mean AP over the classes that have positives.
- :func:`roc_auc` — rank-based (Mann-Whitney) ROC AUC with ties averaged; :func:`macro_auc` —
  its mean over classes that have both positives and negatives.
- :func:`dprime` — d′ = √2 · Φ⁻¹(AUC), AUC clamped away from 0 and 1.

Verification (speaker) metrics take the scores of target trials (same speaker) and non-target
trials (different speakers); a trial is accepted when its score ≥ the threshold:

- :func:`equal_error_rate` — EER: where the miss rate equals the false-alarm rate.
- :func:`min_dcf` — the minimum normalised detection cost (NIST SRE convention).
"""
from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np

__all__ = [
    'average_precision',
    'classification_metrics',
    'confusion_matrix',
    'dprime',
    'equal_error_rate',
    'macro_auc',
    'min_dcf',
    'mean_average_precision',
    'per_class_accuracy',
    'rankdata',
    'roc_auc',
    'top_k_accuracy',
]


def _check(y_true, scores) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y_true).astype(np.int64).reshape(-1)
    s = np.asarray(scores, dtype=np.float64)
    if s.ndim != 2:
        raise ValueError(f'scores must be (N, C), got shape {s.shape}')
    if s.shape[0] != y.shape[0]:
        raise ValueError(f'{y.shape[0]} targets but {s.shape[0]} score rows')
    if y.size and (y.min() < 0 or y.max() >= s.shape[1]):
        raise ValueError(f'targets must lie in [0, {s.shape[1]}), got {y.min()}..{y.max()}')
    return y, s


def top_k_accuracy(y_true, scores, k: int = 1) -> float:
    """Fraction of rows whose true class is among the ``k`` highest scores (k ≥ C gives 1.0).

    A tie at the k-th place counts in the row's favour only as far as a stable sort of the
    negated scores puts the true class inside the top k (lower class index first).
    """
    y, s = _check(y_true, scores)
    if y.size == 0:
        return float('nan')
    k = max(1, min(int(k), s.shape[1]))
    top = np.argsort(-s, axis=1, kind='stable')[:, :k]
    return float(np.mean(np.any(top == y[:, None], axis=1)))


def rankdata(values) -> np.ndarray:
    """Ascending ranks 1..N of a 1-D array, tied values get the average of their ranks."""
    v = np.asarray(values, dtype=np.float64).reshape(-1)
    order = np.argsort(v, kind='mergesort')
    sorted_v = v[order]
    # boundaries of runs of equal values
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_v) != 0) + 1]
    ends = np.r_[starts[1:], v.size]
    avg = (starts + ends + 1) / 2.0  # mean of ranks start+1 .. end
    ranks_sorted = np.repeat(avg, ends - starts)
    ranks = np.empty_like(ranks_sorted)
    ranks[order] = ranks_sorted
    return ranks


def average_precision(y_binary, scores) -> float:
    """AP of one binary problem: mean of the precision at each positive's rank.

    Items are sorted by decreasing score; for tied scores the precision is taken at the end of
    the tie run (all tied items counted), which equals scikit-learn's ``average_precision_score``.
    Returns nan when there is no positive.
    """
    y = np.asarray(y_binary).astype(bool).reshape(-1)
    s = np.asarray(scores, dtype=np.float64).reshape(-1)
    if y.shape != s.shape:
        raise ValueError('labels and scores must have the same length')
    n_pos = int(y.sum())
    if n_pos == 0:
        return float('nan')
    order = np.argsort(-s, kind='mergesort')
    s_sorted, y_sorted = s[order], y[order]
    # last index of each run of tied scores
    run_end = np.r_[np.flatnonzero(np.diff(s_sorted) != 0), s.size - 1]
    tp_cum = np.cumsum(y_sorted)[run_end]
    precision = tp_cum / (run_end + 1)
    new_pos = np.diff(np.r_[0, tp_cum])  # positives inside each tie run
    return float(np.sum(new_pos * precision) / n_pos)


def mean_average_precision(y_true, scores) -> float:
    """Mean over classes (one-vs-rest) of :func:`average_precision`; classes without positives
    are left out. nan when no class has a positive."""
    y, s = _check(y_true, scores)
    aps = [average_precision(y == c, s[:, c]) for c in range(s.shape[1]) if np.any(y == c)]
    return float(np.mean(aps)) if aps else float('nan')


def roc_auc(y_binary, scores) -> float:
    """ROC AUC of one binary problem by the rank-sum (Mann-Whitney U) formula, ties averaged
    (a tied positive/negative pair counts one half). nan without both classes."""
    y = np.asarray(y_binary).astype(bool).reshape(-1)
    s = np.asarray(scores, dtype=np.float64).reshape(-1)
    if y.shape != s.shape:
        raise ValueError('labels and scores must have the same length')
    n_pos = int(y.sum())
    n_neg = y.size - n_pos
    if n_pos == 0 or n_neg == 0:
        return float('nan')
    ranks = rankdata(s)
    u = ranks[y].sum() - n_pos * (n_pos + 1) / 2.0
    return float(u / (n_pos * n_neg))


def macro_auc(y_true, scores) -> float:
    """Unweighted mean of one-vs-rest :func:`roc_auc` over the classes that have positives and
    negatives; nan when none has."""
    y, s = _check(y_true, scores)
    aucs = []
    for c in range(s.shape[1]):
        pos = y == c
        if pos.any() and not pos.all():
            aucs.append(roc_auc(pos, s[:, c]))
    return float(np.mean(aucs)) if aucs else float('nan')


def dprime(auc: float, eps: float = 1e-6) -> float:
    """d′ = √2 · Φ⁻¹(AUC), with AUC clamped to [eps, 1 − eps] so a perfect ranking stays finite
    (≈ 6.72 for eps = 1e-6). nan in → nan out."""
    if auc is None or not math.isfinite(float(auc)):
        return float('nan')
    a = min(max(float(auc), eps), 1.0 - eps)
    return math.sqrt(2.0) * NormalDist().inv_cdf(a)


def confusion_matrix(y_true, y_pred, num_classes: int) -> np.ndarray:
    """(C, C) int64 counts, rows = true class, columns = predicted class."""
    y = np.asarray(y_true).astype(np.int64).reshape(-1)
    p = np.asarray(y_pred).astype(np.int64).reshape(-1)
    cm = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(cm, (y, p), 1)
    return cm


def per_class_accuracy(cm: np.ndarray) -> np.ndarray:
    """Recall of each class from a confusion matrix (nan for classes without samples)."""
    cm = np.asarray(cm, dtype=np.float64)
    support = cm.sum(axis=1)
    with np.errstate(invalid='ignore', divide='ignore'):
        return np.where(support > 0, np.diag(cm) / np.maximum(support, 1), np.nan)


def classification_metrics(y_true, scores, k: int = 5) -> dict:
    """All the paper's metrics at once: ``top1``, ``top5`` (top-``k``), ``map``, ``auc``,
    ``dprime``, ``n`` plus the confusion matrix (list of lists) under ``confusion``."""
    y, s = _check(y_true, scores)
    auc = macro_auc(y, s)
    pred = np.argmax(s, axis=1) if y.size else np.zeros(0, dtype=np.int64)
    cm = confusion_matrix(y, pred, s.shape[1])
    return {
        'top1': top_k_accuracy(y, s, 1),
        f'top{k}': top_k_accuracy(y, s, k),
        'map': mean_average_precision(y, s),
        'auc': auc,
        'dprime': dprime(auc),
        'n': int(y.size),
        'confusion': cm.tolist(),
    }


def _error_rates(target_scores, nontarget_scores) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Thresholds (every distinct score ascending, then +inf) with, for each, the miss rate
    P(target < t) and the false-alarm rate P(non-target ≥ t)."""
    target = np.asarray(target_scores, dtype=np.float64).reshape(-1)
    nontarget = np.asarray(nontarget_scores, dtype=np.float64).reshape(-1)
    if target.size == 0 or nontarget.size == 0:
        raise ValueError(f'need target and non-target scores, got {target.size} and {nontarget.size}')
    if not (np.isfinite(target).all() and np.isfinite(nontarget).all()):
        raise ValueError('scores must be finite')
    thresholds = np.r_[np.unique(np.r_[target, nontarget]), np.inf]
    miss = np.searchsorted(np.sort(target), thresholds, side='left') / target.size
    false_alarm = 1.0 - np.searchsorted(np.sort(nontarget), thresholds, side='left') / nontarget.size
    return thresholds, miss, false_alarm


def equal_error_rate(target_scores, nontarget_scores) -> tuple[float, float]:
    """(EER, threshold) of a verification score set.

    Over the thresholds t (each distinct score, accept when score ≥ t) the miss rate rises and the
    false-alarm rate falls. At the first t where miss ≥ false alarm: when they are equal, that is
    the EER and t its threshold; otherwise the two operating points on either side are joined by
    a straight line (the ROC's linear interpolation) and the EER is where the line crosses
    miss = false alarm, the threshold interpolated between the two scores by the same fraction.
    """
    thresholds, miss, false_alarm = _error_rates(target_scores, nontarget_scores)
    gap = false_alarm - miss                        # falls from ≥ 0 at the lowest score to -1 at +inf
    i = int(np.argmax(gap <= 0))
    if gap[i] == 0 or i == 0:
        return float(miss[i]), float(thresholds[i])
    fraction = gap[i - 1] / (gap[i - 1] - gap[i])
    eer = false_alarm[i - 1] + fraction * (false_alarm[i] - false_alarm[i - 1])
    upper = thresholds[i] if np.isfinite(thresholds[i]) else thresholds[i - 1]
    return float(eer), float(thresholds[i - 1] + fraction * (upper - thresholds[i - 1]))


def min_dcf(target_scores, nontarget_scores, p_target: float = 0.01, c_miss: float = 1.0,
            c_fa: float = 1.0) -> tuple[float, float]:
    """(minimum normalised detection cost, its threshold).

    DCF(t) = c_miss · p_target · P_miss(t) + c_fa · (1 − p_target) · P_fa(t), divided by
    min(c_miss · p_target, c_fa · (1 − p_target)) (the cost of always answering the cheaper of
    accept / reject), minimised over the thresholds t (each distinct score, and +inf = reject
    everything; the lowest threshold on a tie). 1.0 means the scores are worth nothing at this
    operating point.
    """
    if not 0 < p_target < 1 or c_miss <= 0 or c_fa <= 0:
        raise ValueError(f'need 0 < p_target < 1 and positive costs, got {p_target}, {c_miss}, {c_fa}')
    thresholds, miss, false_alarm = _error_rates(target_scores, nontarget_scores)
    cost = c_miss * p_target * miss + c_fa * (1.0 - p_target) * false_alarm
    cost = cost / min(c_miss * p_target, c_fa * (1.0 - p_target))
    i = int(np.argmin(cost))
    return float(cost[i]), float(thresholds[i])
