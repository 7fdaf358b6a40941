"""One self-describing checkpoint file: architecture, weights, labels, task, rate, metadata.

Saved with ``torch.save`` as plain containers and tensors and loaded with
``torch.load(weights_only=True)``: loading never executes pickled code.
"""
from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from .model import DEGramClassifier, build_model

FORMAT = 'degram_ros.checkpoint'
FORMAT_VERSION = 1
TASKS = ('sound_event', 'speaker_id')
SHIPPED_MODELS = ('sound_event', 'speaker_id', 'keyword')
SHIPPED_DIR = Path(__file__).resolve().parent / 'models'


class CheckpointError(ValueError):
    """A checkpoint that cannot be used; the message names the file and the problem."""


def resolve_model_path(model: str | Path) -> Path:
    """A shipped model's name (``sound_event``, ``speaker_id``, ``keyword``) or a file path → Path."""
    if str(model) in SHIPPED_MODELS:
        path = SHIPPED_DIR / f'{model}.pt'
        if not path.is_file():
            raise CheckpointError(
                f"no shipped model named '{model}' is installed (expected {path}); "
                f"pass a checkpoint file instead, or train one with "
                f"'degram train --config {model}'")
        return path
    return Path(model).expanduser()


def save_checkpoint(model: DEGramClassifier, path: str | Path, labels: list[str], task: str,
                    half: bool = False, **metadata: Any) -> Path:
    """Write ``model`` with its labels, task and any JSON-like ``metadata`` to ``path``.

    ``half`` stores floating-point weights as fp16 (half the size; loaded back as fp32).
    """
    if task not in TASKS:
        raise ValueError(f'task must be one of {TASKS}, got {task!r}')
    if len(labels) != model.num_classes:
        raise ValueError(f'{len(labels)} labels for a model with {model.num_classes} classes')
    state = {name: (tensor.detach().cpu().half() if half and tensor.is_floating_point()
                    else tensor.detach().cpu())
             for name, tensor in model.state_dict().items()}
    payload = {
        'format': FORMAT,
        'format_version': FORMAT_VERSION,
        'config': dict(model.config),
        'state_dict': state,
        'labels': [str(label) for label in labels],
        'task': task,
        'sample_rate': int(model.sample_rate),
        'metadata': metadata,
    }
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + '.tmp')
    torch.save(payload, tmp)
    tmp.replace(path)  # never leave a half-written checkpoint under the real name
    return path


@dataclass
class Checkpoint:
    """A loaded model (eval mode) and what it was trained for."""

    path: Path
    model: DEGramClassifier
    labels: list[str]
    task: str
    sample_rate: int
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    @property
    def multi_label(self) -> bool:
        return bool(self.metadata.get('multi_label', False))

    @property
    def name(self) -> str:
        return str(self.metadata.get('name') or self.path.stem)

    def scores(self, logits: torch.Tensor) -> torch.Tensor:
        """Logits → class probabilities (sigmoid for multi-label models, softmax otherwise)."""
        return torch.sigmoid(logits) if self.multi_label else torch.softmax(logits, dim=-1)

    def predict(self, waveform, sample_rate: int) -> np.ndarray:
        """Waveform (L,) or (B, L), float in [-1, 1] → probabilities (N,) or (B, N).

        Audio at another rate is resampled to the model's rate first.
        """
        samples = waveform.detach().cpu().numpy() if isinstance(waveform, torch.Tensor) else np.asarray(waveform)
        single = samples.ndim == 1
        if samples.ndim not in (1, 2):
            raise ValueError(f'expected a waveform (L,) or (B, L), got shape {samples.shape}')
        samples = np.atleast_2d(samples).astype(np.float32, copy=False)
        if sample_rate != self.sample_rate:
            from .audio import resample

            samples = resample(samples.T, sample_rate, self.sample_rate).T
        batch = torch.from_numpy(np.ascontiguousarray(samples)).to(self.device)
        with torch.inference_mode():
            probabilities = self.scores(self.model(batch)).float().cpu().numpy()
        return probabilities[0] if single else probabilities


def save_half(source: str | Path, destination: str | Path, name: str | None = None) -> Path:
    """Re-save a checkpoint with fp16 weights (half the size; how shipped models are stored),
    optionally under another model ``name`` (what ModelInfo and ``degram info`` show)."""
    checkpoint = load_checkpoint(source)
    metadata = dict(checkpoint.metadata, **({'name': name} if name else {}))
    return save_checkpoint(checkpoint.model, destination, labels=checkpoint.labels, task=checkpoint.task,
                           half=True, **metadata)


def _read(path: Path) -> dict[str, Any]:
    if not path.exists():
        raise CheckpointError(f'{path}: no such checkpoint file')
    if not path.is_file():
        raise CheckpointError(f'{path}: not a file')
    if not zipfile.is_zipfile(path):
        raise CheckpointError(f'{path}: not a degram_ros checkpoint (not a PyTorch zip archive; '
                              f'the file is corrupt, truncated or of another kind)')
    try:
        payload = torch.load(path, map_location='cpu', weights_only=True)
    except Exception as exc:  # truncated archives, foreign pickles, unsafe globals …
        raise CheckpointError(f'{path}: cannot be read as a degram_ros checkpoint '
                              f'(corrupt, truncated or foreign: {type(exc).__name__}: {exc})') from exc
    if not isinstance(payload, dict) or payload.get('format') != FORMAT:
        hint = ' (it looks like a bare state_dict)' if isinstance(payload, dict) and all(
            isinstance(v, torch.Tensor) for v in payload.values()) else ''
        raise CheckpointError(f"{path}: not a degram_ros checkpoint{hint}; "
                              f"expected 'format': '{FORMAT}'")
    version = payload.get('format_version')
    if not isinstance(version, int):
        raise CheckpointError(f'{path}: checkpoint has no valid format_version')
    if version > FORMAT_VERSION:
        raise CheckpointError(f'{path}: checkpoint format version {version} is newer than this '
                              f'degram_ros supports ({FORMAT_VERSION}); upgrade degram_ros')
    missing = [key for key in ('config', 'state_dict', 'labels', 'task', 'sample_rate') if key not in payload]
    if missing:
        raise CheckpointError(f'{path}: checkpoint lacks {missing}')
    return payload


def load_checkpoint(model: str | Path, device: str | torch.device = 'cpu') -> Checkpoint:
    """Load a checkpoint file or a shipped model by name onto ``device``, in eval mode."""
    path = resolve_model_path(model)
    payload = _read(path)
    try:
        network = build_model(**payload['config'])
        network.load_state_dict(payload['state_dict'])
    except (TypeError, ValueError, RuntimeError, KeyError) as exc:
        raise CheckpointError(f'{path}: weights do not match the architecture it describes ({exc})') from exc
    network.to(device).eval()
    return Checkpoint(path=path, model=network, labels=list(payload['labels']), task=payload['task'],
                      sample_rate=int(payload['sample_rate']), metadata=dict(payload.get('metadata') or {}))
