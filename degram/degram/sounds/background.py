# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The background a taught sound's threshold is calibrated against: windows of what the robot hears
when the sound is *not* there, grouped by kind (``speech``, ``noise``, ``silence``, ``known``).

- ``synthetic`` (always, no files needed): digital silence, white noise at -60..-40 dBFS, pink and
  brown noise, mains hum: the "silence" and steady "noise" of a quiet room;
- ``corpus`` (when the shared data folder is found, see :func:`degram.data.find_data_root`):
  speech (speechocean762 speakers 0-4, Arabic Speech Commands speakers 1-24, FSDD george/jackson),
  room noise (speech_commands_noise: doing the dishes, exercise bike, white noise) and, for the
  model's own classes that are ESC-50 classes, ESC-50 folds 1-3 ("known"). These are the sources
  the shipped sound_event model's negatives come from; ``degram eval --few-shot`` measures false
  detections on disjoint ones (other speakers, other noises, fold 4);
- files the user gives (``--background``): the robot's own room, its motors, its voice.

The embeddings of a background depend on the model only, so they are computed once and cached
(``$XDG_CACHE_HOME/degram/sounds/``, keyed by the model's sha256 and the sources).

    background = Background.build(predictor, files=[...], corpus=True)   # cached
    background.embeddings   # (M, D) float32 unit rows
    background.kinds        # (M,) str: speech | noise | silence | known | user
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..events.detector import level_db
from .embedding import cut, gate_db, window_and_hop, window_embeddings

__all__ = ['CORPUS_SOURCES', 'Background', 'synthetic_recordings']

#: background sources under the shared data root: kind → globs (speakers/noises the eval does not use)
CORPUS_SOURCES = {
    'speech': ['speechocean762/audio/SPEAKER0[0-4]*/*.ogg', 'arabic_speech_commands/audio/*/0000000[1-9]_*.flac',
               'fsdd/recordings/*_george_*.wav', 'fsdd/recordings/*_jackson_*.wav'],
    'noise': ['speech_commands_noise/doing_the_dishes.flac', 'speech_commands_noise/exercise_bike.flac',
              'speech_commands_noise/white_noise.flac'],
}
#: the kinds whose mean is the centre (silence: a corner of the space nothing else is near)
CENTER_KINDS = ('speech', 'noise', 'known', 'user')
FILES_PER_SOURCE = 24        # recordings drawn (fixed seed) per glob
WINDOWS_PER_RECORDING = 8    # at most, evenly spread
KNOWN_CLIPS_PER_CLASS = 3    # ESC-50 folds 1-3 clips of each of the model's ESC-50 classes


def _coloured(rng, n: int, exponent: float) -> np.ndarray:
    """Noise with power ∝ 1/f^exponent, unit RMS."""
    spectrum = np.fft.rfft(rng.standard_normal(n))
    freqs = np.maximum(np.arange(spectrum.size), 1.0)
    noise = np.fft.irfft(spectrum / freqs ** (exponent / 2), n)
    return noise / np.sqrt(np.mean(noise ** 2))


def synthetic_recordings(rate: int = 16000, seconds: float = 6.0, seed: int = 0) -> list[tuple[str, np.ndarray]]:
    """(kind, waveform (L,) float32) pairs: silence and steady noises a quiet room makes."""
    rng = np.random.default_rng(seed)
    n = int(seconds * rate)
    t = np.arange(n) / rate
    out = [('silence', np.zeros(n, np.float32))]
    for level in (-60.0, -50.0, -40.0):
        out.append(('silence', 10 ** (level / 20) * rng.standard_normal(n)))
    for exponent, level in ((1.0, -45.0), (1.0, -30.0), (2.0, -40.0), (2.0, -25.0), (0.0, -30.0)):
        out.append(('noise', 10 ** (level / 20) * _coloured(rng, n, exponent)))
    for mains in (50.0, 60.0):
        hum = sum(np.sin(2 * np.pi * mains * k * t) / k for k in (1, 2, 3))
        out.append(('noise', 0.02 * hum + 10 ** (-55 / 20) * rng.standard_normal(n)))
    return [(kind, np.asarray(w, dtype=np.float32)) for kind, w in out]


def _spread(count: int, limit: int) -> np.ndarray:
    return np.unique(np.linspace(0, count - 1, min(count, limit)).round().astype(int)) if count else np.zeros(0, int)


def _corpus_files(root: Path, labels, seed: int = 0) -> list[tuple[str, str]]:
    """(kind, path) of the corpus background under ``root``."""
    import csv
    from glob import glob

    rng = np.random.default_rng(seed)
    files = []
    for kind, globs in CORPUS_SOURCES.items():
        for pattern in globs:
            found = sorted(glob(str(root / pattern)))
            if len(found) > FILES_PER_SOURCE:
                found = [found[i] for i in sorted(rng.choice(len(found), FILES_PER_SOURCE, replace=False))]
            files += [(kind, f) for f in found]
    meta = root / 'esc50' / 'meta.csv'
    if meta.is_file():
        wanted, taken = set(labels), {}
        with open(meta, newline='') as fh:
            for row in csv.DictReader(fh):
                label = row['category']
                if label in wanted and row['fold'] in ('1', '2', '3') and taken.get(label, 0) < KNOWN_CLIPS_PER_CLASS:
                    taken[label] = taken.get(label, 0) + 1
                    files.append(('known', str(root / 'esc50' / 'audio' / row['filename'])))
    return files


def _cache_dir() -> Path:
    base = os.environ.get('XDG_CACHE_HOME') or os.path.join(os.path.expanduser('~'), '.cache')
    return Path(base) / 'degram' / 'sounds'


@dataclass
class Background:
    """Background windows' embeddings ``(M, D)`` float32 unit rows and their ``kinds`` ``(M,)``."""

    embeddings: np.ndarray
    kinds: np.ndarray
    sources: list

    def center(self) -> np.ndarray:
        """(D,) float32: the mean embedding of the speech, noise, known and user windows (of all
        windows when there are none of those): what a sound database centres embeddings on."""
        chosen = np.isin(self.kinds, CENTER_KINDS)
        rows = self.embeddings[chosen] if chosen.any() else self.embeddings
        return rows.astype(np.float64).mean(axis=0).astype(np.float32)

    def counts(self) -> dict:
        """Windows per kind."""
        names, counts = np.unique(self.kinds, return_counts=True)
        return {str(k): int(c) for k, c in zip(names, counts)}

    @classmethod
    def build(cls, predictor, files=(), corpus: bool = True, data_root=None, cache: bool | str | Path = True,
              synthetic: bool = True, known_labels=None) -> Background:
        """The background of ``predictor``: synthetic silence and noise, the corpus (when ``corpus``
        and the data root is found) and ``files`` (kind ``user``), embedded at the model's window
        and hop. ``known_labels``: the classes whose ESC-50 clips count as "known" (default: the
        model's labels). Cached under ``cache`` (True: the default folder; False: never)."""
        from ..audio import load_audio
        from ..data import find_data_root
        from ..speaker import model_fingerprint

        items: list[tuple[str, str]] = [('user', str(Path(f))) for f in files]
        root = find_data_root(data_root) if corpus else None
        if root is not None:
            items += _corpus_files(Path(root), predictor.labels if known_labels is None else known_labels)
        if not items and not synthetic:
            raise ValueError('an empty background: give files, a data root or synthetic=True')
        _, sha = model_fingerprint(predictor)
        key = hashlib.sha256(json.dumps([sha, synthetic, items, FILES_PER_SOURCE, WINDOWS_PER_RECORDING,
                                         list(window_and_hop(predictor))]).encode()).hexdigest()[:20]
        folder = _cache_dir() if cache is True else (Path(cache) if cache else None)
        target = folder / f'background-{key}.npz' if folder else None
        if target is not None and target.is_file():
            try:
                with np.load(target) as stored:
                    return cls(stored['embeddings'], stored['kinds'].astype(str), items)
            except (OSError, ValueError, KeyError):
                pass   # a damaged cache: computed again below
        rate = predictor.sample_rate
        recordings = [(kind, (wave, rate)) for kind, wave in synthetic_recordings(rate)] if synthetic else []
        recordings += [(kind, path) for kind, path in items]
        gate = gate_db(predictor)
        embeddings, kinds = [], []
        for kind, item in recordings:
            samples, sr = item if isinstance(item, tuple) else load_audio(item, rate)
            windows = cut(predictor, samples, sr)
            windows = windows[[level_db(w) >= gate for w in windows]] if len(windows) else windows
            windows = windows[_spread(len(windows), WINDOWS_PER_RECORDING)]
            if len(windows):
                embeddings.append(window_embeddings(predictor, windows))
                kinds += [kind] * len(windows)
        if not embeddings:
            raise ValueError('the background holds no window above the level gate')
        background = cls(np.concatenate(embeddings).astype(np.float32), np.asarray(kinds), items)
        if target is not None:
            from ..atomic import atomic_path

            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                with atomic_path(target) as tmp, open(tmp, 'wb') as fh:
                    np.savez(fh, embeddings=background.embeddings, kinds=background.kinds.astype('U16'))
            except OSError:
                pass   # no cache: still a usable background
        return background

