"""Benchmarks of the models on this machine: `degram bench` or `python -m degram.bench`.

Sections (each one optional, see ``--sections``):

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
  policy and with OMP_WAIT_POLICY=PASSIVE, each in a fresh process: on a CPU shared with other
  busy processes, spinning OpenMP threads can cost far more than the model itself.
- ``gpu`` — fp16 / bf16 autocast, CUDA graphs and (``--compile``) torch.compile against fp32 eager,
  with logit parity; skipped with the reason when torch sees no GPU.

Method: every timed comparison is interleaved — each run times every contender once, the starting
contender rotating from run to run — after ``warmup`` untimed runs of each; the garbage collector is
off while timing; CPU timings use ``time.perf_counter``, CUDA ones CUDA events with
``torch.cuda.synchronize`` first. Ratios are ratios of medians measured in the same interleaved run.
The weights are random (latency does not depend on them); the input is Gaussian noise (σ = 0.1).
"""
from __future__ import annotations

import argparse
import datetime
import gc
import json
import os
import platform
import shlex
import subprocess
import sys
import tempfile
import time
import warnings
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Callable

import numpy as np
import torch

from ..frontends import FRONTENDS, ConvSTFT
from ..nn import build_model
from ..profiling import flops_per_second, parameter_count

SECTIONS = ('table8', 'flops', 'frontends', 'throughput', 'onnx', 'threading', 'gpu')
SAMPLE_RATE = 16000
N_FFT, HOP = 512, 160

# Table 8 contenders: key, front-end, backbone, label.
TABLE8_MODELS = (('spec_r18', 'spectrogram', 'resnet18', 'Spectrogram-ResNet18'),
                 ('degram_r18', 'degram', 'resnet18', 'DEGram-ResNet18'),
                 ('spec_r34', 'spectrogram', 'resnet34', 'Spectrogram-ResNet34'))

# The paper's Table 8, latency in ms of ResNet18 / DEGram-ResNet18 / ResNet34 (spectrogram) per input
# length in seconds. The Xavier NX GPU row is quoted only at 1 s and 10 s.
PAPER_TABLE8_MS = {
    'titan_xp': {'label': 'Titan XP (GPU)',
                 'ms': {1: (6, 7, 10), 3: (7, 7, 10), 5: (7, 8, 10), 10: (10, 9, 15)}},
    'xavier_nx_cpu': {'label': 'Jetson Xavier NX CPU',
                      'ms': {1: (220, 212, 284), 3: (298, 244, 408), 5: (354, 278, 499),
                             10: (479, 362, 745)}},
    'xavier_nx_gpu': {'label': 'Jetson Xavier NX GPU', 'ms': {1: (165, 174, 180), 10: (201, 207, 244)}},
}
# Which paper row sits beside which of our devices.
PAPER_ROW_FOR_DEVICE = {'cpu': 'xavier_nx_cpu', 'cuda': 'titan_xp'}

# The paper's Fig. 6: GFLOPs per second of audio of the spectrogram ResNets; SincGram and DEGram
# "about halve" them (no exact figures quoted).
PAPER_GFLOPS = {'spectrogram': {'resnet18': 4.19, 'resnet34': 8.64, 'resnet50': 9.62}}
FLOPS_FRONTENDS = ('spectrogram', 'sincgram', 'degram')
FLOPS_BACKBONES = ('resnet18', 'resnet34', 'resnet50')

# Targets of this project (benchmarks only; reported hit or miss, never asserted).
TARGETS = {
    'cpu_10s_degram_over_spec_r18': {
        'description': 'CPU, 10 s input: DEGram-R18 / Spec-R18 median latency', 'max': 0.5,
        'paper': round(362 / 479, 2), 'paper_note': 'Jetson Xavier NX CPU'},
    'cpu_10s_degram_over_spec_r34': {
        'description': 'CPU, 10 s input: DEGram-R18 / Spec-R34 median latency', 'max': 0.3,
        'paper': round(362 / 745, 2), 'paper_note': 'Jetson Xavier NX CPU'},
    'cpu_1s_degram_r18_2_threads_ms': {
        'description': 'CPU, 1 s window, batch 1, 2 threads: DEGram-R18 median latency (ms)', 'max': 10.0,
        'paper': None, 'paper_note': ''},
}


@dataclass
class BenchConfig:
    output_dir: Path
    sections: tuple[str, ...] = SECTIONS
    lengths: tuple[float, ...] = (1.0, 3.0, 5.0, 10.0)
    runs: int = 30
    warmup: int = 3
    threads: int = 1
    extra_threads: tuple[int, ...] = ()
    device: str = 'auto'
    quick: bool = False
    width: int = 64
    num_classes: int = 309
    compile: bool = False
    seed: int = 0
    frontend_lengths: tuple[float, ...] = (1.0, 10.0)
    throughput_batches: tuple[int, ...] = (1, 8, 32, 64)
    runtime_lengths: tuple[float, ...] = (1.0, 10.0)
    flops_seconds: float = 10.0
    profile_runs: int = 10
    command: str = ''
    devices: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# timing


def _length_key(seconds: float) -> str:
    return f'{seconds:g}'


def _clock(device: torch.device) -> Callable[[Callable[[], object]], float]:
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
def _gc_off():
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
    measure = _clock(device)
    names = list(contenders)
    for _ in range(warmup):
        for name in names:
            contenders[name]()
    if device.type == 'cuda':
        torch.cuda.synchronize(device)
    times: dict[str, list[float]] = {name: [] for name in names}
    with _gc_off():
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


def _paired_ratio(numerator: list[float], denominator: list[float]) -> float:
    """Median over runs of the per-run ratio (both timed in the same round): robust to load drift."""
    return float(np.median(np.asarray(numerator) / np.asarray(denominator)))


def _waveform(batch: int, seconds: float, seed: int, device: torch.device | str = 'cpu') -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    samples = int(round(seconds * SAMPLE_RATE))
    return (0.1 * torch.randn(batch, samples, generator=generator)).to(device)


def _model(config: BenchConfig, frontend: str, backbone: str, device: torch.device | str = 'cpu'):
    torch.manual_seed(config.seed)
    return build_model(frontend, backbone, config.num_classes, SAMPLE_RATE, width=config.width).to(device).eval()


class _CpuMonitor:
    """Load average and the CPU share taken by *other* processes while a block runs (Linux)."""

    def __init__(self):
        self.start_wall = time.monotonic()
        self.start_busy = self._busy_seconds()
        self.start_own = self._own_seconds()
        self.start_load = self._load()

    @staticmethod
    def _load():
        try:
            return [round(x, 2) for x in os.getloadavg()]
        except OSError:
            return None

    @staticmethod
    def _busy_seconds():
        try:
            with open('/proc/stat') as stat:
                fields = [int(x) for x in stat.readline().split()[1:]]
        except (OSError, ValueError):
            return None
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
        return (sum(fields[:8]) - idle) / os.sysconf('SC_CLK_TCK')  # user … steal, no guest

    @staticmethod
    def _own_seconds():
        times = os.times()  # this process and its waited-for children (the threading section's)
        return times.user + times.system + times.children_user + times.children_system

    def report(self) -> dict:
        wall = time.monotonic() - self.start_wall
        out = {'wall_s': round(wall, 2), 'loadavg_1_5_15_before': self.start_load,
               'loadavg_1_5_15_after': self._load()}
        busy = self._busy_seconds()
        if busy is not None and self.start_busy is not None and wall >= 1.0:
            others = (busy - self.start_busy) - (self._own_seconds() - self.start_own)
            out['other_processes_cpu_share'] = round(max(0.0, others) / (wall * (os.cpu_count() or 1)), 3)
        return out


# ---------------------------------------------------------------------------------------------
# profiling


def profile_model(model, waveform: torch.Tensor, runs: int = 10, top: int = 12) -> dict:
    """torch.profiler over ``runs`` forward passes: front-end / backbone split, top ops by self CPU."""
    from torch.profiler import ProfilerActivity, profile, record_function

    def forward():
        with record_function('frontend'):
            image = model.frontend(waveform)
        with record_function('backbone'):
            return model.backbone(model.specaugment(image))

    with torch.inference_mode():
        forward()
        with profile(activities=[ProfilerActivity.CPU]) as prof:
            for _ in range(runs):
                forward()
    events = prof.key_averages()
    parts = {e.key: e.cpu_time_total / 1e3 / runs for e in events if e.key in ('frontend', 'backbone')}
    ops = [e for e in events if e.key not in ('frontend', 'backbone')]
    total = sum(e.self_cpu_time_total for e in ops) or 1.0
    ops.sort(key=lambda e: e.self_cpu_time_total, reverse=True)
    return {
        'runs': runs,
        'frontend_ms': parts.get('frontend'),
        'backbone_ms': parts.get('backbone'),
        'total_self_cpu_ms_per_run': total / 1e3 / runs,
        'top_ops': [{'op': e.key, 'calls_per_run': e.count / runs,
                     'self_cpu_ms_per_run': e.self_cpu_time_total / 1e3 / runs,
                     'share': e.self_cpu_time_total / total} for e in ops[:top]],
    }


# ---------------------------------------------------------------------------------------------
# sections


def _table8_latency(config: BenchConfig, models: dict, device: torch.device) -> dict:
    per_length = {}
    with torch.inference_mode():
        for index, seconds in enumerate(config.lengths):
            waveform = _waveform(1, seconds, config.seed + index, device)
            contenders = {key: (lambda m=model: m(waveform)) for key, model in models.items()}
            times = interleaved(contenders, config.runs, config.warmup, device)
            entry = {key: summarize(values) for key, values in times.items()}
            for other in ('spec_r18', 'spec_r34'):
                entry[f'ratio_degram_r18_over_{other}'] = (entry['degram_r18']['median_ms']
                                                           / entry[other]['median_ms'])
                entry[f'paired_ratio_degram_r18_over_{other}'] = _paired_ratio(times['degram_r18'], times[other])
            per_length[_length_key(seconds)] = entry
    return per_length


def section_table8(config: BenchConfig) -> dict:
    models_info = {}
    out: dict = {'models': models_info, 'devices': {}, 'paper': {}}
    for key, row in PAPER_TABLE8_MS.items():
        out['paper'][key] = {'label': row['label'], 'lengths': {
            _length_key(length): {'spec_r18': ms[0], 'degram_r18': ms[1], 'spec_r34': ms[2],
                                  'ratio_degram_r18_over_spec_r18': ms[1] / ms[0],
                                  'ratio_degram_r18_over_spec_r34': ms[1] / ms[2]}
            for length, ms in row['ms'].items()}}
    for device_name in config.devices:
        device = torch.device(device_name)
        models = {key: _model(config, frontend, backbone, device) for key, frontend, backbone, _ in TABLE8_MODELS}
        for key, frontend, backbone, label in TABLE8_MODELS:
            models_info[key] = {'label': label, 'frontend': frontend, 'backbone': backbone,
                                'parameters': parameter_count(models[key])}
        if device.type != 'cpu':
            out['devices'][device_name] = {
                'lengths': _table8_latency(config, models, device), 'paper_row': PAPER_ROW_FOR_DEVICE['cuda'],
                'gpu_name': torch.cuda.get_device_name(device), 'cudnn_benchmark': torch.backends.cudnn.benchmark}
            continue
        # the main thread count, then the extra ones (their entries are keyed cpu_<n>_threads)
        for threads in (config.threads, *config.extra_threads):
            torch.set_num_threads(threads)
            try:
                result = {'lengths': _table8_latency(config, models, device),
                          'paper_row': PAPER_ROW_FOR_DEVICE['cpu'], 'threads': torch.get_num_threads()}
            finally:
                torch.set_num_threads(config.threads)
            key = 'cpu' if threads == config.threads else f'cpu_{threads}_threads'
            out['devices'][key] = result
        # where the time goes: DEGram-R18 at the shortest and longest length, the references at the longest
        profiles = {}
        first, last = min(config.lengths), max(config.lengths)
        plan = [('degram_r18', first), ('degram_r18', last), ('spec_r18', last), ('spec_r34', last)]
        for key, seconds in dict.fromkeys(plan):
            profiles[f'{key}@{_length_key(seconds)}'] = profile_model(
                models[key], _waveform(1, seconds, config.seed, device), config.profile_runs)
        out['devices']['cpu']['profiles'] = profiles
        del models
    return out


def _count_flops(module, waveform: torch.Tensor) -> int:
    from torch.utils.flop_counter import FlopCounterMode

    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        module(waveform)
    return counter.get_total_flops()


def section_flops(config: BenchConfig) -> dict:
    rows = []
    waveform = _waveform(1, config.flops_seconds, config.seed)
    for backbone in FLOPS_BACKBONES:
        reference = None
        for frontend in FLOPS_FRONTENDS:
            model = _model(config, frontend, backbone)
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


def _frontend_contenders(device: torch.device) -> tuple[dict, dict]:
    """(name → (source, module)), (peer → skip reason)."""
    modules = {}
    skipped = {}
    for name, cls in FRONTENDS.items():
        torch.manual_seed(0)
        modules[name] = ('degram', cls(sample_rate=SAMPLE_RATE))
    modules['ConvSTFT magnitude'] = ('degram', ConvSTFT(N_FFT, HOP))

    class TorchSTFT(torch.nn.Module):
        """|torch.stft| with the same window, n_fft, hop and centring as ConvSTFT: (B, T, 257)."""

        def __init__(self):
            super().__init__()
            self.register_buffer('window', torch.hann_window(N_FFT))

        def forward(self, waveform):
            spec = torch.stft(waveform, N_FFT, HOP, window=self.window, center=True, pad_mode='constant',
                              return_complex=True)
            return spec.abs().transpose(1, 2)

    modules['torch.stft magnitude'] = ('torch', TorchSTFT())
    try:
        from nnAudio import features as nn_features

        modules['nnAudio STFT magnitude'] = ('nnAudio', nn_features.STFT(
            n_fft=N_FFT, hop_length=HOP, window='hann', freq_scale='no', center=True, pad_mode='constant',
            output_format='Magnitude', sr=SAMPLE_RATE, verbose=False))
        modules['nnAudio MelSpectrogram (64)'] = ('nnAudio', nn_features.MelSpectrogram(
            sr=SAMPLE_RATE, n_fft=N_FFT, hop_length=HOP, n_mels=64, center=True, pad_mode='constant',
            verbose=False))
    except Exception as exc:  # noqa: BLE001 - any import failure means: no peer
        skipped['nnAudio'] = f'nnAudio does not import ({type(exc).__name__}: {exc}); pip install --no-deps nnaudio'
    try:
        import torchaudio

        modules['torchaudio Spectrogram magnitude'] = ('torchaudio', torchaudio.transforms.Spectrogram(
            n_fft=N_FFT, hop_length=HOP, power=1.0))
        modules['torchaudio MelSpectrogram (64)'] = ('torchaudio', torchaudio.transforms.MelSpectrogram(
            sample_rate=SAMPLE_RATE, n_fft=N_FFT, hop_length=HOP, n_mels=64))
    except Exception as exc:  # noqa: BLE001 - torchaudio often fails to load against a CPU-only torch
        skipped['torchaudio'] = f'torchaudio does not import ({type(exc).__name__}: {exc})'
    return {name: (source, module.to(device).eval()) for name, (source, module) in modules.items()}, skipped


def section_frontends(config: BenchConfig) -> dict:
    out: dict = {'devices': {}}
    for device_name in config.devices:
        device = torch.device(device_name)
        contenders, skipped = _frontend_contenders(device)
        out['skipped_peers'] = skipped
        per_length = {}
        with torch.inference_mode():
            for index, seconds in enumerate(config.frontend_lengths):
                waveform = _waveform(1, seconds, config.seed + index, device)
                calls = {name: (lambda m=module: m(waveform)) for name, (_, module) in contenders.items()}
                times = interleaved(calls, config.runs, config.warmup, device)
                per_length[_length_key(seconds)] = {name: summarize(values) for name, values in times.items()}
            # the STFT peers compute what ConvSTFT computes: show it
            waveform = _waveform(1, config.frontend_lengths[0], config.seed, device)
            ours = contenders['ConvSTFT magnitude'][1](waveform)
            agreement = {}
            for name in ('torch.stft magnitude', 'nnAudio STFT magnitude', 'torchaudio Spectrogram magnitude'):
                if name in contenders:
                    theirs = contenders[name][1](waveform)
                    if name != 'torch.stft magnitude':
                        theirs = theirs.transpose(1, 2)  # nnAudio and torchaudio give (B, F, T)
                    if theirs.shape == ours.shape:
                        agreement[name] = float((theirs - ours).abs().max() / ours.abs().max())
                    else:
                        agreement[name] = f'shape {tuple(theirs.shape)} vs ours {tuple(ours.shape)}'
        out['devices'][device_name] = {'lengths': per_length,
                                       'sources': {name: source for name, (source, _) in contenders.items()},
                                       'stft_max_relative_difference_to_ConvSTFT': agreement}
    return out


def section_throughput(config: BenchConfig) -> dict:
    out: dict = {'model': 'DEGram-ResNet18', 'window_s': 1.0, 'devices': {}}
    for device_name in config.devices:
        device = torch.device(device_name)
        model = _model(config, 'degram', 'resnet18', device)
        inputs = {batch: _waveform(batch, 1.0, config.seed, device) for batch in config.throughput_batches}
        with torch.inference_mode():
            calls = {f'batch {batch}': (lambda x=x: model(x)) for batch, x in inputs.items()}
            times = interleaved(calls, config.runs, config.warmup, device)
        rows = []
        for batch in config.throughput_batches:
            stats = summarize(times[f'batch {batch}'])
            rows.append({'batch': batch, **stats, 'ms_per_window': stats['median_ms'] / batch,
                         'windows_per_s': batch / (stats['median_ms'] / 1e3)})
        out['devices'][device_name] = rows
    return out


def section_onnx(config: BenchConfig) -> dict:
    if 'cpu' not in config.devices:
        return {'skipped': 'ONNX Runtime is timed on CPU only and --device excludes the CPU'}
    try:
        import onnxruntime
    except ImportError as exc:
        return {'skipped': f'onnxruntime does not import ({exc}); pip install onnxruntime'}
    from ..export import PARITY_TOLERANCE, check_parity, export_onnx

    model = _model(config, 'degram', 'resnet18')
    checkpoint = SimpleNamespace(model=model, sample_rate=SAMPLE_RATE, task='bench', multi_label=False,
                                 labels=[f'class_{i}' for i in range(config.num_classes)])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / 'degram_resnet18.onnx'
        started = time.perf_counter()
        export_onnx(checkpoint, path)
        export_s = time.perf_counter() - started
        sessions = {}
        for name, spinning in (('onnxruntime', '1'), ('onnxruntime no-spin', '0')):
            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = config.threads
            options.inter_op_num_threads = 1
            options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
            options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
            # idle intra-op threads spin by default; '0' makes them sleep (kinder to a shared CPU)
            options.add_session_config_entry('session.intra_op.allow_spinning', spinning)
            # ... and by default they keep spinning after run() returns, which doubled the latency of
            # the eager contender timed next (measured on 2 shared cores): stop spinning between runs
            options.add_session_config_entry('session.force_spinning_stop', '1')
            sessions[name] = onnxruntime.InferenceSession(str(path), options, providers=['CPUExecutionProvider'])
        size_mb = path.stat().st_size / 1e6
        # the library's own parity check (batch 2, 1 s and 3.7 s), on the default session options
        library_parity = check_parity(checkpoint, path)
    rows = []
    with torch.inference_mode():
        for index, seconds in enumerate(config.runtime_lengths):
            waveform = _waveform(1, seconds, config.seed + index)
            array = waveform.numpy()
            feeds = {'waveform': array}
            eager_logits = model(waveform).numpy()
            (onnx_logits,) = sessions['onnxruntime'].run(['logits'], feeds)
            calls = {'eager': lambda: model(waveform)}
            calls.update({name: (lambda s=session: s.run(['logits'], feeds)) for name, session in sessions.items()})
            times = interleaved(calls, config.runs, config.warmup, torch.device('cpu'))
            stats = {name: summarize(values) for name, values in times.items()}
            rows.append({'length_s': seconds, **stats,
                         'ratio_ort_over_eager': stats['onnxruntime']['median_ms'] / stats['eager']['median_ms'],
                         'ratio_ort_no_spin_over_eager': (stats['onnxruntime no-spin']['median_ms']
                                                          / stats['eager']['median_ms']),
                         'max_abs_logit_difference': float(np.abs(onnx_logits - eager_logits).max())})
    return {'model': 'DEGram-ResNet18', 'onnxruntime_version': onnxruntime.__version__,
            'intra_op_threads': config.threads, 'export_s': export_s, 'onnx_mb': size_mb,
            'parity_tolerance': PARITY_TOLERANCE, 'library_check_parity_batch2_1s_3.7s': library_parity,
            'parity_ok': bool(max([library_parity] + [r['max_abs_logit_difference'] for r in rows])
                              <= PARITY_TOLERANCE),
            'rows': rows}


_THREADING_CHILD = """
import json, sys, time
import torch
from types import SimpleNamespace
args = json.loads(sys.argv[1])
torch.set_num_threads(args['threads'])
from degram.bench.runner import _model, _waveform
model = _model(SimpleNamespace(**args['config']), 'degram', 'resnet18')
waveform = _waveform(1, args['seconds'], args['config']['seed'])
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


def section_threading(config: BenchConfig) -> dict:
    """DEGram-R18, batch 1, per thread count, with OpenMP's default (spinning) wait and with PASSIVE.

    OMP_WAIT_POLICY is read when the OpenMP runtime loads, so each setting runs in a fresh Python
    process; the settings alternate over ``rounds`` rounds (order rotating) to share the load drift.
    """
    if 'cpu' not in config.devices:
        return {'skipped': 'CPU threading is measured on CPU only and --device excludes the CPU'}
    import degram

    seconds = config.runtime_lengths[0]
    rounds = 1 if config.quick else 2
    package_root = str(Path(degram.__file__).resolve().parents[1])
    settings = [(threads, policy) for threads in sorted({config.threads, *config.extra_threads})
                for policy in ('default', 'PASSIVE')]
    times: dict = {setting: [] for setting in settings}
    errors = {}
    child_config = {'seed': config.seed, 'num_classes': config.num_classes, 'width': config.width}
    for index in range(rounds):
        start = index % len(settings)
        for threads, policy in settings[start:] + settings[:start]:
            env = {k: v for k, v in os.environ.items() if k != 'OMP_WAIT_POLICY'}
            env['PYTHONPATH'] = os.pathsep.join(filter(None, [package_root, os.environ.get('PYTHONPATH')]))
            if policy != 'default':
                env['OMP_WAIT_POLICY'] = policy
            args = {'threads': threads, 'seconds': seconds, 'warmup': config.warmup,
                    'runs': max(1, config.runs // rounds), 'config': child_config}
            try:
                proc = subprocess.run([sys.executable, '-c', _THREADING_CHILD, json.dumps(args)], env=env,
                                      capture_output=True, text=True, timeout=300)
                if proc.returncode != 0:
                    raise RuntimeError(proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else
                                       f'exit status {proc.returncode}')
                times[(threads, policy)] += json.loads(proc.stdout.strip().splitlines()[-1])['times']
            except (OSError, subprocess.SubprocessError, RuntimeError, ValueError, IndexError) as exc:
                errors[f'{threads} threads, {policy}'] = f'{type(exc).__name__}: {exc}'
    rows = [{'threads': threads, 'omp_wait_policy': policy, **summarize(values)}
            for (threads, policy), values in times.items() if values]
    return {'model': 'DEGram-ResNet18', 'length_s': seconds, 'rounds': rounds, 'rows': rows, 'errors': errors,
            'parent_omp_wait_policy': os.environ.get('OMP_WAIT_POLICY')}


def _render_threading(section: dict) -> list[str]:
    lines = ['## CPU threads and OpenMP wait policy', '',
             f"{section['model']}, {section['length_s']:g} s, batch 1; each setting in its own process "
             f"(OMP_WAIT_POLICY is read at start-up), settings alternated over {section['rounds']} round(s). "
             '`default`: OMP_WAIT_POLICY unset (idle OpenMP threads spin before sleeping).', '',
             '| threads | OMP_WAIT_POLICY | ms, median (p95) |', '|---|---|---|']
    for row in section['rows']:
        lines.append(f"| {row['threads']} | {row['omp_wait_policy']} | {_ms(row)} |")
    for name, error in section['errors'].items():
        lines.append(f'| {name} | failed: {error} | |')
    return lines


def section_gpu(config: BenchConfig) -> dict:
    """fp32 eager against autocast fp16 / bf16, a CUDA graph and (optional) torch.compile, batch 1."""
    if 'cuda' not in config.devices:
        reason = ('torch.cuda.is_available() is False' if not torch.cuda.is_available()
                  else '--device cpu excludes the GPU')
        return {'skipped': reason}
    device = torch.device('cuda')
    model = _model(config, 'degram', 'resnet18', device)
    out: dict = {'model': 'DEGram-ResNet18', 'gpu_name': torch.cuda.get_device_name(device),
                 'cudnn_benchmark': torch.backends.cudnn.benchmark, 'lengths': {}}

    def autocast(dtype):
        def call():
            with torch.autocast('cuda', dtype=dtype):
                return model(waveform)
        return call

    for index, seconds in enumerate(config.runtime_lengths):
        waveform = _waveform(1, seconds, config.seed + index, device)
        variants: dict[str, Callable[[], torch.Tensor]] = {'fp32 eager': lambda: model(waveform)}
        errors: dict[str, str] = {}
        with torch.inference_mode():
            reference = model(waveform).float()
            variants['fp16 autocast'] = autocast(torch.float16)
            if torch.cuda.is_bf16_supported():
                variants['bf16 autocast'] = autocast(torch.bfloat16)
            else:
                errors['bf16 autocast'] = 'skipped: torch.cuda.is_bf16_supported() is False'
            try:  # CUDA graph of the fp32 model: static input buffer, replayed after a copy
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
                variants['fp32 CUDA graph'] = replay
            except Exception as exc:  # noqa: BLE001 - report, do not lose the other variants
                errors['fp32 CUDA graph'] = f'{type(exc).__name__}: {exc}'
            if config.compile:
                try:
                    compiled = torch.compile(model)
                    compiled(waveform)
                    variants['torch.compile'] = lambda: compiled(waveform)
                except Exception as exc:  # noqa: BLE001
                    errors['torch.compile'] = f'{type(exc).__name__}: {exc}'
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
            times = interleaved(variants, config.runs, config.warmup, device)
        rows = {name: {**summarize(values), **parity[name]} for name, values in times.items()}
        out['lengths'][_length_key(seconds)] = {'variants': rows, 'errors': errors}
    return out


SECTION_FUNCTIONS = {'table8': section_table8, 'flops': section_flops, 'frontends': section_frontends,
                     'throughput': section_throughput, 'onnx': section_onnx, 'threading': section_threading,
                     'gpu': section_gpu}


# ---------------------------------------------------------------------------------------------
# targets, machine, report


def evaluate_targets(results: dict, config: BenchConfig) -> dict:
    targets = {}
    cpu = results.get('sections', {}).get('table8', {}).get('devices', {}).get('cpu')
    for key, target in TARGETS.items():
        entry = {**target, 'measured': None, 'met': None, 'note': ''}
        if cpu is None:
            entry['note'] = 'not measured: the table8 section did not run on CPU'
        elif key.startswith('cpu_10s'):
            row = cpu['lengths'].get('10')
            other = 'spec_r18' if key.endswith('spec_r18') else 'spec_r34'
            if row is None:
                entry['note'] = 'not measured: 10 s is not among --lengths'
            else:
                entry['measured'] = row[f'ratio_degram_r18_over_{other}']
        else:
            devices = results['sections']['table8']['devices']
            two = next((r for k, r in devices.items() if k.startswith('cpu') and r['threads'] == 2), None)
            if '1' not in cpu['lengths']:
                entry['note'] = 'not measured: 1 s is not among --lengths'
            elif two is None:
                entry['note'] = f"not applicable: measured with {cpu['threads']} threads (run with --threads 2)"
            else:
                entry['measured'] = two['lengths']['1']['degram_r18']['median_ms']
        if entry['measured'] is not None:
            entry['met'] = bool(entry['measured'] <= entry['max'])
            if config.width != 64:
                entry['note'] = f'backbone width {config.width}, not the real ResNet (64): not comparable'
                entry['met'] = None
        targets[key] = entry
    return targets


def machine_info(config: BenchConfig) -> dict:
    info = {'date': datetime.datetime.now().astimezone().isoformat(timespec='seconds'),
            'platform': platform.platform(), 'python': platform.python_version(),
            'torch': torch.__version__, 'numpy': np.__version__,
            'logical_cpus': os.cpu_count(), 'torch_threads': torch.get_num_threads(),
            'torch_interop_threads': torch.get_num_interop_threads(),
            'mkldnn': torch.backends.mkldnn.is_available(), 'cuda_available': torch.cuda.is_available(),
            'parallel_info': torch.__config__.parallel_info().strip().splitlines(),
            'environment': {name: os.environ.get(name) for name in (
                'OMP_NUM_THREADS', 'OMP_WAIT_POLICY', 'GOMP_SPINCOUNT', 'KMP_BLOCKTIME', 'MKL_NUM_THREADS',
                'OMP_PROC_BIND')}}
    try:
        lscpu = subprocess.run(['lscpu'], capture_output=True, text=True, timeout=10).stdout
        fields = dict(line.split(':', 1) for line in lscpu.splitlines() if ':' in line)
        fields = {k.strip(): v.strip() for k, v in fields.items()}
        info['cpu_model'] = fields.get('Model name')
        if fields.get('Core(s) per socket') and fields.get('Socket(s)'):
            info['physical_cores'] = int(fields['Core(s) per socket']) * int(fields['Socket(s)'])
        info['hypervisor'] = fields.get('Hypervisor vendor')
    except (OSError, subprocess.SubprocessError, ValueError):
        info['cpu_model'] = platform.processor() or None
    if torch.cuda.is_available():
        info['gpu'] = torch.cuda.get_device_name(0)
        info['cuda'] = torch.version.cuda
    for name, module in (('onnxruntime', 'onnxruntime'), ('nnaudio', 'nnAudio'), ('matplotlib', 'matplotlib')):
        try:
            info[name] = __import__(module).__version__
        except Exception:  # noqa: BLE001 - optional
            info[name] = None
    return info


def _ms(stats: dict | None) -> str:
    if not stats:
        return '–'
    return f"{stats['median_ms']:.1f} ({stats['p95_ms']:.1f})"


def _load_line(load: dict) -> str:
    text = (f"load average (1/5/15 min) {load.get('loadavg_1_5_15_before')} before, "
            f"{load.get('loadavg_1_5_15_after')} after; {load['wall_s']:.0f} s wall")
    if 'other_processes_cpu_share' in load:
        text += (f"; other processes used {100 * load['other_processes_cpu_share']:.0f} % of the machine's "
                 'CPU time meanwhile')
    return text


def _finite(value):
    """``value`` with every NaN or infinity replaced by None, so that the JSON stays standard."""
    if isinstance(value, float):
        return value if np.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    return value


def render_markdown(results: dict) -> str:
    meta, config, sections = results['machine'], results['config'], results['sections']
    guest = f", {meta['hypervisor']} guest" if meta.get('hypervisor') else ''
    lines = ['# degram bench results', '',
             f"- date: {meta['date']}",
             f"- command: `{config['command']}`",
             f"- CPU: {meta.get('cpu_model')}, {meta.get('physical_cores', '?')} cores / "
             f"{meta['logical_cpus']} logical CPUs{guest}",
             f"- PyTorch {meta['torch']}, {meta['torch_threads']} threads (interop "
             f"{meta['torch_interop_threads']}), ONNX Runtime {meta.get('onnxruntime')}, nnAudio {meta.get('nnaudio')}",
             f"- GPU: {meta.get('gpu', 'none (torch.cuda.is_available() is False)')}",
             f"- runs per contender: {config['runs']} timed after {config['warmup']} warm-up, interleaved; "
             f"backbone width {config['width']}, {config['num_classes']} classes, batch 1 unless stated",
             f"- machine load: {_load_line(results['load'])}", '']
    if results.get('targets'):
        lines += ['## Targets', '', '| target | threshold | measured | met | paper | note |',
                  '|---|---|---|---|---|---|']
        for entry in results['targets'].values():
            measured = '–' if entry['measured'] is None else f"{entry['measured']:.3g}"
            met = {True: 'yes', False: '**no**', None: '–'}[entry['met']]
            paper = '' if entry['paper'] is None else f"{entry['paper']} ({entry['paper_note']})"
            lines.append(f"| {entry['description']} | ≤ {entry['max']:g} | {measured} | {met} | {paper} "
                         f"| {entry['note']} |")
        lines.append('')
    for name in results['config']['sections']:
        section = sections.get(name, {})
        if 'skipped' in section or 'error' in section:
            lines += [f'## {name}', '', f"Skipped: {section.get('skipped') or section.get('error')}", '']
            continue
        lines += RENDERERS[name](section)
        lines.append('')
    return '\n'.join(lines).rstrip() + '\n'


def _render_table8(section: dict) -> list[str]:
    lines = ['## Latency (Table 8 analogue)', '',
             'Median (p95) in ms, batch 1, whole model (front-end included), `torch.inference_mode`; '
             'the three models interleaved run by run. Paper: ResNet18 / DEGram-ResNet18 / ResNet34.', '']
    for device_name, result in section['devices'].items():
        paper_key = result.get('paper_row')
        paper = section['paper'].get(paper_key, {}) if paper_key else {}
        where = (f"CPU, {result['threads']} threads" if device_name.startswith('cpu')
                 else f"CUDA, {result.get('gpu_name')}")
        lines += [f'### {where}', '',
                  '| input | Spec-R18 | DEGram-R18 | Spec-R34 | DEGram/Spec-R18 | DEGram/Spec-R34 '
                  f"| paper {paper.get('label', '')} ms | paper ratios |",
                  '|---|---|---|---|---|---|---|---|']
        for length, row in result['lengths'].items():
            ref = paper.get('lengths', {}).get(length)
            paper_ms = f"{ref['spec_r18']} / {ref['degram_r18']} / {ref['spec_r34']}" if ref else '–'
            paper_ratio = (f"{ref['ratio_degram_r18_over_spec_r18']:.2f} / {ref['ratio_degram_r18_over_spec_r34']:.2f}"
                           if ref else '–')
            lines.append(f"| {length} s | {_ms(row['spec_r18'])} | {_ms(row['degram_r18'])} | {_ms(row['spec_r34'])} "
                         f"| {row['ratio_degram_r18_over_spec_r18']:.2f} | {row['ratio_degram_r18_over_spec_r34']:.2f} "
                         f'| {paper_ms} | {paper_ratio} |')
        lines.append('')
    profiles = section['devices'].get('cpu', {}).get('profiles', {})
    if profiles:
        lines += [f"### Where the time goes (torch.profiler, CPU {section['devices']['cpu']['threads']} threads)", '',
                  'Front-end and backbone wall time per run (profiler overhead included), then the top '
                  'operators by self CPU time.', '']
        for label, profile in profiles.items():
            name, length = label.split('@')
            lines += [f"**{section['models'][name]['label']}, {length} s** ({profile['runs']} runs): front-end "
                      f"{profile['frontend_ms']:.2f} ms, backbone {profile['backbone_ms']:.2f} ms per run", '',
                      '| op | calls/run | self CPU ms/run | share |', '|---|---|---|---|']
            for op in profile['top_ops'][:8]:
                lines.append(f"| `{op['op']}` | {op['calls_per_run']:g} | {op['self_cpu_ms_per_run']:.2f} "
                             f"| {100 * op['share']:.1f} % |")
            lines.append('')
    return lines


def _render_flops(section: dict) -> list[str]:
    lines = ['## FLOPs per second of audio (Fig. 6 analogue)', '',
             f"GFLOPs per second of audio, counted by {section['counter']} on one "
             f"{section['counted_on_seconds']:g} s input (backbone width {section['width']}); "
             'in brackets: the front-end alone, and the ratio to the spectrogram model.', '',
             '| backbone | Spectrogram | SincGram | DEGram | paper Spectrogram |', '|---|---|---|---|---|']
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


def _render_frontends(section: dict) -> list[str]:
    lines = ['## Front-ends alone', '',
             'Median (p95) in ms, batch 1, every front-end and peer interleaved run by run. The '
             'degram front-ends include log compression and standardisation; the STFT peers give '
             'magnitude only (compare them with `ConvSTFT magnitude`), the mel peers the power mel '
             'spectrogram without log.', '']
    for device_name, result in section['devices'].items():
        lengths = list(result['lengths'])
        lines += [f'### {device_name}', '', '| front-end | library | ' + ' | '.join(f'{n} s' for n in lengths) + ' |',
                  '|---|---|' + '---|' * len(lengths)]
        for name, source in result['sources'].items():
            cells = ' | '.join(_ms(result['lengths'][n].get(name)) for n in lengths)
            lines.append(f'| {name} | {source} | {cells} |')
        agreement = result.get('stft_max_relative_difference_to_ConvSTFT')
        if agreement:
            lines += ['', 'Max |difference| / max |ConvSTFT| of the STFT peers: ' + ', '.join(
                f'{k} {v:.1e}' if isinstance(v, float) else f'{k} {v}' for k, v in agreement.items())]
        lines.append('')
    for peer, reason in section.get('skipped_peers', {}).items():
        lines.append(f'- peer {peer} skipped: {reason}')
    return lines


def _render_throughput(section: dict) -> list[str]:
    lines = ['## Throughput', '', f"{section['model']}, {section['window_s']:g} s windows, batches interleaved.", '']
    for device_name, rows in section['devices'].items():
        lines += [f'### {device_name}', '', '| batch | ms per batch, median (p95) | ms per window | windows/s |',
                  '|---|---|---|---|']
        for row in rows:
            lines.append(f"| {row['batch']} | {_ms(row)} | {row['ms_per_window']:.2f} | {row['windows_per_s']:.0f} |")
        lines.append('')
    return lines


def _render_onnx(section: dict) -> list[str]:
    lines = ['## ONNX Runtime against eager PyTorch (CPU)', '',
             f"{section['model']}, batch 1, ONNX Runtime {section['onnxruntime_version']} "
             f"(CPUExecutionProvider, {section['intra_op_threads']} intra-op threads, all graph optimisations, "
             'spinning stopped between runs; no-spin: intra-op threads never spin); '
             f"export {section['export_s']:.1f} s, {section['onnx_mb']:.1f} MB. Parity: library check "
             f"(batch 2, 1 s and 3.7 s) max |Δlogit| {section['library_check_parity_batch2_1s_3.7s']:.1e}, "
             f"tolerance {section['parity_tolerance']:.0e}: {'ok' if section['parity_ok'] else 'FAILED'}.", '',
             '| input | eager ms | ONNX Runtime ms | ORT / eager | ORT no-spin ms | no-spin / eager '
             '| max abs Δlogit |', '|---|---|---|---|---|---|---|']
    for row in section['rows']:
        lines.append(f"| {row['length_s']:g} s | {_ms(row['eager'])} | {_ms(row['onnxruntime'])} "
                     f"| {row['ratio_ort_over_eager']:.2f} | {_ms(row['onnxruntime no-spin'])} "
                     f"| {row['ratio_ort_no_spin_over_eager']:.2f} | {row['max_abs_logit_difference']:.1e} |")
    return lines


def _render_gpu(section: dict) -> list[str]:
    lines = ['## GPU runtime variants', '', f"{section['model']} on {section['gpu_name']}, batch 1.", '',
             '| input | variant | ms, median (p95) | max abs Δlogit vs fp32 | same top-1 |', '|---|---|---|---|---|']
    for length, entry in section['lengths'].items():
        for name, row in entry['variants'].items():
            lines.append(f"| {length} s | {name} | {_ms(row)} | {row['max_abs_logit_difference']:.1e} "
                         f"| {row['same_top1']} |")
        for name, error in entry['errors'].items():
            lines.append(f'| {length} s | {name} | {error} | | |')
    return lines


RENDERERS = {'table8': _render_table8, 'flops': _render_flops, 'frontends': _render_frontends,
             'throughput': _render_throughput, 'onnx': _render_onnx, 'threading': _render_threading,
             'gpu': _render_gpu}


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
        for other, marker in (('spec_r18', 'o'), ('spec_r34', 's')):
            ratios = [row[f'ratio_degram_r18_over_{other}'] for row in result['lengths'].values()]
            right.plot(lengths, ratios, marker=marker, linestyle=style, color=colours[other],
                       label=f'ours {device_name}: DEGram / {other}')
    paper = table8['paper']['xavier_nx_cpu']['lengths']
    paper_lengths = [float(n) for n in paper]
    for other, marker in (('spec_r18', 'o'), ('spec_r34', 's')):
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


# ---------------------------------------------------------------------------------------------
# entry points


def canonical_command(config: BenchConfig, prog: str = 'degram bench') -> str:
    parts = ['--output-dir', str(config.output_dir), '--threads', *map(str, (config.threads, *config.extra_threads)),
             '--device', config.device, '--runs', str(config.runs), '--warmup', str(config.warmup),
             '--lengths', *[_length_key(n) for n in config.lengths], '--sections', *config.sections,
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


def resolve_devices(choice: str) -> list[str]:
    cuda = torch.cuda.is_available()
    if choice == 'cuda':
        if not cuda:
            raise ValueError('--device cuda, but torch.cuda.is_available() is False')
        return ['cuda']
    if choice == 'cpu':
        return ['cpu']
    return ['cpu', 'cuda'] if cuda else ['cpu']


def run_benchmark(config: BenchConfig, log: Callable[[str], None] = print) -> dict:
    """Run the sections of ``config`` and write bench.json, bench.md and latency.png."""
    torch.set_num_threads(config.threads)
    config.devices = resolve_devices(config.device)
    if 'cuda' in config.devices:
        torch.backends.cudnn.benchmark = True
    config.output_dir.mkdir(parents=True, exist_ok=True)
    whole = _CpuMonitor()
    results: dict = {'config': {**asdict(config), 'output_dir': str(config.output_dir)},
                     'machine': machine_info(config), 'sections': {}, 'section_load': {}}
    for name in config.sections:
        log(f'degram bench: {name} …')
        monitor = _CpuMonitor()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter('ignore')
                results['sections'][name] = SECTION_FUNCTIONS[name](config)
        except Exception as exc:  # noqa: BLE001 - one failing section must not lose the others
            results['sections'][name] = {'error': f'{type(exc).__name__}: {exc}'}
            log(f'degram bench: {name} failed: {type(exc).__name__}: {exc}')
        results['section_load'][name] = monitor.report()
    results['load'] = whole.report()
    results['targets'] = evaluate_targets(results, config)
    json_path = config.output_dir / 'bench.json'
    json_path.write_text(json.dumps(_finite(results), indent=2, default=str, allow_nan=False) + '\n')
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
    from ..cli.bench import add_arguments

    parser = argparse.ArgumentParser(prog='python -m degram.bench',
                                     description='Benchmark the models (same as `degram bench`).')
    add_arguments(parser)
    return run_from_args(parser.parse_args(argv), command='python -m degram.bench')


if __name__ == '__main__':
    sys.exit(main())
