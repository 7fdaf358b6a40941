# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""From a recording to speaker embeddings: speech only (with a VAD), fixed windows, one batch.

    speech, rate = speech_audio(predictor, waveform, sample_rate, vad)   # (S,) at the model's rate
    windows = cut_windows(speech, rate, window=2.0, hop=1.0)              # (N, W)
    embeddings = predictor.embed(windows, rate)                           # (N, D), unit rows

:func:`enrollment_embeddings` does all three; :func:`mean_embedding` turns the (N, D) rows of one
recording into the one (D,) embedding that identification compares.
"""
from __future__ import annotations

import numpy as np

from ..audio import resample

__all__ = ['cut_windows', 'enrollment_embeddings', 'mean_embedding', 'speech_audio']


def speech_audio(predictor, waveform, sample_rate: int, vad=None) -> tuple[np.ndarray, int]:
    """Waveform (L,) at any rate → (the speech-only samples (S,) float32 at the model's rate, that
    rate). Without ``vad`` all of the audio counts as speech. S may be 0 (no speech)."""
    samples = np.asarray(waveform, dtype=np.float32)
    if samples.ndim != 1:
        raise ValueError(f'expected a mono waveform (L,), got shape {samples.shape}')
    rate = int(predictor.sample_rate)
    if int(sample_rate) != rate and samples.size:
        samples = resample(samples, int(sample_rate), rate)
    if vad is not None:
        samples = vad.speech_only(samples, rate)
    return np.ascontiguousarray(samples, dtype=np.float32), rate


def cut_windows(samples: np.ndarray, sample_rate: int, window: float = 2.0, hop: float = 1.0) -> np.ndarray:
    """(S,) → (N, W) windows of ``window`` seconds every ``hop`` seconds; the last one is aligned
    with the end when the hops do not reach it, so every sample is in a window. Audio shorter than
    a window gives one window of all of it, (1, S); empty audio gives (0, 0)."""
    if not (window > 0 and hop > 0):
        raise ValueError(f'window and hop must be positive seconds, got {window} and {hop}')
    samples = np.asarray(samples, dtype=np.float32).reshape(-1)
    size = max(1, int(round(window * sample_rate)))
    step = max(1, int(round(hop * sample_rate)))
    if samples.size == 0:
        return np.zeros((0, 0), np.float32)
    if samples.size <= size:
        return samples[None, :].copy()
    starts = list(range(0, samples.size - size + 1, step))
    if starts[-1] + size < samples.size:
        starts.append(samples.size - size)
    return np.stack([samples[s:s + size] for s in starts])


def enrollment_embeddings(predictor, waveform: np.ndarray, sample_rate: int, vad=None, window: float = 2.0,
                          hop: float = 1.0) -> np.ndarray:
    """Waveform (L,) at any rate → (N, D) L2-normalised embeddings of its speech windows (one
    batch through ``predictor.embed``). Raises ValueError when no audio (or no speech) remains."""
    speech, rate = speech_audio(predictor, waveform, sample_rate, vad)
    windows = cut_windows(speech, rate, window, hop)
    if windows.shape[0] == 0:
        raise ValueError('nothing to embed: the waveform is empty' + (' or holds no speech' if vad else ''))
    return np.atleast_2d(predictor.embed(windows, rate))


def mean_embedding(embeddings: np.ndarray) -> np.ndarray:
    """(N, D) unit embeddings → their mean, re-normalised to unit length (D,) float32."""
    rows = np.atleast_2d(np.asarray(embeddings, dtype=np.float64))
    if rows.shape[0] == 0:
        raise ValueError('no embeddings to average')
    mean = rows.mean(axis=0)
    norm = np.linalg.norm(mean)
    if not norm > 0 or not np.isfinite(norm):
        raise ValueError('the embeddings average to zero or hold NaN/Inf')
    return (mean / norm).astype(np.float32)
