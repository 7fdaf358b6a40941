# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""A CSV manifest with the header ``path,label`` and an optional ``split`` (train/val/test),
``fold`` or ``group`` column; relative paths resolve against the CSV's folder."""
from __future__ import annotations

import csv
from pathlib import Path

from .dataset import AudioDataset, Entry
from .files import DatasetError
from .groups import group_sort_key, norm_group

VAL_SPLIT_NAMES = frozenset({'val', 'valid', 'validation', 'dev', 'development'})
TEST_SPLIT_NAMES = frozenset({'test', 'eval', 'evaluation', 'holdout'})


def manifest_dataset(path: Path, sample_rate: int, labels) -> AudioDataset:
    with open(path, newline='', encoding='utf-8-sig') as fh:
        reader = csv.DictReader(fh)
        fields = [c.strip().lower() for c in (reader.fieldnames or [])]
        if 'path' not in fields or 'label' not in fields:
            raise DatasetError(f'{path}: the header must name the columns path,label '
                               f'(+ optional split, fold or group); got {reader.fieldnames}')
        reader.fieldnames = fields
        rows = list(reader)
    group_col = next((c for c in ('split', 'fold', 'group') if c in fields), None)
    entries = []
    for n, row in enumerate(rows, 2):
        p = (row.get('path') or '').strip()
        lab = (row.get('label') or '').strip()
        if not p or not lab:
            raise DatasetError(f'{path}:{n}: empty path or label')
        f = Path(p).expanduser()
        if not f.is_absolute():
            f = path.parent / f
        if not f.is_file():
            raise DatasetError(f'{path}:{n}: {f} does not exist')
        if group_col is None:
            group = f'row{n}'
        else:
            g = (row.get(group_col) or '').strip()
            if not g:
                raise DatasetError(f'{path}:{n}: empty {group_col}')
            group = norm_group(g)
            if group_col == 'split':
                group = 'val' if group in VAL_SPLIT_NAMES else group
                group = 'test' if group in TEST_SPLIT_NAMES else group
        entries.append(Entry(str(f), lab, group))
    if not entries:
        raise DatasetError(f'{path}: the manifest lists no file')
    default: object = 0.2
    excluded: tuple = ()
    kind = 'row'
    if group_col == 'split':
        kind, excluded = 'split', ('test',)
        default = 'val' if any(e.group == 'val' for e in entries) else 0.2
    elif group_col == 'fold':
        kind = 'fold'
        folds = sorted({e.group for e in entries}, key=group_sort_key)
        default = folds[-1] if len(folds) > 1 else 0.2
    elif group_col == 'group':
        kind = 'group'
    return AudioDataset(entries, sample_rate, labels=labels, name=str(path), default_validation=default,
                        excluded_groups=excluded, group_kind=kind)
