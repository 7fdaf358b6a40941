# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Pieces shared by several front-ends: log compression, standardisation, the mel scale."""
from __future__ import annotations

import math

import torch
from torch import nn

LOG_EPS = 1e-7


def hz_to_mel(hz):
    """HTK mel scale; works on floats and tensors."""
    if isinstance(hz, torch.Tensor):
        return 2595.0 * torch.log10(1.0 + hz / 700.0)
    return 2595.0 * math.log10(1.0 + hz / 700.0)


def mel_to_hz(mel):
    """Inverse of :func:`hz_to_mel`; works on floats and tensors."""
    return 700.0 * (10.0 ** (mel / 2595.0) - 1.0)


def mel_points(n_points: int, f_min: float, f_max: float) -> torch.Tensor:
    """``n_points`` frequencies (Hz) equally spaced on the mel scale from f_min to f_max."""
    mels = torch.linspace(hz_to_mel(f_min), hz_to_mel(f_max), n_points, dtype=torch.float64)
    return mel_to_hz(mels)


def mel_filterbank(n_freqs: int, n_mels: int, sample_rate: int, f_min: float = 0.0,
                   f_max: float | None = None) -> torch.Tensor:
    """Triangular mel filterbank (n_freqs, n_mels) over STFT bins 0 … sample_rate / 2."""
    f_max = sample_rate / 2 if f_max is None else f_max
    bins = torch.linspace(0, sample_rate / 2, n_freqs, dtype=torch.float64)
    edges = mel_points(n_mels + 2, f_min, f_max)
    lower, centre, upper = edges[:-2], edges[1:-1], edges[2:]
    rising = (bins[:, None] - lower) / (centre - lower)
    falling = (upper - bins[:, None]) / (upper - centre)
    return torch.clamp(torch.minimum(rising, falling), min=0.0).float()


class LogStandardise(nn.Module):
    """ln(x + 1e-7), then standardise: per utterance over (T, F), or per frame over F.

    Shapes: (B, C, T, F) → (B, C, T, F).
    """

    def __init__(self, znorm_freq: bool = False, eps: float = 1e-5):
        super().__init__()
        self.znorm_freq = znorm_freq
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = torch.log(x + LOG_EPS)
        dims = (-1,) if self.znorm_freq else (-2, -1)
        mean = x.mean(dim=dims, keepdim=True)
        std = x.std(dim=dims, keepdim=True, unbiased=False)
        return (x - mean) / (std + self.eps)

    def extra_repr(self) -> str:
        return f'znorm_freq={self.znorm_freq}'


class PeakDecibels(nn.Module):
    """Amplitudes in dB below the window's peak, floored at ``-top_db``, scaled to [-2, 2]
    (``amplitude_to_DB(x, ref=max, top_db=...)``, as librosa and torchaudio compute it).

    Why not :class:`LogStandardise`: there a band the microphone or codec did not deliver sits at
    ln(1e-7) ≈ -16 and the per-utterance mean and deviation move every other band with it. Here
    the floor follows the signal and nothing couples the bands: a band-limited copy differs only
    in its missing bands, by at most ``top_db``, and a gain changes nothing. 0, SpecAugment's
    mask value, is ``top_db / 2`` below the peak.

    Shapes: (B, C, T, F) → (B, C, T, F).
    """

    def __init__(self, top_db: float = 80.0):
        super().__init__()
        if not top_db > 0:
            raise ValueError(f'top_db must be positive (dB below the peak), got {top_db}')
        self.top_db = float(top_db)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        db = (20.0 / math.log(10.0)) * torch.log(x + LOG_EPS)
        db = torch.maximum(db - db.amax(dim=(-2, -1), keepdim=True), db.new_tensor(-self.top_db))
        return (db + self.top_db / 2) / (self.top_db / 4)

    def extra_repr(self) -> str:
        return f'top_db={self.top_db}'


def log_compression(znorm_freq: bool = False, top_db: float | None = None) -> nn.Module:
    """The paper's :class:`LogStandardise` (``top_db`` None) or :class:`PeakDecibels`."""
    if top_db is None:
        return LogStandardise(znorm_freq)
    if znorm_freq:
        raise ValueError('znorm_freq standardises each frame; PeakDecibels (top_db) does not standardise')
    return PeakDecibels(top_db)
