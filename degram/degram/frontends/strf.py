# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Learnable spectro-temporal receptive fields (Riad et al., JASA 2021) on a log-mel image."""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from .common import LogStandardise, mel_filterbank
from .stft import ConvSTFT


class GaborConv2d(nn.Module):
    """(B, 1, T, F) → (B, 2K, T, F): K learnable 2-D Gabor kernels, real and imaginary parts.

    Each kernel is rebuilt every forward pass from its σ_time, σ_freq (envelope widths, in frames
    and bands), carrier frequency ω (rad per sample along the carrier's axis) and orientation γ:
    u = t cos γ + f sin γ, v = −t sin γ + f cos γ,
    g = exp(−u² / 2σ_t² − v² / 2σ_f²) · exp(i ω u).
    Initialisation (Riad et al.): ω = (π/2)·1.41^−U(0,5), σ = 2·1.41^U(0,6), γ ~ U(−π, π).
    """

    def __init__(self, n_kernels: int = 64, freq_size: int = 9, time_size: int = 111):
        super().__init__()
        if freq_size % 2 == 0 or time_size % 2 == 0:
            raise ValueError(f'kernel sizes must be odd, got {freq_size} x {time_size}')
        self.n_kernels, self.freq_size, self.time_size = n_kernels, freq_size, time_size
        uniform = torch.rand
        self.omega = nn.Parameter(math.pi / 2 * 1.41 ** (-5 * uniform(n_kernels)))
        self.sigma_time = nn.Parameter(2 * 1.41 ** (6 * uniform(n_kernels)))
        self.sigma_freq = nn.Parameter(2 * 1.41 ** (6 * uniform(n_kernels)))
        self.gamma = nn.Parameter(math.pi * (2 * uniform(n_kernels) - 1))
        self.register_buffer('t', torch.arange(time_size, dtype=torch.float32) - time_size // 2)
        self.register_buffer('f', torch.arange(freq_size, dtype=torch.float32) - freq_size // 2)

    def kernels(self) -> torch.Tensor:
        """(2K, 1, time_size, freq_size): real kernels first, then imaginary ones."""
        t = self.t[None, :, None]
        f = self.f[None, None, :]
        cos_g = torch.cos(self.gamma)[:, None, None]
        sin_g = torch.sin(self.gamma)[:, None, None]
        u = t * cos_g + f * sin_g
        v = -t * sin_g + f * cos_g
        sigma_t = self.sigma_time.clamp(min=0.5)[:, None, None]
        sigma_f = self.sigma_freq.clamp(min=0.5)[:, None, None]
        envelope = torch.exp(-0.5 * ((u / sigma_t) ** 2 + (v / sigma_f) ** 2))
        phase = self.omega[:, None, None] * u
        return torch.cat([envelope * torch.cos(phase), envelope * torch.sin(phase)]).unsqueeze(1)

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        return F.conv2d(image, self.kernels(), padding=(self.time_size // 2, self.freq_size // 2))


class STRF(nn.Module):
    """Waveform (B, L) → standardised log-mel (B, 1, T, n_mels) → Gabor STRFs (B, 2K, T, n_mels)."""

    def __init__(self, sample_rate: int = 16000, n_mels: int = 64, n_kernels: int = 64,
                 freq_size: int = 9, time_size: int = 111, n_fft: int = 512, hop_length: int = 160,
                 win_length: int | None = None, f_min: float = 0.0, f_max: float | None = None,
                 znorm_freq: bool = False):
        super().__init__()
        self.sample_rate = sample_rate
        self.stft = ConvSTFT(n_fft, hop_length, win_length)
        self.register_buffer('mel', mel_filterbank(self.stft.n_bins, n_mels, sample_rate, f_min, f_max))
        self.compress = LogStandardise(znorm_freq)
        self.gabor = GaborConv2d(n_kernels, freq_size, time_size)

    @property
    def out_channels(self) -> int:
        return 2 * self.gabor.n_kernels

    @property
    def out_features(self) -> int:
        return self.mel.shape[1]

    def forward(self, waveform: torch.Tensor) -> torch.Tensor:
        log_mel = self.compress((self.stft(waveform) @ self.mel).unsqueeze(1))
        return self.gabor(log_mel)
