# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Section ``table8``: the paper's Table 8, whole-model latency of the three ResNets, and a profile.

Latency (median and p95, batch 1, ``torch.inference_mode``) of Spectrogram-ResNet18, DEGram-ResNet18
and Spectrogram-ResNet34, front-end included, per input length, on CPU (once per thread count) and on
CUDA when present; the paper's figures and the ratios DEGram-R18 / Spec-R18 and DEGram-R18 / Spec-R34
beside ours; on CPU a torch.profiler breakdown (front-end against backbone, top operators).
"""
from __future__ import annotations

import torch
from torch.profiler import ProfilerActivity, profile, record_function

from ..profiling import parameter_count
from .config import PAPER_ROW_FOR_DEVICE, PAPER_TABLE8_MS, TABLE8_MODELS, BenchConfig
from .markdown import heading, ms_cell, table_header
from .timing import length_key, paired_ratio, time_contenders
from .workload import bench_model, noise_waveform

_REFERENCES = ('spec_r18', 'spec_r34')  # what DEGram-R18 is divided by


def _paper_rows() -> dict:
    return {key: {'label': row['label'], 'lengths': {
        length_key(length): {'spec_r18': ms[0], 'degram_r18': ms[1], 'spec_r34': ms[2],
                             'ratio_degram_r18_over_spec_r18': ms[1] / ms[0],
                             'ratio_degram_r18_over_spec_r34': ms[1] / ms[2]}
        for length, ms in row['ms'].items()}} for key, row in PAPER_TABLE8_MS.items()}


def _latency(config: BenchConfig, models: dict, device: torch.device) -> dict:
    per_length = {}
    with torch.inference_mode():
        for index, seconds in enumerate(config.lengths):
            waveform = noise_waveform(1, seconds, config.seed + index, device)
            contenders = {key: (lambda m=model, w=waveform: m(w)) for key, model in models.items()}
            times, entry = time_contenders(contenders, config, device)
            for other in _REFERENCES:
                entry[f'ratio_degram_r18_over_{other}'] = (entry['degram_r18']['median_ms']
                                                           / entry[other]['median_ms'])
                entry[f'paired_ratio_degram_r18_over_{other}'] = paired_ratio(times['degram_r18'], times[other])
            per_length[length_key(seconds)] = entry
    return per_length


def profile_model(model, waveform: torch.Tensor, runs: int = 10, top: int = 12) -> dict:
    """torch.profiler over ``runs`` calls of the model: front-end / backbone split, top ops by self CPU.

    The front-end is labelled by hooks on ``model.frontend``; the backbone is the rest of the call.
    """
    spans = []

    def enter_frontend(module, args):
        spans.append(record_function('frontend'))
        spans[-1].__enter__()

    def leave_frontend(module, args, output):
        spans.pop().__exit__(None, None, None)

    def forward():
        with record_function('model'):
            return model(waveform)

    hooks = [model.frontend.register_forward_pre_hook(enter_frontend),
             model.frontend.register_forward_hook(leave_frontend)]
    try:
        with torch.inference_mode():
            forward()
            with profile(activities=[ProfilerActivity.CPU]) as prof:
                for _ in range(runs):
                    forward()
    finally:
        for hook in hooks:
            hook.remove()
    labels = ('model', 'frontend')
    events = prof.key_averages()
    parts = {e.key: e.cpu_time_total / 1e3 / runs for e in events if e.key in labels}
    ops = [e for e in events if e.key not in labels]
    total = sum(e.self_cpu_time_total for e in ops) or 1.0
    ops.sort(key=lambda e: e.self_cpu_time_total, reverse=True)
    frontend_ms, model_ms = parts.get('frontend'), parts.get('model')
    return {
        'runs': runs,
        'frontend_ms': frontend_ms,
        'backbone_ms': None if frontend_ms is None or model_ms is None else model_ms - frontend_ms,
        'total_self_cpu_ms_per_run': total / 1e3 / runs,
        'top_ops': [{'op': e.key, 'calls_per_run': e.count / runs,
                     'self_cpu_ms_per_run': e.self_cpu_time_total / 1e3 / runs,
                     'share': e.self_cpu_time_total / total} for e in ops[:top]],
    }


def _profiles(config: BenchConfig, models: dict, device: torch.device) -> dict:
    """Where the time goes: DEGram-R18 at the shortest and longest length, the references at the longest."""
    first, last = min(config.lengths), max(config.lengths)
    plan = [('degram_r18', first), ('degram_r18', last), ('spec_r18', last), ('spec_r34', last)]
    return {f'{key}@{length_key(seconds)}': profile_model(
        models[key], noise_waveform(1, seconds, config.seed, device), config.profile_runs)
        for key, seconds in dict.fromkeys(plan)}


def run(config: BenchConfig) -> dict:
    out: dict = {'models': {}, 'devices': {}, 'paper': _paper_rows()}
    for device_name in config.devices:
        device = torch.device(device_name)
        models = {key: bench_model(config, frontend, backbone, device) for key, frontend, backbone, _ in TABLE8_MODELS}
        for key, frontend, backbone, label in TABLE8_MODELS:
            out['models'][key] = {'label': label, 'frontend': frontend, 'backbone': backbone,
                                  'parameters': parameter_count(models[key])}
        if device.type != 'cpu':
            out['devices'][device_name] = {
                'lengths': _latency(config, models, device), 'paper_row': PAPER_ROW_FOR_DEVICE['cuda'],
                'gpu_name': torch.cuda.get_device_name(device), 'cudnn_benchmark': torch.backends.cudnn.benchmark}
            continue
        # the main thread count, then the extra ones (their entries are keyed cpu_<n>_threads)
        for threads in (config.threads, *config.extra_threads):
            torch.set_num_threads(threads)
            try:
                result = {'lengths': _latency(config, models, device),
                          'paper_row': PAPER_ROW_FOR_DEVICE['cpu'], 'threads': torch.get_num_threads()}
            finally:
                torch.set_num_threads(config.threads)
            key = 'cpu' if threads == config.threads else f'cpu_{threads}_threads'
            out['devices'][key] = result
        out['devices']['cpu']['profiles'] = _profiles(config, models, device)
        del models
    return out


def _render_profiles(section: dict) -> list[str]:
    cpu = section['devices'].get('cpu', {})
    if not cpu.get('profiles'):
        return []
    lines = heading(f"Where the time goes (torch.profiler, CPU {cpu['threads']} threads)",
                    'Front-end and backbone wall time per run (profiler overhead included), then the top '
                    'operators by self CPU time.', level=3)
    for label, result in cpu['profiles'].items():
        name, length = label.split('@')
        lines += [f"**{section['models'][name]['label']}, {length} s** ({result['runs']} runs): front-end "
                  f"{result['frontend_ms']:.2f} ms, backbone {result['backbone_ms']:.2f} ms per run", '',
                  *table_header('op', 'calls/run', 'self CPU ms/run', 'share')]
        for op in result['top_ops'][:8]:
            lines.append(f"| `{op['op']}` | {op['calls_per_run']:g} | {op['self_cpu_ms_per_run']:.2f} "
                         f"| {100 * op['share']:.1f} % |")
        lines.append('')
    return lines


def render(section: dict) -> list[str]:
    lines = heading('Latency (Table 8 analogue)',
                    'Median (p95) in ms, batch 1, whole model (front-end included), `torch.inference_mode`; '
                    'the three models interleaved run by run. Paper: ResNet18 / DEGram-ResNet18 / ResNet34.')
    for device_name, result in section['devices'].items():
        paper_key = result.get('paper_row')
        paper = section['paper'].get(paper_key, {}) if paper_key else {}
        where = (f"CPU, {result['threads']} threads" if device_name.startswith('cpu')
                 else f"CUDA, {result.get('gpu_name')}")
        lines += heading(where, level=3) + table_header(
            'input', 'Spec-R18', 'DEGram-R18', 'Spec-R34', 'DEGram/Spec-R18', 'DEGram/Spec-R34',
            f"paper {paper.get('label', '')} ms", 'paper ratios')
        for length, row in result['lengths'].items():
            ref = paper.get('lengths', {}).get(length)
            paper_ms = f"{ref['spec_r18']} / {ref['degram_r18']} / {ref['spec_r34']}" if ref else '–'
            paper_ratio = (f"{ref['ratio_degram_r18_over_spec_r18']:.2f} / {ref['ratio_degram_r18_over_spec_r34']:.2f}"
                           if ref else '–')
            lines.append(f"| {length} s | {ms_cell(row['spec_r18'])} | {ms_cell(row['degram_r18'])} "
                         f"| {ms_cell(row['spec_r34'])} | {row['ratio_degram_r18_over_spec_r18']:.2f} "
                         f"| {row['ratio_degram_r18_over_spec_r34']:.2f} | {paper_ms} | {paper_ratio} |")
        lines.append('')
    return lines + _render_profiles(section)
