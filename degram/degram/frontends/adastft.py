# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Ada-STFT: the STFT as a strided Conv1d with a learnable window and learnable DFT kernels."""
from __future__ import annotations

import torch
from torch import nn

from .common import log_compression, mel_filterbank
from .stft import ConvSTFT


class AdaSTFT(nn.Module):
    """Waveform (B, L) → standardised log |learnable STFT| (B, 1, T, F).

    F = n_fft // 2 + 1 (257), or ``n_mels`` with the optional fixed mel projection.
    ``learn_window`` (Hann init) and ``learn_kernels`` (DFT init) switch the two parts.
    """

    out_channels = 1  # C of the (B, C, T, F) representation

    def __init__(self, sample_rate: int = 16000, n_fft: int = 512, hop_length: int = 160,
                 win_length: int | None = None, learn_window: bool = True, learn_kernels: bool = True,
                 n_mels: int | None = None, znorm_freq: bool = False,
                 top_db: float | None = None):
        super().__init__()
        self.sample_rate = sample_rate
        self.stft = ConvSTFT(n_fft, hop_length, win_length, learn_window, learn_kernels)
        if n_mels:
            self.register_buffer('mel', mel_filterbank(self.stft.n_bins, n_mels, sample_rate))
        else:
            self.mel = None
        self.compress = log_compression(znorm_freq, top_db)

    @property
    def out_features(self) -> int:
        return self.stft.n_bins if self.mel is None else self.mel.shape[1]

    def forward(self, waveform: torch.Tensor) -> torch.Tensor:
        magnitude = self.stft(waveform)
        if self.mel is not None:
            magnitude = magnitude @ self.mel
        return self.compress(magnitude.unsqueeze(1))
