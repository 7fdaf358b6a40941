# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Arguments several subcommands share, stated once."""
from __future__ import annotations


def add_model_argument(parser, flag: bool = False) -> None:
    """MODEL: a checkpoint file or a shipped model name (positional, or ``--model``)."""
    names = ('--model',) if flag else ('model',)
    parser.add_argument(*names, **({'required': True} if flag else {}),
                        help='checkpoint file or shipped model name')


def add_data_root_argument(parser) -> None:
    parser.add_argument('--data-root', help='folder holding the shared datasets (default: $DEGRAM_DATA, '
                        'else shared/data found walking up from the current folder)')


def add_device_argument(parser, default: str = 'cpu') -> None:
    parser.add_argument('--device', default=default, help=f'cpu, cuda or cuda:N (default {default})')
