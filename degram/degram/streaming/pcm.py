# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Interleaved PCM bytes ↔ float32 frames, for every sample format audio_common declares."""
from __future__ import annotations

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
QUOTE_LIMIT = 64


def quote(value, limit: int = QUOTE_LIMIT) -> str:
    """``'text'`` (or a non-string's repr) for messages and logs, cut to ``limit`` characters: an
    input string can be megabytes long and must not be echoed into every log line."""
    text = value if isinstance(value, str) else repr(value)
    if len(text) > limit:
        text = f'{text[:limit]}… ({len(text)} characters)'
    return repr(text) if isinstance(value, str) else text


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
            f"unknown sample_format {quote(name)} (supported: {', '.join(SAMPLE_FORMATS)})")
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
