# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""How ``degram_node`` decides: the :class:`degram.events.WindowDetector` its parameters ask for
(the model's calibrated thresholds and level gate unless overridden), the event tracker, and the
sentence ModelInfo.background states about how the model says "nothing is happening"."""
from __future__ import annotations

import math

from degram.events import EventTracker, WindowDetector, detector_for
from degram.inference.metadata import ModelMetadata

#: threshold parameter value meaning "the model's calibrated per-class thresholds"
MODEL_THRESHOLDS = -1.0
#: min_level_db parameter value meaning "the model's level gate"
MODEL_GATE = -1000.0
#: threshold without calibration (and of the speaker task for MODEL_THRESHOLDS)
DEFAULT_THRESHOLD = 0.5


def speaker_threshold(threshold: float) -> float:
    """The known-speaker threshold on the top-1 score (-1 = 0.5)."""
    return DEFAULT_THRESHOLD if threshold < 0 else float(threshold)


def build_detector(predictor, task: str, threshold: float, min_level_db: float) -> WindowDetector:
    """The detector of the parameters ``threshold`` (-1 = the model's) and ``min_level_db``
    (-1000 = the model's gate).  The speaker task scores every window (no gate) and takes its
    threshold on the top-1 score only."""
    num_classes = len(predictor.labels)
    if task == 'speaker_id':
        return WindowDetector(num_classes, speaker_threshold(threshold), None)
    return detector_for(predictor, None if threshold < 0 else float(threshold),
                        None if min_level_db <= MODEL_GATE else float(min_level_db))


def build_tracker(labels, window_length: float, p: dict) -> EventTracker:
    return EventTracker(labels, window_length, p['event_k'], p['event_n'], p['event_release'])


def gate_db(detector: WindowDetector) -> float:
    """ModelInfo.min_level_db: the gate level, -inf when there is none."""
    return -math.inf if detector.min_level_db is None else float(detector.min_level_db)


def _thresholds_text(detector: WindowDetector, calibrated: bool, softmax: bool) -> str:
    values = detector.thresholds
    where = 'on the top-1 score' if softmax else 'on every class'
    if values.size and values.min() == values.max():
        return f'threshold {values[0]:g} {where}'
    kind = 'calibrated per-class thresholds' if calibrated else 'per-class thresholds'
    return f'{kind} {values.min():g}..{values.max():g}'


def background_text(predictor, task: str, detector: WindowDetector, threshold: float) -> str:
    """How the model says "nothing": e.g. ``softmax; every window is one of the labels;
    threshold 0.5 on the top-1 score`` or ``multi-label (sigmoid) outputs trained with negatives
    (speech, noise); calibrated per-class thresholds 0.3..0.7; level gate -65 dBFS``.  A
    ``background`` text in the model's metadata comes first."""
    meta = ModelMetadata.of(predictor)
    calibrated = threshold < 0 and meta.calibrated
    if task == 'speaker_id':
        parts = ['softmax over the enrolled speakers',
                 f"'unknown' below {detector.thresholds[0]:g} on the top-1 score"]
    elif predictor.multi_label:
        negatives = meta.negatives
        parts = ['multi-label (sigmoid) outputs' + (f" trained with negatives ({', '.join(negatives)})"
                                                    if negatives else ''),
                 _thresholds_text(detector, calibrated, False)]
    else:
        parts = ['softmax', 'every window is one of the labels', _thresholds_text(detector, calibrated, True)]
    if task != 'speaker_id':
        parts.append('no level gate' if detector.min_level_db is None else
                     f'level gate {detector.min_level_db:g} dBFS (quieter windows are silent)')
    text = '; '.join(parts)
    given = meta.background.strip()
    return f'{given}; {text}' if given else text
