"""Loading and running models: the checkpoint file format, the predictor, the shipped weights."""
from .checkpoint import (FORMAT_VERSION, TASKS, CheckpointError, load_checkpoint, load_model, read_payload,
                         resolve_model_path, save_checkpoint, save_half, shipped_models)
from .device import DeviceError, resolve_device
from .predictor import Predictor, scores_from_logits, top_k
from .pretrained import PRETRAINED, PretrainedModel

__all__ = [
    'FORMAT_VERSION', 'PRETRAINED', 'TASKS', 'CheckpointError', 'DeviceError', 'PretrainedModel', 'Predictor',
    'load_checkpoint', 'load_model', 'read_payload', 'resolve_device', 'resolve_model_path', 'save_checkpoint',
    'save_half', 'scores_from_logits', 'shipped_models', 'top_k',
]
