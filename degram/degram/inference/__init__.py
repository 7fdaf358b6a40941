# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Loading and running models: the checkpoint file format, the predictor, the shipped weights, and
:class:`ModelMetadata`, what a model file says about using it.

Names load on first use, so ``from degram.inference.metadata import ModelMetadata`` stays free of torch.
"""
from __future__ import annotations

import importlib

_LAZY = {
    **dict.fromkeys(('FORMAT_VERSION', 'TASKS', 'CheckpointError', 'load_checkpoint', 'load_model', 'read_payload',
                     'resolve_model_path', 'save_checkpoint', 'save_half', 'shipped_models'), 'checkpoint'),
    **dict.fromkeys(('DeviceError', 'resolve_device'), 'device'),
    **dict.fromkeys(('Predictor', 'scores_from_logits', 'top_k'), 'predictor'),
    **dict.fromkeys(('PRETRAINED', 'PretrainedModel'), 'pretrained'),
    **dict.fromkeys(('DEFAULT_HOP', 'DEFAULT_WINDOW', 'MetadataError', 'ModelMetadata'), 'metadata'),
}

__all__ = sorted(_LAZY)


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(f'{__name__}.{_LAZY[name]}'), name)
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
