# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Section ``threading``: DEGram-ResNet18 per thread count, OpenMP spinning against OMP_WAIT_POLICY=PASSIVE.

On a CPU shared with other busy processes, spinning OpenMP threads can cost far more than the model
itself. OMP_WAIT_POLICY is read when the OpenMP runtime loads, so each setting runs in a fresh Python
process; the settings alternate over rounds (order rotating) to share the load drift.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from .config import BenchConfig
from .markdown import heading, ms_cell, table_header
from .timing import summarize

_POLICIES = ('default', 'PASSIVE')  # default: OMP_WAIT_POLICY unset
_CHILD_TIMEOUT_S = 300
# the folder that holds the degram package, put on the children's PYTHONPATH
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])

# one setting, timed in a fresh process: argv[1] is the JSON of _child_args
_CHILD = """
import json, sys, time
import torch
from types import SimpleNamespace
args = json.loads(sys.argv[1])
torch.set_num_threads(args['threads'])
from degram.bench.workload import bench_model, noise_waveform
model = bench_model(SimpleNamespace(**args['config']), 'degram', 'resnet18')
waveform = noise_waveform(1, args['seconds'], args['config']['seed'])
times = []
with torch.inference_mode():
    for _ in range(args['warmup']):
        model(waveform)
    for _ in range(args['runs']):
        start = time.perf_counter()
        model(waveform)
        times.append(time.perf_counter() - start)
print(json.dumps({'times': times, 'threads': torch.get_num_threads()}))
"""


def _child_env(policy: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k != 'OMP_WAIT_POLICY'}
    env['PYTHONPATH'] = os.pathsep.join(filter(None, [_PACKAGE_ROOT, os.environ.get('PYTHONPATH')]))
    if policy != 'default':
        env['OMP_WAIT_POLICY'] = policy
    return env


def _time_in_child(args: dict, env: dict) -> list[float]:
    """Seconds per run measured by a fresh process; RuntimeError with its last stderr line if it fails."""
    proc = subprocess.run([sys.executable, '-c', _CHILD, json.dumps(args)], env=env, capture_output=True,
                          text=True, timeout=_CHILD_TIMEOUT_S)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else
                           f'exit status {proc.returncode}')
    return json.loads(proc.stdout.strip().splitlines()[-1])['times']


def run(config: BenchConfig) -> dict:
    """DEGram-R18, batch 1, per thread count, with OpenMP's default (spinning) wait and with PASSIVE."""
    if 'cpu' not in config.devices:
        return {'skipped': 'CPU threading is measured on CPU only and --device excludes the CPU'}
    seconds = config.runtime_lengths[0]
    rounds = 1 if config.quick else 2
    settings = [(threads, policy) for threads in sorted({config.threads, *config.extra_threads})
                for policy in _POLICIES]
    times: dict = {setting: [] for setting in settings}
    errors = {}
    child_config = {'seed': config.seed, 'num_classes': config.num_classes, 'width': config.width}
    for index in range(rounds):
        start = index % len(settings)
        for threads, policy in settings[start:] + settings[:start]:
            args = {'threads': threads, 'seconds': seconds, 'warmup': config.warmup,
                    'runs': max(1, config.runs // rounds), 'config': child_config}
            try:
                times[(threads, policy)] += _time_in_child(args, _child_env(policy))
            except (OSError, subprocess.SubprocessError, RuntimeError, ValueError, IndexError) as exc:
                errors[f'{threads} threads, {policy}'] = f'{type(exc).__name__}: {exc}'
    rows = [{'threads': threads, 'omp_wait_policy': policy, **summarize(values)}
            for (threads, policy), values in times.items() if values]
    return {'model': 'DEGram-ResNet18', 'length_s': seconds, 'rounds': rounds, 'rows': rows, 'errors': errors,
            'parent_omp_wait_policy': os.environ.get('OMP_WAIT_POLICY')}


def render(section: dict) -> list[str]:
    lines = heading('CPU threads and OpenMP wait policy',
                    f"{section['model']}, {section['length_s']:g} s, batch 1; each setting in its own process "
                    f"(OMP_WAIT_POLICY is read at start-up), settings alternated over {section['rounds']} round(s). "
                    '`default`: OMP_WAIT_POLICY unset (idle OpenMP threads spin before sleeping).')
    lines += table_header('threads', 'OMP_WAIT_POLICY', 'ms, median (p95)')
    for row in section['rows']:
        lines.append(f"| {row['threads']} | {row['omp_wait_policy']} | {ms_cell(row)} |")
    for name, error in section['errors'].items():
        lines.append(f'| {name} | failed: {error} | |')
    return lines
