"""degram_ros: DEGram learnable time-frequency front-ends, models and ROS 2 nodes.

The model library is pure PyTorch (no ROS import):

    >>> from degram_ros import build_model, load_checkpoint
    >>> model = build_model('degram', 'resnet18', num_classes=10)   # (B, L) -> (B, 10) logits
    >>> model.frontend                                               # (B, L) -> (B, C, T, F)

Names are imported lazily so that ``import degram_ros`` stays cheap for the ROS launch tooling.
"""
from __future__ import annotations

__version__ = '0.1.0'

_LAZY = {
    'build_model': 'degram_ros.model',
    'DEGramClassifier': 'degram_ros.model',
    'FRONTENDS': 'degram_ros.frontends',
    'BACKBONES': 'degram_ros.backbones',
    'save_checkpoint': 'degram_ros.checkpoint',
    'load_checkpoint': 'degram_ros.checkpoint',
    'Checkpoint': 'degram_ros.checkpoint',
    'CheckpointError': 'degram_ros.checkpoint',
    'SHIPPED_MODELS': 'degram_ros.checkpoint',
    'resolve_model_path': 'degram_ros.checkpoint',
    'load_audio': 'degram_ros.audio',
    'AudioError': 'degram_ros.audio',
}

__all__ = sorted(_LAZY) + ['__version__']


def __getattr__(name):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
