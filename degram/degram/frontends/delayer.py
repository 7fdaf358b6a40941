# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""TF-DELayer (Foggia et al. 2023, §2.1.2): frequency and time attention, merged element-wise."""
from __future__ import annotations

import torch
from torch import nn

AGGREGATIONS = ('max', 'mean')
TIME_SQUEEZES = ('mean', 'weighted')


class FrequencyAttention(nn.Module):
    """σ(MLP(GAP_t(s))) × s: one gate per band, from a bottleneck MLP (M → M·c → M)."""

    def __init__(self, n_features: int, reduction: float = 0.0625):
        super().__init__()
        hidden = max(1, round(n_features * reduction))
        self.mlp = nn.Sequential(nn.Linear(n_features, hidden), nn.ReLU(inplace=True),
                                 nn.Linear(hidden, n_features))

    def gate(self, s: torch.Tensor) -> torch.Tensor:
        """(B, C, T, F) → gates (B, C, 1, F) in [0, 1]."""
        return torch.sigmoid(self.mlp(s.mean(dim=2, keepdim=True)))

    def forward(self, s: torch.Tensor) -> torch.Tensor:
        return self.gate(s) * s


class TimeAttention(nn.Module):
    """σ(Conv1D(squeeze_f(s))) × s: one gate per frame, a 'same'-padded Conv1d along time.

    ``squeeze='mean'`` is the paper's GAP over frequency; ``'weighted'`` is the official code's
    learned 1×1 weighted sum over bands.
    """

    def __init__(self, n_features: int, kernel_size: int = 3, squeeze: str = 'mean'):
        super().__init__()
        if squeeze not in TIME_SQUEEZES:
            raise ValueError(f'time_squeeze must be one of {TIME_SQUEEZES}, got {squeeze!r}')
        if kernel_size < 1 or kernel_size % 2 == 0:
            raise ValueError(f'time_kernel must be a positive odd number, got {kernel_size}')
        self.squeeze = squeeze
        self.band_weights = nn.Linear(n_features, 1) if squeeze == 'weighted' else None
        self.conv = nn.Conv1d(1, 1, kernel_size, padding=kernel_size // 2)

    def gate(self, s: torch.Tensor) -> torch.Tensor:
        """(B, C, T, F) → gates (B, C, T, 1) in [0, 1]."""
        batch, channels, frames, _ = s.shape
        squeezed = self.band_weights(s) if self.band_weights is not None else s.mean(dim=3, keepdim=True)
        logits = self.conv(squeezed.reshape(batch * channels, 1, frames))
        return torch.sigmoid(logits).reshape(batch, channels, frames, 1)

    def forward(self, s: torch.Tensor) -> torch.Tensor:
        return self.gate(s) * s


class TFDELayer(nn.Module):
    """(B, C, T, F) → (B, C, T, F): f_ew(Freq_att(s), Time_att(s)), f = max (default) or mean."""

    def __init__(self, n_features: int, reduction: float = 0.0625, time_kernel: int = 3,
                 time_squeeze: str = 'mean', aggregation: str = 'max'):
        super().__init__()
        if aggregation not in AGGREGATIONS:
            raise ValueError(f'aggregation must be one of {AGGREGATIONS}, got {aggregation!r}')
        self.aggregation = aggregation
        self.freq_attention = FrequencyAttention(n_features, reduction)
        self.time_attention = TimeAttention(n_features, time_kernel, time_squeeze)

    def forward(self, s: torch.Tensor) -> torch.Tensor:
        by_freq = self.freq_attention(s)
        by_time = self.time_attention(s)
        if self.aggregation == 'max':
            return torch.maximum(by_freq, by_time)
        return (by_freq + by_time) / 2

    def extra_repr(self) -> str:
        return f'aggregation={self.aggregation}'
