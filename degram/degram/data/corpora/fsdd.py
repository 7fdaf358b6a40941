# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Free Spoken Digit Dataset: 6 speakers × 10 digits × 50 recordings (``<digit>_<speaker>_<index>.wav``)."""
from __future__ import annotations

import re
from pathlib import Path

from ..dataset import Entry
from ..files import DatasetError
from ..groups import norm_group
from . import CORPORA, Corpus


def _entries(base: Path, choice: str) -> list[Entry]:
    entries = []
    for f in sorted((base / 'recordings').glob('*.wav')):
        m = re.fullmatch(r'(\d)_([A-Za-z]+)_(\d+)', f.stem)
        if not m:
            raise DatasetError(f'{f}: expected <digit>_<speaker>_<index>.wav')
        digit, speaker, index = m.groups()
        entries.append(Entry(str(f), speaker if choice == 'speaker' else digit, norm_group(index)))
    return entries


CORPORA.register('fsdd', Corpus('fsdd', {'speaker': '5-9', 'digit': '5-9'}, 'digit', lambda choice: 'index',
                                _entries, aliases=('free_spoken_digit',)))
