# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""SincGram (Foggia et al. 2023, §2.1.1): learnable Butterworth band-pass filters on |STFT|."""
from __future__ import annotations

import torch
from torch import nn

from .common import log_compression, mel_points
from .stft import ConvSTFT


def butterworth_filterbank(freqs: torch.Tensor, alpha: torch.Tensor, beta: torch.Tensor,
                           order: int) -> torch.Tensor:
    """W[k, m] = 1 / sqrt(1 + ((f_k − α_m) / β_m)^(2n)).

    freqs: (F,), alpha and beta: (M,) in the same unit → (F, M).
    """
    ratio = (freqs[:, None] - alpha[None, :]) / beta[None, :]
    return torch.rsqrt(1.0 + (ratio * ratio) ** order)


class SincGramFilters(nn.Module):
    """Magnitude (B, T, F_bins) → band energies (B, T, M) through M learnable filters.

    Frequencies are normalised: 0 = DC, 1 = Nyquist (sample_rate / 2). α (centre) is kept in
    [0, 1] and β (half-width at the half-power point) at least half a bin, by clamping in the
    forward pass (β = 0 would divide by zero). Initialisation: α on the mel scale over
    f_min … f_max; β = a quarter of the distance between the two neighbouring mel points, so
    that neighbouring filters cross near their half-power points, like a mel filterbank.
    """

    def __init__(self, n_bins: int = 257, n_filters: int = 64, order: int = 4,
                 sample_rate: int = 16000, f_min: float = 0.0, f_max: float | None = None):
        super().__init__()
        f_max = sample_rate / 2 if f_max is None else f_max
        if not 0 <= f_min < f_max <= sample_rate / 2:
            raise ValueError(f'need 0 <= f_min < f_max <= sample_rate / 2, got {f_min}, {f_max}')
        if order < 1 or n_filters < 1:
            raise ValueError(f'order and n_filters must be >= 1, got {order}, {n_filters}')
        self.order = order
        self.min_beta = 0.5 / (n_bins - 1)
        points = mel_points(n_filters + 2, f_min, f_max) / (sample_rate / 2)
        self.alpha = nn.Parameter(points[1:-1].float())
        self.beta = nn.Parameter(((points[2:] - points[:-2]) / 4).clamp(min=self.min_beta).float())
        self.register_buffer('freqs', torch.linspace(0.0, 1.0, n_bins))

    @property
    def n_filters(self) -> int:
        return self.alpha.numel()

    def filters(self) -> torch.Tensor:
        """The current filter matrix W (F_bins, M)."""
        alpha = self.alpha.clamp(0.0, 1.0)
        beta = self.beta.clamp(min=self.min_beta)
        return butterworth_filterbank(self.freqs, alpha, beta, self.order)

    def forward(self, magnitude: torch.Tensor) -> torch.Tensor:
        return magnitude @ self.filters()

    def extra_repr(self) -> str:
        return f'n_bins={self.freqs.numel()}, n_filters={self.n_filters}, order={self.order}'


class SincGram(nn.Module):
    """Waveform (B, L) → standardised log SincGram (B, 1, T, M), M = 64 by default.

    ``top_db``: the dB range below the window's peak (:class:`~degram.frontends.common.PeakDecibels`);
    None: the paper's standardised log.
    """

    out_channels = 1  # C of the (B, C, T, F) representation

    def __init__(self, sample_rate: int = 16000, n_filters: int = 64, order: int = 4,
                 f_min: float = 0.0, f_max: float | None = None, n_fft: int = 512,
                 hop_length: int = 160, win_length: int | None = None, znorm_freq: bool = False,
                 top_db: float | None = None):
        super().__init__()
        self.sample_rate = sample_rate
        self.stft = ConvSTFT(n_fft, hop_length, win_length)
        self.filterbank = SincGramFilters(self.stft.n_bins, n_filters, order, sample_rate, f_min, f_max)
        self.compress = log_compression(znorm_freq, top_db)

    @property
    def out_features(self) -> int:
        return self.filterbank.n_filters

    def forward(self, waveform: torch.Tensor) -> torch.Tensor:
        return self.compress(self.filterbank(self.stft(waveform)).unsqueeze(1))
