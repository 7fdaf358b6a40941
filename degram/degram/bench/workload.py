# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""What the sections time: random-weight models from the library's factory and Gaussian test audio.

The weights are random (latency does not depend on them); the input is Gaussian noise (σ = 0.1).
"""
from __future__ import annotations

import torch

from ..nn import DEGramClassifier, build_model
from .config import SAMPLE_RATE


def noise_waveform(batch: int, seconds: float, seed: int, device: torch.device | str = 'cpu') -> torch.Tensor:
    """(batch, seconds · 16 kHz) Gaussian noise, σ = 0.1, the same for the same seed."""
    generator = torch.Generator().manual_seed(seed)
    samples = int(round(seconds * SAMPLE_RATE))
    return (0.1 * torch.randn(batch, samples, generator=generator)).to(device)


def bench_model(config, frontend: str, backbone: str, device: torch.device | str = 'cpu') -> DEGramClassifier:
    """``build_model(frontend, backbone)`` with the width, classes and seed of ``config``, in eval mode.

    ``config`` needs only ``seed``, ``num_classes`` and ``width`` (the threading section's child
    processes pass a namespace).
    """
    torch.manual_seed(config.seed)
    return build_model(frontend, backbone, config.num_classes, SAMPLE_RATE, width=config.width).to(device).eval()
