# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Window-level evaluation at the node's window and hop, through the node's code path
(:func:`degram.events.detect`): accuracy on windows that contain the sound, and false detections
per window on out-of-set material (speech, room noise, sounds of other classes, silence).

A window of a labelled clip *contains the sound* when its level is within
``CONTAINS_SOUND_DB`` (20 dB) of the clip's loudest window: ESC-50 clips are five seconds of
which the event may fill one, and the quiet rest is not a fair test of the label.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..audio import load_audio
from ..events import WindowDetector, windows_of
from ..events.detector import level_db

CONTAINS_SOUND_DB = 20.0


@dataclass
class WindowScores:
    """Scores (N, C), levels (N,) and the recording each window came from (N,)."""

    scores: np.ndarray
    levels: np.ndarray
    owner: np.ndarray

    def louder_than(self, level_db: float) -> WindowScores:
        """The windows at or above ``level_db`` (those a level gate lets through)."""
        keep = self.levels >= level_db
        return WindowScores(self.scores[keep], self.levels[keep], self.owner[keep])

    def detections(self, detector: WindowDetector) -> np.ndarray:
        """(N, C) bool: class detected in the window (gated windows detect nothing)."""
        hits = self.scores >= detector.thresholds[None, :]
        if detector.min_level_db is not None:
            hits &= (self.levels >= detector.min_level_db)[:, None]
        return hits


def score_recordings(predictor, recordings, window_length: float, hop_length: float,
                     batch_size: int = 32) -> WindowScores:
    """``recordings``: (samples, rate) pairs or audio file paths → the scores of all their windows."""
    all_scores, levels, owner = [], [], []
    for index, item in enumerate(recordings):
        samples, rate = item if isinstance(item, tuple) else load_audio(item)
        _, windows = windows_of(samples, rate, predictor.sample_rate, window_length, hop_length)
        for start in range(0, len(windows), batch_size):
            part = windows[start:start + batch_size]
            all_scores.append(predictor.scores(predictor.infer(part).logits).double().cpu().numpy())
        levels += [level_db(w) for w in windows]
        owner += [index] * len(windows)
    n_classes = len(predictor.labels)
    scores = np.concatenate(all_scores) if all_scores else np.zeros((0, n_classes))
    return WindowScores(scores, np.asarray(levels, dtype=np.float64), np.asarray(owner, dtype=np.int64))


def sound_windows(windows: WindowScores) -> np.ndarray:
    """Mask of the windows within CONTAINS_SOUND_DB of their recording's loudest window."""
    keep = np.zeros(len(windows.levels), dtype=bool)
    for owner in np.unique(windows.owner):
        rows = windows.owner == owner
        keep[rows] = windows.levels[rows] >= windows.levels[rows].max() - CONTAINS_SOUND_DB
    return keep


def positive_metrics(windows: WindowScores, targets: np.ndarray, detector: WindowDetector) -> dict:
    """On windows that contain the sound: top-1 accuracy, the share in which the true class is
    detected, and the share in which some other class is detected."""
    keep = sound_windows(windows)
    scores, truth = windows.scores[keep], targets[windows.owner[keep]]
    hits = windows.detections(detector)[keep]
    other = hits.copy()
    other[np.arange(len(truth)), truth] = False
    return {'windows': int(keep.sum()), 'top1': float(np.mean(scores.argmax(1) == truth)) if len(truth) else None,
            'detected': float(np.mean(hits[np.arange(len(truth)), truth])) if len(truth) else None,
            'wrong_class_detected': float(np.mean(other.any(1))) if len(truth) else None}


def false_detection_rate(windows: WindowScores, detector: WindowDetector) -> dict:
    """Share of out-of-set windows in which any class is detected."""
    hits = windows.detections(detector).any(1)
    return {'windows': int(len(hits)), 'false_detections': int(hits.sum()),
            'rate': float(hits.mean()) if len(hits) else None}


#: the thresholds calibrate_thresholds tries by default
THRESHOLD_GRID = np.linspace(0.05, 0.99, 95)


def calibrate_thresholds(positives: WindowScores, targets: np.ndarray, negatives: WindowScores,
                         max_false_rate: float = 0.02, grid=THRESHOLD_GRID) -> np.ndarray:
    """Per-class thresholds: at least the lowest global threshold that keeps false detections on
    ``negatives`` at or below ``max_false_rate``, raised per class to that class's best F1 on the
    sound windows of ``positives`` (class c against every other class's windows)."""
    n_classes = positives.scores.shape[1]
    floor = next((t for t in grid if (negatives.scores >= t).any(1).mean() <= max_false_rate), grid[-1])
    keep = sound_windows(positives)
    scores, truth = positives.scores[keep], targets[positives.owner[keep]]
    thresholds = np.full(n_classes, float(floor))
    for c in range(n_classes):
        is_c = truth == c
        if not is_c.any():
            continue
        best_f1, best_t = -1.0, floor
        for t in grid[grid >= floor]:
            predicted = scores[:, c] >= t
            tp = float(np.sum(predicted & is_c))
            f1 = 2 * tp / max(float(predicted.sum() + is_c.sum()), 1.0)
            if f1 > best_f1:
                best_f1, best_t = f1, float(t)
        thresholds[c] = best_t
    return thresholds


def silence_recordings(rate: int = 16000, seconds: float = 30.0, seed: int = 0) -> list[tuple[np.ndarray, int]]:
    """Digital silence, and white noise at -90, -75 and -60 dBFS RMS (a quiet room's electronics)."""
    rng = np.random.default_rng(seed)
    n = int(seconds * rate)
    recordings = [(np.zeros(n, dtype=np.float32), rate)]
    for level in (-90.0, -75.0, -60.0):
        recordings.append(((10 ** (level / 20) * rng.standard_normal(n)).astype(np.float32), rate))
    return recordings


def evaluate_windows(predictor, detector: WindowDetector, dataset, indices, out_of_set: dict, *,
                     window_length: float, hop_length: float, silence: bool = True) -> dict:
    """Window metrics of ``dataset`` clips ``indices`` (their labels must be the model's) and the
    false-detection rate of each named out-of-set source (``{name: [files or (samples, rate)]}``)."""
    position = {label: i for i, label in enumerate(predictor.labels)}
    targets = np.array([position[dataset.entries[i].label] for i in indices], dtype=np.int64)
    clips = [(dataset.load(i), dataset.sample_rate) for i in indices]
    result = {'window_length': window_length, 'hop_length': hop_length,
              'contains_sound_db': CONTAINS_SOUND_DB, 'min_level_db': detector.min_level_db,
              'thresholds': {'min': float(detector.thresholds.min()), 'max': float(detector.thresholds.max())},
              'positives': positive_metrics(score_recordings(predictor, clips, window_length, hop_length),
                                            targets, detector),
              'out_of_set': {}}
    sources = dict(out_of_set)
    if silence:
        sources['silence'] = silence_recordings(predictor.sample_rate)
    for name, recordings in sources.items():
        scored = score_recordings(predictor, recordings, window_length, hop_length)
        result['out_of_set'][name] = dict(false_detection_rate(scored, detector), recordings=len(recordings))
    return result
