# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Windows → model outputs, decisions and events: the step the node's inference thread and
``degram annotate`` share, so the same audio gives the same results in both."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..nn import ModelOutput
from ..streaming import Window
from .detector import Decision, WindowDetector
from .tracker import Event, EventTracker


@dataclass
class WindowAnalysis:
    window: Window
    decision: Decision
    output: ModelOutput | None = None            # this window's slice; None when a gate held it back
    started: list[Event] = field(default_factory=list)
    ended: list[Event] = field(default_factory=list)
    speech_ratio: float = -1.0                    # with a voice gate: the window's share of speech
    no_speech: bool = False                       # the voice gate held it back (decided as nothing)


class WindowAnalyzer:
    """``analyse(windows)`` runs the windows the gates let through as one batch, decides each and,
    with a ``tracker``, updates the events (in window order).

    Gates: the detector's level gate, then, with a ``vad`` (a
    :class:`degram.speaker.VoiceActivityDetector`) and ``min_speech_ratio`` > 0, a voice gate for
    speech models such as the keyword one: a window with less speech is decided as "nothing"
    (``no_speech``) without running the model."""

    def __init__(self, predictor, detector: WindowDetector, tracker: EventTracker | None = None,
                 vad=None, min_speech_ratio: float = 0.0):
        self.predictor, self.detector, self.tracker = predictor, detector, tracker
        self.vad = vad if min_speech_ratio > 0 else None
        self.min_speech_ratio = float(min_speech_ratio)

    def analyse(self, windows: list[Window]) -> list[WindowAnalysis]:
        return analyse_together([(self, windows)])[0]

    def gates(self, windows: list[Window]) -> tuple[list[tuple[float, bool]], list[float]]:
        """→ ((level dB, held back) per window, speech ratio per window or -1)."""
        gates = [self.detector.gate(w.samples) for w in windows]
        ratios = [-1.0] * len(windows)
        if self.vad is not None:
            for i, (level, gated) in enumerate(gates):
                if not gated:
                    ratios[i] = float(self.vad.speech_ratio(windows[i].samples, self.predictor.sample_rate))
                    gates[i] = (level, ratios[i] < self.min_speech_ratio)
        return gates, ratios

    def decide(self, windows: list[Window], gates, ratios, outputs: dict, scores: dict) -> list[WindowAnalysis]:
        """The decisions (and events) of ``windows`` from their gates and the model's outputs."""
        results = []
        for i, window in enumerate(windows):
            level, gated = gates[i]
            decision = self.detector.decide(scores.get(i, np.zeros(0)), level, gated)
            result = WindowAnalysis(window, decision, outputs.get(i), speech_ratio=ratios[i],
                                    no_speech=gated and 0 <= ratios[i] < self.min_speech_ratio)
            if self.tracker is not None:
                result.started, result.ended = self.tracker.update(window.stamp, decision)
            results.append(result)
        return results

    def finish(self, stamp: float) -> list[Event]:
        """Close the open events (end of a recording, node deactivated)."""
        return self.tracker.flush(stamp) if self.tracker is not None else []


def analyse_together(jobs: list[tuple[WindowAnalyzer, list[Window]]]) -> list[list[WindowAnalysis]]:
    """The windows of several analyzers that share one predictor (the streams of one node) in one
    model call; each analyzer keeps its own gates, thresholds and events.  → per job, its analyses."""
    prepared = [analyzer.gates(windows) for analyzer, windows in jobs]
    todo = [(j, i) for j, (gates, _) in enumerate(prepared) for i, (_, gated) in enumerate(gates) if not gated]
    outputs: list[dict] = [{} for _ in jobs]
    scores: list[dict] = [{} for _ in jobs]
    if todo:
        predictor = jobs[0][0].predictor
        out = predictor.infer(np.stack([jobs[j][1][i].samples for j, i in todo]))
        batch_scores = predictor.scores(out.logits).double().cpu().numpy()
        for row, (j, i) in enumerate(todo):
            outputs[j][i] = ModelOutput(None if out.representation is None else out.representation[row:row + 1],
                                        out.embedding[row:row + 1], out.logits[row:row + 1])
            scores[j][i] = batch_scores[row]
    return [analyzer.decide(windows, gates, ratios, outputs[j], scores[j])
            for j, ((analyzer, windows), (gates, ratios)) in enumerate(zip(jobs, prepared))]
