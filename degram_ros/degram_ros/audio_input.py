"""The audio side of ``degram_node``: AudioInfo → input format, audio messages → capture stamps
and sliding windows handed to the inference thread; every bad input is counted and logged
(throttled), none stops the node."""
from __future__ import annotations

import time

from degram.streaming import PCM_CODINGS, InputFormatError, ReceiveClockStamper, frame_bytes
from degram_ros.conversions import stamp_to_seconds

THROTTLE_S = 5.0

EVENT_TEXT = {
    'ragged': 'audio message size is not a whole number of frames: dropped the trailing partial '
              'frame',
    'empty': 'empty audio message ignored',
    'nonfinite': 'NaN/Inf samples in audio replaced by 0',
    'oversize': 'oversized audio message: kept only its newest window',
    'backwards': 'audio timestamps went backwards: buffer reset',
    'discontinuity': 'gap in audio timestamps (lost messages?): buffer reset',
}


class ThrottledLog:
    """At most one line per key every THROTTLE_S seconds."""

    def __init__(self, logger):
        self._logger = logger
        self._last: dict[str, float] = {}

    def __call__(self, key: str, level: str, message: str) -> None:
        now = time.monotonic()
        if now - self._last.get(key, -1e9) >= THROTTLE_S:
            self._last[key] = now
            # one call site per severity: rclpy refuses to change a call site's severity
            if level == 'error':
                self._logger.error(message)
            elif level == 'warning':
                self._logger.warning(message)
            else:
                self._logger.info(message)


class AudioInput:
    """Feeds ``stream`` (a :class:`degram.streaming.AudioStream`) and puts its windows into
    :attr:`slot` (set while the node is active)."""

    def __init__(self, stream, counts, logger, clock, model_rate: int):
        self.stream, self._counts, self._logger, self._clock = stream, counts, logger, clock
        self._model_rate = model_rate
        self._throttled = ThrottledLog(logger)
        self._stamper = ReceiveClockStamper()
        self.format_error: InputFormatError | None = None
        self.frame_id = ''
        self.last_audio: float | None = None     # monotonic time of the last audio message
        self.slot = None

    def on_info(self, msg) -> None:
        coding = msg.coding_format.strip().lower()
        try:
            if coding == 'mp3':
                raise InputFormatError('mp3', 'the audio is MP3-coded (coding_format mp3); '
                                              'degram_node needs PCM: start audio_capture with '
                                              'format:=wave')
            if coding not in PCM_CODINGS:
                raise InputFormatError('unknown_coding', f"unsupported coding_format "
                                                         f"'{msg.coding_format}' (need wave/PCM)")
            self.stream.set_format(msg.sample_rate, msg.channels, msg.sample_format)
        except InputFormatError as exc:
            self.format_error = exc
            self._logger.error(f'audio_info: {exc}; audio is ignored until a usable AudioInfo '
                               'arrives')
            return
        if self.format_error is not None:
            self._logger.info('audio_info: usable format again, resuming')
        self.format_error = None
        self._stamper.reset()
        self._logger.info(
            f'audio_info: {msg.sample_rate} Hz, {msg.channels} ch, {self.stream.sample_format}'
            + ('' if msg.sample_rate == self._model_rate else
               f' (resampled to {self._model_rate} Hz)'))

    def on_audio(self, msg) -> None:
        self._handle(msg.data, None, '')

    def on_audio_stamped(self, msg) -> None:
        stamp = stamp_to_seconds(msg.header.stamp)
        self._handle(msg.audio.data, stamp if stamp > 0 else None, msg.header.frame_id)

    def _handle(self, data, stamp: float | None, frame_id: str) -> None:
        try:
            self._handle_audio(data, stamp, frame_id)
        except Exception as exc:  # never let one message take the node down
            self._counts['decode_errors'] += 1
            self._throttled('handle', 'error', f'cannot use audio message: {exc}')

    def _handle_audio(self, data, stamp: float | None, frame_id: str) -> None:
        self.last_audio = time.monotonic()
        if self.format_error is not None:
            kind = self.format_error.kind
            self._counts[kind] += 1
            self._throttled(kind, 'error', f'ignoring audio: {self.format_error} '
                                           f'({self._counts[kind]} messages so far)')
            return
        contiguous = stamp is None
        if stamp is None:
            fb = frame_bytes(self.stream.sample_format, self.stream.channels)
            duration = (len(data) // fb) / self.stream.sample_rate
            stamp = self._stamper(self._clock.now().nanoseconds * 1e-9, duration)
        self.frame_id = frame_id
        try:
            windows, events = self.stream.push(data, stamp, contiguous_clock=contiguous)
        except Exception as exc:  # never let one message take the node down
            self._counts['decode_errors'] += 1
            self._throttled('decode', 'error', f'cannot decode audio message: {exc}')
            return
        for event in events:
            count = getattr(self.stream.counters, event, 0)
            self._throttled(event, 'warning', f"{EVENT_TEXT.get(event, event)} ({count} so far)")
        slot = self.slot
        for window in windows:
            if slot is not None and slot.put(window):
                self._counts['dropped_windows'] += 1
                self._throttled('dropped', 'warning',
                                'inference is slower than the hop: dropping stale windows '
                                f"({self._counts['dropped_windows']} so far)")
