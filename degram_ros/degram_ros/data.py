"""Datasets for training and evaluation: an index of (path, label, group) entries.

Three kinds of source, chosen by a *spec* string (:func:`open_dataset`):

- a shared dataset by name, with its natural label and validation grouping
  (``<data root>/<folder>`` under the data root, see :func:`find_data_root`):

  ===============  =======================  ==========================  ==================
  spec             labels                   group (held out together)   default validation
  ===============  =======================  ==========================  ==================
  ``esc10``        event (10)               fold 1-4 (file name prefix)  fold 4
  ``asc:speaker``  speaker (30)             repetition 01-08            repetition 8
  ``asc:keyword``  keyword (12)             speaker                     speakers 25-30
  ``fsdd:digit``   digit (10)               recording index 5-49        indices 5-9
  ``fsdd:speaker`` speaker (6)              recording index 5-49        indices 5-9
  ===============  =======================  ==========================  ==================

  (``asc`` alone means ``asc:keyword``, ``fsdd`` alone ``fsdd:digit``; ``arabic_speech_commands``
  is an alias of ``asc``.)
- a folder of class sub-folders, ``<folder>/<label>/**/<file>``; every file is its own group
  unless ``group_regex`` extracts one from the file name (first capture group); the default
  validation is a seeded, class-stratified 20 % of the groups.
- a CSV manifest (``*.csv``) with the header ``path,label`` and an optional ``split``
  (train/val/test), ``fold`` or ``group`` column; relative paths resolve against the CSV's folder.

:meth:`AudioDataset.split` returns train/validation index arrays that never share a group
(fold, speaker, repetition, recording index...). Audio goes through
:func:`degram_ros.audio.load_audio` (mono, resampled to the dataset's rate) and decoded
waveforms are cached in memory, keyed by (file, rate), for the whole process.

Training helpers live here too: :func:`balanced_indices` (one class-balanced epoch by random
under-sampling without replacement), :func:`crop_or_tile` / :func:`make_batch` (random crops,
short clips tiled) and :class:`NoiseBank` (real noise mixed at a given SNR).
"""
from __future__ import annotations

import csv
import glob
import math
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .audio import load_audio

__all__ = [
    'AUDIO_EXTENSIONS',
    'NAMED_DATASETS',
    'AudioDataset',
    'DatasetError',
    'Entry',
    'NoiseBank',
    'balanced_indices',
    'clear_cache',
    'crop_or_tile',
    'find_data_root',
    'list_audio_files',
    'make_batch',
    'mix_at_snr',
    'open_dataset',
    'parse_groups',
]

AUDIO_EXTENSIONS = frozenset({'.wav', '.flac', '.ogg', '.oga', '.opus', '.aif', '.aiff', '.au',
                              '.mp3', '.w64', '.caf'})
DATA_ENV = 'DEGRAM_DATA'

# name -> (folder under the data root, {label choice: default validation groups}, default label)
NAMED_DATASETS = {
    'esc10': ('esc10', {'event': '4'}, 'event'),
    'asc': ('arabic_speech_commands', {'speaker': '8', 'keyword': '25-30'}, 'keyword'),
    'fsdd': ('fsdd', {'speaker': '5-9', 'digit': '5-9'}, 'digit'),
}
_NAME_ALIASES = {'esc-10': 'esc10', 'arabic_speech_commands': 'asc', 'arabic-speech-commands': 'asc',
                 'free_spoken_digit': 'fsdd'}
_LABEL_ALIASES = {'class': 'event', 'events': 'event', 'command': 'keyword', 'keywords': 'keyword',
                  'word': 'keyword', 'speakers': 'speaker', 'digits': 'digit', 'sid': 'speaker'}
_VAL_SPLIT_NAMES = frozenset({'val', 'valid', 'validation', 'dev', 'development'})
_TEST_SPLIT_NAMES = frozenset({'test', 'eval', 'evaluation', 'holdout'})

_WAVE_CACHE: dict[tuple[str, int], np.ndarray] = {}


class DatasetError(ValueError):
    """A dataset spec, folder or manifest that cannot be used, with the reason."""


@dataclass(frozen=True)
class Entry:
    path: str
    label: str
    group: str


def clear_cache() -> None:
    """Forget every decoded waveform (the cache is shared by all datasets of the process)."""
    _WAVE_CACHE.clear()


def _load_cached(path: str, sample_rate: int) -> np.ndarray:
    key = (path, int(sample_rate))
    wave = _WAVE_CACHE.get(key)
    if wave is None:
        wave, _ = load_audio(path, sample_rate=sample_rate)
        wave.setflags(write=False)
        _WAVE_CACHE[key] = wave
    return wave


def find_data_root(data_root: str | os.PathLike | None = None) -> Path | None:
    """The folder holding the shared datasets: ``data_root`` if given, else ``$DEGRAM_DATA``,
    else the first ``shared/data`` found walking up from the current folder and from this
    package (the repository's ``../shared/data``). None when nothing is found."""
    if data_root:
        return Path(data_root).expanduser()
    env = os.environ.get(DATA_ENV)
    if env:
        return Path(env).expanduser()
    for start in (Path.cwd(), Path(__file__).resolve().parent):
        for folder in (start, *start.parents):
            cand = folder / 'shared' / 'data'
            if cand.is_dir():
                return cand
    return None


def list_audio_files(path: str | os.PathLike, root: str | os.PathLike | None = None) -> list[Path]:
    """Audio files (by extension) of a file, of a folder (recursively) or of a glob pattern
    (``esc10/audio/rain/[123]-*.ogg``), sorted. A relative path that does not exist as given is
    looked up under ``root`` (the data root), so configs can name shared-data clips portably."""
    p = Path(path).expanduser()
    if root is not None and not p.is_absolute() and not p.exists() and not glob.glob(str(p)):
        p = Path(root) / p
    if any(ch in str(p) for ch in '*?['):
        return sorted(Path(f) for f in glob.glob(str(p), recursive=True)
                      if Path(f).is_file() and Path(f).suffix.lower() in AUDIO_EXTENSIONS)
    if p.is_file():
        return [p]
    if not p.is_dir():
        raise DatasetError(f'{p}: no such file or folder')
    return sorted(f for f in p.rglob('*') if f.is_file() and f.suffix.lower() in AUDIO_EXTENSIONS)


def _norm_group(value) -> str:
    s = str(value).strip()
    return str(int(s)) if s.isdigit() else s.lower()


def parse_groups(spec) -> set[str] | float | None:
    """Parse a validation spec into a set of group names, a fraction, or None (the default).

    Accepts an int (``4``), a fraction in (0, 1) (``0.2``, a seeded random choice of groups),
    a string of comma-separated items and integer ranges (``"5-9"``, ``"25-30,3"``, ``"val"``),
    a list of those, or ``"none"`` / ``[]`` (no validation). Numeric group names compare as
    integers (``"08"`` == ``8``)."""
    if spec is None:
        return None
    if isinstance(spec, bool):
        raise DatasetError(f'invalid validation spec {spec!r}')
    if isinstance(spec, float):
        if 0.0 < spec < 1.0:
            return spec
        if spec.is_integer():
            return {str(int(spec))}
        raise DatasetError(f'a validation fraction must lie in (0, 1), got {spec}')
    if isinstance(spec, int):
        return {str(spec)}
    if isinstance(spec, str):
        s = spec.strip()
        if s.lower() in ('', 'none', 'no', 'off', 'false'):
            return set()
        try:
            f = float(s)
        except ValueError:
            pass
        else:
            if '.' in s or 'e' in s.lower():
                return parse_groups(f)
        out: set[str] = set()
        for item in (x.strip() for x in s.split(',')):
            if not item:
                continue
            m = re.fullmatch(r'(\d+)\s*-\s*(\d+)', item)
            if m:
                a, b = int(m.group(1)), int(m.group(2))
                if b < a:
                    raise DatasetError(f'empty range {item!r} in validation spec')
                out.update(str(i) for i in range(a, b + 1))
            else:
                out.add(_norm_group(item))
        return out
    if isinstance(spec, Iterable):
        out = set()
        for item in spec:
            got = parse_groups(item)
            if not isinstance(got, set):
                raise DatasetError(f'a fraction cannot be part of a list of groups: {spec!r}')
            out |= got
        return out
    raise DatasetError(f'invalid validation spec {spec!r}')


class AudioDataset:
    """An indexed list of (path, label, group) entries with cached, resampled audio.

    ``labels`` is the sorted list of class names (or the order given), ``targets`` the class
    index of each entry. ``dataset[i]`` returns ``(waveform float32 (L,), target)``.
    """

    def __init__(self, entries: Sequence[Entry], sample_rate: int = 16000, *, labels=None,
                 name: str = 'dataset', default_validation=0.2, excluded_groups=(),
                 label_kind: str = 'label', group_kind: str = 'group'):
        if not entries:
            raise DatasetError(f'{name}: no audio entries found')
        self.entries = list(entries)
        self.name = name
        self.sample_rate = int(sample_rate)
        self.label_kind = label_kind
        self.group_kind = group_kind
        self.default_validation = default_validation
        self.excluded_groups = {_norm_group(g) for g in excluded_groups}
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
        return _load_cached(self.entries[i].path, self.sample_rate)

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
                known = sorted(set(groups), key=_group_sort_key)
                shown = ', '.join(known[:12]) + (' ...' if len(known) > 12 else '')
                raise DatasetError(f'{self.name}: validation {self.group_kind}(s) '
                                   f'{sorted(unknown, key=_group_sort_key)} not found (have: {shown})')
        is_val = np.array([g in val_groups for g in groups], dtype=bool)
        train = np.flatnonzero(usable & ~is_val)
        val = np.flatnonzero(is_val)
        return train, val

    def _random_groups(self, fraction: float, seed: int, usable: np.ndarray) -> set[str]:
        rng = np.random.default_rng(seed)
        groups = self.groups[usable]
        targets = self.targets[usable]
        uniq = sorted(set(groups), key=_group_sort_key)
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
        return sorted(set(g), key=_group_sort_key)


def _group_sort_key(g: str):
    return (0, int(g), '') if str(g).isdigit() else (1, 0, str(g))


# --- dataset constructors --------------------------------------------------------------------
def open_dataset(spec: str, data_root=None, sample_rate: int = 16000, *, labels=None,
                 group_regex: str | None = None) -> AudioDataset:
    """Dataset from a spec: ``esc10``, ``asc:speaker``, ``asc:keyword``, ``fsdd:digit``,
    ``fsdd:speaker``, a folder of class sub-folders, or a ``.csv`` manifest.

    ``data_root`` (or ``$DEGRAM_DATA``, or ``shared/data`` found upwards) holds the named
    datasets. ``labels`` fixes the class order (e.g. a checkpoint's). ``group_regex`` applies to
    folder datasets only."""
    spec = str(spec).strip()
    name, _, choice = spec.partition(':')
    key = _NAME_ALIASES.get(name.lower(), name.lower())
    if key in NAMED_DATASETS:  # a local folder of that name needs a path: ./esc10
        return _named_dataset(key, choice, data_root, sample_rate, labels)
    path = Path(spec).expanduser()
    if path.suffix.lower() == '.csv':
        if not path.is_file():
            raise DatasetError(f'{path}: no such CSV manifest')
        return _csv_dataset(path, sample_rate, labels)
    if path.is_dir():
        return _folder_dataset(path, sample_rate, labels, group_regex)
    raise DatasetError(f'unknown dataset {spec!r}: expected one of esc10, asc:speaker, asc:keyword, '
                       f'fsdd:digit, fsdd:speaker, a folder of class sub-folders or a .csv manifest')


def _named_dataset(key: str, choice: str, data_root, sample_rate: int, labels) -> AudioDataset:
    folder, choices, default = NAMED_DATASETS[key]
    choice = choice.strip().lower() or default
    choice = _LABEL_ALIASES.get(choice, choice)
    if choice not in choices:
        raise DatasetError(f'{key}: label must be one of {sorted(choices)}, got {choice!r}')
    root = find_data_root(data_root)
    if root is None:
        raise DatasetError(f'{key}: no data root found; pass --data-root or set ${DATA_ENV} '
                           f'(the folder holding {folder}/)')
    base = root / folder
    if not base.is_dir():
        raise DatasetError(f'{key}: {base} does not exist (data root {root})')
    entries: list[Entry] = []
    if key == 'esc10':
        for f in sorted((base / 'audio').glob('*/*.ogg')):
            m = re.match(r'(\d+)-', f.name)
            if not m:
                raise DatasetError(f'{f}: ESC-10 file name does not start with its fold')
            entries.append(Entry(str(f), f.parent.name, _norm_group(m.group(1))))
        group_kind, name = 'fold', 'esc10'
    elif key == 'asc':
        for f in sorted((base / 'audio').glob('*/*.flac')):
            m = re.fullmatch(r'(\d+)_(\d+)', f.stem)
            if not m:
                raise DatasetError(f'{f}: expected <speaker>_<repetition>.flac')
            speaker, rep = m.group(1), m.group(2)
            if choice == 'speaker':
                entries.append(Entry(str(f), speaker, _norm_group(rep)))
            else:
                entries.append(Entry(str(f), f.parent.name, _norm_group(speaker)))
        group_kind = 'repetition' if choice == 'speaker' else 'speaker'
        name = f'asc:{choice}'
    else:  # fsdd
        for f in sorted((base / 'recordings').glob('*.wav')):
            m = re.fullmatch(r'(\d)_([A-Za-z]+)_(\d+)', f.stem)
            if not m:
                raise DatasetError(f'{f}: expected <digit>_<speaker>_<index>.wav')
            digit, speaker, idx = m.groups()
            entries.append(Entry(str(f), speaker if choice == 'speaker' else digit, _norm_group(idx)))
        group_kind, name = 'index', f'fsdd:{choice}'
    if not entries:
        raise DatasetError(f'{key}: no audio found under {base}')
    return AudioDataset(entries, sample_rate, labels=labels, name=name,
                        default_validation=choices[choice], label_kind=choice, group_kind=group_kind)


def _folder_dataset(path: Path, sample_rate: int, labels, group_regex) -> AudioDataset:
    rx = re.compile(group_regex) if group_regex else None
    entries = []
    for sub in sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith('.')):
        for f in list_audio_files(sub):
            if rx is not None:
                m = rx.search(f.name)
                if not m:
                    raise DatasetError(f'{f}: group_regex {group_regex!r} does not match the file name')
                group = _norm_group(m.group(1) if m.groups() else m.group(0))
            else:
                group = str(f.relative_to(path))
            entries.append(Entry(str(f), sub.name, group))
    if not entries:
        raise DatasetError(f'{path}: no audio files in class sub-folders (<folder>/<label>/<file>)')
    return AudioDataset(entries, sample_rate, labels=labels, name=str(path), default_validation=0.2,
                        group_kind='group' if rx else 'file')


def _csv_dataset(path: Path, sample_rate: int, labels) -> AudioDataset:
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
            group = _norm_group(g)
            if group_col == 'split':
                group = 'val' if group in _VAL_SPLIT_NAMES else group
                group = 'test' if group in _TEST_SPLIT_NAMES else group
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
        folds = sorted({e.group for e in entries}, key=_group_sort_key)
        default = folds[-1] if len(folds) > 1 else 0.2
    elif group_col == 'group':
        kind = 'group'
    return AudioDataset(entries, sample_rate, labels=labels, name=str(path), default_validation=default,
                        excluded_groups=excluded, group_kind=kind)


# --- training helpers ------------------------------------------------------------------------
def balanced_indices(targets, rng: np.random.Generator) -> np.ndarray:
    """One class-balanced epoch: every class present in ``targets`` contributes as many items as
    the rarest class, drawn at random **without replacement**; the result (positions into
    ``targets``) is shuffled."""
    t = np.asarray(targets, dtype=np.int64)
    if t.size == 0:
        return np.zeros(0, dtype=np.int64)
    classes = np.unique(t)
    per_class = [np.flatnonzero(t == c) for c in classes]
    n = min(len(p) for p in per_class)
    picked = np.concatenate([rng.choice(p, size=n, replace=False) for p in per_class])
    return rng.permutation(picked)


def crop_or_tile(wave: np.ndarray, length: int, rng: np.random.Generator | None = None) -> np.ndarray:
    """Exactly ``length`` samples: a longer clip is cut at a random offset (offset 0 without
    ``rng``), a shorter one is repeated (tiled) from its start and then cut."""
    wave = np.asarray(wave, dtype=np.float32)
    n = wave.shape[-1]
    if length <= 0:
        raise ValueError('length must be positive')
    if n == 0:
        return np.zeros(length, dtype=np.float32)
    if n >= length:
        off = int(rng.integers(0, n - length + 1)) if rng is not None else 0
        return np.array(wave[off:off + length], dtype=np.float32)
    reps = math.ceil(length / n)
    return np.tile(wave, reps)[:length].astype(np.float32, copy=False)


def make_batch(waves: Sequence[np.ndarray], length: int, rng: np.random.Generator | None = None) -> np.ndarray:
    """(B, length) float32 batch of :func:`crop_or_tile` crops."""
    return np.stack([crop_or_tile(w, length, rng) for w in waves]).astype(np.float32, copy=False)


def mix_at_snr(signal: np.ndarray, noise: np.ndarray, snr_db: float) -> np.ndarray:
    """``signal + g·noise`` with g chosen so that 10·log10(P_signal / P_noise') = ``snr_db``
    (powers as mean squares over the clip); rescaled to peak 1 only if it would clip. A silent
    signal or noise leaves the signal unchanged."""
    s = np.asarray(signal, dtype=np.float32)
    n = np.asarray(noise, dtype=np.float32)
    if n.shape != s.shape:
        raise ValueError(f'noise shape {n.shape} differs from signal shape {s.shape}')
    ps = float(np.mean(np.square(s, dtype=np.float64)))
    pn = float(np.mean(np.square(n, dtype=np.float64)))
    if ps <= 0.0 or pn <= 0.0:
        return s.copy()
    gain = math.sqrt(ps / (pn * 10.0 ** (float(snr_db) / 10.0)))
    mix = s + np.float32(gain) * n
    peak = float(np.max(np.abs(mix)))
    if peak > 1.0:
        mix = mix / np.float32(peak)
    return mix.astype(np.float32, copy=False)


class NoiseBank:
    """Real noise recordings (files or folders, any format/rate/length) resampled to
    ``sample_rate``; :meth:`sample` draws a noise segment of any length by concatenating randomly
    chosen clips from a random offset, :meth:`mix` adds one at a given SNR."""

    def __init__(self, sources, sample_rate: int = 16000, root: str | os.PathLike | None = None):
        if isinstance(sources, (str, os.PathLike)):
            sources = [sources]
        files: list[Path] = []
        for src in sources:
            for part in str(src).split(os.pathsep) if isinstance(src, str) else [src]:
                if part:
                    files.extend(list_audio_files(part, root))
        if not files:
            raise DatasetError(f'no noise audio files found in {list(map(str, sources))}')
        self.files = [str(f) for f in files]
        self.sample_rate = int(sample_rate)

    def __len__(self) -> int:
        return len(self.files)

    def _clip(self, i: int) -> np.ndarray:
        return _load_cached(self.files[i], self.sample_rate)

    def sample(self, length: int, rng: np.random.Generator) -> np.ndarray:
        parts, total, first = [], 0, True
        for _ in range(10000):
            clip = self._clip(int(rng.integers(len(self.files))))
            if first and clip.size > 1:
                clip = clip[int(rng.integers(0, clip.size)):]
                first = False
            if clip.size == 0:
                continue
            parts.append(clip)
            total += clip.size
            if total >= length:
                break
        if total == 0:
            return np.zeros(length, dtype=np.float32)
        noise = np.concatenate(parts)
        return crop_or_tile(noise, length, None)

    def mix(self, signal: np.ndarray, snr_db: float, rng: np.random.Generator) -> np.ndarray:
        return mix_at_snr(signal, self.sample(signal.shape[-1], rng), snr_db)
