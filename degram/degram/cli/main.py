# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""`degram`: the command-line tool of the degram library (model info, prediction, export, training …).

Each subcommand module exposes ``add_parser(subparsers)``; heavy imports stay inside its ``run()``.
A subcommand module that fails to import is an error, never silently left out.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from .. import __version__
from ..inference.pretrained import PRETRAINED
from ..registry import Registry

#: subcommand name → module under degram.cli (imported when the parser is built)
COMMANDS: Registry = Registry('subcommand')
for _name in ('info', 'predict', 'export', 'plot', 'train', 'eval', 'calibrate', 'annotate', 'bench',
              'enroll', 'speakers', 'identify', 'teach', 'sounds'):
    COMMANDS.register(_name, f'degram.cli.{_name}')


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog='degram', description='DEGram sound-event and speaker recognition models: inspect, '
        'run, export, train and benchmark. MODEL is a checkpoint file or a shipped model name '
        f"({', '.join(PRETRAINED.names()) or 'none installed'}).")
    parser.add_argument('--version', action='version', version=f'degram {__version__}')
    subparsers = parser.add_subparsers(dest='command', metavar='COMMAND')
    for _, module in COMMANDS.items():
        importlib.import_module(module).add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    from ..audio import AudioError
    from ..inference import CheckpointError

    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, 'func', None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except (CheckpointError, AudioError, FileNotFoundError) as exc:
        print(f'degram {args.command}: error: {exc}', file=sys.stderr)
        return 1


if __name__ == '__main__':
    sys.exit(main())
