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

import time

import numpy as np

from ..model_file import ModelBoundFile
from .validation import MAX_NAME_LENGTH, as_embeddings, check_name

__all__ = ['FORMAT', 'FORMAT_VERSION', 'MAX_NAME_LENGTH', 'SpeakerDatabase', 'SpeakerDatabaseError']

FORMAT = 'degram.speakers'
FORMAT_VERSION = 1


class SpeakerDatabaseError(RuntimeError):
    """A database file that cannot be used (damaged, newer, or made with another model)."""


def _now() -> str:
    return time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())


class SpeakerDatabase(ModelBoundFile):
    """Enrolled speakers of one model; see the module docstring for the file (opening, checking and
    saving: :class:`degram.model_file.ModelBoundFile`)."""

    FORMAT, FORMAT_VERSION = FORMAT, FORMAT_VERSION
    ITEMS, NOUN, VERB, ACTION = 'speakers', 'speaker', 'enrolled', 'enrol'
    FIRST_HINT = 'enrol someone first: degram enroll --db {path} --name NAME FILE...'
    Error = SpeakerDatabaseError

    def __init__(self, path, model_name: str, model_sha256: str):
        super().__init__(path, model_name, model_sha256)
        self._speakers: dict[str, dict] = {}   # name → {'embedding': (D,) float32, 'count', 'enrolled', 'updated'}

    # ----------------------------------------------------------------- the file's entries
    def _parse_entry(self, name: str, entry, dimension: int | None) -> dict:
        check_name(name)
        if np.ndim(entry['embedding']) != 1:
            raise ValueError('the embedding is not a list of numbers')
        vector = as_embeddings(entry['embedding'], dimension)[0].astype(np.float32)
        count = entry['count']
        if type(count) is not int or count < 1:
            raise ValueError(f'count {count!r} is not a positive integer')
        if not abs(float(np.linalg.norm(vector)) - 1.0) < 1e-3:
            raise ValueError('the embedding is not L2-normalised')
        return {'embedding': vector, 'count': count, 'enrolled': str(entry['enrolled']),
                'updated': str(entry.get('updated', entry['enrolled']))}

    def _install(self, entries: dict, extra: dict) -> None:
        self._speakers = entries

    def _snapshot(self) -> tuple[dict, dict]:
        return dict(self._speakers), {}

    def _entry_document(self, entry: dict) -> dict:
        # str() of a float32 is its shortest repr, which reads back as the same float32
        return {'embedding': [float(str(x)) for x in entry['embedding']], 'count': entry['count'],
                'enrolled': entry['enrolled'], 'updated': entry['updated']}

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
