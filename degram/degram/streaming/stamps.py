# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Capture times of a continuous audio stream: the sample count is the timeline, stamps are noisy
anchors (audio clock recovery).

Within a segment of continuous audio, sample ``n`` was captured ``n / rate`` seconds after sample 0,
whatever the stamps say.  Each message's stamp is one noisy observation of when its first sample
was captured; :class:`SampleClock` filters those observations into one offset (the capture time of
the segment's sample 0), so that driver jitter and bursts move no window and lose no audio.
"""
from __future__ import annotations

#: Default of how far (seconds) a message's stamp may disagree with the sample timeline before the
#: clock re-anchors; the ROS parameter ``stamp_tolerance``.  Why 0.1 s: capture stacks stamp each
#: buffer when their callback runs, not when its first sample was captured, so the stamps jitter by
#: the scheduling delay and arrive in bursts after a stall: ALSA periods and PortAudio callbacks are
#: typically 5-50 ms and a late wake-up delays one to a few of them (GStreamer's alsasrc, behind
#: audio_capture's appsink, reads 10 ms periods from a 200 ms ring buffer), and USB audio reaches the
#: host in batches of several milliseconds.  Tens of milliseconds of disagreement are normal, so
#: 0.1 s keeps a burst of several periods and 3 sigma of 20-30 ms jitter on the timeline, while
#: a lost message of 0.2 s or more (``gap_tolerance``) still reads as a gap.  These are the drivers'
#: documented period sizes, not measurements taken here; raise it for Bluetooth or network audio.
STAMP_TOLERANCE = 0.1
#: the smallest weight a new stamp gets in the offset estimate (an exponential filter after the
#: first 16 stamps, a plain mean before): slow enough to average jitter down by ~5x, fast enough to
#: follow the drift between the audio and the system clock (tens of ppm)
MIN_GAIN = 1.0 / 16

# what :meth:`SampleClock.observe` says about a stamp
AGREES = 'agrees'                 # within the tolerance: it refines the offset estimate
REANCHOR = 'reanchor'             # disagrees, audio still continuous: the estimate jumps to it
DISCONTINUITY = 'discontinuity'   # later than the timeline by more than the gap tolerance
BACKWARDS = 'backwards'           # earlier than the previous message's start by more than the tolerance


class SampleClock:
    """The capture time of any position of the current segment (seconds of audio since its first
    sample): ``offset + position``, with ``offset`` estimated from the stamps.

    Each stamp is compared with where the timeline puts its message (the residual):

    * within ``tolerance``: it refines ``offset`` (a mean, then an exponential filter);
    * later than the timeline by more than ``gap_tolerance`` (at least ``tolerance``): audio was
      lost, :data:`DISCONTINUITY`;
    * earlier than the estimated start of the previous message by more than ``tolerance``: the
      clock restarted, :data:`BACKWARDS`;
    * otherwise: :data:`REANCHOR`, ``offset`` jumps to this stamp and the audio stays continuous
      (e.g. a replay faster than real time stamped at publish time: a stamp must not lie in the
      future of the audio it stamps).

    With ``may_reset=False`` (stamps from the receive clock, whose gaps the caller detects itself)
    the last three are all :data:`REANCHOR`.  After DISCONTINUITY or BACKWARDS the caller starts a new
    segment (:meth:`reset`) and observes the stamp again at position 0.
    """

    def __init__(self, tolerance: float = STAMP_TOLERANCE, gap_tolerance: float = 0.2):
        if not tolerance > 0:
            raise ValueError(f'need a stamp tolerance > 0 s, got {tolerance}')
        self.tolerance = float(tolerance)
        self.gap_tolerance = max(float(gap_tolerance), self.tolerance)
        self.reset()

    def reset(self) -> None:
        self.offset: float | None = None
        self._count = 0                  # stamps averaged since the last anchor
        self._previous = 0.0             # position of the previous message

    @property
    def anchored(self) -> bool:
        return self.offset is not None

    def time_at(self, position: float) -> float:
        """Estimated capture time of ``position`` seconds into the segment."""
        return self.offset + position

    def observe(self, stamp: float, position: float, may_reset: bool = True) -> str:
        """One message's stamp (capture time of its first sample, by its producer) at ``position``
        seconds into the segment → :data:`AGREES`, :data:`REANCHOR`, :data:`DISCONTINUITY` or
        :data:`BACKWARDS`."""
        if self.offset is None:
            self._anchor(stamp, position)
            return AGREES
        residual = stamp - self.time_at(position)
        verdict = self._judge(stamp, residual)
        if verdict == AGREES:
            self._count += 1
            self.offset += residual * max(1.0 / self._count, MIN_GAIN)
        elif verdict == REANCHOR or not may_reset:
            self._anchor(stamp, position)
            verdict = REANCHOR
        self._previous = position
        return verdict

    def _judge(self, stamp: float, residual: float) -> str:
        if abs(residual) <= self.tolerance:
            return AGREES
        if residual > self.gap_tolerance:
            return DISCONTINUITY
        if stamp < self.time_at(self._previous) - self.tolerance:
            return BACKWARDS
        return REANCHOR

    def _anchor(self, stamp: float, position: float) -> None:
        self.offset = stamp - position
        self._count = 1
        self._previous = position
