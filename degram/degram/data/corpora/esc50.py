# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""ESC-50: 50 environmental-sound classes, 40 five-second clips each, in 5 folds (folds 1-4 here;
labels are the ``category`` names of ``meta.csv``, e.g. ``dog``, ``crying_baby``). CC BY-NC 3.0:
weights trained on it are for non-commercial use."""
from __future__ import annotations

import csv
from pathlib import Path

from ..dataset import Entry
from ..files import DatasetError
from ..groups import norm_group
from . import CORPORA, Corpus


def _entries(base: Path, choice: str) -> list[Entry]:
    meta = base / 'meta.csv'
    if not meta.is_file():
        raise DatasetError(f'{meta}: ESC-50 needs its meta.csv (filename, fold, category columns)')
    entries = []
    with open(meta, newline='') as fh:
        for row in csv.DictReader(fh):
            path = base / 'audio' / row['filename']
            if not path.is_file():
                raise DatasetError(f'{path}: listed in {meta} but missing')
            entries.append(Entry(str(path), row['category'], norm_group(row['fold'])))
    return entries


CORPORA.register('esc50', Corpus('esc50', {'event': '4'}, 'event', lambda choice: 'fold', _entries,
                                 aliases=('esc-50',)))
