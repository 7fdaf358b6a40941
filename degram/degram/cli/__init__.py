"""The ``degram`` command-line tool: one module per subcommand, registered in :data:`COMMANDS`."""
from .main import COMMANDS, build_parser, main

__all__ = ['COMMANDS', 'build_parser', 'main']
