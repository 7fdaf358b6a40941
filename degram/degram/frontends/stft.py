# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""STFT magnitude as a strided Conv1d with (optionally learnable) window and DFT kernels.

A convolution rather than ``torch.stft``: it exports to ONNX as plain Conv nodes, and the same
module is Ada-STFT once its window or kernels are made learnable.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

MAGNITUDE_EPS = 1e-10  # keeps the gradient of sqrt finite at exactly zero energy


class ConvSTFT(nn.Module):
    """Waveform (B, L) → STFT magnitude (B, T, n_fft // 2 + 1).

    Frames are centred (zero padding of n_fft // 2 on both sides), so T = 1 + L // hop_length.
    The window is Hann; ``learn_window`` / ``learn_kernels`` make the window and the cos/sin
    bases trainable parameters (Ada-STFT), otherwise they are fixed buffers.
    """

    def __init__(self, n_fft: int = 512, hop_length: int = 160, win_length: int | None = None,
                 learn_window: bool = False, learn_kernels: bool = False):
        super().__init__()
        win_length = n_fft if win_length is None else win_length
        if not 0 < win_length <= n_fft:
            raise ValueError(f'win_length must be in 1 … n_fft ({n_fft}), got {win_length}')
        if hop_length <= 0:
            raise ValueError(f'hop_length must be positive, got {hop_length}')
        self.n_fft, self.hop_length, self.win_length = n_fft, hop_length, win_length
        n_bins = n_fft // 2 + 1
        window = torch.zeros(n_fft)
        offset = (n_fft - win_length) // 2
        window[offset:offset + win_length] = torch.hann_window(win_length, periodic=True)
        time = torch.arange(n_fft, dtype=torch.float64)
        freq = torch.arange(n_bins, dtype=torch.float64)
        phase = 2 * math.pi * freq[:, None] * time[None, :] / n_fft
        basis = torch.cat([torch.cos(phase), -torch.sin(phase)]).float()  # (2 * n_bins, n_fft)
        if learn_window:
            self.window = nn.Parameter(window)
        else:
            self.register_buffer('window', window)
        if learn_kernels:
            self.basis = nn.Parameter(basis)
        else:
            self.register_buffer('basis', basis)

    @property
    def n_bins(self) -> int:
        return self.n_fft // 2 + 1

    def forward(self, waveform: torch.Tensor) -> torch.Tensor:
        kernels = (self.basis * self.window).unsqueeze(1)  # (2 * n_bins, 1, n_fft)
        padded = F.pad(waveform.unsqueeze(1), (self.n_fft // 2, self.n_fft // 2))
        spec = F.conv1d(padded, kernels, stride=self.hop_length)  # (B, 2 * n_bins, T)
        real, imag = spec[:, :self.n_bins], spec[:, self.n_bins:]
        return torch.sqrt(real * real + imag * imag + MAGNITUDE_EPS).transpose(1, 2)

    def extra_repr(self) -> str:
        return f'n_fft={self.n_fft}, hop_length={self.hop_length}, win_length={self.win_length}'
