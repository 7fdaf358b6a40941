# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""`degram plot MODEL`: learned SincGram filters and Spectrogram / SincGram / DEGram images."""
from __future__ import annotations

from pathlib import Path

from .common import add_model_argument


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        'plot', help='plot learned filters and representations to a PNG',
        description="PNG with the learned SincGram filters over their initial mel filters, and "
        "the Spectrogram, SincGram and DEGram images of an audio file (the paper's Fig. 5). "
        "Models without a SincGram get the spectrogram and their own representation.")
    add_model_argument(parser)
    parser.add_argument('--audio', help='audio file to show (default: a synthetic chirp)')
    parser.add_argument('-o', '--output', help='PNG file (default: MODEL name + .png)')
    parser.set_defaults(func=run)


def run(args) -> int:
    from ..inference import load_checkpoint
    from ..viz import plot_model

    checkpoint = load_checkpoint(args.model)
    output = Path(args.output) if args.output else Path(f'{checkpoint.name}.png')
    plot_model(checkpoint, output, audio=args.audio)
    print(f'wrote {output}')
    return 0
