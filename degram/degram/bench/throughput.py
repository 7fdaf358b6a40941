# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Section ``throughput``: windows per second of DEGram-ResNet18 at several batch sizes (1 s windows)."""
from __future__ import annotations

import torch

from .config import BenchConfig
from .markdown import heading, ms_cell, table_header
from .timing import time_contenders
from .workload import bench_model, noise_waveform

WINDOW_S = 1.0


def run(config: BenchConfig) -> dict:
    out: dict = {'model': 'DEGram-ResNet18', 'window_s': WINDOW_S, 'devices': {}}
    for device_name in config.devices:
        device = torch.device(device_name)
        model = bench_model(config, 'degram', 'resnet18', device)
        inputs = {batch: noise_waveform(batch, WINDOW_S, config.seed, device) for batch in config.throughput_batches}
        with torch.inference_mode():
            calls = {f'batch {batch}': (lambda x=x, m=model: m(x)) for batch, x in inputs.items()}
            stats = time_contenders(calls, config, device)[1]
        rows = []
        for batch in config.throughput_batches:
            median_ms = stats[f'batch {batch}']['median_ms']
            rows.append({'batch': batch, **stats[f'batch {batch}'], 'ms_per_window': median_ms / batch,
                         'windows_per_s': batch / (median_ms / 1e3)})
        out['devices'][device_name] = rows
    return out


def render(section: dict) -> list[str]:
    lines = heading('Throughput', f"{section['model']}, {section['window_s']:g} s windows, batches interleaved.")
    for device_name, rows in section['devices'].items():
        lines += heading(device_name, level=3) + table_header(
            'batch', 'ms per batch, median (p95)', 'ms per window', 'windows/s')
        for row in rows:
            lines.append(f"| {row['batch']} | {ms_cell(row)} | {row['ms_per_window']:.2f} "
                         f"| {row['windows_per_s']:.0f} |")
        lines.append('')
    return lines
