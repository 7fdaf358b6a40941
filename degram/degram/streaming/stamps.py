"""Capture-time stamps for audio messages that carry none."""
from __future__ import annotations


class ReceiveClockStamper:
    """Capture stamps for plain AudioData (no header): the receive time minus the message's
    duration, smoothed so that receive jitter does not make stamps wobble or go backwards.

    The stamps follow a gap-free timeline (previous stamp + previous duration).  It re-anchors to
    the estimate when the two drift more than ``tolerance`` seconds apart: the estimate ahead of
    the timeline (the producer stalled or messages were lost), or the timeline ahead of the
    estimate (audio arriving faster than real time, e.g. a bag replayed fast: a stamp must never
    lie in the future of the audio's arrival), and when the receive clock itself went backwards
    (e.g. a restarted simulation clock).
    """

    def __init__(self, tolerance: float = 0.5):
        self.tolerance = float(tolerance)
        self._expected: float | None = None
        self._last_receive: float | None = None

    def __call__(self, receive_time: float, duration: float) -> float:
        estimate = receive_time - duration
        if (self._expected is None or receive_time < self._last_receive
                or abs(estimate - self._expected) > self.tolerance):
            stamp = estimate
        else:
            stamp = self._expected
        self._expected = stamp + duration
        self._last_receive = receive_time
        return stamp

    def reset(self) -> None:
        self._expected = None
        self._last_receive = None
