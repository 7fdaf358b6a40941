# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""An index of (path, label, group) entries with train/validation splits that never share a group."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from .files import DatasetError, WaveCache
from .groups import group_sort_key, norm_group, parse_groups


@dataclass(frozen=True)
class Entry:
    path: str
    label: str
    group: str


class AudioDataset:
    """An indexed list of (path, label, group) entries with cached, resampled audio.

    ``labels`` is the sorted list of class names (or the order given), ``targets`` the class
    index of each entry. ``dataset[i]`` returns ``(waveform float32 (L,), target)``.
    """

    def __init__(self, entries: Sequence[Entry], sample_rate: int = 16000, *, labels=None,
                 name: str = 'dataset', default_validation=0.2, excluded_groups=(),
                 label_kind: str = 'label', group_kind: str = 'group', cache: WaveCache | None = None):
        if not entries:
            raise DatasetError(f'{name}: no audio entries found')
        self.entries = list(entries)
        self.cache = cache if cache is not None else WaveCache()
        self.name = name
        self.sample_rate = int(sample_rate)
        self.label_kind = label_kind
        self.group_kind = group_kind
        self.default_validation = default_validation
        self.excluded_groups = {norm_group(g) for g in excluded_groups}
        found = sorted({e.label for e in self.entries})
        if labels is None:
            self.labels = found
        else:
            self.labels = [str(x) for x in labels]
            missing = sorted(set(found) - set(self.labels))
            if missing:
                raise DatasetError(f'{name}: labels {missing} are not among the given labels')
        index = {lab: i for i, lab in enumerate(self.labels)}
        self.targets = np.array([index[e.label] for e in self.entries], dtype=np.int64)
        self.groups = np.array([e.group for e in self.entries], dtype=object)

    # --- basic access -----------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.entries)

    def __getitem__(self, i: int) -> tuple[np.ndarray, int]:
        return self.load(i), int(self.targets[i])

    def __repr__(self) -> str:
        return (f'AudioDataset({self.name!r}, {len(self)} clips, {len(self.labels)} classes, '
                f'{len(set(self.groups))} groups by {self.group_kind}, {self.sample_rate} Hz)')

    @property
    def num_classes(self) -> int:
        return len(self.labels)

    def path(self, i: int) -> str:
        return self.entries[i].path

    def load(self, i: int) -> np.ndarray:
        """Waveform of entry ``i``: float32 mono at ``sample_rate`` (cached, read-only)."""
        return self.cache.load(self.entries[i].path, self.sample_rate)

    def preload(self, indices: Iterable[int] | None = None, progress=None) -> None:
        """Decode (and cache) the given entries now; ``progress(done, total)`` is called every
        so often."""
        idx = list(range(len(self))) if indices is None else [int(i) for i in indices]
        for n, i in enumerate(idx, 1):
            self.load(i)
            if progress is not None and (n % 200 == 0 or n == len(idx)):
                progress(n, len(idx))

    def class_counts(self, indices=None) -> np.ndarray:
        t = self.targets if indices is None else self.targets[np.asarray(indices, dtype=np.int64)]
        return np.bincount(t, minlength=self.num_classes)

    def describe(self) -> dict:
        """JSON-serialisable summary for checkpoint metadata."""
        return {'name': self.name, 'clips': len(self), 'classes': self.num_classes,
                'label': self.label_kind, 'group': self.group_kind, 'sample_rate': self.sample_rate}

    def without_labels(self, labels: Iterable[str]) -> AudioDataset:
        """The same dataset without the clips of ``labels`` (classes left out of training, e.g. for
        the few-shot protocol); the remaining labels keep their sorted order. Raises
        :class:`DatasetError` for a label the dataset does not have, or when nothing remains."""
        drop = {str(x) for x in labels}
        unknown = sorted(drop - set(self.labels))
        if unknown:
            raise DatasetError(f'{self.name}: cannot leave out {unknown}: not among its labels')
        kept = [e for e in self.entries if e.label not in drop]
        if not kept:
            raise DatasetError(f'{self.name}: leaving out {sorted(drop)} leaves no clips')
        return AudioDataset(kept, self.sample_rate, labels=[x for x in self.labels if x not in drop],
                            name=self.name, default_validation=self.default_validation,
                            excluded_groups=self.excluded_groups, label_kind=self.label_kind,
                            group_kind=self.group_kind, cache=self.cache)

    # --- splitting --------------------------------------------------------------------
    def split(self, validation=None, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """Train and validation indices; no group appears in both.

        ``validation``: group names / ranges / a fraction of groups (see :func:`parse_groups`);
        None uses the dataset's default; ``"none"`` puts everything (but excluded groups such
        as a manifest's ``test`` rows) in training. Raises if a named group does not exist.
        """
        spec = parse_groups(self.default_validation if validation is None else validation)
        groups = self.groups
        usable = np.array([g not in self.excluded_groups for g in groups], dtype=bool)
        if isinstance(spec, float):
            val_groups = self._random_groups(spec, seed, usable)
        else:
            val_groups = set(spec)
            unknown = val_groups - set(groups)
            if unknown:
                known = sorted(set(groups), key=group_sort_key)
                shown = ', '.join(known[:12]) + (' ...' if len(known) > 12 else '')
                raise DatasetError(f'{self.name}: validation {self.group_kind}(s) '
                                   f'{sorted(unknown, key=group_sort_key)} not found (have: {shown})')
        is_val = np.array([g in val_groups for g in groups], dtype=bool)
        train = np.flatnonzero(usable & ~is_val)
        val = np.flatnonzero(is_val)
        return train, val

    def _random_groups(self, fraction: float, seed: int, usable: np.ndarray) -> set[str]:
        rng = np.random.default_rng(seed)
        groups = self.groups[usable]
        targets = self.targets[usable]
        uniq = sorted(set(groups), key=group_sort_key)
        # groups holding a single label (e.g. one file per group): stratify by label
        label_of: dict[str, set[int]] = {}
        for g, t in zip(groups, targets):
            label_of.setdefault(g, set()).add(int(t))
        chosen: set[str] = set()
        if all(len(v) == 1 for v in label_of.values()):
            by_label: dict[int, list[str]] = {}
            for g in uniq:
                by_label.setdefault(next(iter(label_of[g])), []).append(g)
            for lab in sorted(by_label):
                gs = by_label[lab]
                k = round(fraction * len(gs))
                if len(gs) >= 2:
                    k = min(max(k, 1), len(gs) - 1)
                else:
                    k = 0
                chosen.update(rng.permutation(np.array(gs, dtype=object))[:k].tolist())
        else:
            k = min(max(round(fraction * len(uniq)), 1), max(len(uniq) - 1, 0))
            chosen.update(rng.permutation(np.array(uniq, dtype=object))[:k].tolist())
        return chosen

    def group_names(self, indices=None) -> list[str]:
        g = self.groups if indices is None else self.groups[np.asarray(indices, dtype=np.int64)]
        return sorted(set(g), key=group_sort_key)
