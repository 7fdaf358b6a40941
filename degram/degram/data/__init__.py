# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Datasets for training and evaluation, chosen by a *spec* string (:func:`open_dataset`):

- a named corpus of the shared data folder (``esc10``, ``asc:speaker``, ``asc:keyword``,
  ``fsdd:digit``, ``fsdd:speaker``; see :mod:`degram.data.corpora`), with its natural label and
  validation grouping, under the data root (:func:`find_data_root`);
- a folder of class sub-folders (:mod:`degram.data.folder`);
- a CSV manifest (:mod:`degram.data.manifest`).

:meth:`AudioDataset.split` returns train/validation index arrays that never share a group
(fold, speaker, repetition, recording index ...). Audio goes through
:func:`degram.audio.load_audio` (mono, resampled to the dataset's rate); decoded waveforms are
kept in the dataset's :class:`WaveCache`.
"""
from __future__ import annotations

from pathlib import Path

from .augment import NoiseBank, balanced_indices, change_speed, crop_or_tile, make_batch, mix_at_snr
from .corpora import CORPORA, LABEL_ALIASES, corpus_by_name
from .dataset import AudioDataset, Entry
from .files import AUDIO_EXTENSIONS, DATA_ENV, DatasetError, WaveCache, find_data_root, list_audio_files
from .folder import folder_dataset
from .groups import parse_groups
from .manifest import manifest_dataset

__all__ = [
    'AUDIO_EXTENSIONS', 'CORPORA', 'AudioDataset', 'DatasetError', 'Entry', 'NoiseBank', 'WaveCache',
    'balanced_indices', 'change_speed', 'crop_or_tile', 'find_data_root', 'list_audio_files', 'make_batch',
    'mix_at_snr', 'open_dataset', 'parse_groups',
]


def open_dataset(spec: str, data_root=None, sample_rate: int = 16000, *, labels=None,
                 group_regex: str | None = None, cache: WaveCache | None = None) -> AudioDataset:
    """Dataset from a spec: a corpus name (``esc10``, ``asc:speaker`` …), a folder of class
    sub-folders, or a ``.csv`` manifest.

    ``data_root`` (or ``$DEGRAM_DATA``, or ``shared/data`` found upwards) holds the named
    corpora. ``labels`` fixes the class order (e.g. a checkpoint's). ``group_regex`` applies to
    folder datasets only."""
    spec = str(spec).strip()
    name, _, choice = spec.partition(':')
    found = corpus_by_name(name)
    if found is not None:  # a local folder of that name needs a path: ./esc10
        dataset = _corpus_dataset(*found, choice, data_root, sample_rate, labels)
    else:
        path = Path(spec).expanduser()
        if path.suffix.lower() == '.csv':
            if not path.is_file():
                raise DatasetError(f'{path}: no such CSV manifest')
            dataset = manifest_dataset(path, sample_rate, labels)
        elif path.is_dir():
            dataset = folder_dataset(path, sample_rate, labels, group_regex)
        else:
            raise DatasetError(f'unknown dataset {spec!r}: expected one of esc10, asc:speaker, asc:keyword, '
                               f'fsdd:digit, fsdd:speaker, a folder of class sub-folders or a .csv manifest')
    if cache is not None:
        dataset.cache = cache
    return dataset


def _corpus_dataset(key: str, corpus, choice: str, data_root, sample_rate: int, labels) -> AudioDataset:
    choice = choice.strip().lower() or corpus.default_choice
    choice = LABEL_ALIASES.get(choice, choice)
    if choice not in corpus.choices:
        raise DatasetError(f'{key}: label must be one of {sorted(corpus.choices)}, got {choice!r}')
    root = find_data_root(data_root)
    if root is None:
        raise DatasetError(f'{key}: no data root found; pass --data-root or set ${DATA_ENV} '
                           f'(the folder holding {corpus.folder}/)')
    base = root / corpus.folder
    if not base.is_dir():
        raise DatasetError(f'{key}: {base} does not exist (data root {root})')
    entries = corpus.entries(base, choice)
    if not entries:
        raise DatasetError(f'{key}: no audio found under {base}')
    kinds = [c for c in corpus.choices if c not in corpus.subsets]
    name = key if len(kinds) == 1 and choice not in corpus.subsets else f'{key}:{choice}'
    return AudioDataset(entries, sample_rate, labels=labels, name=name, default_validation=corpus.choices[choice],
                        label_kind=choice, group_kind=corpus.group_kind(choice))
