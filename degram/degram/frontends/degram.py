# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""DEGram and DESpectrogram: a representation followed by a TF-DELayer."""
from __future__ import annotations

import torch
from torch import nn

from .delayer import TFDELayer
from .sincgram import SincGram
from .spectrogram import Spectrogram


class _WithDELayer(nn.Module):
    """Waveform (B, L) → base representation (B, 1, T, F) → TF-DELayer → (B, 1, T, F)."""

    out_channels = 1  # C of the (B, C, T, F) representation

    def __init__(self, base: nn.Module, reduction: float, time_kernel: int, time_squeeze: str,
                 aggregation: str):
        super().__init__()
        self.base = base
        self.sample_rate = base.sample_rate
        self.delayer = TFDELayer(base.out_features, reduction, time_kernel, time_squeeze, aggregation)

    @property
    def out_features(self) -> int:
        return self.base.out_features

    def forward(self, waveform: torch.Tensor) -> torch.Tensor:
        return self.delayer(self.base(waveform))


class DEGram(_WithDELayer):
    """SincGram (64 learnable Butterworth bands) + TF-DELayer: the paper's front-end."""

    def __init__(self, sample_rate: int = 16000, n_filters: int = 64, order: int = 4,
                 f_min: float = 0.0, f_max: float | None = None, n_fft: int = 512,
                 hop_length: int = 160, win_length: int | None = None, znorm_freq: bool = False,
                 reduction: float = 0.0625, time_kernel: int = 3, time_squeeze: str = 'mean',
                 aggregation: str = 'max', top_db: float | None = None):
        base = SincGram(sample_rate, n_filters, order, f_min, f_max, n_fft, hop_length, win_length,
                        znorm_freq, top_db)
        super().__init__(base, reduction, time_kernel, time_squeeze, aggregation)

    @property
    def sincgram(self) -> SincGram:
        return self.base


class DESpectrogram(_WithDELayer):
    """Spectrogram (257 bins) + TF-DELayer: the paper's ablation row."""

    def __init__(self, sample_rate: int = 16000, n_fft: int = 512, hop_length: int = 160,
                 win_length: int | None = None, znorm_freq: bool = False,
                 reduction: float = 0.0625, time_kernel: int = 3, time_squeeze: str = 'mean',
                 aggregation: str = 'max', top_db: float | None = None):
        base = Spectrogram(sample_rate, n_fft, hop_length, win_length, znorm_freq, top_db)
        super().__init__(base, reduction, time_kernel, time_squeeze, aggregation)
