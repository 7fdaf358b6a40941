# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Which model made an embedding: ``(model name, sha256 of the model file)``.

Embeddings of two models (or two trainings of one) are not comparable, so a speaker database
records the fingerprint of the model it was enrolled with and refuses any other.

- a shipped model (by name, or a predictor loaded from a shipped file): its manifest name and
  the manifest's sha256 (the file is verified against it when it is loaded);
- a predictor: ``predictor.name`` and the sha256 of ``predictor.weights_file`` (the checkpoint,
  also when it runs on ONNX Runtime through the cached export);
- a checkpoint path: the name stored in it (else the file stem), as ``predictor.name`` gives it;
- an ``.onnx`` path: the name in its metadata (else the stem). An exported ``.onnx`` file is a
  different file from its checkpoint, hence a different fingerprint.

Hashes of files are cached by (path, size, modification time).
"""
from __future__ import annotations

import json
import threading
from pathlib import Path

from ..inference.metadata import ModelMetadata

__all__ = ['model_fingerprint']

_CACHE: dict[tuple[str, int, int], str] = {}
_CACHE_LOCK = threading.Lock()


def _file_sha256(path: Path) -> str:
    from ..inference.pretrained import sha256_of

    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    with _CACHE_LOCK:
        if key in _CACHE:
            return _CACHE[key]
    digest = sha256_of(path)
    with _CACHE_LOCK:
        _CACHE[key] = digest
    return digest


def _shipped_entry(path: Path):
    """The manifest entry whose file is ``path``, or None."""
    from ..inference.pretrained import PRETRAINED

    resolved = path.resolve()
    for name in PRETRAINED.names():
        entry = PRETRAINED.get(name)
        if entry.file.resolve() == resolved:
            return entry
    return None


def _name_in_file(path: Path) -> str:
    """The model name a predictor loaded from ``path`` would report (``Predictor.name``)."""
    if path.suffix.lower() == '.onnx':
        import onnxruntime

        from ..inference.checkpoint import CheckpointError

        try:
            session = onnxruntime.InferenceSession(str(path), providers=['CPUExecutionProvider'])
            meta = json.loads(session.get_modelmeta().custom_metadata_map.get('degram', '{}'))
        except Exception as exc:
            raise CheckpointError(f'{path}: cannot be read by ONNX Runtime ({type(exc).__name__}: {exc})') from None
    else:
        from ..inference.checkpoint import read_payload

        meta = read_payload(path).get('metadata')
    return ModelMetadata.from_dict(meta).name or path.stem


def model_fingerprint(predictor_or_path) -> tuple[str, str]:
    """A predictor, a shipped model name or a model file path → ``(name, sha256 hex)``.

    Raises :class:`degram.CheckpointError` for a file that is missing or not a model.
    """
    from ..inference.checkpoint import CheckpointError, resolve_model_path
    from ..inference.pretrained import PRETRAINED

    if isinstance(predictor_or_path, str) and predictor_or_path in PRETRAINED:
        entry = PRETRAINED.get(predictor_or_path)
        return entry.name, entry.sha256
    if isinstance(predictor_or_path, (str, Path)):
        path = resolve_model_path(predictor_or_path)
        if not path.is_file():
            raise CheckpointError(f'{path}: no such model file')
        entry = _shipped_entry(path)
        if entry is not None:
            return entry.name, entry.sha256
        return _name_in_file(path), _file_sha256(path)
    weights = getattr(predictor_or_path, 'weights_file', None)
    if weights is None:
        raise TypeError(f'expected a predictor, a shipped model name or a model path, '
                        f'got {type(predictor_or_path).__name__}')
    path = Path(weights)
    entry = _shipped_entry(path)
    if entry is not None:
        return entry.name, entry.sha256
    return predictor_or_path.name, _file_sha256(path)
