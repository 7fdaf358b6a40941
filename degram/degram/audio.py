# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Audio I/O shared by the CLI, the datasets and the ROS nodes: read any file, mono, resample."""
from __future__ import annotations

from pathlib import Path

import numpy as np


class AudioError(ValueError):
    """An audio file or buffer that cannot be used, with the reason."""


def to_mono(samples: np.ndarray, channel: int = -1) -> np.ndarray:
    """(L,) or (L, C) → (L,): pick ``channel`` or, with -1, average all channels."""
    if samples.ndim == 1:
        return samples
    if samples.ndim != 2:
        raise AudioError(f'expected (samples,) or (samples, channels), got shape {samples.shape}')
    if channel < 0:
        return samples.mean(axis=1)
    if channel >= samples.shape[1]:
        raise AudioError(f'channel {channel} requested but the audio has {samples.shape[1]}')
    return samples[:, channel]


def resample(samples: np.ndarray, rate_in: int, rate_out: int) -> np.ndarray:
    """Resample a float32 signal (L,) or (L, C) with soxr (high quality, streaming-free)."""
    if rate_in == rate_out:
        return np.asarray(samples, dtype=np.float32)
    if rate_in <= 0 or rate_out <= 0:
        raise AudioError(f'sample rates must be positive, got {rate_in} -> {rate_out}')
    import soxr

    return soxr.resample(np.asarray(samples, dtype=np.float32), rate_in, rate_out, quality='HQ')


def load_audio(path: str | Path, sample_rate: int | None = None, channel: int = -1) -> tuple[np.ndarray, int]:
    """Read WAV/FLAC/Ogg (anything libsndfile reads) → float32 mono in [-1, 1] and its rate.

    With ``sample_rate`` given the signal is resampled to it.
    """
    import soundfile

    path = Path(path)
    if not path.is_file():
        raise AudioError(f'{path}: no such audio file')
    try:
        samples, rate = soundfile.read(str(path), dtype='float32', always_2d=False)
    except Exception as exc:  # libsndfile's errors are RuntimeError/LibsndfileError
        raise AudioError(f'{path}: cannot read audio ({exc})') from exc
    samples = to_mono(samples, channel)
    if samples.size == 0:
        raise AudioError(f'{path}: the file holds no samples')
    if sample_rate is not None and sample_rate != rate:
        samples, rate = resample(samples, rate, sample_rate), sample_rate
    return np.ascontiguousarray(samples, dtype=np.float32), int(rate)
