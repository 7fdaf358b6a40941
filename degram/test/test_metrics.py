# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Metrics against hand-computed cases: top-k, AP/mAP (with ties), rank AUC (ties), d-prime."""
import itertools
import math

import numpy as np
import pytest

from degram.evaluation.metrics import (
    average_precision,
    classification_metrics,
    confusion_matrix,
    dprime,
    macro_auc,
    mean_average_precision,
    rankdata,
    roc_auc,
    top_k_accuracy,
)


def test_top_k_accuracy_by_hand():
    scores = np.array([[0.1, 0.7, 0.2],    # true 1: top-1 hit
                       [0.5, 0.3, 0.2],    # true 2: ranked 3rd
                       [0.2, 0.5, 0.3]])   # true 2: ranked 2nd
    y = [1, 2, 2]
    assert top_k_accuracy(y, scores, 1) == pytest.approx(1 / 3)
    assert top_k_accuracy(y, scores, 2) == pytest.approx(2 / 3)
    assert top_k_accuracy(y, scores, 3) == 1.0
    assert top_k_accuracy(y, scores, 5) == 1.0  # k beyond the class count: every row counts


def test_average_precision_is_mean_precision_at_positive_ranks():
    # sorted: + - + -  -> precision at the positives: 1/1 and 2/3
    assert average_precision([1, 0, 1, 0], [0.9, 0.8, 0.7, 0.1]) == pytest.approx((1 + 2 / 3) / 2)
    # order of the input does not matter
    assert average_precision([0, 1, 0, 1], [0.1, 0.7, 0.8, 0.9]) == pytest.approx((1 + 2 / 3) / 2)
    # a single positive ranked 4th of 4
    assert average_precision([0, 0, 0, 1], [0.9, 0.8, 0.7, 0.1]) == pytest.approx(0.25)
    assert math.isnan(average_precision([0, 0], [0.1, 0.2]))


def test_average_precision_ties_share_one_threshold():
    # the positive tied with a negative at the top gets precision 1/2 (both counted), the
    # second positive 2/3: AP = (1/2 + 2/3) / 2, whichever order the tie is listed in
    expected = (0.5 + 2 / 3) / 2
    assert average_precision([1, 0, 1], [0.5, 0.5, 0.2]) == pytest.approx(expected)
    assert average_precision([0, 1, 1], [0.5, 0.5, 0.2]) == pytest.approx(expected)


def test_mean_average_precision_by_hand():
    scores = np.array([[0.6, 0.3, 0.1],
                       [0.5, 0.4, 0.1],
                       [0.2, 0.7, 0.1],
                       [0.3, 0.1, 0.6]])
    y = np.array([0, 1, 1, 2])
    # class 0: scores .6(+) .5(-) .3(-) .2(-)      -> AP 1
    # class 1: scores .7(+) .4(+) .3(-) .1(-)      -> AP 1
    # class 2: scores .6(+) .1 .1 .1               -> AP 1
    assert mean_average_precision(y, scores) == pytest.approx(1.0)
    scores[1] = [0.55, 0.2, 0.25]
    # class 1 now: .7(+) .3(-) .2(+) .1(-) -> (1 + 2/3)/2 ; class 2: .6(+) .25(-) .1 .1 -> 1
    # class 0: .6(+) .55(-) .3 .2 -> 1
    assert mean_average_precision(y, scores) == pytest.approx((1 + (1 + 2 / 3) / 2 + 1) / 3)


def test_roc_auc_with_ties_by_hand():
    # pairs (pos, neg): (.8,.5)=1 (.8,.2)=1 (.5,.5)=1/2 (.5,.2)=1 -> 3.5/4
    assert roc_auc([1, 1, 0, 0], [0.8, 0.5, 0.5, 0.2]) == pytest.approx(0.875)
    assert roc_auc([1, 0], [0.3, 0.3]) == pytest.approx(0.5)
    assert roc_auc([1, 0, 0], [0.1, 0.5, 0.9]) == pytest.approx(0.0)
    assert math.isnan(roc_auc([1, 1], [0.1, 0.2]))


def _pairwise_auc(y, s):
    pos = [v for v, t in zip(s, y) if t]
    neg = [v for v, t in zip(s, y) if not t]
    wins = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p, n in itertools.product(pos, neg))
    return wins / (len(pos) * len(neg))


def test_roc_auc_matches_pairwise_count_on_tied_random_data():
    rng = np.random.default_rng(3)
    for _ in range(20):
        y = rng.integers(0, 2, 40)
        y[:2] = [0, 1]
        s = rng.integers(0, 6, 40) / 5.0  # many ties
        assert roc_auc(y, s) == pytest.approx(_pairwise_auc(y, s))


def test_rankdata_averages_ties():
    assert rankdata([10, 20, 20, 5]).tolist() == [2.0, 3.5, 3.5, 1.0]


def test_macro_auc_skips_classes_without_positives():
    scores = np.array([[0.9, 0.1, 0.0], [0.2, 0.8, 0.0], [0.6, 0.4, 0.0]])
    y = [0, 1, 0]   # class 2 never occurs
    # class 0: pos .9 .6 vs neg .2 -> 1 ; class 1: pos .8 vs neg .1 .4 -> 1
    assert macro_auc(y, scores) == pytest.approx(1.0)
    scores[2] = [0.1, 0.9, 0.0]
    # class 0: pos .9 .1 vs neg .2 -> 1/2 ; class 1: pos .8 vs neg .1 .9 -> 1/2
    assert macro_auc(y, scores) == pytest.approx(0.5)


def test_dprime():
    assert dprime(0.5) == pytest.approx(0.0, abs=1e-12)
    # Phi(0.5) = 0.6914624612740131  ->  d' = sqrt(2) * 0.5
    assert dprime(0.6914624612740131) == pytest.approx(math.sqrt(2) * 0.5, rel=1e-9)
    # Phi(-1) = 0.15865525393145707 -> d' = -sqrt(2)
    assert dprime(0.15865525393145707) == pytest.approx(-math.sqrt(2), rel=1e-9)
    # a perfect (or inverted) ranking stays finite and symmetric
    assert math.isfinite(dprime(1.0)) and dprime(1.0) > 6
    assert dprime(0.0) == pytest.approx(-dprime(1.0))
    assert math.isnan(dprime(float('nan')))


def test_confusion_matrix_and_summary():
    y = [0, 0, 1, 2]
    scores = np.array([[0.8, 0.1, 0.1], [0.3, 0.6, 0.1], [0.1, 0.8, 0.1], [0.1, 0.2, 0.7]])
    cm = confusion_matrix(y, scores.argmax(1), 3)
    assert cm.tolist() == [[1, 1, 0], [0, 1, 0], [0, 0, 1]]
    m = classification_metrics(y, scores)
    assert set(m) >= {'top1', 'top5', 'map', 'auc', 'dprime', 'n', 'confusion'}
    assert m['n'] == 4 and m['top1'] == pytest.approx(0.75) and m['top5'] == 1.0
    assert m['confusion'] == cm.tolist()
    # class 0: pos .8 .3 vs neg .1 .1 -> AUC 1 ; class 1: pos .8 vs .1 .6 .2 -> 1 ; class 2: 1
    assert m['auc'] == pytest.approx(1.0)
    # class 0 AP: .8(+) .3(+) -> 1 ; class 1: .8(+) -> 1 ; class 2: .7(+) -> 1
    assert m['map'] == pytest.approx(1.0)
    assert m['dprime'] == pytest.approx(dprime(1.0))


def test_input_validation():
    with pytest.raises(ValueError):
        top_k_accuracy([0, 3], np.zeros((2, 3)))
    with pytest.raises(ValueError):
        mean_average_precision([0], np.zeros((2, 3)))
