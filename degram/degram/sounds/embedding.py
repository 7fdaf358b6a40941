# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""From audio to the window embeddings that few-shot sound recognition compares.

An embedding is the sound-event model's pooled backbone features of one window (the vector its
classifier reads), L2-normalised: :meth:`degram.inference.Predictor.embed`. Windows are cut as the
node cuts them (the model's window and hop). When teaching, only the windows that hold the sound
count: those within ``CONTAINS_SOUND_DB`` (20 dB) of the recording's loudest window and above the
model's level gate, as ``degram eval --windows`` judges "a window that contains the sound".

    rows = sound_embeddings(predictor, waveform, rate)          # (N, D) unit rows, loud windows only
    rows = window_embeddings(predictor, windows)                 # (N, W) windows → (N, D)
"""
from __future__ import annotations

import numpy as np

from ..events.detector import level_db
from ..inference.metadata import ModelMetadata

__all__ = ['CONTAINS_SOUND_DB', 'DEFAULT_GATE_DB', 'cut', 'loud_windows', 'sound_embeddings', 'window_embeddings']

#: a window holds the sound when its level is within this many dB of the recording's loudest window
CONTAINS_SOUND_DB = 20.0
#: the level gate (dBFS) when the model names none
DEFAULT_GATE_DB = -65.0


def window_and_hop(predictor, window: float | None = None, hop: float | None = None) -> tuple[float, float]:
    """The model's window and hop in seconds (``window`` / ``hop`` override them)."""
    return ModelMetadata.of(predictor).window_and_hop(window, hop)


def gate_db(predictor) -> float:
    """The model's level gate in dBFS (its calibrated ``min_level_db``, else -65)."""
    gate = ModelMetadata.of(predictor).min_level_db
    return DEFAULT_GATE_DB if gate is None else float(gate)


def cut(predictor, waveform, sample_rate: int, window: float | None = None,
        hop: float | None = None) -> np.ndarray:
    """Mono waveform (L,) at any rate → (N, W) float32 windows at the model's rate, cut as the node
    cuts them (a recording shorter than one window gives one zero-padded window; empty gives (0, W))."""
    from ..events import windows_of

    samples = np.asarray(waveform, dtype=np.float32).reshape(-1)
    window, hop = window_and_hop(predictor, window, hop)
    size = int(round(window * predictor.sample_rate))
    if samples.size == 0:
        return np.zeros((0, size), np.float32)
    if samples.size < int(round(window * sample_rate)):
        samples = np.concatenate([samples, np.zeros(int(round(window * sample_rate)) - samples.size, np.float32)])
    _, windows = windows_of(samples, int(sample_rate), predictor.sample_rate, window, hop)
    return np.asarray(windows, dtype=np.float32)


def loud_windows(windows: np.ndarray, gate: float = DEFAULT_GATE_DB,
                 within_db: float = CONTAINS_SOUND_DB) -> np.ndarray:
    """(N, W) windows of one recording → bool (N,): the windows that hold its sound (within
    ``within_db`` of the loudest, and at or above ``gate`` dBFS)."""
    if len(windows) == 0:
        return np.zeros(0, bool)
    levels = np.array([level_db(w) for w in windows])
    return (levels >= levels.max() - within_db) & (levels >= gate)


def window_embeddings(predictor, windows: np.ndarray, batch_size: int = 32) -> np.ndarray:
    """(N, W) windows at the model's rate → (N, D) float32 L2-normalised pooled features."""
    windows = np.asarray(windows, dtype=np.float32)
    if windows.ndim != 2:
        raise ValueError(f'expected windows (N, W), got shape {windows.shape}')
    if windows.shape[0] == 0:
        return np.zeros((0, _dimension(predictor)), np.float32)
    parts = [np.atleast_2d(predictor.embed(windows[i:i + batch_size], predictor.sample_rate))
             for i in range(0, windows.shape[0], batch_size)]
    return np.concatenate(parts).astype(np.float32)


def _dimension(predictor) -> int:
    backbone = getattr(getattr(predictor, 'model', None), 'backbone', None)
    return int(getattr(backbone, 'embedding_size', 0))


def sound_embeddings(predictor, waveform, sample_rate: int, window: float | None = None,
                     hop: float | None = None) -> np.ndarray:
    """A recording of the sound (L,) at any rate → (N, D) unit embeddings of the windows that hold
    it (see :func:`loud_windows`). N is 0 when the recording is empty or silent."""
    windows = cut(predictor, waveform, sample_rate, window, hop)
    keep = loud_windows(windows, gate_db(predictor))
    return window_embeddings(predictor, windows[keep])
