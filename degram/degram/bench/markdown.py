# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The markdown pieces every renderer of bench.md uses: headings, table headers, timing cells."""
from __future__ import annotations


def heading(title: str, text: str = '', level: int = 2) -> list[str]:
    """``## title`` and a blank line, then the paragraph ``text`` and a blank line where given."""
    return [f"{'#' * level} {title}", ''] + ([text, ''] if text else [])


def table_header(*columns: str) -> list[str]:
    """The header row and the separator row of a table of ``columns``."""
    return ['| ' + ' | '.join(columns) + ' |', '|' + '---|' * len(columns)]


def ms_cell(stats: dict | None) -> str:
    """A timing summary as a table cell: ``median (p95)`` in ms, ``–`` when missing."""
    if not stats:
        return '–'
    return f"{stats['median_ms']:.1f} ({stats['p95_ms']:.1f})"
