# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""What a benchmark run is configured with, the paper's figures it is compared with, and the targets."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .sections import SECTIONS

SAMPLE_RATE = 16000

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
    sections: tuple[str, ...] = tuple(SECTIONS.names())
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
