# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The degram_msgs messages of ``degram_node``, built from the library's values: a window's
:class:`degram.events.Decision` → SoundEvent / SpeakerId, an :class:`degram.events.Event` →
SoundEventSegment, the loaded model and its detector → ModelInfo."""
from __future__ import annotations

import numpy as np
from builtin_interfaces.msg import Time

from degram.inference import top_k
from degram_ros.conversions import to_duration, to_time
from degram_ros.detection import gate_db

STARTED, ENDED = 0, 1   # SoundEventSegment.STARTED / .ENDED


def _label(labels, index: int) -> str:
    return str(labels[index]) if 0 <= index < len(labels) else str(index)


def _class_scores(pairs, labels) -> list:
    from degram_msgs.msg import ClassScore

    return [ClassScore(label=_label(labels, i), class_id=int(i), score=float(s)) for i, s in pairs]


def _window_result(msg, stamp: Time, frame_id: str, window_length: float):
    """The fields every per-window result shares: stamp (the window's first sample), frame, length."""
    msg.header.stamp = stamp
    msg.header.frame_id = frame_id
    msg.window = to_duration(window_length)
    return msg


def sound_event_message(decision, labels, k: int, stamp: Time, frame_id: str, window_length: float):
    """→ degram_msgs/SoundEvent: label/confidence = the best detection, else the top-1 class;
    a window below the level gate is ``silent`` with no scores (label '', confidence 0)."""
    from degram_msgs.msg import SoundEvent

    msg = _window_result(SoundEvent(), stamp, frame_id, window_length)
    msg.level_db = float(decision.level_db)
    msg.silent = bool(decision.gated)
    scores = np.asarray(decision.scores, dtype=np.float64).reshape(-1)
    if scores.size:
        msg.scores = [float(s) for s in scores]
        msg.top_k = _class_scores(top_k(scores, k), labels)
        msg.detections = _class_scores([(i, scores[i]) for i in decision.detected], labels)
        best = decision.detected[0] if decision.detected else int(np.argmax(scores))
        msg.label, msg.confidence = _label(labels, best), float(scores[best])
    msg.detected = bool(decision.detected) and not decision.gated
    return msg


def speaker_message(scores, labels, k: int, threshold: float, stamp: Time, frame_id: str,
                    window_length: float, embedding: np.ndarray | None = None):
    """→ degram_msgs/SpeakerId: 'unknown' when the top-1 score is below ``threshold``."""
    from degram_msgs.msg import SpeakerId

    ranked = top_k(scores, k)
    best_id, best = ranked[0]
    msg = _window_result(SpeakerId(), stamp, frame_id, window_length)
    msg.known = bool(best >= threshold)
    msg.speaker = _label(labels, best_id) if msg.known else 'unknown'
    msg.confidence = float(best)
    msg.speech_ratio = -1.0   # no voice detector runs for the closed-set model
    msg.candidates = _class_scores(ranked, labels)
    if embedding is not None:
        msg.embedding = [float(v) for v in np.asarray(embedding, dtype=np.float32).reshape(-1)]
    return msg


def open_set_speaker_message(match, names: list[str], stamp: Time, frame_id: str, window_length: float,
                             speech_ratio: float, embedding: np.ndarray | None = None):
    """A :class:`degram.speaker.SpeakerMatch` against the enrolled ``names`` → SpeakerId: the
    enrolled name or 'unknown', the calibrated confidence, the candidates' cosine scores."""
    from degram_msgs.msg import ClassScore, SpeakerId

    msg = _window_result(SpeakerId(), stamp, frame_id, window_length)
    msg.known = bool(match.known)
    msg.speaker = str(match.speaker)
    msg.confidence = float(match.confidence)
    msg.candidates = [ClassScore(label=str(n), class_id=names.index(n) if n in names else -1, score=float(s))
                      for n, s in match.candidates]
    msg.speech_ratio = float(speech_ratio)
    if embedding is not None:
        msg.embedding = [float(v) for v in np.asarray(embedding, dtype=np.float32).reshape(-1)]
    return msg


def self_speech_message(speaker: bool, stamp: Time, frame_id: str, window_length: float):
    """A window that overlaps the robot's own speech → SpeakerId (``speaker`` true) or SoundEvent,
    marked ``self_speech``: nothing was analysed, so no scores, no speaker (empty, not known), no
    detection; ``speech_ratio`` / ``level_db`` unknown."""
    from degram_msgs.msg import SoundEvent, SpeakerId

    msg = _window_result(SpeakerId() if speaker else SoundEvent(), stamp, frame_id, window_length)
    msg.self_speech = True
    if speaker:
        msg.speech_ratio = -1.0
    else:
        msg.level_db = float('nan')
    return msg


def segment_message(event, state: int, frame_id: str):
    """An event (open: STARTED, closed: ENDED) → degram_msgs/SoundEventSegment."""
    from degram_msgs.msg import SoundEventSegment

    msg = SoundEventSegment()
    msg.header.stamp = to_time(event.onset)
    msg.header.frame_id = frame_id
    msg.label = str(event.label)
    msg.class_id = int(event.class_id)
    msg.onset = to_time(event.onset)
    if state == ENDED and event.offset is not None:
        msg.offset = to_time(event.offset)
    msg.peak_confidence = float(event.peak)
    msg.state = int(state)
    return msg


def model_info_message(model, detector, background: str, window_length: float,
                       hop_length: float, stamp: Time):
    """A loaded model (:class:`degram_ros.model.LoadedModel`) and its detector → ModelInfo."""
    from degram_msgs.msg import ModelInfo

    info = ModelInfo()
    info.header.stamp = stamp
    info.name = model.name
    info.task = model.task
    info.frontend = model.predictor.frontend_name
    info.backbone = model.predictor.backbone_name
    info.labels = [str(x) for x in model.labels]
    info.sample_rate = model.sample_rate
    info.window_length = float(window_length)
    info.hop_length = float(hop_length)
    info.device = model.device_text
    info.multi_label = model.multi_label
    info.thresholds = [float(t) for t in detector.thresholds]
    info.min_level_db = gate_db(detector)
    info.background = background
    return info
