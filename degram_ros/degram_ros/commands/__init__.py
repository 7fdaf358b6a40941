"""Subcommands of the `degram` tool, one module each."""
