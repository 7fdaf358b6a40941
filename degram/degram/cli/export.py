# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""`degram export MODEL --format onnx`: ONNX file + parity check against PyTorch."""
from __future__ import annotations

from pathlib import Path

from .common import add_model_argument


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        'export', help='export a model to ONNX and check it against PyTorch',
        description='Export the whole model (front-end included: its STFT is a Conv1d) to ONNX '
        'with dynamic batch and length, then compare ONNX Runtime with PyTorch on random audio '
        'of 1 s and 3.7 s. Labels, task and sample rate are stored as ONNX metadata.')
    add_model_argument(parser)
    parser.add_argument('--format', choices=['onnx', 'fp16'], default='onnx',
                        help='onnx (default), or fp16: the same checkpoint format with half-precision '
                        'weights (how shipped models are stored)')
    parser.add_argument('-o', '--output', help='output file (default: MODEL name + .onnx / '
                        '.fp16.pt in the current folder)')
    parser.add_argument('--name', help='fp16: model name stored in the copy (default: the source\'s)')
    parser.add_argument('--opset', type=int, default=17, help='ONNX opset (default 17)')
    parser.add_argument('--no-check', action='store_true', help='skip the ONNX Runtime parity check')
    parser.set_defaults(func=run)


def run(args) -> int:
    from ..export import PARITY_TOLERANCE, check_parity, export_onnx
    from ..inference import load_checkpoint, save_half

    checkpoint = load_checkpoint(args.model)
    if args.format == 'fp16':
        output = save_half(checkpoint.path, args.output or f'{checkpoint.name}.fp16.pt', name=args.name)
        print(f'wrote {output} ({output.stat().st_size / 1e6:.1f} MB, fp16 weights)')
        return 0
    output = Path(args.output) if args.output else Path(f'{checkpoint.name}.onnx')
    export_onnx(checkpoint, output, opset=args.opset)
    print(f'wrote {output} ({output.stat().st_size / 1e6:.1f} MB)')
    if args.no_check:
        return 0
    error = check_parity(checkpoint, output)
    verdict = 'ok' if error <= PARITY_TOLERANCE else 'FAILED'
    print(f'parity vs PyTorch (1 s and 3.7 s random audio): max |Δlogit| = {error:.2e} '
          f'(tolerance {PARITY_TOLERANCE:.0e}) {verdict}')
    return 0 if error <= PARITY_TOLERANCE else 1
