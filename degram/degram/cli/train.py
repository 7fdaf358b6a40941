# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""`degram train --config FILE.yaml [key=value …]`: train a model with the paper's recipe."""
from __future__ import annotations

import sys

from .common import add_data_root_argument


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        'train', help='train a model from a YAML config (Adam, balanced epochs, random crops)',
        description='Train a classifier with the DEGram paper\'s recipe (Adam 3e-4, batch 64, '
        'ReduceLROnPlateau x0.1 after 7 epochs, early stopping after 10, class-balanced epochs, '
        'random 4-6 s crops, SpecAugment). The run folder <output>/<name> gets best.pt (a '
        'checkpoint for `degram eval/predict/info`), last.pt (for --resume), metrics.csv and '
        'config.yaml. Overrides are key=value with dotted keys and YAML values, e.g. '
        'train.max_epochs=5 data.validation=3 model.dropout=0.3 (a bare key that names one option '
        'of a section works too: max_epochs=5).',
        epilog='Shipped configs: speaker_id, sound_event, keyword (degram/training/configs/*.yaml); '
        'pass a name or a file path to --config.')
    parser.add_argument('--config', required=True, metavar='FILE',
                        help='YAML config file, or a shipped config name (speaker_id, sound_event, keyword)')
    parser.add_argument('overrides', nargs='*', metavar='KEY=VALUE', help='config overrides')
    parser.add_argument('--resume', action='store_true',
                        help='continue from <output>/<name>/last.pt (optimizer, scheduler and RNG state)')
    parser.add_argument('--device', help='auto, cpu, cuda or cuda:N (overrides train.device)')
    add_data_root_argument(parser)
    parser.add_argument('--output', help='parent folder of the run folder (overrides output)')
    parser.add_argument('--name', help='run name (overrides name)')
    parser.add_argument('--seed', type=int, help='random seed (overrides train.seed)')
    parser.add_argument('--num-threads', type=int, help='torch CPU threads (overrides train.num_threads)')
    parser.add_argument('--max-epochs', type=int, help='overrides train.max_epochs')
    parser.add_argument('--max-steps-per-epoch', type=int, help='overrides train.max_steps_per_epoch (smoke tests)')
    parser.add_argument('--export', metavar='FILE', help='copy the best checkpoint there at the end')
    parser.add_argument('--no-progress', action='store_true', help='no per-step progress output')
    parser.add_argument('--print-config', action='store_true', help='print the merged config and exit')
    parser.set_defaults(func=run)


def _cli_overrides(args) -> list[str]:
    import json

    out = []
    pairs = [('data.data_root', args.data_root), ('output', args.output), ('name', args.name),
             ('train.seed', args.seed), ('train.device', args.device), ('train.num_threads', args.num_threads),
             ('train.max_epochs', args.max_epochs), ('train.max_steps_per_epoch', args.max_steps_per_epoch),
             ('export', args.export)]
    for key, value in pairs:
        if value is not None:
            out.append(f'{key}={json.dumps(value)}')  # JSON is valid YAML: paths stay strings
    if args.no_progress:
        out.append('train.progress=false')
    return out


def run(args) -> int:
    from ..data import DatasetError
    from ..training import ConfigError, load_config

    try:
        cfg = load_config(args.config, list(args.overrides) + _cli_overrides(args))
        if args.print_config:
            import yaml

            print(yaml.safe_dump(cfg, sort_keys=False), end='')
            return 0
        from ..training import train

        summary = train(cfg, resume=args.resume)
    except (ConfigError, DatasetError, TypeError) as exc:
        print(f'degram train: error: {exc}', file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print('degram train: interrupted; continue with --resume', file=sys.stderr)
        return 130
    print(f"best checkpoint: {summary['best']}")
    return 0
