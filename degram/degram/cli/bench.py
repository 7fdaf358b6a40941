# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""`degram bench`: latency, FLOPs, front-end cost, throughput and runtime variants (see degram/bench/)."""
from __future__ import annotations

from ..bench.sections import SECTIONS

SECTION_NAMES = tuple(SECTIONS.names())  # the registry imports no section (and no torch)


def add_arguments(parser) -> None:
    """The options of `degram bench` and of `python -m degram.bench` (no torch import here)."""
    parser.add_argument('-o', '--output-dir', default='bench_results',
                        help='folder for bench.json, bench.md and latency.png (default: bench_results)')
    parser.add_argument('--threads', type=int, nargs='+', default=None, metavar='N',
                        help="CPU threads for PyTorch and ONNX Runtime (default: torch's current count); "
                        'further counts repeat the Table 8 CPU latency with them, e.g. --threads 2 1')
    parser.add_argument('--device', choices=['cpu', 'cuda', 'auto'], default='auto',
                        help='auto (default): CPU, plus CUDA when torch sees a GPU; cpu or cuda: that one only')
    parser.add_argument('--runs', type=int, default=None,
                        help='timed runs per contender (default 30; 2 with --quick)')
    parser.add_argument('--warmup', type=int, default=None,
                        help='untimed runs per contender first (default 3; 1 with --quick)')
    parser.add_argument('--lengths', type=float, nargs='+', default=None, metavar='SECONDS',
                        help='input lengths of the Table 8 latency (default 1 3 5 10; 0.5 with --quick)')
    parser.add_argument('--sections', nargs='+', choices=SECTION_NAMES, default=list(SECTION_NAMES),
                        metavar='SECTION', help=f"what to run (default all): {', '.join(SECTION_NAMES)}")
    parser.add_argument('--quick', action='store_true',
                        help='tiny configuration for tests: one 0.5 s length, 2 runs, backbones of width 8')
    parser.add_argument('--width', type=int, default=None,
                        help='backbone width (default 64 = the real ResNets; 8 with --quick)')
    parser.add_argument('--num-classes', type=int, default=309,
                        help='classifier outputs (default 309, as VGGSound)')
    parser.add_argument('--compile', action='store_true',
                        help='also time torch.compile in the GPU section (compilation can take minutes)')
    parser.add_argument('--seed', type=int, default=0, help='seed of weights and test audio (default 0)')


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        'bench', help='benchmark latency, FLOPs, front-ends, throughput, ONNX Runtime and GPU variants',
        description='Benchmark the models on this machine and write bench.json, bench.md (tables with '
        "the paper's figures beside ours) and latency.png. Sections: table8 (latency of "
        'Spectrogram-ResNet18, DEGram-ResNet18 and Spectrogram-ResNet34, batch 1, whole model, '
        'contenders interleaved), flops (FLOPs per second of audio, torch.utils.flop_counter), '
        'frontends (each front-end alone against nnAudio / torch.stft / torchaudio peers), '
        'throughput (DEGram-ResNet18 windows per second at batch 1-64), onnx (ONNX Runtime against '
        'eager PyTorch, with logit parity), threading (thread counts with OpenMP spinning or '
        'OMP_WAIT_POLICY=PASSIVE, each in a fresh process) and gpu (autocast fp16/bf16, CUDA graphs, optional '
        'torch.compile; skipped without a GPU). Weights are random: latency does not depend on them.')
    add_arguments(parser)
    parser.set_defaults(func=run)


def run(args) -> int:
    from ..bench.runner import run_from_args

    return run_from_args(args, command='degram bench')
