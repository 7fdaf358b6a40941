# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""SpectNet (Ansari & Hasan): learnable gammatone filterbank on the waveform."""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from .common import LogStandardise, mel_points


class GammatoneFilterbank(nn.Module):
    """Waveform (B, L) → band signals (B, M, L): h(t) = a·t³·e^(−2π b t)·cos(2π f_c t).

    Learnable per band: f_c and b, stored as fractions of the Nyquist frequency so that Adam's
    step size means the same at any sample rate (f_c mel-initialised, b = 100 Hz), and a gain a
    (initialised to 1) on an envelope normalised to unit energy.
    """

    def __init__(self, n_filters: int = 64, sample_rate: int = 16000, kernel_length: float = 0.025,
                 f_min: float = 50.0, f_max: float | None = None, bandwidth: float = 100.0):
        super().__init__()
        nyquist = sample_rate / 2
        f_max = nyquist if f_max is None else f_max
        self.sample_rate = sample_rate
        self.centre = nn.Parameter((mel_points(n_filters + 2, f_min, f_max)[1:-1] / nyquist).float())
        self.bandwidth = nn.Parameter(torch.full((n_filters,), bandwidth / nyquist))
        self.gain = nn.Parameter(torch.ones(n_filters))
        size = max(3, int(round(kernel_length * sample_rate)))
        # time in Nyquist periods: 2π·f·t(s) = π·(f / nyquist)·n
        self.register_buffer('n', torch.arange(size, dtype=torch.float32))

    def kernels(self) -> torch.Tensor:
        """(M, 1, K) impulse responses."""
        n = self.n[None, :]
        centre = self.centre.clamp(0.0, 1.0)[:, None]
        bandwidth = self.bandwidth.clamp(min=1e-4)[:, None]
        envelope = n ** 3 * torch.exp(-math.pi * bandwidth * n)
        envelope = envelope / envelope.norm(dim=1, keepdim=True)
        return (self.gain[:, None] * envelope * torch.cos(math.pi * centre * n)).unsqueeze(1)

    def forward(self, waveform: torch.Tensor) -> torch.Tensor:
        kernels = self.kernels()
        size = kernels.shape[-1]
        # causal filter, flipped because conv1d computes a correlation
        padded = F.pad(waveform.unsqueeze(1), (size - 1, 0))
        return F.conv1d(padded, kernels.flip(-1))


class Gammatone(nn.Module):
    """Waveform (B, L) → standardised log band energies (B, 1, T, M).

    Gammatone filterbank → |·|² → learnable framing Conv1d per band (25 ms window, 10 ms stride,
    initialised to a plain average over the window) → ln → standardisation.
    """

    out_channels = 1  # C of the (B, C, T, F) representation

    def __init__(self, sample_rate: int = 16000, n_filters: int = 64, kernel_length: float = 0.025,
                 f_min: float = 50.0, f_max: float | None = None, bandwidth: float = 100.0,
                 frame_length: float = 0.025, frame_hop: float = 0.010, znorm_freq: bool = False):
        super().__init__()
        self.sample_rate = sample_rate
        self.filterbank = GammatoneFilterbank(n_filters, sample_rate, kernel_length, f_min, f_max, bandwidth)
        frame = int(round(frame_length * sample_rate))
        self.hop = int(round(frame_hop * sample_rate))
        self.framing = nn.Conv1d(n_filters, n_filters, frame, stride=self.hop, groups=n_filters, bias=False)
        nn.init.constant_(self.framing.weight, 1.0 / frame)
        self.compress = LogStandardise(znorm_freq)

    @property
    def out_features(self) -> int:
        return self.framing.out_channels

    def forward(self, waveform: torch.Tensor) -> torch.Tensor:
        bands = self.filterbank(waveform)
        frame = self.framing.kernel_size[0]
        energy = F.pad(bands * bands, (frame // 2, frame // 2))
        # abs: the learnable framing weights may turn negative; the log needs energies >= 0
        frames = self.framing(energy).abs()  # (B, M, T)
        return self.compress(frames.transpose(1, 2).unsqueeze(1))
