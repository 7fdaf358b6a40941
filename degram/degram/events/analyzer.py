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
    output: ModelOutput | None = None            # this window's slice; None when the level gate held it back
    started: list[Event] = field(default_factory=list)
    ended: list[Event] = field(default_factory=list)


class WindowAnalyzer:
    """``analyse(windows)`` runs the windows the gate lets through as one batch, decides each and,
    with a ``tracker``, updates the events (in window order)."""

    def __init__(self, predictor, detector: WindowDetector, tracker: EventTracker | None = None):
        self.predictor, self.detector, self.tracker = predictor, detector, tracker

    def analyse(self, windows: list[Window]) -> list[WindowAnalysis]:
        gates = [self.detector.gate(w.samples) for w in windows]
        todo = [i for i, (_, gated) in enumerate(gates) if not gated]
        outputs: dict[int, ModelOutput] = {}
        scores: dict[int, np.ndarray] = {}
        if todo:
            out = self.predictor.infer(np.stack([windows[i].samples for i in todo]))
            batch_scores = self.predictor.scores(out.logits).double().cpu().numpy()
            for row, i in enumerate(todo):
                outputs[i] = ModelOutput(None if out.representation is None else out.representation[row:row + 1],
                                         out.embedding[row:row + 1], out.logits[row:row + 1])
                scores[i] = batch_scores[row]
        results = []
        for i, window in enumerate(windows):
            level, gated = gates[i]
            decision = self.detector.decide(scores.get(i, np.zeros(0)), level, gated)
            result = WindowAnalysis(window, decision, outputs.get(i))
            if self.tracker is not None:
                result.started, result.ended = self.tracker.update(window.stamp, decision)
            results.append(result)
        return results

    def finish(self, stamp: float) -> list[Event]:
        """Close the open events (end of a recording, node deactivated)."""
        return self.tracker.flush(stamp) if self.tracker is not None else []
