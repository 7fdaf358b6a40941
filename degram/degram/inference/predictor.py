# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The one inference path: a loaded model, its labels and task, and the calls that run it.

:meth:`Predictor.infer` returns the representation, the embedding and the logits of one forward
pass; :meth:`Predictor.scores` turns logits into class scores (sigmoid for multi-label models,
softmax otherwise). The node, ``degram eval`` / ``predict``, training validation and the
benchmarks all go through these.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from ..audio import resample
from ..nn import DEGramClassifier, ModelOutput
from .metadata import ModelMetadata


def scores_from_logits(logits: torch.Tensor, multi_label: bool) -> torch.Tensor:
    """(…, N) logits → class scores in [0, 1]: independent sigmoids or one softmax."""
    return torch.sigmoid(logits) if multi_label else torch.softmax(logits, dim=-1)


def top_k(scores: np.ndarray, k: int) -> list[tuple[int, float]]:
    """Indices and scores of the k highest scores, highest first (stable for ties)."""
    scores = np.asarray(scores, dtype=np.float64).reshape(-1)
    k = max(1, min(int(k), scores.size))
    order = np.argsort(-scores, kind='stable')[:k]
    return [(int(i), float(scores[i])) for i in order]


@dataclass
class Predictor:
    """A model in eval mode with what it was trained for (from :func:`degram.load_checkpoint`)."""

    path: Path
    model: DEGramClassifier
    labels: list[str]
    task: str
    sample_rate: int
    #: what the file says about using the model (a dict given here becomes a :class:`ModelMetadata`)
    metadata: ModelMetadata = field(default_factory=ModelMetadata)
    #: the checkpoint the weights came from when ``path`` is a derived file (the cached ONNX
    #: export of a checkpoint run with ONNX Runtime); None when ``path`` is that file itself
    source: Path | None = None

    def __post_init__(self):
        self.metadata = ModelMetadata.from_dict(self.metadata)

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    @property
    def weights_file(self) -> Path:
        """The file the model was loaded from (for an ONNX Runtime run of a checkpoint: the checkpoint)."""
        return self.source or self.path

    @property
    def multi_label(self) -> bool:
        return self.metadata.multi_label

    @property
    def name(self) -> str:
        return self.metadata.name or self.path.stem

    @property
    def frontend_name(self) -> str:
        return self.model.frontend_name

    @property
    def backbone_name(self) -> str:
        return self.model.backbone_name

    @property
    def device_text(self) -> str:
        return str(self.device)

    def scores(self, logits: torch.Tensor) -> torch.Tensor:
        """Logits → class scores (sigmoid for multi-label models, softmax otherwise)."""
        return scores_from_logits(logits, self.multi_label)

    def infer(self, batch: torch.Tensor | np.ndarray) -> ModelOutput:
        """(B, L) float32 at the model's rate → representation, embedding and logits (no grad)."""
        if not isinstance(batch, torch.Tensor):
            batch = torch.from_numpy(np.ascontiguousarray(batch, dtype=np.float32))
        with torch.inference_mode():
            return self.model.run(batch.to(self.device))

    def _batch(self, waveform, sample_rate: int) -> tuple[np.ndarray, bool]:
        samples = waveform.detach().cpu().numpy() if isinstance(waveform, torch.Tensor) else np.asarray(waveform)
        if samples.ndim not in (1, 2):
            raise ValueError(f'expected a waveform (L,) or (B, L), got shape {samples.shape}')
        single = samples.ndim == 1
        samples = np.atleast_2d(samples).astype(np.float32, copy=False)
        if sample_rate != self.sample_rate:
            samples = resample(samples.T, sample_rate, self.sample_rate).T
        return np.ascontiguousarray(samples), single

    def predict(self, waveform, sample_rate: int) -> np.ndarray:
        """Waveform (L,) or (B, L), float in [-1, 1], any rate → class scores (N,) or (B, N)."""
        samples, single = self._batch(waveform, sample_rate)
        scores = self.scores(self.infer(samples).logits).float().cpu().numpy()
        return scores[0] if single else scores

    def embed(self, waveform, sample_rate: int) -> np.ndarray:
        """Waveform (L,) or (B, L), any rate → L2-normalised embedding (D,) or (B, D)."""
        samples, single = self._batch(waveform, sample_rate)
        embedding = torch.nn.functional.normalize(self.infer(samples).embedding.float(), dim=-1)
        embedding = embedding.cpu().numpy()
        return embedding[0] if single else embedding
