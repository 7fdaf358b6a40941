# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Running an exported ``.onnx`` model with ONNX Runtime behind the :class:`Predictor` interface.

CPU by default; ``device='cuda'`` asks for the TensorRT (when installed) and CUDA execution
providers, with TensorRT engines cached next to the model (``<model>.trt_cache/``), and falls back
to the CPU with the reason in :attr:`device_text`.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch

from ..nn import ModelOutput
from .metadata import ModelMetadata
from .predictor import Predictor


class OnnxModelError(ValueError):
    """An ONNX file that is not a degram export (no metadata, wrong outputs, unreadable)."""


def _providers(device: str, model_path: Path) -> list:
    import onnxruntime

    available = set(onnxruntime.get_available_providers())
    wanted: list = []
    if str(device).startswith('cuda'):
        index = int(str(device).split(':')[1]) if ':' in str(device) else 0
        if 'TensorrtExecutionProvider' in available:
            cache = model_path.with_suffix('.trt_cache')
            wanted.append(('TensorrtExecutionProvider', {'device_id': index, 'trt_engine_cache_enable': True,
                                                         'trt_engine_cache_path': str(cache)}))
        if 'CUDAExecutionProvider' in available:
            wanted.append(('CUDAExecutionProvider', {'device_id': index}))
    wanted.append('CPUExecutionProvider')
    return wanted


class OnnxPredictor(Predictor):
    """``infer`` gives logits and embedding (``representation`` is None: the graph does not output it)."""

    def __init__(self, path: str | Path, device: str = 'cpu', threads: int = 0):
        import onnxruntime

        path = Path(path)
        options = onnxruntime.SessionOptions()
        if threads:
            options.intra_op_num_threads = int(threads)
        try:
            self.session = onnxruntime.InferenceSession(str(path), options, providers=_providers(device, path))
        except Exception as exc:  # protobuf / ORT errors name the problem
            raise OnnxModelError(f'{path}: cannot be loaded by ONNX Runtime ({type(exc).__name__}: {exc})') from None
        props = self.session.get_modelmeta().custom_metadata_map
        if 'degram' not in props:
            raise OnnxModelError(f"{path}: not a degram ONNX export (no 'degram' metadata); export it with "
                                 f"'degram export MODEL --format onnx'")
        try:
            meta = ModelMetadata.from_dict(json.loads(props['degram']))
        except (ValueError, TypeError) as exc:
            raise OnnxModelError(f"{path}: unreadable 'degram' metadata ({exc})") from None
        outputs = [o.name for o in self.session.get_outputs()]
        if outputs[:2] != ['logits', 'embedding']:
            raise OnnxModelError(f'{path}: outputs {outputs}, expected logits and embedding (re-export it)')
        provider = self.session.get_providers()[0]
        self._device_text = {'CPUExecutionProvider': 'cpu (onnxruntime)'}.get(provider, f'{device} ({provider})')
        if str(device).startswith('cuda') and provider == 'CPUExecutionProvider':
            self._device_text = f'cpu (onnxruntime; fallback: {device} requested but no GPU execution provider)'
        if not (meta.labels and meta.task and meta.sample_rate):
            raise OnnxModelError(f'{path}: its degram metadata lacks labels, task or sample_rate (re-export it)')
        super().__init__(path=path, model=None, labels=list(meta.labels), task=meta.task,
                         sample_rate=meta.sample_rate, metadata=meta)

    @property
    def device(self) -> torch.device:
        return torch.device('cpu')   # where infer() returns its tensors

    @property
    def device_text(self) -> str:
        return self._device_text

    @property
    def frontend_name(self) -> str:
        return self.metadata.frontend

    @property
    def backbone_name(self) -> str:
        return self.metadata.backbone

    def infer(self, batch) -> ModelOutput:
        if isinstance(batch, torch.Tensor):
            batch = batch.detach().cpu().numpy()
        waveform = np.ascontiguousarray(batch, dtype=np.float32)
        logits, embedding = self.session.run(['logits', 'embedding'], {'waveform': waveform})
        return ModelOutput(None, torch.from_numpy(embedding), torch.from_numpy(logits))
