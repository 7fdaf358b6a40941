# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Where the shared datasets live, which files are audio, and a cache of decoded clips."""
from __future__ import annotations

import glob
import os
from pathlib import Path

import numpy as np

from ..audio import load_audio

AUDIO_EXTENSIONS = frozenset({'.wav', '.flac', '.ogg', '.oga', '.opus', '.aif', '.aiff', '.au',
                              '.mp3', '.w64', '.caf'})
DATA_ENV = 'DEGRAM_DATA'


class DatasetError(ValueError):
    """A dataset spec, folder or manifest that cannot be used, with the reason."""


class WaveCache:
    """Decoded clips keyed by (file, rate), read-only. One per dataset or noise bank unless shared
    on purpose (the trainer shares one between its dataset and noise bank)."""

    def __init__(self):
        self._waves: dict[tuple[str, int], np.ndarray] = {}

    def load(self, path: str, sample_rate: int) -> np.ndarray:
        key = (str(path), int(sample_rate))
        wave = self._waves.get(key)
        if wave is None:
            wave, _ = load_audio(path, sample_rate=sample_rate)
            wave.setflags(write=False)
            self._waves[key] = wave
        return wave

    def clear(self) -> None:
        self._waves.clear()

    def __len__(self) -> int:
        return len(self._waves)


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
