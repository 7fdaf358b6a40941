# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""A folder of class sub-folders, ``<folder>/<label>/**/<file>``: every file is its own group
unless ``group_regex`` extracts one from the file name (first capture group); the default
validation is a seeded, class-stratified 20 % of the groups."""
from __future__ import annotations

import re
from pathlib import Path

from .dataset import AudioDataset, Entry
from .files import DatasetError, list_audio_files
from .groups import norm_group


def folder_dataset(path: Path, sample_rate: int, labels, group_regex) -> AudioDataset:
    rx = re.compile(group_regex) if group_regex else None
    entries = []
    for sub in sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith('.')):
        for f in list_audio_files(sub):
            if rx is not None:
                m = rx.search(f.name)
                if not m:
                    raise DatasetError(f'{f}: group_regex {group_regex!r} does not match the file name')
                group = norm_group(m.group(1) if m.groups() else m.group(0))
            else:
                group = str(f.relative_to(path))
            entries.append(Entry(str(f), sub.name, group))
    if not entries:
        raise DatasetError(f'{path}: no audio files in class sub-folders (<folder>/<label>/<file>)')
    return AudioDataset(entries, sample_rate, labels=labels, name=str(path), default_validation=0.2,
                        group_kind='group' if rx else 'file')
