"""Crash-safe file writes: a temporary file in the target's folder, fsync, one rename."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ['atomic_copy', 'atomic_write']


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:   # e.g. a platform without directory fds: the rename itself is still atomic
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes, mode: int) -> None:
    """``path`` holds ``data`` (file mode ``mode``) or, after a crash at any point, its old content."""
    fd, tmp = tempfile.mkstemp(prefix=f'.{path.name}.', suffix='.tmp', dir=path.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, 'wb') as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    _fsync_folder(path.parent)


def atomic_copy(source: Path, target: Path) -> None:
    """``target`` becomes a durable copy of ``source`` (same mode), replaced in one rename (a
    speaker database is a small file: read whole, written like any other save)."""
    atomic_write(target, source.read_bytes(), source.stat().st_mode & 0o777)
