# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The results of a run as a report: target verdicts, bench.json values, bench.md and latency.png."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .config import TABLE8_MODELS, TARGETS, BenchConfig
from .machine import load_line
from .markdown import heading, table_header
from .sections import load_section

_RATIO_STYLES = (('spec_r18', 'o'), ('spec_r34', 's'))  # reference model, marker of its ratio line


def _measure_target(key: str, table8: dict) -> tuple[float | None, str]:
    """(measured value, why not measured) of one target from the table8 section's devices."""
    cpu = table8.get('devices', {}).get('cpu')
    if cpu is None:
        return None, 'not measured: the table8 section did not run on CPU'
    if key.startswith('cpu_10s'):
        row = cpu['lengths'].get('10')
        other = 'spec_r18' if key.endswith('spec_r18') else 'spec_r34'
        if row is None:
            return None, 'not measured: 10 s is not among --lengths'
        return row[f'ratio_degram_r18_over_{other}'], ''
    two = next((r for k, r in table8['devices'].items() if k.startswith('cpu') and r['threads'] == 2), None)
    if '1' not in cpu['lengths']:
        return None, 'not measured: 1 s is not among --lengths'
    if two is None:
        return None, f"not applicable: measured with {cpu['threads']} threads (run with --threads 2)"
    return two['lengths']['1']['degram_r18']['median_ms'], ''


def evaluate_targets(results: dict, config: BenchConfig) -> dict:
    """Each of :data:`TARGETS` with what was measured and whether it is met (None: not comparable)."""
    targets = {}
    table8 = results.get('sections', {}).get('table8', {})
    for key, target in TARGETS.items():
        measured, note = _measure_target(key, table8)
        entry = {**target, 'measured': measured, 'met': None, 'note': note}
        if measured is not None:
            entry['met'] = bool(measured <= entry['max'])
            if config.width != 64:
                entry['note'] = f'backbone width {config.width}, not the real ResNet (64): not comparable'
                entry['met'] = None
        targets[key] = entry
    return targets


def finite(value):
    """``value`` with every NaN or infinity replaced by None, so that the JSON stays standard."""
    if isinstance(value, float):
        return value if np.isfinite(value) else None
    if isinstance(value, dict):
        return {key: finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(item) for item in value]
    return value


def _header(results: dict) -> list[str]:
    machine, config = results['machine'], results['config']
    guest = f", {machine['hypervisor']} guest" if machine.get('hypervisor') else ''
    return heading('degram bench results', level=1) + [
        f"- date: {machine['date']}",
        f"- command: `{config['command']}`",
        f"- CPU: {machine.get('cpu_model')}, {machine.get('physical_cores', '?')} cores / "
        f"{machine['logical_cpus']} logical CPUs{guest}",
        f"- PyTorch {machine['torch']}, {machine['torch_threads']} threads (interop "
        f"{machine['torch_interop_threads']}), ONNX Runtime {machine.get('onnxruntime')}, "
        f"nnAudio {machine.get('nnaudio')}",
        f"- GPU: {machine.get('gpu', 'none (torch.cuda.is_available() is False)')}",
        f"- runs per contender: {config['runs']} timed after {config['warmup']} warm-up, interleaved; "
        f"backbone width {config['width']}, {config['num_classes']} classes, batch 1 unless stated",
        f"- machine load: {load_line(results['load'])}", '']


def _targets_table(targets: dict) -> list[str]:
    if not targets:
        return []
    lines = heading('Targets') + table_header('target', 'threshold', 'measured', 'met', 'paper', 'note')
    for entry in targets.values():
        measured = '–' if entry['measured'] is None else f"{entry['measured']:.3g}"
        met = {True: 'yes', False: '**no**', None: '–'}[entry['met']]
        paper = '' if entry['paper'] is None else f"{entry['paper']} ({entry['paper_note']})"
        lines.append(f"| {entry['description']} | ≤ {entry['max']:g} | {measured} | {met} | {paper} "
                     f"| {entry['note']} |")
    return lines + ['']


def render_markdown(results: dict) -> str:
    """bench.md: the machine, the targets, then each section run, by its module's ``render``."""
    lines = _header(results) + _targets_table(results.get('targets'))
    for name in results['config']['sections']:
        section = results['sections'].get(name, {})
        if 'skipped' in section or 'error' in section:
            lines += heading(name, f"Skipped: {section.get('skipped') or section.get('error')}")
            continue
        lines += load_section(name).render(section)
        lines.append('')
    return '\n'.join(lines).rstrip() + '\n'


def plot_latency(results: dict, path: Path) -> Path | None:
    """Latency against input length (left) and DEGram ratios against the paper's (right)."""
    table8 = results['sections'].get('table8')
    if not table8 or not table8.get('devices'):
        return None
    try:
        import matplotlib
        matplotlib.use('Agg')
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
    colours = {'spec_r18': 'tab:blue', 'degram_r18': 'tab:red', 'spec_r34': 'tab:green'}
    for device_name, result in table8['devices'].items():
        style = {'cpu': '-', 'cuda': '--'}.get(device_name, ':')
        if device_name.startswith('cpu'):
            device_name = f"CPU {result['threads']}t"
        lengths = [float(n) for n in result['lengths']]
        for key, _, _, label in TABLE8_MODELS:
            median = [row[key]['median_ms'] for row in result['lengths'].values()]
            p95 = [row[key]['p95_ms'] for row in result['lengths'].values()]
            left.errorbar(lengths, median, yerr=[[0] * len(median), np.subtract(p95, median)], marker='o',
                          linestyle=style, color=colours[key], capsize=3, label=f'{label} ({device_name})')
        for other, marker in _RATIO_STYLES:
            ratios = [row[f'ratio_degram_r18_over_{other}'] for row in result['lengths'].values()]
            right.plot(lengths, ratios, marker=marker, linestyle=style, color=colours[other],
                       label=f'ours {device_name}: DEGram / {other}')
    paper = table8['paper']['xavier_nx_cpu']['lengths']
    paper_lengths = [float(n) for n in paper]
    for other, marker in _RATIO_STYLES:
        right.plot(paper_lengths, [row[f'ratio_degram_r18_over_{other}'] for row in paper.values()],
                   marker=marker, linestyle=':', color=colours[other], alpha=0.6,
                   label=f'paper Xavier NX CPU: DEGram / {other}')
    right.axhline(0.5, color='tab:blue', linewidth=0.8, alpha=0.4, label='target vs spec_r18 (0.5)')
    right.axhline(0.3, color='tab:green', linewidth=0.8, alpha=0.4, label='target vs spec_r34 (0.3)')
    left.set(xlabel='input length (s)', ylabel='latency (ms), median; bar to p95',
             title='Whole-model latency, batch 1')
    right.set(xlabel='input length (s)', ylabel='latency ratio (medians)', title='DEGram-R18 / spectrogram ResNets',
              ylim=(0, 1.05))
    left.legend(fontsize=7)
    right.legend(fontsize=7)
    for axis in (left, right):
        axis.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)
    return path
