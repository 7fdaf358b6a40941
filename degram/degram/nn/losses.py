# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Training losses that belong with the networks they train."""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

__all__ = ['aam_softmax_loss']


def aam_softmax_loss(logits: torch.Tensor, targets: torch.Tensor, scale: float, margin: float) -> torch.Tensor:
    """Additive angular margin softmax (ArcFace / AAM-softmax, Deng et al. 2019) from cosine logits
    ``scale · cos θ`` (B, K) and class indices (B,): the target's angle gets ``margin`` added, so
    embeddings of one speaker must cluster tighter than plain softmax asks.  Where θ + m would pass
    π the penalty continues linearly (cos θ − m·sin m), keeping the target logit monotonic."""
    cosine = (logits / scale).clamp(-1.0, 1.0)
    target = cosine.gather(1, targets[:, None])
    sine = (1.0 - target * target).clamp_min(0.0).sqrt()
    shifted = target * math.cos(margin) - sine * math.sin(margin)
    shifted = torch.where(target > math.cos(math.pi - margin), shifted, target - margin * math.sin(margin))
    return F.cross_entropy(scale * cosine.scatter(1, targets[:, None], shifted), targets)
