# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The enrolled speakers: one L2-normalised embedding per person, in a small JSON file.

File format (UTF-8 JSON, written atomically; the previous version is kept as ``PATH.bak``)::

    {"format": "degram.speakers", "format_version": 1,
     "model": {"name": "speaker_embedding", "sha256": "<64 hex digits>"},
     "dimension": 512,                       # D; null while nothing is enrolled
     "speakers": {"alice": {"embedding": [D floats], "count": 6,
                            "enrolled": "2025-01-31T12:00:00Z", "updated": "2025-02-01T08:30:00Z"}}}

``embedding`` is the L2-normalised mean of the ``count`` L2-normalised embeddings enrolled so far;
enrolling a name again merges (the count-weighted mean, renormalised). Floats are written as the
shortest decimal that reads back as the same float32 (bit-exact round trip). Times are UTC,
ISO 8601 (``enrolled``: first enrolment, ``updated``: the last one).

A database belongs to the model that made its embeddings (name and file sha256, see
:func:`degram.speaker.model_fingerprint`): opening it for another model, or opening a damaged
file, raises :class:`SpeakerDatabaseError`; nothing is ever replaced by a silent empty database.
All methods hold one lock, so a ROS service thread may enrol while another thread identifies.
"""
from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import numpy as np

from ..atomic import atomic_copy, atomic_write
from .validation import MAX_NAME_LENGTH, as_embeddings, check_name

__all__ = ['FORMAT', 'FORMAT_VERSION', 'MAX_NAME_LENGTH', 'SpeakerDatabase', 'SpeakerDatabaseError']

FORMAT = 'degram.speakers'
FORMAT_VERSION = 1


class SpeakerDatabaseError(RuntimeError):
    """A database file that cannot be used (damaged, newer, or made with another model)."""


def _now() -> str:
    return time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())


class SpeakerDatabase:
    """Enrolled speakers of one model; see the module docstring for the file."""

    def __init__(self, path: str | Path, model_name: str, model_sha256: str):
        self.path = Path(path)
        self.model_name = str(model_name)
        self.model_sha256 = str(model_sha256)
        self.dimension: int | None = None
        self._speakers: dict[str, dict] = {}   # name → {'embedding': (D,) float32, 'count', 'enrolled', 'updated'}
        self._lock = threading.RLock()        # the speakers
        self._save_lock = threading.Lock()    # the file

    # ----------------------------------------------------------------- opening
    @classmethod
    def open(cls, path: str | Path, model_name: str, model_sha256: str, create: bool = True) -> SpeakerDatabase:
        """The database at ``path`` for the model (``name``, ``sha256``). A missing file gives an
        empty database with ``create`` (nothing is written until :meth:`save`), else an error."""
        database = cls(path, model_name, model_sha256)
        if not database.path.exists():
            if create:
                return database
            raise SpeakerDatabaseError(f'{database.path}: no such speaker database (enrol someone first: '
                                       f'degram enroll --db {database.path} --name NAME FILE...)')
        stored_name, stored_sha = database._load()
        if (stored_name, stored_sha) != (database.model_name, database.model_sha256):
            raise SpeakerDatabaseError(
                f"{database.path}: the speakers were enrolled with model '{stored_name}' (sha256 {stored_sha[:12]}…) "
                f"but the model in use is '{database.model_name}' (sha256 {database.model_sha256[:12]}…); their "
                f"embeddings are not comparable: enrol the speakers again with this model, or use the database's "
                f'model')
        return database

    @classmethod
    def read(cls, path: str | Path) -> SpeakerDatabase:
        """An existing database whatever model made it (to list or remove speakers)."""
        database = cls(path, '', '')
        if not database.path.exists():
            raise SpeakerDatabaseError(f'{database.path}: no such speaker database')
        database.model_name, database.model_sha256 = database._load()
        return database

    def _damaged(self, reason: str) -> SpeakerDatabaseError:
        backup = self.path.with_name(self.path.name + '.bak')
        hint = (f'; the previous version is kept in {backup} (copy it over {self.path.name} to restore it)'
                if backup.is_file() else f'; there is no backup ({backup.name})')
        return SpeakerDatabaseError(f'{self.path}: not a readable speaker database ({reason}){hint}')

    def _load(self) -> tuple[str, str]:
        """Read the file into this object; returns the model (name, sha256) it was made with."""
        try:
            data = json.loads(self.path.read_text(encoding='utf-8'))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise self._damaged(f'{type(exc).__name__}: {exc}') from None
        if not isinstance(data, dict) or data.get('format') != FORMAT:
            raise self._damaged(f"no 'format': '{FORMAT}'")
        version = data.get('format_version')
        if type(version) is not int or version < 1:
            raise self._damaged('no valid format_version')
        if version > FORMAT_VERSION:
            raise SpeakerDatabaseError(f'{self.path}: speaker database format version {version} is newer than this '
                                       f'degram reads ({FORMAT_VERSION}); upgrade degram')
        model, speakers, dimension = data.get('model'), data.get('speakers'), data.get('dimension')
        if not isinstance(model, dict) or not all(isinstance(model.get(k), str) for k in ('name', 'sha256')):
            raise self._damaged("no 'model' with 'name' and 'sha256'")
        if not isinstance(speakers, dict) or not (dimension is None or type(dimension) is int and dimension > 0):
            raise self._damaged("no 'speakers' object or no valid 'dimension'")
        if speakers and dimension is None:
            raise self._damaged("speakers but no 'dimension'")
        entries = {}
        for name, entry in speakers.items():
            try:
                check_name(name)
                if np.ndim(entry['embedding']) != 1:
                    raise ValueError('the embedding is not a list of numbers')
                vector = as_embeddings(entry['embedding'], dimension)[0].astype(np.float32)
                count = entry['count']
                if type(count) is not int or count < 1:
                    raise ValueError(f'count {count!r} is not a positive integer')
                if not abs(float(np.linalg.norm(vector)) - 1.0) < 1e-3:
                    raise ValueError('the embedding is not L2-normalised')
                entries[name] = {'embedding': vector, 'count': count, 'enrolled': str(entry['enrolled']),
                                 'updated': str(entry.get('updated', entry['enrolled']))}
            except (ValueError, TypeError, KeyError) as exc:
                raise self._damaged(f'speaker {name!r}: {type(exc).__name__}: {exc}') from None
        with self._lock:
            self.dimension, self._speakers = dimension, entries
        return model['name'], model['sha256']

    # ----------------------------------------------------------------- changing
    def enroll(self, name: str, embeddings: np.ndarray) -> None:
        """Add ``embeddings`` (N, D) or (D,) to ``name`` (created, or merged count-weighted).

        Raises ValueError for an empty, too long or reserved name, N == 0, non-finite or zero
        embeddings, or a dimension other than the database's.
        """
        check_name(name)
        with self._lock:
            rows = as_embeddings(embeddings, self.dimension)
            rows = rows / np.linalg.norm(rows, axis=1, keepdims=True)
            total = rows.sum(axis=0)
            count = rows.shape[0]
            previous = self._speakers.get(name)
            if previous is not None:
                total = total + previous['count'] * previous['embedding'].astype(np.float64)
                count += previous['count']
            norm = float(np.linalg.norm(total))
            if not norm > 1e-6 * count:
                raise ValueError(f'the embeddings for {name!r} cancel out (their mean is zero); enrol real speech')
            now = _now()
            self._speakers[name] = {'embedding': (total / norm).astype(np.float32), 'count': count,
                                    'enrolled': previous['enrolled'] if previous else now, 'updated': now}
            self.dimension = rows.shape[1]

    def remove(self, name: str) -> bool:
        """Forget ``name``; False when it was not enrolled."""
        with self._lock:
            return self._speakers.pop(name, None) is not None

    # ----------------------------------------------------------------- reading
    def names(self) -> list[str]:
        with self._lock:
            return sorted(self._speakers)

    def __len__(self) -> int:
        with self._lock:
            return len(self._speakers)

    def __contains__(self, name: object) -> bool:
        with self._lock:
            return name in self._speakers

    def matrix(self) -> tuple[list[str], np.ndarray]:
        """(sorted names, (K, D) float32 matrix of their unit embeddings); (0, D) when empty
        (D = 0 while the dimension is unknown)."""
        with self._lock:
            names = sorted(self._speakers)
            if not names:
                return [], np.zeros((0, self.dimension or 0), np.float32)
            return names, np.stack([self._speakers[n]['embedding'] for n in names]).astype(np.float32)

    def info(self, name: str) -> dict:
        """``{'count', 'enrolled', 'updated'}`` of an enrolled speaker (KeyError otherwise)."""
        with self._lock:
            if name not in self._speakers:
                raise KeyError(f'{name!r} is not enrolled in {self.path}')
            entry = self._speakers[name]
            return {'count': entry['count'], 'enrolled': entry['enrolled'], 'updated': entry['updated']}

    # ----------------------------------------------------------------- saving
    def _document(self) -> dict:
        with self._lock:   # entries are replaced, never changed in place: a shallow copy is a snapshot
            entries, dimension = dict(self._speakers), self.dimension
        # str() of a float32 is its shortest repr, which reads back as the same float32
        speakers = {name: {'embedding': [float(str(x)) for x in entry['embedding']], 'count': entry['count'],
                           'enrolled': entry['enrolled'], 'updated': entry['updated']}
                    for name, entry in sorted(entries.items())}
        return {'format': FORMAT, 'format_version': FORMAT_VERSION,
                'model': {'name': self.model_name, 'sha256': self.model_sha256},
                'dimension': dimension, 'speakers': speakers}

    def save(self) -> Path:
        """Write the file atomically: a temporary file in the same folder, fsync, rename over
        ``path``; the version it replaces is first copied to ``PATH.bak``. Identification goes on
        while the file is written (saves are serialised by a lock of their own)."""
        with self._save_lock:
            text = json.dumps(self._document(), indent=1, allow_nan=False)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if self.path.exists():
                atomic_copy(self.path, self.path.with_name(self.path.name + '.bak'))
            mode = self.path.stat().st_mode & 0o777 if self.path.exists() else 0o644
            atomic_write(self.path, text.encode('utf-8'), mode)
            return self.path

