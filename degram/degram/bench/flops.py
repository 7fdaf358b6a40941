# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Section ``flops``: the paper's Fig. 6, FLOPs per second of audio counted by torch.utils.flop_counter."""
from __future__ import annotations

import torch
from torch.utils.flop_counter import FlopCounterMode

from ..profiling import flops_per_second, parameter_count
from .config import PAPER_GFLOPS, SAMPLE_RATE, BenchConfig
from .markdown import heading, table_header
from .workload import bench_model, noise_waveform

FLOPS_FRONTENDS = ('spectrogram', 'sincgram', 'degram')
FLOPS_BACKBONES = ('resnet18', 'resnet34', 'resnet50')


def _count_flops(module, waveform: torch.Tensor) -> int:
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        module(waveform)
    return counter.get_total_flops()


def run(config: BenchConfig) -> dict:
    rows = []
    waveform = noise_waveform(1, config.flops_seconds, config.seed)
    for backbone in FLOPS_BACKBONES:
        reference = None
        for frontend in FLOPS_FRONTENDS:
            model = bench_model(config, frontend, backbone)
            gflops = flops_per_second(model, SAMPLE_RATE, config.flops_seconds) / 1e9
            frontend_gflops = _count_flops(model.frontend, waveform) / config.flops_seconds / 1e9
            reference = gflops if frontend == 'spectrogram' else reference
            rows.append({'frontend': frontend, 'backbone': backbone, 'gflops_per_s': gflops,
                         'frontend_gflops_per_s': frontend_gflops,
                         'ratio_to_spectrogram': gflops / reference if reference else None,
                         'parameters': parameter_count(model),
                         'paper_gflops_per_s': PAPER_GFLOPS.get(frontend, {}).get(backbone)})
    return {'counted_on_seconds': config.flops_seconds, 'width': config.width,
            'counter': 'torch.utils.flop_counter.FlopCounterMode (multiply and add counted separately; '
                       'matmul/conv only: element-wise ops, pooling and norms are not counted)',
            'rows': rows, 'paper_note': 'Fig. 6: spectrogram ResNet18/34/50 4.19/8.64/9.62 GFLOPs per '
                                        'second of audio; SincGram/DEGram about halve that'}


def render(section: dict) -> list[str]:
    lines = heading('FLOPs per second of audio (Fig. 6 analogue)',
                    f"GFLOPs per second of audio, counted by {section['counter']} on one "
                    f"{section['counted_on_seconds']:g} s input (backbone width {section['width']}); "
                    'in brackets: the front-end alone, and the ratio to the spectrogram model.')
    lines += table_header('backbone', 'Spectrogram', 'SincGram', 'DEGram', 'paper Spectrogram')
    by_backbone: dict = {}
    for row in section['rows']:
        by_backbone.setdefault(row['backbone'], {})[row['frontend']] = row
    for backbone, rows in by_backbone.items():
        cells = []
        for frontend in FLOPS_FRONTENDS:
            row = rows.get(frontend)
            cells.append('–' if row is None else f"{row['gflops_per_s']:.2f} (fe {row['frontend_gflops_per_s']:.3f}; "
                         f"×{row['ratio_to_spectrogram']:.2f})")
        paper = rows.get('spectrogram', {}).get('paper_gflops_per_s')
        lines.append(f"| {backbone} | {' | '.join(cells)} | {paper if paper is not None else '–'} |")
    return lines
