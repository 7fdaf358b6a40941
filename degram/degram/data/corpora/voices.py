# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Every speaker of the shared data for speaker-embedding training: speechocean762 (English,
children and adults), Arabic Speech Commands and FSDD, labelled ``so:SPEAKER0001``,
``asc:00000001``, ``fsdd:george``.

:func:`development_speakers` (40 speechocean762 speakers of the corpus's ``test`` part, a seeded
choice) never enter this corpus: they are the held-out speakers for calibration and reporting.
Groups: ``val`` = one utterance per speaker kept for monitoring the closed-set accuracy (the last
speechocean762 utterance, ASC repetition 8, FSDD index 5), ``train`` = the rest.

The subsets ``voices:dev`` (the 40 development speakers' utterances only, labelled
``so:SPEAKER…``), ``voices:dev-a`` (the first 20 of the sorted development speakers: calibration)
and ``voices:dev-b`` (the last 20: reporting) are for speaker evaluation; all their utterances are
in the group ``dev``. ``voices`` / ``voices:speaker`` is the training corpus.
"""
from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np

from ..dataset import Entry
from ..files import DatasetError
from . import CORPORA, Corpus

DEVELOPMENT_COUNT, DEVELOPMENT_SEED = 40, 762


def speechocean_rows(root: Path) -> list[dict]:
    """The rows of speechocean762/utterances.csv (``path`` made absolute)."""
    base = Path(root) / 'speechocean762'
    table = base / 'utterances.csv'
    if not table.is_file():
        raise DatasetError(f'{table}: speechocean762 needs its utterances.csv')
    with open(table, newline='') as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        row['path'] = str(base / row['path'])
    return rows


def development_speakers(root: Path) -> list[str]:
    """The 40 held-out speechocean762 speakers (of its speaker-disjoint ``test`` part)."""
    test = sorted({r['speaker'] for r in speechocean_rows(root) if r['split'] == 'test'})
    order = np.random.default_rng(DEVELOPMENT_SEED).permutation(len(test))
    return sorted(test[i] for i in order[:DEVELOPMENT_COUNT])


#: subsets of the development speakers: choice → slice of the sorted list
DEVELOPMENT_SUBSETS = {'dev': slice(None), 'dev-a': slice(None, DEVELOPMENT_COUNT // 2),
                       'dev-b': slice(DEVELOPMENT_COUNT // 2, None)}


def _development_entries(root: Path, choice: str) -> list[Entry]:
    chosen = set(development_speakers(root)[DEVELOPMENT_SUBSETS[choice]])
    rows = [r for r in speechocean_rows(root) if r['speaker'] in chosen]
    rows.sort(key=lambda r: (r['speaker'], r['utt_id']))
    return [Entry(r['path'], f"so:{r['speaker']}", 'dev') for r in rows]


def _entries(root: Path, choice: str) -> list[Entry]:
    if choice in DEVELOPMENT_SUBSETS:
        return _development_entries(root, choice)
    held_out = set(development_speakers(root))
    entries = []
    by_speaker: dict[str, list[dict]] = {}
    for row in speechocean_rows(root):
        if row['speaker'] not in held_out:
            by_speaker.setdefault(row['speaker'], []).append(row)
    for speaker, rows in sorted(by_speaker.items()):
        rows.sort(key=lambda r: r['utt_id'])
        for k, row in enumerate(rows):
            entries.append(Entry(row['path'], f'so:{speaker}', 'val' if k == len(rows) - 1 else 'train'))
    for f in sorted((root / 'arabic_speech_commands' / 'audio').glob('*/*.flac')):
        m = re.fullmatch(r'(\d+)_(\d+)', f.stem)
        if not m:
            raise DatasetError(f'{f}: expected <speaker>_<repetition>.flac')
        entries.append(Entry(str(f), f'asc:{m.group(1)}', 'val' if int(m.group(2)) == 8 else 'train'))
    for f in sorted((root / 'fsdd' / 'recordings').glob('*.wav')):
        m = re.fullmatch(r'(\d)_([A-Za-z]+)_(\d+)', f.stem)
        if not m:
            raise DatasetError(f'{f}: expected <digit>_<speaker>_<index>.wav')
        entries.append(Entry(str(f), f'fsdd:{m.group(2)}', 'val' if int(m.group(3)) == 5 else 'train'))
    return entries


CORPORA.register('voices', Corpus('.', {'speaker': 'val', **{k: 'dev' for k in DEVELOPMENT_SUBSETS}}, 'speaker',
                                  lambda choice: 'part', _entries, aliases=('speakers',),
                                  subsets=tuple(DEVELOPMENT_SUBSETS)))
