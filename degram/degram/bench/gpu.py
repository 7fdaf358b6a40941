# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Section ``gpu``: fp16 / bf16 autocast, a CUDA graph and (``--compile``) torch.compile against fp32 eager.

DEGram-ResNet18, batch 1, with the logit parity of each variant; skipped with the reason when torch
sees no GPU.
"""
from __future__ import annotations

from collections.abc import Callable

import torch

from .config import BenchConfig
from .markdown import heading, ms_cell, table_header
from .timing import length_key, time_contenders
from .workload import bench_model, noise_waveform

Call = Callable[[], torch.Tensor]


def _autocast(model, waveform: torch.Tensor, dtype: torch.dtype) -> Call:
    def call():
        with torch.autocast('cuda', dtype=dtype):
            return model(waveform)
    return call


def _cuda_graph(model, waveform: torch.Tensor) -> Call:
    """A CUDA graph of the fp32 model: static input buffer, replayed after a copy of ``waveform``."""
    static_input = waveform.clone()
    stream = torch.cuda.Stream()
    stream.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(stream):
        for _ in range(3):
            model(static_input)
    torch.cuda.current_stream().wait_stream(stream)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        static_output = model(static_input)

    def replay():
        static_input.copy_(waveform)
        graph.replay()
        return static_output
    return replay


def _compiled(model, waveform: torch.Tensor) -> Call:
    compiled = torch.compile(model)
    compiled(waveform)
    return lambda: compiled(waveform)


def _variants(config: BenchConfig, model, waveform: torch.Tensor) -> tuple[dict[str, Call], dict[str, str]]:
    """(variant → call) of those that build, (variant → why not) of the others."""
    variants: dict[str, Call] = {'fp32 eager': lambda: model(waveform),
                                 'fp16 autocast': _autocast(model, waveform, torch.float16)}
    errors: dict[str, str] = {}
    if torch.cuda.is_bf16_supported():
        variants['bf16 autocast'] = _autocast(model, waveform, torch.bfloat16)
    else:
        errors['bf16 autocast'] = 'skipped: torch.cuda.is_bf16_supported() is False'
    builders = {'fp32 CUDA graph': _cuda_graph, **({'torch.compile': _compiled} if config.compile else {})}
    for name, build in builders.items():
        try:
            variants[name] = build(model, waveform)
        except Exception as exc:  # noqa: BLE001 - report, do not lose the other variants
            errors[name] = f'{type(exc).__name__}: {exc}'
    return variants, errors


def _parity(variants: dict[str, Call], errors: dict[str, str], reference: torch.Tensor,
            device: torch.device) -> dict:
    """Logit parity of each variant with ``reference``; a variant that fails moves to ``errors``."""
    parity = {}
    for name, call in list(variants.items()):
        try:
            logits = call().float()
            torch.cuda.synchronize(device)
            parity[name] = {'max_abs_logit_difference': float((logits - reference).abs().max()),
                            'same_top1': bool(torch.equal(logits.argmax(-1), reference.argmax(-1)))}
        except Exception as exc:  # noqa: BLE001
            errors[name] = f'{type(exc).__name__}: {exc}'
            del variants[name]
    return parity


def run(config: BenchConfig) -> dict:
    """fp32 eager against autocast fp16 / bf16, a CUDA graph and (optional) torch.compile, batch 1."""
    if 'cuda' not in config.devices:
        reason = ('torch.cuda.is_available() is False' if not torch.cuda.is_available()
                  else '--device cpu excludes the GPU')
        return {'skipped': reason}
    device = torch.device('cuda')
    model = bench_model(config, 'degram', 'resnet18', device)
    out: dict = {'model': 'DEGram-ResNet18', 'gpu_name': torch.cuda.get_device_name(device),
                 'cudnn_benchmark': torch.backends.cudnn.benchmark, 'lengths': {}}
    for index, seconds in enumerate(config.runtime_lengths):
        waveform = noise_waveform(1, seconds, config.seed + index, device)
        with torch.inference_mode():
            reference = model(waveform).float()
            variants, errors = _variants(config, model, waveform)
            parity = _parity(variants, errors, reference, device)
            stats = time_contenders(variants, config, device)[1]
        rows = {name: {**summary, **parity[name]} for name, summary in stats.items()}
        out['lengths'][length_key(seconds)] = {'variants': rows, 'errors': errors}
    return out


def render(section: dict) -> list[str]:
    lines = heading('GPU runtime variants', f"{section['model']} on {section['gpu_name']}, batch 1.")
    lines += table_header('input', 'variant', 'ms, median (p95)', 'max abs Δlogit vs fp32', 'same top-1')
    for length, entry in section['lengths'].items():
        for name, row in entry['variants'].items():
            lines.append(f"| {length} s | {name} | {ms_cell(row)} | {row['max_abs_logit_difference']:.1e} "
                         f"| {row['same_top1']} |")
        for name, error in entry['errors'].items():
            lines.append(f'| {length} s | {name} | {error} | | |')
    return lines
