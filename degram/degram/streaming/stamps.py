"""Capture-time stamps for audio messages that carry none."""
from __future__ import annotations


class ReceiveClockStamper:
    """Capture stamps for plain AudioData (no header): the receive time minus the message's
    duration, smoothed so that receive jitter does not make stamps wobble or go backwards.

    The stamps follow a gap-free timeline (previous stamp + previous duration).  It re-anchors to
    the estimate when the estimate runs more than ``tolerance`` seconds ahead of the timeline
    (the producer stalled or messages were lost) or when the receive clock itself went backwards
    (e.g. a restarted simulation clock).  A producer faster than real time (a replay) keeps its
    gap-free timeline.
    """

    def __init__(self, tolerance: float = 0.5):
        self.tolerance = float(tolerance)
        self._expected: float | None = None
        self._last_receive: float | None = None

    def __call__(self, receive_time: float, duration: float) -> float:
        estimate = receive_time - duration
        if (self._expected is None or receive_time < self._last_receive
                or estimate > self._expected + self.tolerance):
            stamp = estimate
        else:
            stamp = self._expected
        self._expected = stamp + duration
        self._last_receive = receive_time
        return stamp

    def reset(self) -> None:
        self._expected = None
        self._last_receive = None
