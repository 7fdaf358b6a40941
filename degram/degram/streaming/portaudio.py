# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Typed sample arrays with a PortAudio format code (the mgonzs13 flavour of audio_common_msgs:
``AudioData{float32_data, int32_data, int24_data, int16_data, int8_data, uint8_data}`` and
``AudioInfo{format, channels, rate, chunk}``) → interleaved PCM bytes and a sample format that
:class:`~degram.streaming.StreamInput` decodes, so both flavours share one decoding path."""
from __future__ import annotations

import numpy as np

from .pcm import InputFormatError, quote

#: PortAudio sample format code → (field of AudioData, sample format of the bytes, dtype of the bytes)
PORTAUDIO_FORMATS: dict[int, tuple[str, str, str]] = {
    0x01: ('float32_data', 'F32LE', '<f4'),   # paFloat32
    0x02: ('int32_data', 'S32LE', '<i4'),     # paInt32
    0x04: ('int24_data', 'S32LE', '<i4'),     # paInt24: 24-bit values in int32, shifted up 8 bits
    0x08: ('int16_data', 'S16LE', '<i2'),     # paInt16
    0x10: ('int8_data', 'S8', 'i1'),          # paInt8
    0x20: ('uint8_data', 'U8', 'u1'),         # paUInt8
}
PORTAUDIO_NAMES = {0x01: 'paFloat32', 0x02: 'paInt32', 0x04: 'paInt24', 0x08: 'paInt16',
                   0x10: 'paInt8', 0x20: 'paUInt8'}


def portaudio_sample_format(code: int) -> str:
    """PortAudio format code → the sample format name of :func:`portaudio_to_pcm`'s bytes; raises
    InputFormatError('unknown_format') for other codes."""
    try:
        return PORTAUDIO_FORMATS[int(code)][1]
    except (KeyError, TypeError, ValueError):
        raise InputFormatError('unknown_format', f'unknown PortAudio sample format {quote(code)} (supported: '
                                                 f"{', '.join(f'{v} = {k}' for k, v in PORTAUDIO_NAMES.items())})"
                               ) from None


def portaudio_to_pcm(audio_data, code: int) -> bytes:
    """The samples of ``audio_data`` (an object with the typed array fields) in the field that
    ``code`` names → little-endian PCM bytes of :func:`portaudio_sample_format` ``(code)``."""
    portaudio_sample_format(code)
    field, _, dtype = PORTAUDIO_FORMATS[int(code)]
    values = np.asarray(getattr(audio_data, field), dtype=np.dtype(dtype).newbyteorder('='))
    if field == 'int24_data':
        values = np.clip(values, -(1 << 23), (1 << 23) - 1).astype(np.int32) << 8
    return values.astype(dtype, copy=False).tobytes()
