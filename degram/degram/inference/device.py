# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Device choice by name: 'auto' | 'cpu' | 'cuda' | 'cuda:N'."""
from __future__ import annotations

import re

import torch

DEVICE_PATTERN = re.compile(r'^(auto|cpu|cuda(:\d+)?)$')


class DeviceError(ValueError):
    """A device name that is malformed, or a GPU that is not there (without fallback)."""


def resolve_device(spec: str | None, fallback: bool = True) -> tuple[torch.device, str]:
    """→ (torch device, human description). ``auto`` (or empty) = the first GPU when CUDA works,
    else the CPU. An unavailable GPU falls back to the CPU with the reason in the description
    (``fallback``), or raises :class:`DeviceError`."""
    name = (spec or 'auto').strip().lower()
    if not DEVICE_PATTERN.match(name):
        raise DeviceError(f"invalid device '{spec}' (use auto, cpu, cuda or cuda:N)")
    cuda = torch.cuda.is_available()
    if name == 'auto':
        device = torch.device('cuda:0' if cuda else 'cpu')
        return device, str(device)
    if name == 'cpu':
        return torch.device('cpu'), 'cpu'
    index = int(name.split(':')[1]) if ':' in name else 0
    if not cuda:
        problem = f'{name} requested but CUDA is not available'
    elif index >= torch.cuda.device_count():
        problem = f'{name} requested but only {torch.cuda.device_count()} CUDA device(s)'
    else:
        return torch.device(f'cuda:{index}'), f'cuda:{index}'
    if not fallback:
        raise DeviceError(f'device {problem}')
    return torch.device('cpu'), f'cpu (fallback: {problem})'
