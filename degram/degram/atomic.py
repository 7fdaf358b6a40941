# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Crash-safe file writes, the one way the library writes a file that must never be half there:
a temporary file in the target's folder, fsync, one rename (then the folder is fsynced).

- :func:`atomic_write`: bytes → ``path``;
- :func:`atomic_copy`: a durable copy;
- :func:`atomic_path`: for writers that want a path (``torch.save``, ``np.savez``, the ONNX
  exporter): ``with atomic_path(target) as tmp: write(tmp)``; the target is replaced only when
  the block ends without an exception, and the temporary file never outlives it.
"""
from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ['atomic_copy', 'atomic_path', 'atomic_write']


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


def _fsync_file(path: Path) -> None:
    with open(path, 'rb+') as fh:
        os.fsync(fh.fileno())


@contextlib.contextmanager
def atomic_path(path: str | Path, mode: int | None = None) -> Iterator[Path]:
    """A temporary path beside ``path`` (same suffix) to write to; on success it is fsynced and
    renamed over ``path`` with file mode ``mode`` (default: the mode of the file it replaces, else
    0o644), else removed."""
    path = Path(path)
    fd, name = tempfile.mkstemp(prefix=f'.{path.stem}.', suffix=f'.tmp{path.suffix}', dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        if mode is None:
            mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
        os.chmod(tmp, mode)
        _fsync_file(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_folder(path.parent)


def atomic_write(path: Path, data: bytes, mode: int = 0o644) -> None:
    """``path`` holds ``data`` (file mode ``mode``) or, after a crash at any point, its old content."""
    with atomic_path(path, mode) as tmp:
        tmp.write_bytes(data)


def atomic_copy(source: Path, target: Path) -> None:
    """``target`` becomes a durable copy of ``source`` (same mode), replaced in one rename (a
    speaker database is a small file: read whole, written like any other save)."""
    atomic_write(target, source.read_bytes(), source.stat().st_mode & 0o777)
