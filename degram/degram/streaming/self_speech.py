# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The robot's own voice: which stretches of the audio timeline the robot itself was speaking.

A text-to-speech node publishes ``True`` while the robot speaks and ``False`` when it stops (a
``std_msgs/Bool``, as jsk and ROS4HRI's TTS nodes do); the microphone hears it. A window that
overlaps the robot's speech, or the ``release`` seconds after it (the room's reverberation and
the TTS node's late ``False``), must not give a speaker or a sound event.

    gate = SelfSpeechGate(release=0.5)
    gate.update(True, t0)                   # the robot starts speaking at t0 (seconds, ROS time)
    gate.update(False, t1)                  # ... and stops at t1: silent from t1 + 0.5 on
    gate.overlaps(window.stamp, window.stamp + window_length)

Times are seconds on the clock of the audio stamps (ROS time). The gate keeps the intervals of
the last ``memory`` seconds, so windows decided a little after the fact are still judged right.
"""
from __future__ import annotations

import math

__all__ = ['SelfSpeechGate']


class SelfSpeechGate:
    """Intervals [start, stop + release) of the robot's speech; an open interval while it speaks."""

    def __init__(self, release: float = 0.5, memory: float = 60.0):
        if not (math.isfinite(release) and release >= 0):
            raise ValueError(f'release must be a non-negative number of seconds, got {release}')
        if not (math.isfinite(memory) and memory > 0):
            raise ValueError(f'memory must be a positive number of seconds, got {memory}')
        self.release = float(release)
        self.memory = float(memory)
        self._intervals: list[list[float]] = []   # [start, end]; end = inf while speaking
        self.transitions = 0

    @property
    def speaking(self) -> bool:
        return bool(self._intervals) and math.isinf(self._intervals[-1][1])

    def update(self, speaking: bool, stamp: float) -> None:
        """The robot is (``True``) or is not speaking from ``stamp`` on; repeats change nothing."""
        stamp = float(stamp)
        if not math.isfinite(stamp):
            raise ValueError(f'stamp must be a finite time in seconds, got {stamp}')
        if speaking and not self.speaking:
            self._intervals.append([stamp, math.inf])
            self.transitions += 1
        elif not speaking and self.speaking:
            start = self._intervals[-1][0]
            self._intervals[-1][1] = max(stamp, start) + self.release
            self.transitions += 1
        self._forget_before(stamp - self.memory)

    def overlaps(self, start: float, end: float) -> bool:
        """Whether [start, end) meets the robot's speech (or its release)."""
        return any(s < end and start < e for s, e in self._intervals)

    def _forget_before(self, time: float) -> None:
        self._intervals = [i for i in self._intervals if i[1] > time]
