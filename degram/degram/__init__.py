# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""degram: DEGram learnable time-frequency front-ends and the models, training, evaluation and
export tools built on them. Pure PyTorch: no ROS import anywhere in this package.

    >>> import degram
    >>> model = degram.build_model('degram', 'resnet18', num_classes=10)   # (B, L) -> (B, 10) logits
    >>> predictor = degram.load_model('speaker_id')                        # a shipped model
    >>> predictor.predict(waveform, 16000)                                 # class scores

Top-level names load on first use, so ``import degram.streaming`` (no torch) stays light.
"""
from __future__ import annotations

import importlib

_LAZY = {
    'build_model': 'degram.nn',
    'DEGramClassifier': 'degram.nn',
    'ModelConfig': 'degram.nn',
    'FRONTENDS': 'degram.frontends',
    'BACKBONES': 'degram.nn',
    'save_checkpoint': 'degram.inference',
    'load_checkpoint': 'degram.inference',
    'load_model': 'degram.inference',
    'Predictor': 'degram.inference',
    'CheckpointError': 'degram.inference',
    'PRETRAINED': 'degram.inference',
    'resolve_model_path': 'degram.inference',
    'load_audio': 'degram.audio',
    'AudioError': 'degram.audio',
}

__all__ = sorted(_LAZY) + ['__version__']


def _version() -> str:
    """The installed distribution's version, or (a source checkout) the one in package.xml."""
    import re
    from importlib import metadata
    from pathlib import Path

    source = Path(__file__).resolve().parents[1] / 'package.xml'
    if source.is_file():
        return re.search(r'<version>([^<]+)</version>', source.read_text()).group(1)
    try:
        return metadata.version('degram')
    except metadata.PackageNotFoundError:
        return '0+unknown'


def __getattr__(name):
    if name == '__version__':
        return _version()
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
