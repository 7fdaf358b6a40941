# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Arabic Speech Commands: 30 speakers × 12 commands × 8 repetitions (``<speaker>_<rep>.flac``)."""
from __future__ import annotations

import re
from pathlib import Path

from ..dataset import Entry
from ..files import DatasetError
from ..groups import norm_group
from . import CORPORA, Corpus


def _entries(base: Path, choice: str) -> list[Entry]:
    entries = []
    for f in sorted((base / 'audio').glob('*/*.flac')):
        m = re.fullmatch(r'(\d+)_(\d+)', f.stem)
        if not m:
            raise DatasetError(f'{f}: expected <speaker>_<repetition>.flac')
        speaker, repetition = m.group(1), m.group(2)
        if choice == 'speaker':
            entries.append(Entry(str(f), speaker, norm_group(repetition)))
        else:
            entries.append(Entry(str(f), f.parent.name, norm_group(speaker)))
    return entries


CORPORA.register('asc', Corpus('arabic_speech_commands', {'speaker': '8', 'keyword': '25-30'}, 'keyword',
                               lambda choice: 'repetition' if choice == 'speaker' else 'speaker', _entries,
                               aliases=('arabic_speech_commands', 'arabic-speech-commands')))
