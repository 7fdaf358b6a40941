# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Stream windows → who speaks: the voice gate, one embedding batch and the identification against
an enrolled database.  The step the node's inference thread runs with a speaker-embedding model
(the open-set counterpart of :class:`degram.events.WindowAnalyzer`)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..streaming import Window

NO_VAD = -1.0   # speech_ratio when no voice-activity detector runs


@dataclass
class SpeakerWindow:
    window: Window
    speech_ratio: float                 # share of the window that is speech, or NO_VAD
    embedding: np.ndarray | None = None  # (D,) L2-normalised; None when the voice gate held it back
    match: object | None = None          # degram.speaker.SpeakerMatch for windows with speech

    @property
    def speech(self) -> bool:
        return self.embedding is not None


class SpeakerWindowAnalyzer:
    """``analyse(windows)``: the voice-activity detector (when ``vad`` and ``min_speech_ratio`` > 0)
    lets through windows with at least that share of speech; those are embedded as one batch and
    identified against ``database`` (``threshold`` / ``scale`` / ``normaliser``: the score threshold,
    score scale and AS-norm, see :func:`degram.speaker.identify`)."""

    def __init__(self, predictor, database, threshold: float, scale: float, vad=None,
                 min_speech_ratio: float = 0.0, top_k: int = 3, normaliser=None):
        self.predictor, self.database, self.normaliser = predictor, database, normaliser
        self.threshold, self.scale, self.top_k = float(threshold), float(scale), int(top_k)
        self.vad = vad if min_speech_ratio > 0 else None
        self.min_speech_ratio = float(min_speech_ratio)

    def analyse(self, windows: list[Window]) -> list[SpeakerWindow]:
        from . import identify

        rate = self.predictor.sample_rate
        results = [SpeakerWindow(w, NO_VAD if self.vad is None else float(self.vad.speech_ratio(w.samples, rate)))
                   for w in windows]
        todo = [r for r in results if r.speech_ratio == NO_VAD or r.speech_ratio >= self.min_speech_ratio]
        if todo:
            embeddings = np.atleast_2d(self.predictor.embed(np.stack([r.window.samples for r in todo]), rate))
            for result, embedding in zip(todo, embeddings):
                result.embedding = embedding
                result.match = identify(embedding, self.database, self.threshold, self.scale, self.top_k,
                                        self.normaliser)
        return results
