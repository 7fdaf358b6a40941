# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Training helpers: class-balanced epochs, random crops, speed changes, real noise mixed at an SNR."""
from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..audio import resample
from .files import DatasetError, WaveCache, list_audio_files


def balanced_indices(targets, rng: np.random.Generator) -> np.ndarray:
    """One class-balanced epoch: every class present in ``targets`` contributes as many items as
    the rarest class, drawn at random **without replacement**; the result (positions into
    ``targets``) is shuffled."""
    t = np.asarray(targets, dtype=np.int64)
    if t.size == 0:
        return np.zeros(0, dtype=np.int64)
    classes = np.unique(t)
    per_class = [np.flatnonzero(t == c) for c in classes]
    n = min(len(p) for p in per_class)
    picked = np.concatenate([rng.choice(p, size=n, replace=False) for p in per_class])
    return rng.permutation(picked)


def crop_or_tile(wave: np.ndarray, length: int, rng: np.random.Generator | None = None) -> np.ndarray:
    """Exactly ``length`` samples: a longer clip is cut at a random offset (offset 0 without
    ``rng``), a shorter one is repeated (tiled) from its start and then cut."""
    wave = np.asarray(wave, dtype=np.float32)
    n = wave.shape[-1]
    if length <= 0:
        raise ValueError('length must be positive')
    if n == 0:
        return np.zeros(length, dtype=np.float32)
    if n >= length:
        off = int(rng.integers(0, n - length + 1)) if rng is not None else 0
        return np.array(wave[off:off + length], dtype=np.float32)
    reps = math.ceil(length / n)
    return np.tile(wave, reps)[:length].astype(np.float32, copy=False)


def make_batch(waves: Sequence[np.ndarray], length: int, rng: np.random.Generator | None = None) -> np.ndarray:
    """(B, length) float32 batch of :func:`crop_or_tile` crops."""
    return np.stack([crop_or_tile(w, length, rng) for w in waves]).astype(np.float32, copy=False)


def change_speed(wave: np.ndarray, factor: float) -> np.ndarray:
    """``wave`` (L,) played ``factor`` times as fast, as a tape would: tempo and pitch both move
    (``factor`` 1.1: about L / 1.1 samples, 10 % higher). Speed perturbation (Ko et al. 2015); a
    speaker recipe counts each speed as a voice of its own (WeSpeaker)."""
    if factor <= 0:
        raise ValueError(f'speed factor must be positive, got {factor}')
    wave = np.asarray(wave, dtype=np.float32)
    if factor == 1.0 or wave.size == 0:
        return wave
    rate = 16000   # any rate: only the ratio matters
    return resample(wave, rate, int(round(rate / factor)))


def mix_at_snr(signal: np.ndarray, noise: np.ndarray, snr_db: float) -> np.ndarray:
    """``signal + g·noise`` with g chosen so that 10·log10(P_signal / P_noise') = ``snr_db``
    (powers as mean squares over the clip); rescaled to peak 1 only if it would clip. A silent
    signal or noise leaves the signal unchanged."""
    s = np.asarray(signal, dtype=np.float32)
    n = np.asarray(noise, dtype=np.float32)
    if n.shape != s.shape:
        raise ValueError(f'noise shape {n.shape} differs from signal shape {s.shape}')
    ps = float(np.mean(np.square(s, dtype=np.float64)))
    pn = float(np.mean(np.square(n, dtype=np.float64)))
    if ps <= 0.0 or pn <= 0.0:
        return s.copy()
    gain = math.sqrt(ps / (pn * 10.0 ** (float(snr_db) / 10.0)))
    mix = s + np.float32(gain) * n
    peak = float(np.max(np.abs(mix)))
    if peak > 1.0:
        mix = mix / np.float32(peak)
    return mix.astype(np.float32, copy=False)


class NoiseBank:
    """Real noise recordings (files or folders, any format/rate/length) resampled to
    ``sample_rate``; :meth:`sample` draws a noise segment of any length by concatenating randomly
    chosen clips from a random offset, :meth:`mix` adds one at a given SNR."""

    def __init__(self, sources, sample_rate: int = 16000, root: str | os.PathLike | None = None,
                 cache: WaveCache | None = None):
        if isinstance(sources, (str, os.PathLike)):
            sources = [sources]
        files: list[Path] = []
        for src in sources:
            for part in str(src).split(os.pathsep) if isinstance(src, str) else [src]:
                if part:
                    files.extend(list_audio_files(part, root))
        if not files:
            raise DatasetError(f'no noise audio files found in {list(map(str, sources))}')
        self.files = [str(f) for f in files]
        self.sample_rate = int(sample_rate)
        self.cache = cache if cache is not None else WaveCache()

    def __len__(self) -> int:
        return len(self.files)

    def _clip(self, i: int) -> np.ndarray:
        return self.cache.load(self.files[i], self.sample_rate)

    def sample(self, length: int, rng: np.random.Generator) -> np.ndarray:
        parts, total, first = [], 0, True
        for _ in range(10000):
            clip = self._clip(int(rng.integers(len(self.files))))
            if first and clip.size > 1:
                clip = clip[int(rng.integers(0, clip.size)):]
                first = False
            if clip.size == 0:
                continue
            parts.append(clip)
            total += clip.size
            if total >= length:
                break
        if total == 0:
            return np.zeros(length, dtype=np.float32)
        noise = np.concatenate(parts)
        return crop_or_tile(noise, length, None)

    def mix(self, signal: np.ndarray, snr_db: float, rng: np.random.Generator) -> np.ndarray:
        return mix_at_snr(signal, self.sample(signal.shape[-1], rng), snr_db)
