"""`degram`: the command-line tool of degram_ros (model info, prediction, export, training …)."""
from __future__ import annotations

import argparse
import importlib
import sys

# Each subcommand module exposes add_parser(subparsers); heavy imports stay inside its run().
COMMANDS = ('info', 'predict', 'export', 'plot', 'train', 'eval', 'bench')


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog='degram', description='DEGram sound-event and speaker recognition models: inspect, '
        'run, export, train and benchmark. MODEL is a checkpoint file or a shipped model name '
        '(sound_event, speaker_id, keyword).')
    from . import __version__

    parser.add_argument('--version', action='version', version=f'degram_ros {__version__}')
    subparsers = parser.add_subparsers(dest='command', metavar='COMMAND')
    for name in COMMANDS:
        try:
            module = importlib.import_module(f'degram_ros.commands.{name}')
        except ModuleNotFoundError as exc:
            if exc.name != f'degram_ros.commands.{name}':
                raise
            continue  # a subcommand that is not part of this installation
        module.add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, 'func', None):
        parser.print_help()
        return 2
    from .audio import AudioError
    from .checkpoint import CheckpointError

    try:
        return int(args.func(args) or 0)
    except (CheckpointError, AudioError, FileNotFoundError) as exc:
        print(f'degram {args.command}: error: {exc}', file=sys.stderr)
        return 1


if __name__ == '__main__':
    sys.exit(main())
