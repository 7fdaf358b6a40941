# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The ``degram`` command-line tool: one module per subcommand, registered in :data:`COMMANDS`."""
from .main import COMMANDS, build_parser, main

__all__ = ['COMMANDS', 'build_parser', 'main']
