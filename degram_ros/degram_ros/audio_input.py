# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The audio side of ``degram_node``: AudioInfo → input format, audio messages → capture stamps
and sliding windows (both :class:`degram.streaming.StreamInput`, as ``degram annotate`` uses it)
handed to the inference thread; every bad input is counted and logged (throttled), none stops
the node."""
from __future__ import annotations

import time

from degram.streaming import InputFormatError, StreamInput, portaudio_sample_format, portaudio_to_pcm
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
    'reanchor': 'audio timestamps disagree with the sample count by more than stamp_tolerance: capture '
                'times re-anchored to them, audio kept',
    'duplicate': 'exact duplicate audio message (same stamp and bytes) dropped',
    'clipped': 'float samples beyond full scale clipped to [-1, 1]',
    'receive_gap': 'the audio producer paused for longer than the hop: buffer reset',
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
    """The node's side of :class:`degram.streaming.StreamInput` (format check, capture stamps,
    windows): feeds ``stream`` (a :class:`degram.streaming.AudioStream`), counts and logs bad
    input, and puts the windows into :attr:`slot` (set while the node is active)."""

    def __init__(self, stream, counts, logger, clock, model_rate: int, require_info: bool = False):
        self.stream, self._counts, self._logger, self._clock = stream, counts, logger, clock
        self._model_rate = model_rate
        self.require_info = require_info
        self._throttled = ThrottledLog(logger)
        self.input = StreamInput(stream)
        self.frame_id = ''
        self.last_audio: float | None = None     # monotonic time of the last audio message
        self.handled = 0                           # audio messages fully handled (windows handed over)
        self.handled_infos = 0                     # AudioInfo messages fully handled
        self.slot = None

    @property
    def format_error(self) -> InputFormatError | None:
        return self.input.format_error

    def on_info(self, msg) -> None:
        try:
            self._on_info(msg)
        finally:
            self.handled_infos += 1

    def _on_info(self, msg) -> None:
        was_bad = self.format_error is not None
        try:
            changed = self.input.set_info(msg.sample_rate, msg.channels, msg.sample_format, msg.coding_format)
        except InputFormatError as exc:
            self._logger.error(f'audio_info: {exc}; audio is ignored until a usable AudioInfo '
                               'arrives')
            return
        if was_bad:
            self._logger.info('audio_info: usable format again, resuming')
        if not changed:   # a re-send (audio_capture repeats it every few seconds): nothing to say
            return
        self._logger.info(
            f'audio_info: {msg.sample_rate} Hz, {msg.channels} ch, {self.stream.sample_format}'
            + ('' if msg.sample_rate == self._model_rate else
               f' (resampled to {self._model_rate} Hz)'))

    def on_audio(self, msg) -> None:
        self._handle(msg.data, None, '')

    def on_audio_stamped(self, msg) -> None:
        stamp = stamp_to_seconds(msg.header.stamp)
        self._handle(msg.audio.data, stamp if stamp > 0 else None, msg.header.frame_id)

    def on_audio_portaudio(self, msg) -> None:
        """The mgonzs13 flavour: AudioStamped with the format (a PortAudio code) in every message."""
        info = msg.audio.info
        try:
            sample_format = portaudio_sample_format(info.format)
            if self.input.set_info(info.rate, info.channels, sample_format):
                self._logger.info(f'audio format: {info.rate} Hz, {info.channels} ch, {sample_format}'
                                  + ('' if info.rate == self._model_rate else
                                     f' (resampled to {self._model_rate} Hz)'))
            payload = portaudio_to_pcm(msg.audio.audio_data, info.format)
        except InputFormatError as exc:
            self.last_audio = time.monotonic()
            self._counts[exc.kind] += 1
            self._throttled(exc.kind, 'error', f'ignoring audio: {exc} ({self._counts[exc.kind]} messages so far)')
            return
        stamp = stamp_to_seconds(msg.header.stamp)
        self._handle(payload, stamp if stamp > 0 else None, msg.header.frame_id)

    def _handle(self, data, stamp: float | None, frame_id: str) -> None:
        try:
            self._handle_audio(data, stamp, frame_id)
        except Exception as exc:  # never let one message take the node down
            self._counts['decode_errors'] += 1
            self._throttled('handle', 'error', f'cannot use audio message: {exc}')
        finally:
            self.handled += 1

    def _handle_audio(self, data, stamp: float | None, frame_id: str) -> None:
        self.last_audio = time.monotonic()
        if self.require_info and not self.input.info_received:
            self._counts['waiting_for_audio_info'] += 1
            self._throttled('no_info', 'warning', 'require_audio_info: ignoring audio until an AudioInfo '
                            f"arrives on audio_info ({self._counts['waiting_for_audio_info']} messages so far)")
            return
        try:
            windows, events = self.input.push(data, stamp, self._clock.now().nanoseconds * 1e-9)
        except InputFormatError as exc:   # the stored error of an unusable AudioInfo
            self._counts[exc.kind] += 1
            self._throttled(exc.kind, 'error', f'ignoring audio: {exc} '
                                               f'({self._counts[exc.kind]} messages so far)')
            return
        except Exception as exc:  # never let one message take the node down
            self._counts['decode_errors'] += 1
            self._throttled('decode', 'error', f'cannot decode audio message: {exc}')
            return
        self.frame_id = frame_id
        for event in events:
            counters = self.stream.counters
            count = getattr(counters, event, None) or getattr(counters, event + 's', 0)
            self._throttled(event, 'warning', f"{EVENT_TEXT.get(event, event)} ({count} so far)")
        slot = self.slot
        for window in windows:
            if slot is not None and slot.put(window):
                self._counts['dropped_windows'] += 1
                self._throttled('dropped', 'warning',
                                'inference is slower than the hop: dropping stale windows '
                                f"({self._counts['dropped_windows']} so far)")
