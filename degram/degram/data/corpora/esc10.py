# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""ESC-10: 10 environmental-sound classes in 4 folds (the fold is the file-name prefix)."""
from __future__ import annotations

import re
from pathlib import Path

from ..dataset import Entry
from ..files import DatasetError
from ..groups import norm_group
from . import CORPORA, Corpus


def _entries(base: Path, choice: str) -> list[Entry]:
    entries = []
    for f in sorted((base / 'audio').glob('*/*.ogg')):
        m = re.match(r'(\d+)-', f.name)
        if not m:
            raise DatasetError(f'{f}: ESC-10 file name does not start with its fold')
        entries.append(Entry(str(f), f.parent.name, norm_group(m.group(1))))
    return entries


CORPORA.register('esc10', Corpus('esc10', {'event': '4'}, 'event', lambda choice: 'fold', _entries,
                                 aliases=('esc-10',)))
