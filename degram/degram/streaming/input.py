"""The input side of a stream without ROS: AudioInfo → input format (PCM only), audio messages →
capture stamps → windows. The node and ``degram annotate`` both feed audio through this."""
from __future__ import annotations

from .pcm import PCM_CODINGS, InputFormatError, frame_bytes
from .stamps import ReceiveClockStamper
from .stream import AudioStream


def check_coding(coding_format: str) -> None:
    """Raise :class:`InputFormatError` unless ``coding_format`` names PCM audio."""
    coding = str(coding_format).strip().lower()
    if coding == 'mp3':
        raise InputFormatError('mp3', 'the audio is MP3-coded (coding_format mp3); degram needs PCM: start '
                                      'audio_capture with format:=wave')
    if coding not in PCM_CODINGS:
        raise InputFormatError('unknown_coding', f"unsupported coding_format '{coding_format}' (need wave/PCM)")


class StreamInput:
    """Feeds one :class:`AudioStream`. After an unusable AudioInfo, :attr:`format_error` is set and
    :meth:`push` raises it until a usable one arrives."""

    def __init__(self, stream: AudioStream):
        self.stream = stream
        self.format_error: InputFormatError | None = None
        self._stamper = ReceiveClockStamper()

    def set_info(self, sample_rate: int, channels: int, sample_format: str, coding_format: str = 'wave') -> None:
        try:
            check_coding(coding_format)
            self.stream.set_format(sample_rate, channels, sample_format)
        except InputFormatError as exc:
            self.format_error = exc
            raise
        self.format_error = None
        self._stamper.reset()

    def push(self, data, stamp: float | None, receive_time: float) -> tuple[list, list]:
        """One message: ``stamp`` is its capture time (AudioDataStamped) or None (plain AudioData:
        the receive time minus its duration, smoothed) → (windows, bad-input events)."""
        if self.format_error is not None:
            raise self.format_error
        contiguous = stamp is None
        if stamp is None:
            frames = len(data) // frame_bytes(self.stream.sample_format, self.stream.channels)
            stamp = self._stamper(receive_time, frames / self.stream.sample_rate)
        return self.stream.push(data, stamp, contiguous_clock=contiguous)
