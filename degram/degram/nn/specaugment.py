# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""SpecAugment (Park et al. 2019) frequency and time masks, active in training mode only."""
from __future__ import annotations

import torch
from torch import nn


def _mask_along(x: torch.Tensor, dim: int, max_width: int, count: int) -> torch.Tensor:
    """Zero ``count`` random bands of width U[0, max_width] along ``dim`` (-2: time, -1: freq)."""
    size = x.shape[dim]
    max_width = min(max_width, size)
    if max_width < 1 or count < 1:
        return x
    batch = x.shape[0]
    widths = torch.randint(0, max_width + 1, (batch, count, 1), device=x.device)
    starts = (torch.rand(batch, count, 1, device=x.device) * (size - widths + 1)).long()
    positions = torch.arange(size, device=x.device)
    masked = ((positions >= starts) & (positions < starts + widths)).any(dim=1)  # (B, size)
    shape = [batch, 1, 1, 1]
    shape[dim] = size
    return x.masked_fill(masked.view(shape), 0.0)


class SpecAugment(nn.Module):
    """(B, C, T, F) → (B, C, T, F). Masks are filled with 0, the mean of a standardised input.

    Widths: up to ``freq_mask_width`` bands (fraction of F when < 1) and ``time_mask_width``
    frames (fraction of T when < 1), ``freq_masks`` / ``time_masks`` masks of each kind.
    """

    def __init__(self, freq_masks: int = 2, freq_mask_width: float = 0.15, time_masks: int = 2,
                 time_mask_width: float = 0.1):
        super().__init__()
        self.freq_masks, self.freq_mask_width = freq_masks, freq_mask_width
        self.time_masks, self.time_mask_width = time_masks, time_mask_width

    @staticmethod
    def _width(width: float, size: int) -> int:
        return int(width * size) if width < 1 else int(width)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training:
            return x
        x = _mask_along(x, -1, self._width(self.freq_mask_width, x.shape[-1]), self.freq_masks)
        return _mask_along(x, -2, self._width(self.time_mask_width, x.shape[-2]), self.time_masks)
