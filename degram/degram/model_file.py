# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""A small JSON file of what one model's embeddings describe (the enrolled speakers, the taught
sounds): :class:`ModelBoundFile`, the part both databases share.

The file is bound to the model that made its embeddings (its name and file sha256). Opening it
for another model, or opening a damaged or newer file, raises the subclass's error with a line
that says what to do; nothing is ever replaced by a silent empty database. :meth:`save` writes
atomically (a temporary file, fsync, rename) and first copies the version it replaces to
``PATH.bak``. The common part of the document::

    {"format": FORMAT, "format_version": FORMAT_VERSION,
     "model": {"name": "...", "sha256": "<64 hex digits>"},
     "dimension": D | null,                  # null while the file holds nothing
     ...,                                    # a subclass's own fields (_extra_fields)
     ITEMS: {name: entry, ...}}              # _parse_entry / _entry_document

A subclass names its noun and verbs (``speaker`` / ``enrolled`` / ``enrol``), parses and writes
one entry, and keeps its entries under its own lock (``self._lock``).
"""
from __future__ import annotations

import json
import threading
from pathlib import Path

from .atomic import atomic_copy, atomic_write

__all__ = ['ModelBoundFile']


class ModelBoundFile:
    """The model binding, opening, checking and atomic saving of an embeddings file."""

    FORMAT = ''             #: the document's "format"
    FORMAT_VERSION = 1      #: the newest version this code reads and writes
    ITEMS = ''              #: the key of the entries, e.g. 'speakers'
    NOUN = ''               #: one entry, e.g. 'speaker'
    VERB = ''               #: how entries got in, e.g. 'enrolled'
    ACTION = ''             #: what a user does to put them in again, e.g. 'enrol'
    FIRST_HINT = ''         #: what to do when the file does not exist yet ({path} is filled in)
    Error: type[Exception] = RuntimeError

    def __init__(self, path: str | Path, model_name: str, model_sha256: str):
        self.path = Path(path)
        self.model_name = str(model_name)
        self.model_sha256 = str(model_sha256)
        self.dimension: int | None = None
        self._lock = threading.RLock()        # the entries
        self._save_lock = threading.Lock()    # the file

    # ----------------------------------------------------------------- opening
    @classmethod
    def open(cls, path: str | Path, model_name: str, model_sha256: str, create: bool = True):
        """The database at ``path`` for the model (``name``, ``sha256``). A missing file gives an
        empty database with ``create`` (nothing is written until :meth:`save`), else an error."""
        database = cls(path, model_name, model_sha256)
        if not database.path.exists():
            if create:
                return database
            raise cls.Error(f'{database.path}: no such {cls.NOUN} database '
                            f'({cls.FIRST_HINT.format(path=database.path)})')
        stored_name, stored_sha = database._load()
        if (stored_name, stored_sha) != (database.model_name, database.model_sha256):
            raise cls.Error(
                f"{database.path}: the {cls.ITEMS} were {cls.VERB} with model '{stored_name}' (sha256 "
                f"{stored_sha[:12]}…) but the model in use is '{database.model_name}' (sha256 "
                f"{database.model_sha256[:12]}…); their embeddings are not comparable: {cls.ACTION} the "
                f"{cls.ITEMS} again with this model, or use the database's model")
        return database

    @classmethod
    def read(cls, path: str | Path):
        """An existing database whatever model made it (to list or remove entries)."""
        database = cls(path, '', '')
        if not database.path.exists():
            raise cls.Error(f'{database.path}: no such {cls.NOUN} database')
        database.model_name, database.model_sha256 = database._load()
        return database

    def _damaged(self, reason: str) -> Exception:
        backup = self.path.with_name(self.path.name + '.bak')
        hint = (f'; the previous version is kept in {backup} (copy it over {self.path.name} to restore it)'
                if backup.is_file() else f'; there is no backup ({backup.name})')
        return self.Error(f'{self.path}: not a readable {self.NOUN} database ({reason}){hint}')

    def _load(self) -> tuple[str, str]:
        """Read the file into this object; returns the model (name, sha256) it was made with."""
        try:
            data = json.loads(self.path.read_text(encoding='utf-8'))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise self._damaged(f'{type(exc).__name__}: {exc}') from None
        if not isinstance(data, dict) or data.get('format') != self.FORMAT:
            raise self._damaged(f"no 'format': '{self.FORMAT}'")
        version = data.get('format_version')
        if type(version) is not int or version < 1:
            raise self._damaged('no valid format_version')
        if version > self.FORMAT_VERSION:
            raise self.Error(f'{self.path}: {self.NOUN} database format version {version} is newer than this '
                             f'degram reads ({self.FORMAT_VERSION}); upgrade degram')
        model, items, dimension = data.get('model'), data.get(self.ITEMS), data.get('dimension')
        if not isinstance(model, dict) or not all(isinstance(model.get(k), str) for k in ('name', 'sha256')):
            raise self._damaged("no 'model' with 'name' and 'sha256'")
        if not isinstance(items, dict) or not (dimension is None or type(dimension) is int and dimension > 0):
            raise self._damaged(f"no '{self.ITEMS}' object or no valid 'dimension'")
        if items and dimension is None:
            raise self._damaged(f"{self.ITEMS} but no 'dimension'")
        extra = self._parse_extra(data, dimension)
        entries = {}
        for name, entry in items.items():
            try:
                entries[name] = self._parse_entry(name, entry, dimension)
            except (ValueError, TypeError, KeyError) as exc:
                raise self._damaged(f'{self.NOUN} {name!r}: {type(exc).__name__}: {exc}') from None
        with self._lock:
            self.dimension = dimension
            self._install(entries, extra)
        return model['name'], model['sha256']

    # ----------------------------------------------------------------- a subclass's part
    def _parse_extra(self, data: dict, dimension: int | None) -> dict:
        """The subclass's own top-level fields, checked (raise ``self._damaged(...)``)."""
        return {}

    def _parse_entry(self, name: str, entry, dimension: int | None):
        """One entry of the file → what the subclass keeps (ValueError/TypeError/KeyError if damaged)."""
        raise NotImplementedError

    def _install(self, entries: dict, extra: dict) -> None:
        """Keep the entries read from the file (called under ``self._lock``)."""
        raise NotImplementedError

    def _snapshot(self) -> tuple[dict, dict]:
        """(entries by name, the subclass's own top-level fields as JSON), taken under the lock."""
        raise NotImplementedError

    def _entry_document(self, entry) -> dict:
        """One kept entry → its JSON object."""
        raise NotImplementedError

    # ----------------------------------------------------------------- saving
    def _document(self) -> dict:
        with self._lock:   # entries are replaced, never changed in place: a shallow copy is a snapshot
            entries, extra = self._snapshot()
            dimension = self.dimension
        items = {name: self._entry_document(entry) for name, entry in sorted(entries.items())}
        return {'format': self.FORMAT, 'format_version': self.FORMAT_VERSION,
                'model': {'name': self.model_name, 'sha256': self.model_sha256},
                'dimension': dimension, **extra, self.ITEMS: items}

    def save(self) -> Path:
        """Write the file atomically: a temporary file in the same folder, fsync, rename over
        ``path``; the version it replaces is first copied to ``PATH.bak``. Readers go on while the
        file is written (saves are serialised by a lock of their own)."""
        with self._save_lock:
            text = json.dumps(self._document(), indent=1, allow_nan=False)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if self.path.exists():
                atomic_copy(self.path, self.path.with_name(self.path.name + '.bak'))
            mode = self.path.stat().st_mode & 0o777 if self.path.exists() else 0o644
            atomic_write(self.path, text.encode('utf-8'), mode)
            return self.path
