# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The input side of a stream without ROS: AudioInfo → input format (PCM only), audio messages →
capture stamps → windows. The node and ``degram annotate`` both feed audio through this."""
from __future__ import annotations

from .mp3 import looks_like_mp3
from .pcm import PCM_CODINGS, InputFormatError, frame_bytes, quote
from .stream import AudioStream

MP3_BY_CONTENT = InputFormatError('mp3', 'the audio bytes are MP3 (ID3 tag / MPEG frames) although no AudioInfo '
                                         'says so; degram needs PCM: start audio_capture with format:=wave')


def check_coding(coding_format: str) -> None:
    """Raise :class:`InputFormatError` unless ``coding_format`` names PCM audio."""
    coding = str(coding_format).strip().lower()
    if coding == 'mp3':
        raise InputFormatError('mp3', 'the audio is MP3-coded (coding_format mp3); degram needs PCM: start '
                                      'audio_capture with format:=wave')
    if coding not in PCM_CODINGS:
        raise InputFormatError('unknown_coding', f'unsupported coding_format {quote(coding_format)} (need wave/PCM)')


class StreamInput:
    """Feeds one :class:`AudioStream`. After an unusable AudioInfo, :attr:`format_error` is set and
    :meth:`push` raises it until a usable one arrives. Until some AudioInfo has arrived, MP3 bytes
    are recognised by their content and refused the same way.

    Plain AudioData (no stamp): the receive time minus the message's duration is its stamp, put on
    the sample timeline by the same :class:`degram.streaming.stamps.SampleClock` as capture stamps
    (receive jitter and bursts do not move it; a fast replay re-anchors it, so that no stamp lies in
    the future of the audio's arrival).  A pause of the producer longer than the hop (the time
    between two messages minus the audio they carry) resets the stream, counted as
    ``receive_gaps``, so no window glues audio from before and after the pause.
    """

    def __init__(self, stream: AudioStream):
        self.stream = stream
        self.format_error: InputFormatError | None = None
        self.info_received = False
        self._last_receive: float | None = None

    def set_info(self, sample_rate: int, channels: int, sample_format: str, coding_format: str = 'wave') -> bool:
        """Apply an AudioInfo; → whether the format changed. Only a real change resets anything: an
        identical re-send (audio_capture and wav_publisher repeat theirs) keeps the stream, its
        stamps and its buffer."""
        self.info_received = True
        before = self.stream.format
        try:
            check_coding(coding_format)
            self.stream.set_format(sample_rate, channels, sample_format)
        except InputFormatError as exc:
            self.format_error = exc
            raise
        was_bad, self.format_error = self.format_error is not None, None
        if self.stream.format != before:
            self._last_receive = None
            return True
        return was_bad

    def push(self, data, stamp: float | None, receive_time: float) -> tuple[list, list]:
        """One message: ``stamp`` is its capture time (AudioDataStamped) or None (plain AudioData:
        the receive time minus its duration, filtered on the sample timeline) → (windows, bad-input
        events)."""
        if self.format_error is not None:
            raise self.format_error
        if not self.info_received and looks_like_mp3(data):
            raise MP3_BY_CONTENT
        contiguous = stamp is None
        events = []
        if stamp is None:
            frames = len(data) // frame_bytes(self.stream.sample_format, self.stream.channels)
            duration = frames / self.stream.sample_rate
            if self._last_receive is not None and receive_time < self._last_receive:
                self.stream.counters.backwards += 1      # the receive clock itself went back
                self.stream.reset('backwards')
                events.append('backwards')
            elif (self._last_receive is not None
                  and receive_time - self._last_receive - duration > self.stream.hop_length):
                self.stream.counters.receive_gaps += 1
                self.stream.reset('receive_gap')
                events.append('receive_gap')
            self._last_receive = receive_time
            stamp = receive_time - duration
        windows, stream_events = self.stream.push(data, stamp, contiguous_clock=contiguous)
        return windows, events + stream_events
