# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Model cost figures: parameter counts and FLOPs counted by torch.utils.flop_counter."""
from __future__ import annotations

import torch
from torch import nn


def parameter_count(module: nn.Module, trainable_only: bool = False) -> int:
    return sum(p.numel() for p in module.parameters() if p.requires_grad or not trainable_only)


def flops_per_second(module: nn.Module, sample_rate: int, seconds: float = 10.0) -> float:
    """FLOPs (multiply and add counted separately) per second of audio, batch 1.

    Counted on one ``seconds``-long input and divided by its length, so that frame-edge effects
    of a short window do not distort the per-second figure.
    """
    from torch.utils.flop_counter import FlopCounterMode

    waveform = torch.zeros(1, int(seconds * sample_rate), device=next(module.parameters()).device)
    was_training = module.training
    module.eval()
    try:
        with torch.no_grad(), FlopCounterMode(display=False) as counter:
            module(waveform)
    finally:
        module.train(was_training)
    return counter.get_total_flops() / seconds
