# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""One window's decision: silent (below the level gate), or the classes whose score reaches
their threshold (none: "nothing happening")."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

SILENCE_DB = -200.0  # the level of an all-zero window


def level_db(samples: np.ndarray) -> float:
    """RMS level of a window in dB relative to full scale (a full-scale sine is -3 dBFS)."""
    power = float(np.mean(np.square(np.asarray(samples, dtype=np.float64)))) if np.size(samples) else 0.0
    return 10.0 * np.log10(power) if power > 0 else SILENCE_DB


@dataclass(frozen=True)
class Decision:
    level_db: float
    gated: bool                                    # below min_level_db: not even scored
    detected: tuple[int, ...] = ()                 # class ids at or above their threshold, best first
    scores: np.ndarray = field(default_factory=lambda: np.zeros(0))
    nonfinite: bool = False                        # the model gave NaN/Inf: never publish this window

    @property
    def nothing(self) -> bool:
        return self.gated or self.nonfinite or not self.detected


class WindowDetector:
    """Thresholds (one for all classes, or one per class) and a level gate.

    ``min_level_db``: windows quieter than this are reported as silence without looking at the
    scores (None: no gate). ``thresholds``: a float or a sequence of ``num_classes`` floats.
    """

    def __init__(self, num_classes: int, thresholds=0.5, min_level_db: float | None = None):
        values = np.asarray(thresholds, dtype=np.float64)
        if values.ndim == 0:
            values = np.full(num_classes, float(values))
        if values.shape != (num_classes,) or not np.all((values >= 0) & (values <= 1)):
            raise ValueError(f'thresholds must be one value or {num_classes} values in [0, 1]')
        self.thresholds = values
        self.min_level_db = min_level_db

    def gate(self, samples: np.ndarray) -> tuple[float, bool]:
        level = level_db(samples)
        return level, self.min_level_db is not None and level < self.min_level_db

    def decide(self, scores: np.ndarray, level: float, gated: bool = False) -> Decision:
        scores = np.asarray(scores, dtype=np.float64).reshape(-1)
        if gated:
            return Decision(level, True, (), scores)
        if not np.isfinite(scores).all():
            return Decision(level, False, (), scores, nonfinite=True)
        above = np.flatnonzero(scores >= self.thresholds)
        order = above[np.argsort(-scores[above], kind='stable')]
        return Decision(level, False, tuple(int(i) for i in order), scores)
