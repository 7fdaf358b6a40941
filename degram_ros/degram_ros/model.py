# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Loading the model of ``degram_node`` (configure) and releasing it (cleanup), through
:func:`degram.inference.load_model` (PyTorch checkpoints, or ONNX Runtime for ``.onnx`` files and
``backend: onnxruntime``) and :func:`degram.inference.resolve_device`.

torch is imported here, on first use, so that importing the node module stays light and a
Ctrl-C during start-up lands in code that handles it.
"""
from __future__ import annotations

from dataclasses import dataclass

from degram.inference.metadata import ModelMetadata
from degram_ros.parameters import StartupError


@dataclass
class LoadedModel:
    predictor: object       # degram.inference.Predictor (or OnnxPredictor)
    task: str               # 'sound_event' | 'speaker_id'
    labels: list
    sample_rate: int
    name: str
    multi_label: bool
    device_text: str        # what ModelInfo.device and diagnostics show (with any fallback note)
    backend: str            # 'torch' | 'onnxruntime'
    meta: object            # degram.inference.ModelMetadata


def model_name(p: dict) -> str:
    """The model_path parameter, or the shipped model for the task."""
    return p['model_path'].strip() or p['task'] or 'sound_event'


def choose_backend(name: str, backend: str, explicit: bool) -> str:
    """The backend for model ``name``: an ``.onnx`` file runs on ONNX Runtime unless ``torch`` was
    asked for explicitly (a :class:`StartupError`)."""
    if not name.lower().endswith('.onnx'):
        return backend
    if backend == 'torch' and explicit:
        raise StartupError(f"cannot load model: {name} is an ONNX file, which backend 'torch' cannot "
                           "run; use backend 'onnxruntime' (or leave backend unset)")
    return 'onnxruntime'


def _device_text(predictor_text: str, resolved_text: str) -> str:
    """The predictor's own description, with the fallback note of the device resolution."""
    if 'fallback' not in resolved_text or 'fallback' in predictor_text:
        return predictor_text
    note = resolved_text[resolved_text.index('(') + 1:].rstrip(')')
    if predictor_text.endswith(')'):
        return f'{predictor_text[:-1]}; {note})'
    return f'{predictor_text} ({note})'


def load_model(p: dict, logger, backend_explicit: bool = False) -> LoadedModel:
    """Load the model the (validated) parameters ask for; raises :class:`StartupError` with one
    clear message (and the model_path hint) on any problem."""
    try:
        import torch

        from degram.inference import CheckpointError, DeviceError, resolve_device
        from degram.inference import load_model as load
    except ImportError as exc:
        raise StartupError(f'cannot import the model library ({exc}); install torch and '
                           'degram_ros') from None
    name = model_name(p)
    backend = choose_backend(name, p['backend'], backend_explicit)
    if p['num_threads'] > 0:
        torch.set_num_threads(int(p['num_threads']))
    try:
        device, device_text = resolve_device(p['device'])
    except DeviceError as exc:
        raise StartupError(f'invalid parameter device: {exc}') from None
    if 'fallback' in device_text:
        logger.warning(f'device: {device_text}')
    try:
        predictor = load(name, device=device, backend=backend, threads=int(p['num_threads']))
    except CheckpointError as exc:
        hint = ('' if p['model_path'].strip() else
                '; set it with the model_path parameter, e.g. '
                '--ros-args -p model_path:=/path/to/model.pt')
        raise StartupError(f'cannot load model: {exc}{hint}') from None
    except ImportError as exc:   # onnxruntime / onnx missing
        raise StartupError(f"cannot load model '{name}' with backend {backend}: {exc} (pip install "
                           'onnxruntime onnx)') from None
    except Exception as exc:  # anything else a broken file can raise
        raise StartupError(f"cannot load model '{name}': {type(exc).__name__}: {exc}") from None
    task = 'speaker_id' if predictor.task == 'speaker_id' else 'sound_event'
    if p['task'] and p['task'] != task:
        raise StartupError(f"model '{name}' is a {predictor.task} model but the task parameter is "
                           f"'{p['task']}'")
    return LoadedModel(
        predictor=predictor, task=task, labels=list(predictor.labels),
        sample_rate=int(predictor.sample_rate), name=predictor.name,
        multi_label=bool(predictor.multi_label),
        device_text=_device_text(predictor.device_text, device_text), backend=backend,
        meta=ModelMetadata.of(predictor))


def release(model: LoadedModel | None) -> None:
    """Drop the model's weights (and the CUDA cache they used)."""
    if model is None:
        return
    on_cuda = str(model.device_text).startswith('cuda')
    model.predictor = None
    if on_cuda:
        import torch

        torch.cuda.empty_cache()
