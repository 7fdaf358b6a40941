# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Teaching a sound: recordings → window embeddings → prototypes → a threshold calibrated against
the background → an entry of a :class:`~degram.sounds.SoundDatabase`.

    background = Background.build(predictor)                       # cached after the first call
    report = teach(predictor, database, 'doorbell', [(wave, rate), 'ring2.wav'], background)
    database.save()

The threshold is the cosine that at most ``MAX_FALSE_RATE[kind]`` of each kind of background
window reaches (none of the silence windows), plus ``MARGIN``. The score the node publishes is
``sigmoid(scale · (cosine - threshold))``: 0.5 at the threshold, ``scale`` set so that the typical
taught window scores 0.9.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .background import Background
from .database import SoundDatabase, TaughtSound, check_sound_name
from .embedding import sound_embeddings

__all__ = ['MARGIN', 'MAX_FALSE_RATE', 'Embedded', 'TeachReport', 'calibrate', 'prototypes_of', 'teach']

#: the share of a background kind's windows a taught sound may be detected in (at teach time)
MAX_FALSE_RATE = {'speech': 0.002, 'silence': 0.0, 'noise': 0.002, 'known': 0.01, 'user': 0.002}
#: added to the background's cosine: the threshold is a little above the closest background
MARGIN = 0.01
SCALE_RANGE = (10.0, 200.0)


def _unit(rows: np.ndarray) -> np.ndarray:
    rows = np.asarray(rows, dtype=np.float64)
    return rows / np.maximum(np.linalg.norm(rows, axis=-1, keepdims=True), 1e-12)


def prototypes_of(points: np.ndarray, weights: np.ndarray | None = None, count: int = 1,
                  iterations: int = 10) -> np.ndarray:
    """(N, D) unit rows (optionally weighted) → (P, D) unit prototypes, P = min(count, N): the
    weighted mean direction (P = 1) or spherical k-means seeded with the farthest-point rule."""
    points = _unit(np.atleast_2d(points))
    weights = np.ones(len(points)) if weights is None else np.asarray(weights, dtype=np.float64)
    if len(points) == 0:
        raise ValueError('no windows to make a prototype of')
    count = max(1, min(int(count), len(points)))
    centres = [_unit((weights[:, None] * points).sum(axis=0))]
    if count == 1:
        return np.stack(centres).astype(np.float32)
    while len(centres) < count:   # farthest point from the centres so far
        centres.append(points[int(np.argmin((points @ np.stack(centres).T).max(axis=1)))])
    centres = np.stack(centres)
    for _ in range(iterations):
        assign = np.argmax(points @ centres.T, axis=1)
        centres = np.stack([_unit((weights[assign == k, None] * points[assign == k]).sum(axis=0))
                            if (assign == k).any() else centres[k] for k in range(count)])
    return centres.astype(np.float32)


@dataclass
class TeachReport:
    """What teaching did: the sound stored, windows used, and the calibration."""

    sound: TaughtSound
    windows: int
    clips: int
    seconds: float
    calibration: dict = field(default_factory=dict)

    @property
    def expected_recall(self) -> float | None:
        """The share of held-out taught windows at or above the threshold (None with one clip)."""
        return self.calibration.get('expected_recall')


def calibrate(prototypes: np.ndarray, background, positives: list[np.ndarray] | None = None,
              max_false_rate: dict | None = None, margin: float = MARGIN,
              held_out: list[np.ndarray] | None = None) -> tuple[float, float, dict]:
    """The cosine threshold and score scale of prototypes (P, D) against a
    :class:`~degram.sounds.Background`. ``held_out``: (N_i, D) cosine-comparable windows not used
    for the prototypes (leave-one-clip-out), for the expected recall and the scale.
    → (threshold, scale, calibration dict)."""
    rates = dict(MAX_FALSE_RATE, **(max_false_rate or {}))
    protos = np.atleast_2d(prototypes).astype(np.float64)
    cosines = (background.embeddings.astype(np.float64) @ protos.T).max(axis=1)
    per_kind = {}
    for kind in sorted(set(background.kinds.tolist())):
        values = cosines[background.kinds == kind]
        rate = float(rates.get(kind, 0.002))
        per_kind[kind] = float(np.quantile(values, 1.0 - rate, method='higher')) if rate > 0 else float(values.max())
    threshold = min(0.999, max(per_kind.values()) + margin) if per_kind else 0.5
    calibration = {'background_windows': background.counts(), 'background_cosine': per_kind,
                   'max_false_rate': rates, 'margin': margin}
    typical = None
    if held_out:
        scores = np.concatenate(held_out)
        calibration['expected_recall'] = round(float(np.mean(scores >= threshold)), 4)
        typical = float(np.median(scores))
    elif positives:
        typical = float(np.median(np.concatenate(positives)))
    gap = (typical - threshold) if typical is not None else 0.0
    scale = float(np.clip(math.log(9.0) / max(gap, 0.02), *SCALE_RANGE))
    return float(threshold), scale, calibration


@dataclass(frozen=True)
class Embedded:
    """A recording already cut and embedded: its sound windows' unit embeddings ``rows`` (N, D)
    and its length in ``seconds`` (the node teaches from the windows of its stream with this)."""

    rows: np.ndarray
    seconds: float = 0.0


def _embeddings_of(predictor, recording):
    from ..audio import load_audio

    if isinstance(recording, Embedded):
        return np.atleast_2d(np.asarray(recording.rows, dtype=np.float32)), float(recording.seconds)
    if isinstance(recording, tuple):
        samples, rate = recording
    else:
        samples, rate = load_audio(recording, predictor.sample_rate)
    samples = np.asarray(samples, dtype=np.float32).reshape(-1)
    return sound_embeddings(predictor, samples, int(rate)), samples.size / float(rate)


def teach(predictor, database: SoundDatabase, name: str, recordings, background, prototypes: int = 1,
          replace: bool = False, max_false_rate: dict | None = None, center: bool = True) -> TeachReport:
    """Teach ``name`` from ``recordings`` (file paths, ``(waveform (L,), rate)`` pairs or
    :class:`Embedded` windows): their
    loud windows' embeddings become ``prototypes`` prototypes (merged with what ``name`` already has
    unless ``replace``), calibrated against ``background``. The database is changed, not saved.
    ``center``: the first teaching of a database sets its centre to the background's
    (:meth:`Background.center`); embeddings are then compared as ``unit(e - center)``.

    Raises ValueError for a bad or built-in name, no recordings, or recordings without a window
    above the level gate."""
    check_sound_name(name, predictor.labels)
    recordings = list(recordings)
    if not recordings:
        raise ValueError(f'no recordings to teach {name!r} from')
    per_clip, seconds = [], 0.0
    for recording in recordings:
        rows, length = _embeddings_of(predictor, recording)
        seconds += length
        if len(rows):
            per_clip.append(rows)
    if not per_clip:
        raise ValueError(f'nothing to teach {name!r} from: every recording is silent (below the level gate)')
    if center and database.center is None and len(database) == 0:
        database.set_center(background.center())
    per_clip = [database.transform(rows) for rows in per_clip]
    previous = None if replace or name not in database else database.get(name)
    extra_points = np.zeros((0, per_clip[0].shape[1]))
    extra_weights = np.zeros(0)
    if previous is not None:
        extra_points = previous.prototypes.astype(np.float64)
        extra_weights = np.full(len(extra_points), previous.count / len(extra_points))

    def fit(clips):
        points = np.concatenate([extra_points, *clips]) if clips else extra_points
        weights = np.concatenate([extra_weights, np.ones(sum(len(c) for c in clips))])
        return prototypes_of(points, weights, prototypes)

    protos = fit(per_clip)
    held_out = None
    if len(per_clip) + (previous is not None) >= 2:
        held_out = []
        for i, clip in enumerate(per_clip):
            others = per_clip[:i] + per_clip[i + 1:]
            if not others and previous is None:
                continue
            held_out.append((clip @ fit(others).astype(np.float64).T).max(axis=1))
    own = [(clip @ protos.astype(np.float64).T).max(axis=1) for clip in per_clip]
    centred = Background(database.transform(background.embeddings), background.kinds, background.sources)
    threshold, scale, calibration = calibrate(protos, centred, own, max_false_rate, held_out=held_out)
    windows = sum(len(c) for c in per_clip)
    count = windows + (previous.count if previous else 0)
    clips = len(per_clip) + (previous.clips if previous else 0)
    sound = database.put(name, protos, threshold, scale, count, clips, calibration)
    return TeachReport(sound, windows, len(per_clip), seconds, calibration)
