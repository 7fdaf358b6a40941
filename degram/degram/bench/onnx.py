# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Section ``onnx``: ONNX Runtime (CPU) against eager PyTorch for DEGram-ResNet18, with logit parity.

Needs the optional ``onnxruntime``; skipped with the reason where it does not import.
"""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from ..export import PARITY_TOLERANCE, check_parity, export_onnx
from ..inference import Predictor
from .config import SAMPLE_RATE, BenchConfig
from .markdown import heading, ms_cell, table_header
from .timing import time_contenders
from .workload import bench_model, noise_waveform

# session name → intra-op spinning ('0': idle intra-op threads sleep, kinder to a shared CPU)
_SESSIONS = (('onnxruntime', '1'), ('onnxruntime no-spin', '0'))


def _session(onnxruntime, path: Path, threads: int, spinning: str):
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.add_session_config_entry('session.intra_op.allow_spinning', spinning)
    # by default idle threads keep spinning after run() returns, which doubled the latency of the eager
    # contender timed next (measured on 2 shared cores): stop spinning between runs
    options.add_session_config_entry('session.force_spinning_stop', '1')
    return onnxruntime.InferenceSession(str(path), options, providers=['CPUExecutionProvider'])


def _row(config: BenchConfig, model, sessions: dict, seconds: float, seed: int) -> dict:
    """Eager against every session on one input: summaries, ratios and the max |Δlogit|."""
    waveform = noise_waveform(1, seconds, seed)
    feeds = {'waveform': waveform.numpy()}
    eager_logits = model(waveform).numpy()
    (onnx_logits,) = sessions['onnxruntime'].run(['logits'], feeds)
    calls = {'eager': lambda: model(waveform)}
    calls.update({name: (lambda s=session: s.run(['logits'], feeds)) for name, session in sessions.items()})
    stats = time_contenders(calls, config, torch.device('cpu'))[1]
    eager_ms = stats['eager']['median_ms']
    return {'length_s': seconds, **stats,
            'ratio_ort_over_eager': stats['onnxruntime']['median_ms'] / eager_ms,
            'ratio_ort_no_spin_over_eager': stats['onnxruntime no-spin']['median_ms'] / eager_ms,
            'max_abs_logit_difference': float(np.abs(onnx_logits - eager_logits).max())}


def run(config: BenchConfig) -> dict:
    if 'cpu' not in config.devices:
        return {'skipped': 'ONNX Runtime is timed on CPU only and --device excludes the CPU'}
    try:
        import onnxruntime
    except ImportError as exc:
        return {'skipped': f'onnxruntime does not import ({exc}); pip install onnxruntime'}

    model = bench_model(config, 'degram', 'resnet18')
    checkpoint = Predictor(path=Path('degram_resnet18.pt'), model=model, labels=[f'class_{i}' for i in
                                                                                 range(config.num_classes)],
                           task='sound_event', sample_rate=SAMPLE_RATE, metadata={'name': 'bench'})
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / 'degram_resnet18.onnx'
        started = time.perf_counter()
        export_onnx(checkpoint, path)
        export_s = time.perf_counter() - started
        sessions = {name: _session(onnxruntime, path, config.threads, spinning) for name, spinning in _SESSIONS}
        size_mb = path.stat().st_size / 1e6
        # the library's own parity check (batch 2, 1 s and 3.7 s), on the default session options
        library_parity = check_parity(checkpoint, path)
    with torch.inference_mode():
        rows = [_row(config, model, sessions, seconds, config.seed + index)
                for index, seconds in enumerate(config.runtime_lengths)]
    return {'model': 'DEGram-ResNet18', 'onnxruntime_version': onnxruntime.__version__,
            'intra_op_threads': config.threads, 'export_s': export_s, 'onnx_mb': size_mb,
            'parity_tolerance': PARITY_TOLERANCE, 'library_check_parity_batch2_1s_3.7s': library_parity,
            'parity_ok': bool(max([library_parity] + [r['max_abs_logit_difference'] for r in rows])
                              <= PARITY_TOLERANCE),
            'rows': rows}


def render(section: dict) -> list[str]:
    lines = heading(
        'ONNX Runtime against eager PyTorch (CPU)',
        f"{section['model']}, batch 1, ONNX Runtime {section['onnxruntime_version']} "
        f"(CPUExecutionProvider, {section['intra_op_threads']} intra-op threads, all graph optimisations, "
        'spinning stopped between runs; no-spin: intra-op threads never spin); '
        f"export {section['export_s']:.1f} s, {section['onnx_mb']:.1f} MB. Parity: library check "
        f"(batch 2, 1 s and 3.7 s) max |Δlogit| {section['library_check_parity_batch2_1s_3.7s']:.1e}, "
        f"tolerance {section['parity_tolerance']:.0e}: {'ok' if section['parity_ok'] else 'FAILED'}.")
    lines += table_header('input', 'eager ms', 'ONNX Runtime ms', 'ORT / eager', 'ORT no-spin ms', 'no-spin / eager',
                          'max abs Δlogit')
    for row in section['rows']:
        lines.append(f"| {row['length_s']:g} s | {ms_cell(row['eager'])} | {ms_cell(row['onnxruntime'])} "
                     f"| {row['ratio_ort_over_eager']:.2f} | {ms_cell(row['onnxruntime no-spin'])} "
                     f"| {row['ratio_ort_no_spin_over_eager']:.2f} | {row['max_abs_logit_difference']:.1e} |")
    return lines
