# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The taught sounds: a few L2-normalised prototypes and a calibrated threshold per sound, in a
small JSON file bound to the model that made the embeddings.

File format (UTF-8 JSON, written atomically; the previous version is kept as ``PATH.bak``)::

    {"format": "degram.sounds", "format_version": 1,
     "model": {"name": "sound_event", "sha256": "<64 hex digits>"},
     "dimension": 512,                       # D; null while nothing is taught
     "center": [D floats] | null,            # subtracted from every embedding before normalising
     "sounds": {"doorbell": {"prototypes": [[D floats], ...],   # P ≥ 1 unit vectors
                             "threshold": 0.83,                 # cosine at which it is detected
                             "scale": 40.0,                     # score = sigmoid(scale · (cosine - threshold))
                             "count": 24, "clips": 5,           # windows and recordings taught so far
                             "calibration": {...},              # what the threshold was set against
                             "taught": "2025-01-31T12:00:00Z", "updated": "2025-01-31T12:00:00Z"}}}

A window's embedding ``e`` is compared as ``unit(e - center)`` (:meth:`SoundDatabase.transform`;
``center`` is the mean embedding of the background, set by the first teaching and kept, so that
the cosines do not all sit near 1 in the positive orthant of the model's last ReLU); its cosine to
a sound is its largest cosine to the sound's prototypes (which live in that centred space). Floats are written
as the shortest decimal that reads back as the same float32. Opening a database for another model,
or a damaged file, raises :class:`SoundDatabaseError`; nothing is replaced by a silent empty
database. All methods hold one lock (a ROS service thread may teach while another thread detects).
"""
from __future__ import annotations

import math
import time
import unicodedata
from dataclasses import dataclass

import numpy as np

from ..model_file import ModelBoundFile

__all__ = ['FORMAT', 'FORMAT_VERSION', 'MAX_NAME_LENGTH', 'SoundDatabase', 'SoundDatabaseError', 'TaughtSound',
           'check_sound_name']

FORMAT = 'degram.sounds'
FORMAT_VERSION = 1
MAX_NAME_LENGTH = 64
MAX_PROTOTYPES = 8


class SoundDatabaseError(RuntimeError):
    """A sound database file that cannot be used (damaged, newer, or made with another model)."""


def check_sound_name(name, reserved=()) -> str:
    """A sound name: a non-blank string of at most 64 characters without control characters or
    leading/trailing spaces, and none of ``reserved`` (the model's own labels); ValueError otherwise."""
    if not isinstance(name, str):
        raise ValueError(f'a sound name must be a string, got {type(name).__name__}')
    if not name.strip():
        raise ValueError('a sound name must not be empty')
    if len(name) > MAX_NAME_LENGTH:
        raise ValueError(f'sound name {name[:20]!r}… is {len(name)} characters long; at most {MAX_NAME_LENGTH}')
    if name != name.strip():
        raise ValueError(f'sound name {name!r} starts or ends with white space')
    if any(unicodedata.category(c).startswith('C') for c in name):
        raise ValueError(f'sound name {name!r} holds control characters')
    if name in set(reserved):
        raise ValueError(f"'{name}' is one of the model's own classes; choose another name for the taught sound")
    return name


def _now() -> str:
    return time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())


@dataclass(frozen=True)
class TaughtSound:
    """One taught sound: ``prototypes`` (P, D) float32 unit rows, the cosine ``threshold`` at which
    it is detected, the ``scale`` of its score, the ``count`` of windows and ``clips`` taught."""

    name: str
    prototypes: np.ndarray
    threshold: float
    scale: float
    count: int
    clips: int
    calibration: dict
    taught: str
    updated: str

    def cosines(self, embeddings: np.ndarray) -> np.ndarray:
        """(N, D) embeddings, already transformed (:meth:`SoundDatabase.transform`) → (N,) largest
        cosine to a prototype."""
        return (np.atleast_2d(embeddings) @ self.prototypes.T).max(axis=1)


def _unit_rows(value, dimension: int | None, what: str) -> np.ndarray:
    rows = np.atleast_2d(np.asarray(value, dtype=np.float64))
    if rows.ndim != 2 or rows.shape[0] == 0 or rows.shape[1] == 0:
        raise ValueError(f'{what}: expected (P, D) numbers, got shape {rows.shape}')
    if dimension is not None and rows.shape[1] != dimension:
        raise ValueError(f'{what}: dimension {rows.shape[1]}, but this database holds dimension {dimension}')
    if not np.isfinite(rows).all():
        raise ValueError(f'{what}: NaN/Inf')
    norms = np.linalg.norm(rows, axis=1)
    if not (norms > 0).all():
        raise ValueError(f'{what}: an all-zero vector')
    return rows / norms[:, None]


class SoundDatabase(ModelBoundFile):
    """Taught sounds of one model; see the module docstring for the file (opening, checking and
    saving: :class:`degram.model_file.ModelBoundFile`)."""

    FORMAT, FORMAT_VERSION = FORMAT, FORMAT_VERSION
    ITEMS, NOUN, VERB, ACTION = 'sounds', 'sound', 'taught', 'teach'
    FIRST_HINT = 'teach a sound first: degram teach --db {path} --name NAME FILE...'
    Error = SoundDatabaseError

    def __init__(self, path, model_name: str, model_sha256: str):
        super().__init__(path, model_name, model_sha256)
        self.center: np.ndarray | None = None   # (D,) float32, see the module docstring
        self._sounds: dict[str, TaughtSound] = {}
        self.version = 0   # bumped on every change (a node re-publishes its labels when it moves)

    # ----------------------------------------------------------------- the file's entries
    def _parse_extra(self, data: dict, dimension: int | None) -> dict:
        center = data.get('center')
        if center is not None:
            try:
                center = np.asarray(center, dtype=np.float64)
            except (TypeError, ValueError):
                raise self._damaged("'center' is not a list of numbers") from None
            if center.ndim != 1 or not np.isfinite(center).all() or (dimension is not None and
                                                                      center.size != dimension):
                raise self._damaged("'center' is not a finite vector of the database's dimension")
            center = center.astype(np.float32)
        return {'center': center}

    def _parse_entry(self, name: str, entry, dimension: int | None) -> TaughtSound:
        check_sound_name(name)
        prototypes = _unit_rows(entry['prototypes'], dimension, 'prototypes')
        if np.ndim(entry['prototypes']) != 2:
            raise ValueError('prototypes is not a list of vectors')
        if not all(abs(float(n) - 1.0) < 1e-3 for n in np.linalg.norm(np.asarray(
                entry['prototypes'], dtype=np.float64), axis=1)):
            raise ValueError('a prototype is not L2-normalised')
        threshold, scale = float(entry['threshold']), float(entry['scale'])
        if not (-1.0 <= threshold <= 1.0 and math.isfinite(scale) and scale > 0):
            raise ValueError(f'threshold {threshold} or scale {scale} out of range')
        count, clips = entry['count'], entry['clips']
        if type(count) is not int or count < 1 or type(clips) is not int or clips < 1:
            raise ValueError('count and clips must be positive integers')
        calibration = entry.get('calibration', {})
        if not isinstance(calibration, dict):
            raise ValueError('calibration is not an object')
        return TaughtSound(name, prototypes.astype(np.float32), threshold, scale, count, clips, calibration,
                           str(entry['taught']), str(entry.get('updated', entry['taught'])))

    def _install(self, entries: dict, extra: dict) -> None:
        self._sounds, self.center = entries, extra['center']
        self.version += 1

    def _snapshot(self) -> tuple[dict, dict]:
        center = self.center
        return dict(self._sounds), {'center': None if center is None else [float(str(x)) for x in center]}

    def _entry_document(self, sound: TaughtSound) -> dict:
        # str() of a float32 is its shortest repr, which reads back as the same float32
        return {'prototypes': [[float(str(x)) for x in row] for row in sound.prototypes],
                'threshold': float(sound.threshold), 'scale': float(sound.scale), 'count': sound.count,
                'clips': sound.clips, 'calibration': sound.calibration, 'taught': sound.taught,
                'updated': sound.updated}

    # ----------------------------------------------------------------- changing
    def put(self, name: str, prototypes: np.ndarray, threshold: float, scale: float, count: int, clips: int,
            calibration: dict | None = None) -> TaughtSound:
        """Store (or replace) ``name`` with ``prototypes`` (P, D) or (D,), its cosine ``threshold``
        and score ``scale``. ValueError for a bad name, bad vectors or a foreign dimension."""
        check_sound_name(name)
        threshold, scale = float(threshold), float(scale)
        if not (-1.0 <= threshold <= 1.0) or not (math.isfinite(scale) and scale > 0):
            raise ValueError(f'threshold must be a cosine in [-1, 1] and scale > 0, got {threshold} and {scale}')
        if int(count) < 1 or int(clips) < 1:
            raise ValueError('count and clips must be at least 1')
        with self._lock:
            rows = _unit_rows(prototypes, self.dimension, f'prototypes of {name!r}')
            if rows.shape[0] > MAX_PROTOTYPES:
                raise ValueError(f'{rows.shape[0]} prototypes for {name!r}; at most {MAX_PROTOTYPES}')
            previous = self._sounds.get(name)
            now = _now()
            sound = TaughtSound(name, rows.astype(np.float32), threshold, scale, int(count), int(clips),
                                dict(calibration or {}), previous.taught if previous else now, now)
            self._sounds[name] = sound
            self.dimension = rows.shape[1]
            self.version += 1
            return sound

    def set_center(self, center) -> None:
        """Set the centre embeddings are compared around (D,) finite; only while nothing is
        taught (the prototypes live in the centred space), else ValueError."""
        vector = np.asarray(center, dtype=np.float64).reshape(-1)
        if vector.size == 0 or not np.isfinite(vector).all():
            raise ValueError('the centre must be a finite, non-empty vector')
        with self._lock:
            if self._sounds:
                raise ValueError('the centre cannot change while sounds are taught')
            if self.dimension is not None and vector.size != self.dimension:
                raise ValueError(f'centre of dimension {vector.size}, the database holds {self.dimension}')
            self.center = vector.astype(np.float32)
            self.dimension = vector.size
            self.version += 1

    def transform(self, embeddings) -> np.ndarray:
        """(N, D) or (D,) embeddings → (N, D) float64 ``unit(e - center)`` (just ``unit(e)``
        without a centre): the space prototypes and cosines live in."""
        rows = np.atleast_2d(np.asarray(embeddings, dtype=np.float64))
        with self._lock:
            center = self.center
        if center is not None:
            rows = rows - center.astype(np.float64)[None, :]
        return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)

    def remove(self, name: str) -> bool:
        """Forget ``name``; False when it was not taught."""
        with self._lock:
            found = self._sounds.pop(name, None) is not None
            self.version += found
            return found

    # ----------------------------------------------------------------- reading
    def names(self) -> list[str]:
        """The taught sounds, sorted."""
        with self._lock:
            return sorted(self._sounds)

    def __len__(self) -> int:
        with self._lock:
            return len(self._sounds)

    def __contains__(self, name: object) -> bool:
        with self._lock:
            return name in self._sounds

    def get(self, name: str) -> TaughtSound:
        """The taught sound ``name`` (KeyError when it was not taught)."""
        with self._lock:
            if name not in self._sounds:
                raise KeyError(f'{name!r} is not taught in {self.path}')
            return self._sounds[name]

    def sounds(self) -> list[TaughtSound]:
        """A snapshot of all taught sounds, sorted by name (entries are immutable)."""
        with self._lock:
            return [self._sounds[n] for n in sorted(self._sounds)]
