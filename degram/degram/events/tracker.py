# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Events from a stream of window decisions: k-of-n hysteresis per class, several classes at once.

A class's event starts when it was detected in at least ``k`` of the last ``n`` windows (onset =
the stamp of the first of those detections) and ends when it was detected in none of the last
``release`` windows (offset = the end of its last detected window). The peak is the highest score
seen while the event was open. Stamps are seconds (the capture time of a window's first sample).
"""
from __future__ import annotations

import collections
from dataclasses import dataclass

import numpy as np

from .detector import Decision


@dataclass
class Event:
    class_id: int
    label: str
    onset: float
    offset: float | None        # None while the event is still going on
    peak: float

    @property
    def active(self) -> bool:
        return self.offset is None


class _ClassTrack:
    def __init__(self, n: int):
        self.recent: collections.deque = collections.deque(maxlen=n)   # (stamp, detected, score)
        self.event: Event | None = None
        self.misses = 0
        self.last_hit = 0.0          # stamp of the latest detection of the open event

    def close(self, offset: float) -> Event:
        event, self.event = self.event, None
        event.offset = offset
        self.recent.clear()
        return event


class EventTracker:
    def __init__(self, labels, window_length: float, k: int = 2, n: int = 3, release: int = 2):
        if not 1 <= k <= n:
            raise ValueError(f'need 1 <= k <= n, got k={k}, n={n}')
        if release < 1:
            raise ValueError(f'release must be >= 1, got {release}')
        self.labels = list(labels)
        self.window_length = float(window_length)
        self.k, self.n, self.release = int(k), int(n), int(release)
        self._tracks = [_ClassTrack(self.n) for _ in self.labels]

    def update(self, stamp: float, decision: Decision) -> tuple[list[Event], list[Event]]:
        """Feed one window; → (events that started, events that ended) with this window."""
        started, ended = [], []
        detected = set(decision.detected)
        scores = decision.scores if decision.scores.size else np.zeros(len(self.labels))
        for class_id, track in enumerate(self._tracks):
            hit = class_id in detected
            track.recent.append((stamp, hit, float(scores[class_id]) if hit else 0.0))
            if track.event is None:
                hits = [item for item in track.recent if item[1]]
                if len(hits) >= self.k:
                    track.event = Event(class_id, self.labels[class_id], hits[0][0], None,
                                        max(score for _, _, score in hits))
                    track.misses, track.last_hit = 0, stamp
                    started.append(track.event)
                continue
            if hit:
                track.misses = 0
                track.event.peak = max(track.event.peak, float(scores[class_id]))
                track.last_hit = stamp
                continue
            track.misses += 1
            if track.misses >= self.release:
                ended.append(track.close(track.last_hit + self.window_length))
        return started, ended

    def active(self) -> list[Event]:
        return [t.event for t in self._tracks if t.event is not None]

    def flush(self, stamp: float) -> list[Event]:
        """End every open event (end of a file, or the node deactivating) at ``stamp``."""
        return [track.close(min(stamp, track.last_hit + self.window_length))
                for track in self._tracks if track.event is not None]
