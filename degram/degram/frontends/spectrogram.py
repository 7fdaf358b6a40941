# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Log STFT magnitude: the paper's baseline representation."""
from __future__ import annotations

import torch
from torch import nn

from .common import log_compression
from .stft import ConvSTFT


class Spectrogram(nn.Module):
    """Waveform (B, L) → standardised log |STFT| (B, 1, T, 257).

    Hann window of 512 samples (32 ms at 16 kHz), hop 160 (10 ms), n_fft 512. ``top_db``: the
    dB range below the window's peak (:class:`~degram.frontends.common.PeakDecibels`);
    None: the paper's standardised log.
    """

    out_channels = 1  # C of the (B, C, T, F) representation

    def __init__(self, sample_rate: int = 16000, n_fft: int = 512, hop_length: int = 160,
                 win_length: int | None = None, znorm_freq: bool = False,
                 top_db: float | None = None):
        super().__init__()
        self.sample_rate = sample_rate
        self.stft = ConvSTFT(n_fft, hop_length, win_length)
        self.compress = log_compression(znorm_freq, top_db)

    @property
    def out_features(self) -> int:
        return self.stft.n_bins

    def forward(self, waveform: torch.Tensor) -> torch.Tensor:
        return self.compress(self.stft(waveform).unsqueeze(1))
