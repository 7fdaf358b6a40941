"""ONNX export of a whole model (front-end included) with a parity check against PyTorch.

The STFT of every front-end is a strided Conv1d (see frontends/stft.py), so the graph holds
only standard ONNX operators; inputs are waveforms (batch, samples) of any length.
"""
from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import torch

PARITY_TOLERANCE = 1e-3  # max |logit difference| accepted between ONNX Runtime and PyTorch


def export_onnx(checkpoint, path: str | Path, opset: int = 17) -> Path:
    """Write ``checkpoint.model`` as ONNX: input ``waveform`` (B, L) → output ``logits`` (B, N)."""
    import onnx

    path = Path(path)
    model = checkpoint.model.to('cpu').eval()
    example = torch.zeros(1, checkpoint.sample_rate)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # the TorchScript exporter announces its deprecation
        torch.onnx.export(model, (example,), str(path), dynamo=False, opset_version=opset,
                          input_names=['waveform'], output_names=['logits'],
                          dynamic_axes={'waveform': {0: 'batch', 1: 'samples'}, 'logits': {0: 'batch'}})
    graph = onnx.load(str(path))
    meta = {'labels': json.dumps(checkpoint.labels), 'task': checkpoint.task,
            'sample_rate': str(checkpoint.sample_rate), 'frontend': model.frontend_name,
            'backbone': model.backbone_name, 'multi_label': str(checkpoint.multi_label).lower()}
    for key, value in meta.items():
        graph.metadata_props.add(key=key, value=value)
    onnx.save(graph, str(path))
    return path


def check_parity(checkpoint, path: str | Path, lengths_s=(1.0, 3.7), batch: int = 2,
                 seed: int = 0) -> float:
    """Max |logit difference| between ONNX Runtime and PyTorch on random audio of each length."""
    import onnxruntime

    session = onnxruntime.InferenceSession(str(path), providers=['CPUExecutionProvider'])
    generator = np.random.default_rng(seed)
    worst = 0.0
    for seconds in lengths_s:
        waveform = (0.1 * generator.standard_normal((batch, int(seconds * checkpoint.sample_rate)))).astype(np.float32)
        (onnx_logits,) = session.run(['logits'], {'waveform': waveform})
        with torch.inference_mode():
            torch_logits = checkpoint.model.cpu()(torch.from_numpy(waveform)).numpy()
        worst = max(worst, float(np.abs(onnx_logits - torch_logits).max()))
    return worst
