# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""ONNX export of a whole model (front-end included) with a parity check against PyTorch.

The STFT of every front-end is a strided Conv1d (see frontends/stft.py), so the graph holds
only standard ONNX operators. Input ``waveform`` (batch, samples) of any length; outputs
``logits`` (batch, N) and ``embedding`` (batch, D). The file describes itself: the metadata key
``degram`` holds a JSON object with the name, task, labels, sample rate, multi_label, thresholds,
level gate and window of the checkpoint (:func:`onnx_metadata`), so
:func:`degram.load_model` runs it with ONNX Runtime like a checkpoint.
"""
from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import torch
from torch import nn

from ..inference.metadata import ModelMetadata

PARITY_TOLERANCE = 1e-3  # max |difference| of logits and embeddings accepted between ONNX Runtime and PyTorch
METADATA_KEY = 'degram'
OUTPUTS = ('logits', 'embedding')
# checkpoint metadata that tells a runtime how to use the model
RUNTIME_METADATA = ('name', 'multi_label', 'thresholds', 'min_level_db', 'window_length', 'hop_length',
                    'speaker_threshold', 'speaker_score_scale', 'embedding_model', 'min_speech_ratio',
                    'speaker_cohort', 'background')


class _Outputs(nn.Module):
    """The exported graph: waveform → (logits, embedding) of one pass."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def forward(self, waveform: torch.Tensor):
        out = self.model.run(waveform)
        return out.logits, out.embedding


def onnx_metadata(checkpoint) -> dict:
    """The JSON object stored under ``degram``: the runtime fields of the checkpoint's
    :class:`~degram.inference.ModelMetadata` and its self-description (task, labels, rate, architecture)."""
    return _described(checkpoint).to_dict() | {'multi_label': bool(checkpoint.multi_label)}


def _described(checkpoint) -> ModelMetadata:
    runtime = {key: value for key, value in checkpoint.metadata.to_dict().items() if key in RUNTIME_METADATA}
    return ModelMetadata.from_dict(runtime).replace(
        name=checkpoint.name, task=checkpoint.task, labels=list(checkpoint.labels),
        sample_rate=int(checkpoint.sample_rate), multi_label=bool(checkpoint.multi_label),
        frontend=checkpoint.model.frontend_name, backbone=checkpoint.model.backbone_name)


def export_onnx(checkpoint, path: str | Path, opset: int = 17) -> Path:
    """Write ``checkpoint.model`` as ONNX with its metadata (see the module doc)."""
    import onnx

    path = Path(path)
    model = checkpoint.model.to('cpu').eval()
    example = torch.zeros(1, checkpoint.sample_rate)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # the TorchScript exporter announces its deprecation
        # eval() on the wrapper: the exporter restores the mode of what it is given, recursively
        torch.onnx.export(_Outputs(model).eval(), (example,), str(path), dynamo=False, opset_version=opset,
                          input_names=['waveform'], output_names=list(OUTPUTS),
                          dynamic_axes={'waveform': {0: 'batch', 1: 'samples'}, 'logits': {0: 'batch'},
                                        'embedding': {0: 'batch'}})
    graph = onnx.load(str(path))
    described = _described(checkpoint)
    # the flat keys of the first exports stay, for tools that read them
    flat = {'labels': json.dumps(described.labels), 'task': described.task, 'sample_rate': str(described.sample_rate),
            'frontend': described.frontend, 'backbone': described.backbone,
            'multi_label': str(described.multi_label).lower(), METADATA_KEY: json.dumps(onnx_metadata(checkpoint))}
    for key, value in flat.items():
        graph.metadata_props.add(key=key, value=value)
    onnx.save(graph, str(path))
    return path


def check_parity(checkpoint, path: str | Path, lengths_s=(1.0, 3.7), batch: int = 2,
                 seed: int = 0) -> float:
    """Max |difference| of logits and embeddings between ONNX Runtime and PyTorch on random audio
    of each length."""
    from ..inference.onnx_predictor import OnnxPredictor

    runtime = OnnxPredictor(path)
    generator = np.random.default_rng(seed)
    worst = 0.0
    for seconds in lengths_s:
        waveform = (0.1 * generator.standard_normal((batch, int(seconds * checkpoint.sample_rate)))).astype(np.float32)
        ours = runtime.infer(waveform)
        with torch.inference_mode():
            theirs = checkpoint.model.cpu().run(torch.from_numpy(waveform))
        for a, b in ((ours.logits, theirs.logits), (ours.embedding, theirs.embedding)):
            worst = max(worst, float((a - b).abs().max()))
    return worst
