# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Streaming audio into model windows (no ROS import, unit-testable).

* :func:`decode_pcm` turns interleaved PCM bytes into float32 frames in [-1, 1].
* :class:`AudioStream` is the whole input side of the node: decode → channel select/mix →
  streaming resample to the model rate → ring buffer → sliding windows (window/hop in seconds),
  with capture-time bookkeeping so that every window carries the capture time of its first
  sample, and with the bad-input policies documented below (each one counted in
  :attr:`AudioStream.counters`).

Bad-input policies (the node logs them, throttled, and reports the counters in /diagnostics):

``ragged``
    A message whose byte count is not a whole number of frames: the trailing partial frame is
    dropped.  Carrying it over to the next message would shift every later frame when the
    producer is broken, and audio_capture never splits a frame, so dropping is the safe choice.
``nonfinite``
    NaN/±Inf samples (float formats) are replaced by 0; the message is used.
``empty``
    A message without a single whole frame is ignored.
``oversize``
    A message longer than ``max_message_length`` seconds: only its newest part (one window) is
    kept, older audio is dropped; the stamp of the kept part is shifted accordingly.
Capture times follow the samples (:class:`degram.streaming.stamps.SampleClock`): within a continuous
stream the sample count is the timeline and each message's stamp is one noisy observation of it,
filtered into an offset; every window is stamped with the estimated capture time of its first
sample.  Stamps that disagree with the timeline by at most ``stamp_tolerance`` (driver jitter,
bursts) change nothing else.

``reanchor``
    A stamp further than ``stamp_tolerance`` from the timeline, neither a gap nor a restart (e.g.
    a replay faster than real time stamped at publish time): the estimate jumps to the stamp; the
    buffer and every sample are kept.
``backwards``
    A capture stamp earlier than the estimated start of the previous message by more than
    ``stamp_tolerance`` (a restarted clock): the buffer and resampler are reset and the stream
    restarts at the new stamp.
``discontinuity``
    A stamp later than the timeline by more than ``gap_tolerance`` seconds (lost messages): the
    buffer is reset so that no window glues two separate pieces of audio.
    (Only for real capture stamps; with receive-clock stamps :class:`StreamInput` detects pauses.)
``duplicate``
    A message with the same capture stamp and the same bytes as one of the last few: dropped.
``clipped``
    Float samples beyond full scale (±1e38 is finite): clipped to [-1, 1], so that the model never
    sees values it cannot handle.

Every reset for one of these reasons (and for a format change) adds the buffered samples that no
window used to ``counters.discarded_samples[reason]``.

Sample accounting (model-rate samples, every segment and reason together): ``counters.samples``
(what the resampler put into the buffer) = ``counters.windowed_samples`` (those inside at least
one window) + ``sum(counters.discarded_samples.values())`` + :attr:`AudioStream.unused_samples`
(buffered, not yet in a window: less than one window plus one hop).  Input-side losses come before
this identity and have their own counters: exact duplicates and the cut part of an oversize
message never reach the buffer, nor do the few samples the resampler holds back at a reset.
"""
from __future__ import annotations

import collections
import hashlib
from dataclasses import dataclass, field

import numpy as np

from .pcm import InputFormatError, decode_pcm, normalize_sample_format, select_channel
from .stamps import BACKWARDS, DISCONTINUITY, REANCHOR, STAMP_TOLERANCE, SampleClock

RECENT_MESSAGES = 8   # how many earlier messages a duplicate is looked for among (reordered resends)


class StreamResampler:
    """Streaming mono resampler (soxr.ResampleStream); identity when the rates match.

    Output sample j corresponds to input time j / out_rate (soxr withholds its filter delay).
    """

    def __init__(self, rate_in: int, rate_out: int):
        self.rate_in, self.rate_out = int(rate_in), int(rate_out)
        self._stream = None
        if self.rate_in != self.rate_out:
            import soxr

            self._stream = soxr.ResampleStream(self.rate_in, self.rate_out, 1, dtype='float32',
                                               quality='HQ')

    def __call__(self, samples: np.ndarray) -> np.ndarray:
        samples = np.ascontiguousarray(samples, dtype=np.float32)
        if self._stream is None:
            return samples
        return self._stream.resample_chunk(samples, last=False).astype(np.float32, copy=False)

    def drain(self) -> np.ndarray:
        """At the end of the input: the output samples soxr still holds back (its filter delay).
        The resampler takes no more input afterwards."""
        if self._stream is None:
            return np.zeros(0, dtype=np.float32)
        tail = self._stream.resample_chunk(np.zeros(0, dtype=np.float32), last=True)
        self._stream = None
        return tail.astype(np.float32, copy=False)


@dataclass
class Window:
    samples: np.ndarray   # (window_samples,) float32 at the model rate
    stamp: float          # capture time of the first sample, seconds
    index: int            # running window number since the node started


@dataclass
class StreamCounters:
    messages: int = 0
    frames_in: int = 0
    windows: int = 0
    ragged: int = 0
    nonfinite: int = 0
    empty: int = 0
    oversize: int = 0
    backwards: int = 0
    discontinuity: int = 0
    reanchors: int = 0
    duplicates: int = 0
    clipped: int = 0
    receive_gaps: int = 0
    format_changes: int = 0
    resets: int = 0
    # model-rate samples put into the buffer (after resampling), and those of them inside at least one window
    samples: int = 0
    windowed_samples: int = 0
    # model-rate samples that were buffered but never became part of a window, by the reason of the reset
    discarded_samples: dict = field(default_factory=dict)


class AudioStream:
    """Re-chunks arbitrary audio messages into overlapping windows at the model rate.

    ``push(data, stamp, contiguous_clock)`` takes one message (PCM bytes) with the capture time of
    its first frame and returns ``(windows, events)``: the windows that became complete and the
    names of the bad-input events the message triggered (for logging).
    """

    def __init__(self, model_rate: int, window_length: float, hop_length: float, *,
                 sample_rate: int = 16000, channels: int = 1, sample_format: str = 'S16LE',
                 channel: int = -1, max_message_length: float = 10.0, gap_tolerance: float = 0.2,
                 stamp_tolerance: float = STAMP_TOLERANCE):
        if not 0 < hop_length <= window_length:
            raise ValueError(f'need 0 < hop_length <= window_length, got {hop_length} > '
                             f'{window_length}')
        self.model_rate = int(model_rate)
        self.window_length, self.hop_length = float(window_length), float(hop_length)
        self.window_samples = max(1, int(round(self.window_length * self.model_rate)))
        self.hop_samples = max(1, int(round(self.hop_length * self.model_rate)))
        self.channel = int(channel)
        self.max_message_length = float(max_message_length)
        self.gap_tolerance = float(gap_tolerance)
        self.clock = SampleClock(stamp_tolerance, gap_tolerance)
        self._recent: collections.deque = collections.deque(maxlen=RECENT_MESSAGES)  # (stamp, digest)
        self.counters = StreamCounters()
        self._window_index = 0
        self.set_format(sample_rate, channels, sample_format)

    # -- format ----------------------------------------------------------------------------
    def set_format(self, sample_rate: int, channels: int, sample_format: str) -> None:
        """Set the input format (raises InputFormatError); resets the stream when it changes."""
        fmt = normalize_sample_format(sample_format)
        if int(sample_rate) <= 0:
            raise InputFormatError('bad_format', f'sample_rate must be > 0, got {sample_rate}')
        if int(channels) <= 0:
            raise InputFormatError('bad_format', f'channels must be > 0, got {channels}')
        new = (int(sample_rate), int(channels), fmt)
        if getattr(self, 'format', None) == new:
            return
        changed = getattr(self, 'format', None) is not None
        if changed:
            self.counters.format_changes += 1
            self._count_unused('format_change')   # before the format (and so the resampler) changes
        self.format = new
        self.sample_rate, self.channels, self.sample_format = new
        self.reset()

    @property
    def unused_samples(self) -> int:
        """Model-rate samples of this segment in the buffer that no window has used yet."""
        if getattr(self, '_buffer', None) is None:
            return 0
        return max(0, self._buffer_start + self._buffer.size - max(self._emitted_end, self._buffer_start))

    def _count_unused(self, reason: str) -> None:
        """Count the buffered samples that no window used as discarded for ``reason``."""
        unused = self.unused_samples
        if unused > 0:
            self.counters.discarded_samples[reason] = self.counters.discarded_samples.get(reason, 0) + unused

    def reset(self, reason: str | None = None) -> None:
        """Start a new segment; buffered samples no window used are counted under ``reason``."""
        if reason is not None:
            self._count_unused(reason)
        self._resampler = StreamResampler(self.sample_rate, self.model_rate)
        self._buffer = np.zeros(0, dtype=np.float32)
        self._buffer_start = 0        # output-sample index of _buffer[0] (segment timeline)
        self._in_frames = 0           # input frames consumed in this segment
        self.clock.reset()
        self._next_start = 0          # output index of the next window's first sample
        self._emitted_end = 0         # output index just past the last window handed out
        self.counters.resets += 1

    @property
    def buffered_seconds(self) -> float:
        return self._buffer.size / self.model_rate

    @property
    def end_time(self) -> float | None:
        """Estimated capture time just past the newest input frame (the stream's "now" on the clock
        of its stamps), None until a message placed the segment on that clock."""
        if not self.clock.anchored:
            return None
        return self.clock.time_at(self._in_frames / self.sample_rate)

    # -- input -----------------------------------------------------------------------------
    def push(self, data, stamp: float, *, contiguous_clock: bool = False) -> tuple[list, list]:
        """Add one message. ``contiguous_clock``: stamps come from the receive clock (no
        discontinuity, backwards or duplicate handling: the caller knows the clock)."""
        events: list[str] = []
        c = self.counters
        c.messages += 1
        if not contiguous_clock and self._seen_before(data, stamp):
            c.duplicates += 1
            return [], ['duplicate']
        frames, rest = decode_pcm(data, self.sample_format, self.channels)
        if rest:
            c.ragged += 1
            events.append('ragged')
        if frames.shape[0] == 0:
            c.empty += 1
            events.append('empty')
            return [], events
        limit = int(self.max_message_length * self.sample_rate)
        if frames.shape[0] > limit:
            keep = min(limit, int(np.ceil(self.window_length * self.sample_rate)))
            skipped = frames.shape[0] - keep
            frames = frames[skipped:]
            stamp = stamp + skipped / self.sample_rate
            c.oversize += 1
            events.append('oversize')
        frames = self._sanitize(frames, events)
        mono = select_channel(frames, self.channel)
        self._place(stamp, 'oversize' in events, contiguous_clock, events)
        c.frames_in += mono.size
        self._in_frames += mono.size
        self._append(self._resampler(mono))
        return self._collect(), events

    def _append(self, out: np.ndarray) -> None:
        """Add resampled (model-rate) samples to the buffer and count them as received."""
        self.counters.samples += out.size
        if out.size:
            self._buffer = np.concatenate([self._buffer, out]) if self._buffer.size else out

    def end_of_input(self) -> list[Window]:
        """The input ended (a file, a bag): → the windows still held back by the resampler's delay
        (without this a resampled file loses its last window). Ends the segment: what is left is
        counted as discarded ('end_of_input'); a later push starts a new segment."""
        self._append(self._resampler.drain())
        windows = self._collect()
        self.reset('end_of_input')
        return windows

    def _seen_before(self, data, stamp: float) -> bool:
        """An exact duplicate (the same stamp and bytes as one of the last few messages)?"""
        try:
            digest = hashlib.blake2b(data, digest_size=16).digest()
        except TypeError:   # a sequence of ints rather than a buffer
            digest = hashlib.blake2b(bytes(data), digest_size=16).digest()
        key = (float(stamp), digest)
        if key in self._recent:
            return True
        self._recent.append(key)
        return False

    def _sanitize(self, frames: np.ndarray, events: list) -> np.ndarray:
        c = self.counters
        if frames.dtype.kind == 'f' and not np.isfinite(frames).all():
            frames = np.nan_to_num(frames, nan=0.0, posinf=0.0, neginf=0.0)
            c.nonfinite += 1
            events.append('nonfinite')
        if np.abs(frames).max() > 1.0:   # only float formats can exceed full scale (±1e38 …)
            frames = np.clip(frames, -1.0, 1.0)
            c.clipped += 1
            events.append('clipped')
        return frames

    def _place(self, stamp: float, oversize: bool, contiguous_clock: bool, events: list) -> None:
        """Put the message's stamp on the segment's timeline: refine the capture-time estimate,
        re-anchor it, or start a new segment (a restart, a gap, or audio dropped as oversize)."""
        if oversize and self.clock.anchored:   # the dropped audio broke continuity: start afresh
            self.reset('oversize')
        verdict = self.clock.observe(float(stamp), self._in_frames / self.sample_rate,
                                     may_reset=not contiguous_clock)
        if verdict in (BACKWARDS, DISCONTINUITY):
            setattr(self.counters, verdict, getattr(self.counters, verdict) + 1)
            events.append(verdict)
            self.reset(verdict)
            self.clock.observe(float(stamp), 0.0)
        elif verdict == REANCHOR:
            self.counters.reanchors += 1
            if not contiguous_clock:   # receive-clock stamps re-anchor by design (fast replays)
                events.append('reanchor')

    def _time_of(self, out_index: int) -> float:
        """Estimated capture time of output sample ``out_index`` (segment timeline: output sample j
        is input time j / model_rate)."""
        return self.clock.time_at(out_index / self.model_rate)

    def _collect(self) -> list[Window]:
        windows = []
        end = self._buffer_start + self._buffer.size
        while self._next_start + self.window_samples <= end:
            lo = self._next_start - self._buffer_start
            samples = self._buffer[lo:lo + self.window_samples].copy()
            windows.append(Window(samples, self._time_of(self._next_start), self._window_index))
            self._window_index += 1
            self.counters.windows += 1
            end_of_window = self._next_start + self.window_samples
            self.counters.windowed_samples += end_of_window - max(self._emitted_end, self._next_start)
            self._emitted_end = end_of_window
            self._next_start += self.hop_samples
        # drop what no future window needs
        drop = self._next_start - self._buffer_start
        if drop > 0:
            drop = min(drop, self._buffer.size)
            self._buffer = self._buffer[drop:]
            self._buffer_start += drop
        return windows
