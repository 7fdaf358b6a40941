# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Audio messages stamped as real capture drivers stamp them, for tests and soaks.

:func:`capture` cuts a recording into chunks with perfect capture stamps, each handed over when
its audio is complete; the other functions turn such a list into what drivers really deliver:
jitter (:func:`jittered`), bursts stamped at publish time (:func:`bursts`), a replay faster than
real time stamped with ``now()`` (:func:`fast_now`), a stepped clock (:func:`clock_step`), lost
audio (:func:`gap`) and resent messages (:func:`duplicated`).  Every chunk knows where its audio
really lies in the recording (``first``), and :func:`index_samples` makes audio whose samples say
the same, so a test can tell the true capture time of every window and whether one spans a gap.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

INDEX_SCALE = 2.0 ** -24   # frame index -> sample value, exact in float32 below 2**24 frames


@dataclass(frozen=True)
class Chunk:
    first: int      # index of its first frame in the recording
    frames: int
    stamp: float    # the header stamp the driver writes
    send: float     # when the driver hands it over (the same clock as the stamps, before any step)


def capture(seconds: float, chunk: float, rate: int = 16000, t0: float = 1000.0) -> list[Chunk]:
    """``seconds`` of audio in chunks of ``chunk`` seconds: stamped with the true capture time of
    their first frame (``t0`` for frame 0), sent when their last frame has been captured."""
    size = int(round(chunk * rate))
    total = int(round(seconds * rate))
    return [Chunk(first, min(size, total - first), t0 + first / rate, t0 + min(first + size, total) / rate)
            for first in range(0, total, size)]


def jittered(chunks: list[Chunk], sigma: float, seed: int = 0) -> list[Chunk]:
    """Stamps off by Gaussian noise of ``sigma`` seconds, clipped at 3 sigma (a driver stamping at
    callback time)."""
    noise = np.clip(np.random.default_rng(seed).normal(0.0, sigma, len(chunks)), -3 * sigma, 3 * sigma)
    return [replace(c, stamp=c.stamp + float(e)) for c, e in zip(chunks, noise)]


def bursts(chunks: list[Chunk], size: int = 4, spacing: float = 0.001) -> list[Chunk]:
    """Handed over ``size`` at a time, when the burst's last chunk is complete, ``spacing`` seconds
    apart, each stamped with its publish time."""
    out = []
    for k, c in enumerate(chunks):
        last = chunks[min(len(chunks) - 1, (k // size + 1) * size - 1)]
        send = last.send + (k % size) * spacing
        out.append(replace(c, stamp=send, send=send))
    return out


def fast_now(chunks: list[Chunk], speed: float = 4.0) -> list[Chunk]:
    """Replayed ``speed`` times faster than real time (a bag), each stamped with its publish time."""
    t0 = chunks[0].send
    return [replace(c, stamp=t0 + (c.send - t0) / speed, send=t0 + (c.send - t0) / speed) for c in chunks]


def clock_step(chunks: list[Chunk], at: float, step: float) -> list[Chunk]:
    """The stamping clock jumps by ``step`` seconds from ``at`` seconds into the recording on."""
    origin = chunks[0].stamp
    return [replace(c, stamp=c.stamp + step) if c.stamp - origin >= at else c for c in chunks]


def gap(chunks: list[Chunk], at: float, seconds: float, rate: int = 16000) -> list[Chunk]:
    """The chunks of ``seconds`` of audio from ``at`` seconds on are lost."""
    lo, hi = at * rate, (at + seconds) * rate
    return [c for c in chunks if not lo <= c.first < hi]


def duplicated(chunks: list[Chunk], every: int = 10) -> list[Chunk]:
    """Every ``every``-th chunk is sent twice (same stamp, same bytes)."""
    out = []
    for k, c in enumerate(chunks):
        out += [c, c] if k % every == every - 1 else [c]
    return out


def index_samples(chunk: Chunk) -> np.ndarray:
    """The chunk's audio as float32 samples that encode their frame index (F32LE, mono)."""
    return (np.arange(chunk.first, chunk.first + chunk.frames) * INDEX_SCALE).astype(np.float32)


def first_frame(samples: np.ndarray) -> int:
    """The recording frame a window of :func:`index_samples` audio starts at."""
    return int(round(float(samples[0]) / INDEX_SCALE))


def spans_a_gap(samples: np.ndarray) -> bool:
    """Whether a window of :func:`index_samples` audio glues frames that are not consecutive."""
    return not np.array_equal(np.diff(np.round(samples.astype(np.float64) / INDEX_SCALE)), np.ones(samples.size - 1))
