# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Run the selected sections and write bench.json, bench.md and latency.png; the command-line glue."""
from __future__ import annotations

import argparse
import json
import shlex
import sys
import warnings
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import torch

from ..cli.bench import add_arguments
from .config import BenchConfig
from .machine import CpuMonitor, machine_info, resolve_devices
from .report import evaluate_targets, finite, plot_latency, render_markdown
from .sections import load_section
from .timing import length_key


def canonical_command(config: BenchConfig, prog: str = 'degram bench') -> str:
    parts = ['--output-dir', str(config.output_dir), '--threads', *map(str, (config.threads, *config.extra_threads)),
             '--device', config.device, '--runs', str(config.runs), '--warmup', str(config.warmup),
             '--lengths', *[length_key(n) for n in config.lengths], '--sections', *config.sections,
             '--width', str(config.width), '--num-classes', str(config.num_classes), '--seed', str(config.seed)]
    if config.quick:
        parts.append('--quick')
    if config.compile:
        parts.append('--compile')
    return f'{prog} {shlex.join(parts)}'


def config_from_args(args: argparse.Namespace, prog: str = 'degram bench') -> BenchConfig:
    quick = bool(args.quick)
    lengths = tuple(args.lengths) if args.lengths else ((0.5,) if quick else (1.0, 3.0, 5.0, 10.0))
    if any(n <= 0 for n in lengths):
        raise ValueError(f'--lengths must be positive, got {list(lengths)}')
    runs = args.runs if args.runs is not None else (2 if quick else 30)
    warmup = args.warmup if args.warmup is not None else (1 if quick else 3)
    if runs < 1 or warmup < 0:
        raise ValueError(f'need --runs >= 1 and --warmup >= 0, got {runs}, {warmup}')
    all_threads = list(dict.fromkeys(args.threads)) if args.threads else [torch.get_num_threads()]
    if min(all_threads) < 1:
        raise ValueError(f'--threads must be >= 1, got {args.threads}')
    threads, extra_threads = all_threads[0], tuple(all_threads[1:])
    config = BenchConfig(
        output_dir=Path(args.output_dir), sections=tuple(dict.fromkeys(args.sections)), lengths=lengths,
        runs=runs, warmup=warmup, threads=threads, extra_threads=extra_threads, device=args.device, quick=quick,
        width=args.width if args.width is not None else (8 if quick else 64),
        num_classes=args.num_classes, compile=bool(args.compile), seed=args.seed)
    if quick:
        config.frontend_lengths = config.runtime_lengths = (lengths[0],)
        config.throughput_batches = (1, 2)
        config.flops_seconds = lengths[0]
        config.profile_runs = 2
    config.command = canonical_command(config, prog)
    return config


def _run_section(name: str, config: BenchConfig, log: Callable[[str], None]) -> dict:
    """The JSON of one section; a failure becomes ``{'error': ...}`` so that it loses no other section."""
    log(f'degram bench: {name} …')
    try:
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            return load_section(name).run(config)
    except Exception as exc:  # noqa: BLE001 - one failing section must not lose the others
        log(f'degram bench: {name} failed: {type(exc).__name__}: {exc}')
        return {'error': f'{type(exc).__name__}: {exc}'}


def run_benchmark(config: BenchConfig, log: Callable[[str], None] = print) -> dict:
    """Run the sections of ``config`` and write bench.json, bench.md and latency.png."""
    torch.set_num_threads(config.threads)
    config.devices = resolve_devices(config.device)
    if 'cuda' in config.devices:
        torch.backends.cudnn.benchmark = True
    config.output_dir.mkdir(parents=True, exist_ok=True)
    whole = CpuMonitor()
    results: dict = {'config': {**asdict(config), 'output_dir': str(config.output_dir)},
                     'machine': machine_info(), 'sections': {}, 'section_load': {}}
    for name in config.sections:
        monitor = CpuMonitor()
        results['sections'][name] = _run_section(name, config, log)
        results['section_load'][name] = monitor.report()
    results['load'] = whole.report()
    results['targets'] = evaluate_targets(results, config)
    json_path = config.output_dir / 'bench.json'
    json_path.write_text(json.dumps(finite(results), indent=2, default=str, allow_nan=False) + '\n')
    markdown_path = config.output_dir / 'bench.md'
    markdown_path.write_text(render_markdown(results))
    plot_path = plot_latency(results, config.output_dir / 'latency.png')
    results['files'] = [str(json_path), str(markdown_path)] + ([str(plot_path)] if plot_path else [])
    return results


def run_from_args(args: argparse.Namespace, command: str = 'degram bench') -> int:
    try:
        config = config_from_args(args, command)
        config.devices = resolve_devices(config.device)
    except ValueError as exc:
        print(f'{command}: error: {exc}', file=sys.stderr)
        return 2
    results = run_benchmark(config, log=lambda line: print(line, file=sys.stderr, flush=True))
    print(render_markdown(results))
    print('wrote ' + ', '.join(results['files']))
    failed = [name for name, section in results['sections'].items() if 'error' in section]
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog='python -m degram.bench',
                                     description='Benchmark the models (same as `degram bench`).')
    add_arguments(parser)
    return run_from_args(parser.parse_args(argv), command='python -m degram.bench')


if __name__ == '__main__':
    sys.exit(main())
