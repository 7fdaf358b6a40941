"""Pure-Python streaming helpers of ``degram_node`` (no ROS import, unit-testable).

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
``backwards``
    A capture stamp earlier than the previous message's: the buffer and resampler are reset and
    the stream restarts at the new stamp.
``discontinuity``
    A stamp more than ``gap_tolerance`` seconds after the end of the previous message (lost
    messages): the buffer is reset so that no window glues two separate pieces of audio.
    (Only for real capture stamps; with receive-clock stamps the audio is assumed contiguous.)
"""
from __future__ import annotations

import collections
from dataclasses import dataclass, field

import numpy as np

#: sample_format → (numpy dtype, bytes per sample, scale, offset): value = (raw - offset) / scale
SAMPLE_FORMATS: dict[str, tuple[str, int, float, float]] = {
    'U8': ('u1', 1, 128.0, 128.0),
    'S8': ('i1', 1, 128.0, 0.0),
    'S16LE': ('<i2', 2, 32768.0, 0.0),
    'S24LE': ('S24', 3, 8388608.0, 0.0),
    'S32LE': ('<i4', 4, 2147483648.0, 0.0),
    'F32LE': ('<f4', 4, 1.0, 0.0),
    'F64LE': ('<f8', 8, 1.0, 0.0),
}
_ALIASES = {'S16': 'S16LE', 'S24': 'S24LE', 'S32': 'S32LE', 'F32': 'F32LE', 'F64': 'F64LE',
            'FLOAT32LE': 'F32LE', 'FLOAT32': 'F32LE'}

PCM_CODINGS = ('', 'wave', 'wav', 'pcm', 'raw')


class InputFormatError(ValueError):
    """The declared input format cannot be decoded (unknown sample format, MP3, bad rate...)."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


def normalize_sample_format(name: str) -> str:
    """'s16le' → 'S16LE'; raises InputFormatError('unknown_format') for unknown names."""
    key = str(name).strip().upper()
    key = _ALIASES.get(key, key)
    if key not in SAMPLE_FORMATS:
        raise InputFormatError(
            'unknown_format',
            f"unknown sample_format '{name}' (supported: {', '.join(SAMPLE_FORMATS)})")
    return key


def frame_bytes(sample_format: str, channels: int) -> int:
    return SAMPLE_FORMATS[normalize_sample_format(sample_format)][1] * int(channels)


def decode_pcm(data: bytes | bytearray | memoryview | np.ndarray, sample_format: str,
               channels: int) -> tuple[np.ndarray, int]:
    """Interleaved PCM bytes → (frames (n, channels) float32 in [-1, 1], dropped trailing bytes).

    A trailing partial frame is dropped and its byte count returned (see the module doc).
    """
    fmt = normalize_sample_format(sample_format)
    dtype, width, scale, offset = SAMPLE_FORMATS[fmt]
    channels = int(channels)
    if channels < 1:
        raise InputFormatError('bad_format', f'channels must be >= 1, got {channels}')
    raw = np.frombuffer(bytes(data) if not isinstance(data, (bytes, np.ndarray)) else data,
                        dtype=np.uint8)
    fb = width * channels
    n = raw.size // fb
    rest = raw.size - n * fb
    raw = raw[:n * fb]
    if dtype == 'S24':
        b = raw.reshape(-1, 3).astype(np.int32)
        ints = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
        ints = np.where(ints >= 1 << 23, ints - (1 << 24), ints)
        values = ints.astype(np.float32)
    else:
        values = raw.view(dtype).astype(np.float32)
    if offset:
        values -= offset
    if scale != 1.0:
        values /= scale
    return values.reshape(n, channels), rest


def encode_pcm(frames: np.ndarray, sample_format: str = 'S16LE') -> bytes:
    """float32 (n,) or (n, channels) in [-1, 1] → interleaved PCM bytes (for publishers/tests)."""
    fmt = normalize_sample_format(sample_format)
    dtype, width, scale, offset = SAMPLE_FORMATS[fmt]
    x = np.asarray(frames, dtype=np.float64).reshape(-1)
    if dtype in ('<f4', '<f8'):
        return x.astype(dtype).tobytes()
    lo, hi = -scale + offset, scale - 1 + offset
    ints = np.clip(np.round(x * scale + offset), lo, hi).astype(np.int64)
    if dtype == 'S24':
        ints = ints & 0xFFFFFF
        b = np.stack([ints & 0xFF, (ints >> 8) & 0xFF, (ints >> 16) & 0xFF], axis=1)
        return b.astype(np.uint8).tobytes()
    return ints.astype(dtype).tobytes()


def select_channel(frames: np.ndarray, channel: int) -> np.ndarray:
    """(n, C) → (n,): channel ``channel`` or, with -1 (or a channel the input lacks), the mean."""
    if frames.ndim == 1:
        return frames
    if channel < 0 or channel >= frames.shape[1]:
        return frames.mean(axis=1) if frames.shape[1] > 1 else frames[:, 0]
    return frames[:, channel]


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
    resets: int = 0
    extra: dict = field(default_factory=dict)


class AudioStream:
    """Re-chunks arbitrary audio messages into overlapping windows at the model rate.

    ``push(data, stamp, contiguous_clock)`` takes one message (PCM bytes) with the capture time of
    its first frame and returns ``(windows, events)``: the windows that became complete and the
    names of the bad-input events the message triggered (for logging).
    """

    def __init__(self, model_rate: int, window_length: float, hop_length: float, *,
                 sample_rate: int = 16000, channels: int = 1, sample_format: str = 'S16LE',
                 channel: int = -1, max_message_length: float = 10.0, gap_tolerance: float = 0.2):
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
        self.format = new
        self.sample_rate, self.channels, self.sample_format = new
        self.reset()

    def reset(self) -> None:
        self._resampler = StreamResampler(self.sample_rate, self.model_rate)
        self._buffer = np.zeros(0, dtype=np.float32)
        self._buffer_start = 0        # output-sample index of _buffer[0] (segment timeline)
        self._in_frames = 0           # input frames consumed in this segment
        self._anchors: collections.deque = collections.deque()  # (input frame index, stamp)
        self._next_start = 0          # output index of the next window's first sample
        self._last_stamp: float | None = None
        self._expected_next: float | None = None
        self.counters.resets += 1

    @property
    def buffered_seconds(self) -> float:
        return self._buffer.size / self.model_rate

    # -- input -----------------------------------------------------------------------------
    def push(self, data, stamp: float, *, contiguous_clock: bool = False) -> tuple[list, list]:
        """Add one message. ``contiguous_clock``: stamps come from the receive clock (no
        discontinuity resets, only backwards detection)."""
        events: list[str] = []
        c = self.counters
        c.messages += 1
        frames, rest = decode_pcm(data, self.sample_format, self.channels)
        if rest:
            c.ragged += 1
            events.append('ragged')
        if frames.shape[0] == 0:
            c.empty += 1
            events.append('empty')
            return [], events
        message_stamp = stamp
        limit = int(self.max_message_length * self.sample_rate)
        if frames.shape[0] > limit:
            keep = min(limit, int(np.ceil(self.window_length * self.sample_rate)))
            skipped = frames.shape[0] - keep
            frames = frames[skipped:]
            stamp = stamp + skipped / self.sample_rate
            c.oversize += 1
            events.append('oversize')
        if frames.dtype.kind == 'f' and not np.isfinite(frames).all():
            frames = np.nan_to_num(frames, nan=0.0, posinf=0.0, neginf=0.0)
            c.nonfinite += 1
            events.append('nonfinite')
        mono = select_channel(frames, self.channel)
        duration = mono.size / self.sample_rate
        if self._last_stamp is not None:
            if message_stamp < self._last_stamp:
                c.backwards += 1
                events.append('backwards')
                self.reset()
            elif 'oversize' in events:   # the dropped audio broke continuity: start afresh
                self.reset()
            elif (not contiguous_clock and self._expected_next is not None
                  and stamp - self._expected_next > self.gap_tolerance):
                c.discontinuity += 1
                events.append('discontinuity')
                self.reset()
        self._last_stamp = stamp
        self._expected_next = stamp + duration
        c.frames_in += mono.size
        self._anchors.append((self._in_frames, float(stamp)))
        self._in_frames += mono.size
        out = self._resampler(mono)
        if out.size:
            self._buffer = np.concatenate([self._buffer, out]) if self._buffer.size else out
        return self._collect(), events

    def _time_of(self, out_index: int) -> float:
        """Capture time of output sample ``out_index`` (segment timeline)."""
        in_pos = out_index * self.sample_rate / self.model_rate
        anchor = self._anchors[0]
        for a in self._anchors:
            if a[0] <= in_pos:
                anchor = a
            else:
                break
        return anchor[1] + (in_pos - anchor[0]) / self.sample_rate

    def _collect(self) -> list[Window]:
        windows = []
        end = self._buffer_start + self._buffer.size
        while self._next_start + self.window_samples <= end:
            lo = self._next_start - self._buffer_start
            samples = self._buffer[lo:lo + self.window_samples].copy()
            windows.append(Window(samples, self._time_of(self._next_start), self._window_index))
            self._window_index += 1
            self.counters.windows += 1
            self._next_start += self.hop_samples
        # drop what no future window needs
        drop = self._next_start - self._buffer_start
        if drop > 0:
            drop = min(drop, self._buffer.size)
            self._buffer = self._buffer[drop:]
            self._buffer_start += drop
        # keep only anchors that may still be needed
        first_needed = self._next_start * self.sample_rate / self.model_rate
        while len(self._anchors) > 1 and self._anchors[1][0] <= first_needed:
            self._anchors.popleft()
        return windows


class LatestSlot:
    """A one-element hand-over between the audio callback and the inference thread.

    ``put`` replaces an unconsumed item (newest wins) and returns True when it did so, i.e. when
    a stale window was dropped.
    """

    def __init__(self):
        import threading

        self._cond = threading.Condition()
        self._item = None
        self._closed = False

    def put(self, item) -> bool:
        with self._cond:
            dropped = self._item is not None
            self._item = item
            self._cond.notify()
            return dropped

    def get(self, timeout: float | None = None):
        with self._cond:
            if self._item is None and not self._closed:
                self._cond.wait(timeout)
            item, self._item = self._item, None
            return item

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    @property
    def closed(self) -> bool:
        return self._closed


def percentile(values, q: float) -> float:
    values = list(values)
    if not values:
        return float('nan')
    return float(np.percentile(np.asarray(values, dtype=np.float64), q))


def top_k(probs: np.ndarray, k: int) -> list[tuple[int, float]]:
    """Indices and scores of the k highest probabilities, highest first (stable for ties)."""
    probs = np.asarray(probs, dtype=np.float64).reshape(-1)
    k = max(1, min(int(k), probs.size))
    order = np.argsort(-probs, kind='stable')[:k]
    return [(int(i), float(probs[i])) for i in order]


def representation_image(rep: np.ndarray, encoding: str = 'mono8') -> tuple[np.ndarray, str]:
    """(C, T, F) or (T, F) representation → image (F rows, low frequencies at the bottom, T
    columns): uint8 min–max normalised ('mono8') or float32 ('32FC1')."""
    rep = np.asarray(rep, dtype=np.float32)
    while rep.ndim > 2:
        rep = rep.mean(axis=0)
    img = np.ascontiguousarray(np.flipud(rep.T))
    img = np.nan_to_num(img, nan=0.0, posinf=0.0, neginf=0.0)
    if encoding == '32FC1':
        return img.astype(np.float32), '32FC1'
    lo, hi = float(img.min()), float(img.max())
    scaled = (img - lo) / (hi - lo) if hi > lo else np.zeros_like(img)
    return np.round(scaled * 255.0).astype(np.uint8), 'mono8'


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
