# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Window decisions (level gate, per-class thresholds) and k-of-n event tracking."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from degram.events import EventTracker, WindowDetector, level_db


def test_level_db_of_silence_full_scale_and_a_quiet_sine():
    assert level_db(np.zeros(100)) == -200.0
    assert level_db(np.ones(100)) == pytest.approx(0.0)
    t = np.arange(16000) / 16000
    assert level_db(0.01 * np.sin(2 * np.pi * 440 * t)) == pytest.approx(-43.0, abs=0.1)


def test_detector_gates_quiet_windows_and_applies_per_class_thresholds():
    detector = WindowDetector(3, thresholds=[0.5, 0.9, 0.2], min_level_db=-60.0)
    level, gated = detector.gate(np.zeros(160))
    decision = detector.decide(np.array([0.99, 0.99, 0.99]), level, gated)
    assert gated and decision.nothing and decision.detected == ()
    decision = detector.decide(np.array([0.6, 0.8, 0.3]), -20.0)
    assert decision.detected == (0, 2) and not decision.nothing      # 0.8 < 0.9 for class 1
    assert detector.decide(np.array([0.1, 0.1, 0.1]), -20.0).nothing
    with pytest.raises(ValueError, match='3 values in'):
        WindowDetector(3, thresholds=[0.5, 0.5])


def _feed(tracker, detector, frames, hop=0.5):
    started, ended = [], []
    for i, scores in enumerate(frames):
        s, e = tracker.update(i * hop, detector.decide(np.array(scores), -20.0))
        started += s
        ended += e
    return started, ended


def test_two_of_three_hysteresis_gives_onset_offset_and_peak():
    detector = WindowDetector(2, thresholds=0.5)
    tracker = EventTracker(['dog', 'rain'], window_length=1.0, k=2, n=3, release=2)
    frames = [[0.1, 0.0], [0.7, 0.0], [0.2, 0.0], [0.9, 0.6], [0.8, 0.7], [0.1, 0.8], [0.1, 0.1], [0.0, 0.1]]
    started, ended = _feed(tracker, detector, frames)
    assert [(e.label, e.onset) for e in started] == [('dog', 0.5), ('rain', 1.5)]
    dog, rain = sorted(ended, key=lambda e: e.label)
    assert (dog.onset, dog.offset, dog.peak) == (0.5, 3.0, 0.9)    # last hit at 2.0 + 1 s window
    assert (rain.onset, rain.offset, rain.peak) == (1.5, 3.5, 0.8)
    assert tracker.active() == []


def test_a_single_spurious_window_makes_no_event_and_flush_closes_open_ones():
    detector = WindowDetector(1, thresholds=0.5)
    tracker = EventTracker(['siren'], window_length=2.0, k=2, n=3, release=1)
    started, _ = _feed(tracker, detector, [[0.9], [0.1], [0.1], [0.1]])
    assert started == []
    started, _ = _feed(tracker, detector, [[0.9], [0.95]])
    assert len(started) == 1 and tracker.active()[0].active
    (event,) = tracker.flush(10.0)
    assert event.offset == 2.5 and not event.active    # min(flush time, last hit 0.5 + 2 s)


def test_windows_that_contain_the_sound_are_within_20_db_of_the_loudest():
    from degram.evaluation.windows import WindowScores, positive_metrics, sound_windows

    scores = np.array([[0.9, 0.1], [0.2, 0.8], [0.3, 0.9], [0.1, 0.7]])
    windows = WindowScores(scores, levels=np.array([-20.0, -45.0, -30.0, -30.0]), owner=np.array([0, 0, 1, 1]))
    assert sound_windows(windows).tolist() == [True, False, True, True]
    metrics = positive_metrics(windows, targets=np.array([0, 1]), detector=WindowDetector(2, 0.5))
    assert metrics == {'windows': 3, 'top1': 1.0, 'detected': 1.0, 'wrong_class_detected': 0.0}


def test_calibration_keeps_false_detections_under_the_budget_and_raises_classes_to_their_best_f1():
    from degram.evaluation.windows import WindowScores, calibrate_thresholds, false_detection_rate

    rng = np.random.default_rng(0)
    negatives = WindowScores(rng.uniform(0, 0.6, (200, 2)), np.zeros(200), np.arange(200))
    positives = WindowScores(np.array([[0.95, 0.1], [0.9, 0.2], [0.7, 0.75], [0.2, 0.65]]), np.zeros(4),
                             np.arange(4))
    thresholds = calibrate_thresholds(positives, np.array([0, 0, 1, 1]), negatives, max_false_rate=0.02)
    assert false_detection_rate(negatives, WindowDetector(2, thresholds))['rate'] <= 0.02
    assert 0.55 <= thresholds.min() <= 0.65               # the floor the negatives need
    assert 0.7 < thresholds[0] <= 0.9                     # above the class-1 window that scores 0.7
    assert thresholds[1] == thresholds.min()
    assert WindowDetector(2, thresholds).decide(np.array([0.9, 0.66]), -10.0).detected == (0, 1)


def test_non_finite_scores_are_flagged_and_detect_nothing():
    decision = WindowDetector(2, 0.5).decide(np.array([np.nan, 0.9]), -20.0)
    assert decision.nonfinite and decision.nothing and decision.detected == ()


def test_analyse_together_is_one_model_call_with_the_same_decisions_as_alone():
    import torch

    from degram import build_model
    from degram.events import EventTracker, WindowAnalyzer, WindowDetector, analyse_together
    from degram.inference import Predictor
    from degram.streaming import Window

    torch.manual_seed(0)
    model = build_model('spectrogram', 'resnet18', num_classes=3, width=8).eval()
    predictor = Predictor(Path('tiny.pt'), model, ['a', 'b', 'c'], 'sound_event', 16000)
    calls = []
    infer = predictor.infer
    predictor.infer = lambda batch: calls.append(len(batch)) or infer(batch)
    rng = np.random.default_rng(1)

    def windows(seed_offset):
        return [Window(0.3 * rng.standard_normal(16000).astype(np.float32), 10.0 * seed_offset + k, k)
                for k in range(2)]

    def analyzer():
        return WindowAnalyzer(predictor, WindowDetector(3, 0.3, min_level_db=-60.0), EventTracker(['a', 'b', 'c'], 1.0))

    jobs = [(analyzer(), windows(1)), (analyzer(), windows(2) + [Window(np.zeros(16000, np.float32), 99.0, 2)])]
    together = analyse_together(jobs)
    assert calls == [4]                                           # 4 loud windows, one call; silence gated
    calls.clear()
    alone = [analyzer().analyse(w) for _, w in jobs]
    assert calls == [2, 2]
    for a, b in zip(together, alone):
        assert [r.decision.detected for r in a] == [r.decision.detected for r in b]
        np.testing.assert_allclose(np.concatenate([r.decision.scores for r in a]),
                                   np.concatenate([r.decision.scores for r in b]), atol=1e-5)
    assert together[1][2].decision.gated and together[1][2].output is None
