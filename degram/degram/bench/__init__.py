# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Benchmarks of the models on this machine: `degram bench` or `python -m degram.bench`.

One module per section, registered by name in :data:`SECTIONS` (see ``--sections``):

- ``table8`` — the paper's Table 8: latency (median and p95, batch 1, ``torch.inference_mode``) of
  Spectrogram-ResNet18, DEGram-ResNet18 and Spectrogram-ResNet34, whole models (front-end
  included), for 1, 3, 5 and 10 s inputs, on CPU and on CUDA when present; the paper's figures and
  the ratios DEGram-R18 / Spec-R18 and DEGram-R18 / Spec-R34 beside ours; a torch.profiler
  breakdown (front-end against backbone, top operators by self CPU time).
- ``flops`` — the paper's Fig. 6: FLOPs per second of audio counted by torch.utils.flop_counter.
- ``frontends`` — each registered front-end alone, against peers from other libraries (nnAudio,
  torch.stft, torchaudio where it imports).
- ``throughput`` — windows per second of DEGram-ResNet18 at batch 1, 8, 32, 64 (1 s windows).
- ``onnx`` — ONNX Runtime (CPU) against eager PyTorch for DEGram-ResNet18, max |Δlogit| reported.
- ``threading`` — DEGram-ResNet18 at 1 s per thread count with OpenMP's default (spinning) wait
  policy and with OMP_WAIT_POLICY=PASSIVE, each in a fresh process.
- ``gpu`` — fp16 / bf16 autocast, CUDA graphs and (``--compile``) torch.compile against fp32 eager,
  with logit parity; skipped with the reason when torch sees no GPU.

Shared modules: :mod:`.config` (BenchConfig, the paper's figures, the targets), :mod:`.timing` (the
interleaved method, see there; ratios are ratios of medians measured in the same interleaved run),
:mod:`.workload` (random-weight models from ``degram.nn.build_model``, Gaussian test audio),
:mod:`.machine` (machine description, CPU load), :mod:`.report` (targets, bench.md, latency.png),
:mod:`.runner` (running the sections, the command line).

Names other than :data:`SECTIONS` load on first use, so that ``degram bench --help`` needs no torch.
"""
from __future__ import annotations

import importlib

from .sections import SECTIONS, load_section

_LAZY = {
    'BenchConfig': 'degram.bench.config',
    'TABLE8_MODELS': 'degram.bench.config',
    'TARGETS': 'degram.bench.config',
    'interleaved': 'degram.bench.timing',
    'summarize': 'degram.bench.timing',
    'render_markdown': 'degram.bench.report',
    'config_from_args': 'degram.bench.runner',
    'run_benchmark': 'degram.bench.runner',
    'main': 'degram.bench.runner',
}

__all__ = sorted(_LAZY) + ['SECTIONS', 'load_section']


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
