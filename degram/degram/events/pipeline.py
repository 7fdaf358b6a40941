# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Audio → windows → scores → decisions, the way the node does it, for whole recordings.

The audio goes through :class:`degram.streaming.AudioStream` (the node's re-chunking and
resampling), the windows through :meth:`degram.inference.Predictor.infer` and ``scores`` in
batches, and every window's scores through a :class:`WindowDetector`.
"""
from __future__ import annotations

import numpy as np

from ..inference.metadata import ModelMetadata
from ..streaming import AudioStream, Window, encode_pcm
from .analyzer import WindowAnalysis, WindowAnalyzer
from .detector import WindowDetector
from .tracker import EventTracker


def detector_for(predictor, threshold: float | None = None, min_level_db: float | None = None) -> WindowDetector:
    """The model's calibrated detector (``thresholds`` / ``min_level_db`` in its metadata), with
    an optional global ``threshold`` or gate level instead."""
    meta = ModelMetadata.of(predictor)
    model_thresholds = 0.5 if meta.thresholds is None else meta.thresholds
    thresholds = threshold if threshold is not None else model_thresholds
    gate = min_level_db if min_level_db is not None else meta.min_level_db
    return WindowDetector(len(predictor.labels), thresholds, gate)


def windows_of(samples: np.ndarray, rate: int, model_rate: int, window_length: float,
               hop_length: float) -> tuple[np.ndarray, np.ndarray]:
    """→ (stamps (N,), windows (N, window samples)) of a mono float recording, as the node cuts them."""
    stream = AudioStream(model_rate, window_length, hop_length, sample_rate=rate, channels=1,
                         sample_format='F32LE', max_message_length=max(10.0, 2 * len(samples) / rate))
    windows, _ = stream.push(encode_pcm(np.asarray(samples, dtype=np.float32), 'F32LE'), 0.0)
    if not windows:
        return np.zeros(0), np.zeros((0, stream.window_samples), dtype=np.float32)
    return np.array([w.stamp for w in windows]), np.stack([w.samples for w in windows])


def detect(predictor, detector: WindowDetector, samples: np.ndarray, rate: int, window_length: float,
           hop_length: float, tracker: EventTracker | None = None, batch_size: int = 32) -> list[WindowAnalysis]:
    """Every window of a recording, analysed as the node does (gated windows skip the model);
    with a ``tracker``, its events too (open ones closed at the end of the recording)."""
    stamps, windows = windows_of(samples, rate, predictor.sample_rate, window_length, hop_length)
    analyzer = WindowAnalyzer(predictor, detector, tracker)
    items = [Window(w, float(t), i) for i, (w, t) in enumerate(zip(windows, stamps))]
    results = []
    for start in range(0, len(items), batch_size):
        results += analyzer.analyse(items[start:start + batch_size])
    if results and tracker is not None:
        results[-1].ended += analyzer.finish(len(samples) / rate)
    return results
