# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The measurement method: interleaved runs on the device's clock, and their summaries.

Every timed comparison is interleaved: each run times every contender once, the starting contender
rotating from run to run, after ``warmup`` untimed runs of each; the garbage collector is off while
timing; CPU timings use ``time.perf_counter``, CUDA ones CUDA events with ``torch.cuda.synchronize``
first.
"""
from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np
import torch


def length_key(seconds: float) -> str:
    """The JSON key of an input length: ``1.0`` → ``'1'``, ``0.5`` → ``'0.5'``."""
    return f'{seconds:g}'


def clock(device: torch.device) -> Callable[[Callable[[], object]], float]:
    """A function that runs ``fn`` once and returns the seconds it took on ``device``."""
    if device.type == 'cuda':
        def measure(fn):
            start = torch.cuda.Event(enable_timing=True)
            end = torch.cuda.Event(enable_timing=True)
            torch.cuda.synchronize(device)
            start.record()
            fn()
            end.record()
            end.synchronize()
            return start.elapsed_time(end) / 1e3  # elapsed_time is in ms
        return measure

    def measure(fn):
        start = time.perf_counter()
        fn()
        return time.perf_counter() - start
    return measure


@contextmanager
def gc_off() -> Iterator[None]:
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def interleaved(contenders: dict[str, Callable[[], object]], runs: int, warmup: int,
                device: torch.device) -> dict[str, list[float]]:
    """Seconds per run of each contender, timed round-robin (the first one rotating each run)."""
    measure = clock(device)
    names = list(contenders)
    for _ in range(warmup):
        for name in names:
            contenders[name]()
    if device.type == 'cuda':
        torch.cuda.synchronize(device)
    times: dict[str, list[float]] = {name: [] for name in names}
    with gc_off():
        for run in range(runs):
            start = run % len(names)
            for name in names[start:] + names[:start]:
                times[name].append(measure(contenders[name]))
    return times


def summarize(seconds: list[float]) -> dict:
    ms = np.asarray(seconds, dtype=np.float64) * 1e3
    return {'median_ms': float(np.median(ms)), 'p95_ms': float(np.percentile(ms, 95)),
            'mean_ms': float(ms.mean()), 'min_ms': float(ms.min()), 'max_ms': float(ms.max()),
            'std_ms': float(ms.std()), 'runs': int(ms.size)}


def time_contenders(contenders: dict[str, Callable[[], object]], config,
                    device: torch.device) -> tuple[dict[str, list[float]], dict[str, dict]]:
    """:func:`interleaved` with ``config.runs`` and ``config.warmup``: (seconds per run, summaries)."""
    times = interleaved(contenders, config.runs, config.warmup, device)
    return times, {name: summarize(values) for name, values in times.items()}


def paired_ratio(numerator: list[float], denominator: list[float]) -> float:
    """Median over runs of the per-run ratio (both timed in the same round): robust to load drift."""
    return float(np.median(np.asarray(numerator) / np.asarray(denominator)))
