# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""2-D CNN backbones over a representation (B, C, T, F) → logits (B, num_classes).

ResNet-18/34/50 (He et al. 2016) with a C-channel 7×7/2 stem and max-pool, and their ECA variants
(Wang et al. 2020): after each residual branch, GAP over space → Conv1d over channels → sigmoid →
channel scale. ``degramnet`` is the paper's ECA-ResNet with bottleneck stages (3, 8, 36, 3).
Global average pooling makes any input length work.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from ..registry import Registry

HEADS = ('linear', 'cosine')
POOLINGS = ('mean', 'stats')


def eca_kernel_size(channels: int) -> int:
    """|(log2(C) + 1) / 2| rounded to the nearest odd number (ECA-Net, γ = 2, b = 1)."""
    size = int(abs((math.log2(channels) + 1) / 2))
    return size if size % 2 else size + 1


class ECA(nn.Module):
    """Efficient channel attention: (B, C, H, W) → (B, C, H, W)."""

    def __init__(self, channels: int):
        super().__init__()
        size = eca_kernel_size(channels)
        self.conv = nn.Conv1d(1, 1, size, padding=size // 2, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pooled = x.mean(dim=(2, 3))                     # (B, C)
        gate = torch.sigmoid(self.conv(pooled.unsqueeze(1))).squeeze(1)
        return x * gate[:, :, None, None]


def _conv_bn(in_channels: int, out_channels: int, kernel: int, stride: int = 1) -> list[nn.Module]:
    return [nn.Conv2d(in_channels, out_channels, kernel, stride, kernel // 2, bias=False),
            nn.BatchNorm2d(out_channels)]


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, in_channels: int, channels: int, stride: int = 1, eca: bool = False):
        super().__init__()
        self.branch = nn.Sequential(*_conv_bn(in_channels, channels, 3, stride), nn.ReLU(inplace=True),
                                    *_conv_bn(channels, channels, 3))
        self.attention = ECA(channels) if eca else nn.Identity()
        self.shortcut = _shortcut(in_channels, channels, stride)
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.relu(self.attention(self.branch(x)) + self.shortcut(x))


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, in_channels: int, channels: int, stride: int = 1, eca: bool = False):
        super().__init__()
        out_channels = channels * self.expansion
        self.branch = nn.Sequential(*_conv_bn(in_channels, channels, 1), nn.ReLU(inplace=True),
                                    *_conv_bn(channels, channels, 3, stride), nn.ReLU(inplace=True),
                                    *_conv_bn(channels, out_channels, 1))
        self.attention = ECA(out_channels) if eca else nn.Identity()
        self.shortcut = _shortcut(in_channels, out_channels, stride)
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.relu(self.attention(self.branch(x)) + self.shortcut(x))


def _shortcut(in_channels: int, out_channels: int, stride: int) -> nn.Module:
    if stride == 1 and in_channels == out_channels:
        return nn.Identity()
    return nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, stride, bias=False),
                         nn.BatchNorm2d(out_channels))


class ResNet(nn.Module):
    """(B, C, T, F) → logits (B, num_classes); ``features`` gives the pooled embedding (B, D).

    ``head``: ``linear`` (dropout + a linear layer) or ``cosine`` (``scale`` × the cosine between
    the embedding and each class's weight vector: the logits of AAM-softmax speaker-embedding
    training, whose embeddings are then compared by cosine).

    ``pooling``: ``mean`` (global average over time and frequency) or ``stats`` (average over
    frequency, then the mean and standard deviation over time: statistics pooling of speaker
    models). ``embedding_dim`` > 0 adds a linear layer + BatchNorm after the pooling, so the
    embedding is not confined to the positive orthant of the last ReLU (cosines then use the whole
    sphere, as a speaker embedding needs).
    """

    def __init__(self, block: type[BasicBlock] | type[Bottleneck], layers: tuple[int, ...],
                 num_classes: int, in_channels: int = 1, dropout: float = 0.5, eca: bool = False,
                 width: int = 64, head: str = 'linear', scale: float = 30.0, pooling: str = 'mean',
                 embedding_dim: int = 0):
        super().__init__()
        if num_classes < 1:
            raise ValueError(f'num_classes must be >= 1, got {num_classes}')
        if head not in HEADS:
            raise ValueError(f'head must be one of {HEADS}, got {head!r}')
        if pooling not in POOLINGS:
            raise ValueError(f'pooling must be one of {POOLINGS}, got {pooling!r}')
        self.head, self.scale, self.pooling = head, float(scale), pooling
        self.stem = nn.Sequential(*_conv_bn(in_channels, width, 7, 2), nn.ReLU(inplace=True),
                                  nn.MaxPool2d(3, 2, 1))
        stages, channels = [], width
        for index, blocks in enumerate(layers):
            planes = width * 2 ** index
            stride = 1 if index == 0 else 2
            for block_index in range(blocks):
                stages.append(block(channels, planes, stride if block_index == 0 else 1, eca))
                channels = planes * block.expansion
        self.stages = nn.Sequential(*stages)
        pooled = channels * (2 if pooling == 'stats' else 1)
        self.project = (nn.Sequential(nn.Linear(pooled, embedding_dim), nn.BatchNorm1d(embedding_dim))
                        if embedding_dim > 0 else None)
        self.embedding_size = embedding_dim if embedding_dim > 0 else pooled
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(self.embedding_size, num_classes, bias=head == 'linear')
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight, mode='fan_out', nonlinearity='relu')
            elif isinstance(module, nn.BatchNorm2d):
                nn.init.ones_(module.weight)
                nn.init.zeros_(module.bias)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, T, F) → pooled embedding (B, D)."""
        maps = self.stages(self.stem(x))
        if self.pooling == 'stats':
            over_time = maps.mean(dim=3)                                    # (B, C, T')
            std = (over_time.var(dim=2, unbiased=False) + 1e-5).sqrt()
            pooled = torch.cat([over_time.mean(dim=2), std], dim=1)        # (B, 2C)
        else:
            pooled = maps.mean(dim=(2, 3))
        return pooled if self.project is None else self.project(pooled)

    def classify(self, embedding: torch.Tensor) -> torch.Tensor:
        """Embedding (B, D) → logits (B, num_classes)."""
        if self.head == 'cosine':
            return self.scale * F.linear(F.normalize(embedding), F.normalize(self.fc.weight))
        return self.fc(self.dropout(embedding))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classify(self.features(x))


def _factory(block, layers, eca):
    def build(num_classes: int, in_channels: int = 1, dropout: float = 0.5, width: int = 64,
              head: str = 'linear', scale: float = 30.0, pooling: str = 'mean', embedding_dim: int = 0) -> ResNet:
        return ResNet(block, layers, num_classes, in_channels, dropout, eca, width, head, scale, pooling,
                      embedding_dim)

    build.__doc__ = (f"{'ECA-' if eca else ''}ResNet with {block.__name__} stages {layers}.")
    return build


BACKBONES: Registry = Registry('backbone')
for _name, _block, _layers, _eca in (
        ('resnet18', BasicBlock, (2, 2, 2, 2), False),
        ('resnet34', BasicBlock, (3, 4, 6, 3), False),
        ('resnet50', Bottleneck, (3, 4, 6, 3), False),
        ('eca_resnet18', BasicBlock, (2, 2, 2, 2), True),
        ('eca_resnet34', BasicBlock, (3, 4, 6, 3), True),
        ('eca_resnet50', Bottleneck, (3, 4, 6, 3), True),
        ('degramnet', Bottleneck, (3, 8, 36, 3), True)):
    BACKBONES.register(_name, _factory(_block, _layers, _eca))
