# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The checkpoint file format: one self-describing file with architecture, weights, labels, task,
rate and metadata.

Saved with ``torch.save`` as plain containers and tensors and loaded with
``torch.load(weights_only=True)``: loading never executes pickled code.

Format versions: 1 stored the model config as one flat bag (``frontend='degram', dropout=0.5``);
2 stores it nested (:class:`degram.nn.ModelConfig`). Both load.
"""
from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import torch

from ..atomic import atomic_path
from ..nn import DEGramClassifier, build_from_config
from ..streaming.pcm import quote
from .metadata import MetadataError, ModelMetadata
from .predictor import Predictor
from .pretrained import PRETRAINED, PretrainedError, nearest_name, resolve

FORMAT = 'degram.checkpoint'
FORMATS = (FORMAT, 'degram_ros.checkpoint')   # the second: files written before the library split
FORMAT_VERSION = 2
TASKS = ('sound_event', 'speaker_id')


class CheckpointError(ValueError):
    """A checkpoint that cannot be used; the message names the file and the problem."""


def resolve_model_path(model: str | Path) -> Path:
    """A shipped model's name (see :data:`PRETRAINED`; sha256-verified) or a file path → Path."""
    try:
        return resolve(model)[0]
    except PretrainedError as exc:
        raise CheckpointError(str(exc)) from None


def save_checkpoint(model: DEGramClassifier, path: str | Path, labels: list[str], task: str,
                    half: bool = False, **metadata: Any) -> Path:
    """Write ``model`` with its labels, task and any JSON-like ``metadata`` (the fields of
    :class:`ModelMetadata`, checked, and any other keys) to ``path`` (atomically: a temporary file
    renamed into place).

    ``half`` stores floating-point weights as fp16 (half the size; loaded back as fp32).
    """
    if task not in TASKS:
        raise ValueError(f'task must be one of {TASKS}, got {task!r}')
    if len(labels) != model.num_classes:
        raise ValueError(f'{len(labels)} labels for a model with {model.num_classes} classes')
    metadata = ModelMetadata.from_dict(metadata).to_dict()
    state = {name: (tensor.detach().cpu().half() if half and tensor.is_floating_point()
                    else tensor.detach().cpu())
             for name, tensor in model.state_dict().items()}
    payload = {
        'format': FORMAT,
        'format_version': FORMAT_VERSION,
        'config': model.config.to_dict(),
        'state_dict': state,
        'labels': [str(label) for label in labels],
        'task': task,
        'sample_rate': int(model.sample_rate),
        'metadata': metadata,
    }
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:   # never leave a half-written checkpoint under the real name
        torch.save(payload, tmp)
    return path


def save_half(source: str | Path, destination: str | Path, name: str | None = None) -> Path:
    """Re-save a checkpoint with fp16 weights (half the size; how shipped models are stored),
    optionally under another model ``name`` (what ModelInfo and ``degram info`` show)."""
    checkpoint = load_checkpoint(source)
    metadata = checkpoint.metadata.replace(name=name) if name else checkpoint.metadata
    return save_checkpoint(checkpoint.model, destination, labels=checkpoint.labels, task=checkpoint.task,
                           half=True, **metadata.to_dict())


def read_payload(path: Path) -> dict[str, Any]:
    """The validated contents of a checkpoint file (any supported format version)."""
    if not path.exists():
        guess = nearest_name(path.name) if len(path.parts) == 1 and not path.suffix else None
        hint = f"; did you mean the shipped model '{guess}'?" if guess else ''
        raise CheckpointError(f'{path}: no such checkpoint file{hint}')
    if not path.is_file():
        raise CheckpointError(f'{path}: not a file')
    if not zipfile.is_zipfile(path):
        raise CheckpointError(f'{path}: not a degram checkpoint (not a PyTorch zip archive; '
                              f'the file is corrupt, truncated or of another kind)')
    try:
        payload = torch.load(path, map_location='cpu', weights_only=True)
    except Exception as exc:  # truncated archives, foreign pickles, unsafe globals …
        raise CheckpointError(f'{path}: cannot be read as a degram checkpoint '
                              f'(corrupt, truncated or foreign: {type(exc).__name__}: {exc})') from exc
    if not isinstance(payload, dict) or payload.get('format') not in FORMATS:
        hint = ' (it looks like a bare state_dict)' if isinstance(payload, dict) and all(
            isinstance(v, torch.Tensor) for v in payload.values()) else ''
        raise CheckpointError(f"{path}: not a degram checkpoint{hint}; expected 'format': '{FORMAT}'")
    version = payload.get('format_version')
    if not isinstance(version, int):
        raise CheckpointError(f'{path}: checkpoint has no valid format_version')
    if version > FORMAT_VERSION:
        raise CheckpointError(f'{path}: checkpoint format version {version} is newer than this '
                              f'degram supports ({FORMAT_VERSION}); upgrade degram')
    missing = [key for key in ('config', 'state_dict', 'labels', 'task', 'sample_rate') if key not in payload]
    if missing:
        raise CheckpointError(f'{path}: checkpoint lacks {missing}')
    rate = payload['sample_rate']
    if isinstance(rate, bool) or not isinstance(rate, int) or not 0 < rate <= 768000:
        raise CheckpointError(f'{path}: sample_rate {quote(rate)} is not a rate in Hz (1 … 768000)')
    if payload['task'] not in TASKS:
        raise CheckpointError(f'{path}: task {quote(payload["task"])} is none of {TASKS}')
    labels = payload['labels']
    if not isinstance(labels, (list, tuple)) or not labels or not all(isinstance(x, str) for x in labels):
        raise CheckpointError(f'{path}: labels must be a non-empty list of strings')
    return payload


def load_checkpoint(model: str | Path, device: str | torch.device = 'cpu') -> Predictor:
    """Load a checkpoint file or a shipped model by name onto ``device``, in eval mode."""
    path = resolve_model_path(model)
    payload = read_payload(path)
    try:
        network = build_from_config(payload['config'])
        network.load_state_dict(payload['state_dict'])
    except (TypeError, ValueError, RuntimeError, KeyError) as exc:
        raise CheckpointError(f'{path}: weights do not match the architecture it describes ({exc})') from exc
    if network.num_classes != len(payload['labels']):
        raise CheckpointError(f"{path}: {len(payload['labels'])} labels for a model with {network.num_classes} "
                              f'outputs')
    broken = [name for name, tensor in network.state_dict().items()
              if tensor.is_floating_point() and not torch.isfinite(tensor).all()]
    if broken:
        raise CheckpointError(f'{path}: the weights hold NaN/Inf values ({len(broken)} tensors, e.g. '
                              f'{broken[0]}); the file is damaged or the training diverged')
    try:
        metadata = ModelMetadata.from_dict(payload.get('metadata'))
    except MetadataError as exc:
        raise CheckpointError(f'{path}: {exc}') from None
    network.to(device).eval()
    return Predictor(path=path, model=network, labels=list(payload['labels']), task=payload['task'],
                     sample_rate=int(payload['sample_rate']), metadata=metadata)


BACKENDS = ('auto', 'torch', 'onnxruntime')


def load_model(name_or_path: str | Path, device: str | torch.device = 'cpu', backend: str = 'auto',
               threads: int = 0) -> Predictor:
    """``degram.load_model('speaker_id')``: a shipped model by name, a checkpoint file or an
    ``.onnx`` export, as a :class:`Predictor`.

    ``backend``: ``auto`` (ONNX Runtime for ``.onnx`` files, PyTorch otherwise), ``torch``, or
    ``onnxruntime`` (a checkpoint is exported once to ``<cache>/<name>-<sha256 prefix>.onnx``,
    with the parity check, where ``<cache>`` is ``$DEGRAM_CACHE`` or ``~/.cache/degram``).
    """
    if backend not in BACKENDS:
        raise CheckpointError(f'backend must be one of {BACKENDS}, got {backend!r}')
    is_onnx = str(name_or_path).lower().endswith('.onnx')
    if is_onnx and backend == 'torch':
        raise CheckpointError(f'{name_or_path}: an ONNX file needs backend onnxruntime (or auto)')
    if not is_onnx and backend != 'onnxruntime':
        return load_checkpoint(name_or_path, device)
    from .onnx_predictor import OnnxModelError, OnnxPredictor

    path, source = (Path(name_or_path).expanduser(), None) if is_onnx else _exported(name_or_path)
    try:
        predictor = OnnxPredictor(path, str(device), threads)
    except OnnxModelError as exc:
        raise CheckpointError(str(exc)) from None
    predictor.source = source   # the checkpoint behind a cached export (model_fingerprint hashes it)
    return predictor


def _exported(name_or_path) -> tuple[Path, Path]:
    """The cached ONNX export of a checkpoint (made, and parity-checked, on first use) and the
    checkpoint file."""
    import hashlib
    import os

    from ..export import PARITY_TOLERANCE, check_parity, export_onnx

    source = resolve_model_path(name_or_path)
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:16]
    cache = Path(os.environ.get('DEGRAM_CACHE') or Path.home() / '.cache' / 'degram')
    target = cache / f'{source.stem}-{digest}.onnx'
    if not target.is_file():
        checkpoint = load_checkpoint(source)
        cache.mkdir(parents=True, exist_ok=True)
        with atomic_path(target) as partial:
            export_onnx(checkpoint, partial)
            error = check_parity(checkpoint, partial)
            if error > PARITY_TOLERANCE:
                raise CheckpointError(f'{source}: the ONNX export differs from PyTorch by {error:.2e} '
                                      f'(tolerance {PARITY_TOLERANCE:.0e}); use backend torch')
    return target, source


def shipped_models() -> list[str]:
    return PRETRAINED.names()
