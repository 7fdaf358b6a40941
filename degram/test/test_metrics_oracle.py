# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""degram.evaluation.metrics against scikit-learn as an oracle, on random data with ties."""
from __future__ import annotations

import numpy as np
import pytest

from degram.evaluation import metrics as M

skm = pytest.importorskip('sklearn.metrics', reason='scikit-learn is the oracle (pip install scikit-learn)')


@pytest.fixture(params=range(5))
def problem(request):
    rng = np.random.default_rng(request.param)
    n, c = 120, 6
    y = rng.integers(0, c, n)
    y[:c] = np.arange(c)                                   # every class has a positive
    scores = rng.random((n, c))
    scores[rng.random((n, c)) < 0.3] = 0.5                  # ties
    if request.param % 2:
        scores = np.round(scores, 1)                        # many ties
    return y, scores


@pytest.mark.parametrize('ours, mean, oracle', [
    (M.average_precision, M.mean_average_precision, skm.average_precision_score),
    (M.roc_auc, M.macro_auc, skm.roc_auc_score)])
def test_per_class_and_macro_scores(problem, ours, mean, oracle):
    y, s = problem
    for c in range(s.shape[1]):
        assert ours(y == c, s[:, c]) == pytest.approx(oracle(y == c, s[:, c]))
    assert mean(y, s) == pytest.approx(oracle(np.eye(s.shape[1])[y], s, average='macro'))


def test_top_k_accuracy(problem):
    y, s = problem
    for k in (1, 2, 5):
        ours = M.top_k_accuracy(y, s, k)
        # scikit-learn counts a tie at the k-th place in the row's favour; ours as a stable sort does,
        # so compare where no row has a tie across the k-th place
        kth = -np.sort(-s, axis=1)[:, k - 1]
        clear = np.array([np.sum(row == v) == 1 for row, v in zip(s, kth)])
        assert M.top_k_accuracy(y[clear], s[clear], k) == pytest.approx(
            skm.top_k_accuracy_score(y[clear], s[clear], k=k, labels=np.arange(s.shape[1])))
        assert 0.0 <= ours <= 1.0


def test_confusion_matrix(problem):
    y, s = problem
    predicted = s.argmax(1)
    assert (M.confusion_matrix(y, predicted, s.shape[1]) ==
            skm.confusion_matrix(y, predicted, labels=np.arange(s.shape[1]))).all()


def test_equal_error_rate_against_the_roc_curve():
    rng = np.random.default_rng(7)
    targets, nontargets = rng.normal(1.0, 1.0, 400), rng.normal(-1.0, 1.0, 600)
    eer, _ = M.equal_error_rate(targets, nontargets)
    fpr, tpr, _ = skm.roc_curve(np.r_[np.ones(400), np.zeros(600)], np.r_[targets, nontargets])
    fnr = 1 - tpr
    i = np.argmin(np.abs(fnr - fpr))
    assert eer == pytest.approx((fnr[i] + fpr[i]) / 2, abs=2e-3)
