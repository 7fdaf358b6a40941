# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Checks shared by the speaker database and matching: speaker names and embedding arrays."""
from __future__ import annotations

import unicodedata

import numpy as np

__all__ = ['MAX_NAME_LENGTH', 'UNKNOWN', 'as_embeddings', 'check_name', 'unit']

MAX_NAME_LENGTH = 64
#: what :func:`degram.speaker.identify` answers for someone not enrolled (so no one may be called that)
UNKNOWN = 'unknown'


def check_name(name) -> str:
    """A speaker name: a non-blank string of at most 64 characters, no control characters,
    no leading/trailing spaces, not ``'unknown'``; raises ValueError saying what is wrong."""
    if not isinstance(name, str):
        raise ValueError(f'a speaker name must be a string, got {type(name).__name__}')
    if not name.strip():
        raise ValueError('a speaker name must not be empty')
    if len(name) > MAX_NAME_LENGTH:
        raise ValueError(f'speaker name {name[:20]!r}… is {len(name)} characters long; at most '
                         f'{MAX_NAME_LENGTH} are allowed')
    if name != name.strip():
        raise ValueError(f'speaker name {name!r} starts or ends with white space')
    if any(unicodedata.category(c).startswith('C') for c in name):
        raise ValueError(f'speaker name {name!r} holds control characters')
    if name == UNKNOWN:
        raise ValueError(f"'{UNKNOWN}' is what identification answers for people not enrolled; choose another name")
    return name


def as_embeddings(embeddings, dimension: int | None) -> np.ndarray:
    """(N, D) or (D,) finite, non-zero embeddings → (N, D) float64; ``dimension`` None accepts any D."""
    rows = np.asarray(embeddings, dtype=np.float64)
    if rows.ndim == 1:
        rows = rows[None, :]
    if rows.ndim != 2:
        raise ValueError(f'embeddings must be (N, D) or (D,), got shape {rows.shape}')
    if rows.shape[0] == 0:
        raise ValueError('no embeddings given (N == 0): nothing to enrol')
    if rows.shape[1] == 0:
        raise ValueError('embeddings of dimension 0')
    if dimension is not None and rows.shape[1] != dimension:
        raise ValueError(f'embeddings of dimension {rows.shape[1]}, but this database holds dimension {dimension}')
    if not np.isfinite(rows).all():
        raise ValueError(f'{int((~np.isfinite(rows).all(axis=1)).sum())} of {rows.shape[0]} embeddings hold NaN/Inf')
    if (np.linalg.norm(rows, axis=1) == 0).any():
        raise ValueError('an embedding is all zeros (it has no direction to compare)')
    return rows


def unit(vector) -> np.ndarray:
    """One finite, non-zero embedding (D,) → L2-normalised float64 (D,)."""
    row = as_embeddings(vector, None)
    if row.shape[0] != 1:
        raise ValueError(f'expected one embedding (D,), got shape {np.shape(vector)}')
    return row[0] / np.linalg.norm(row[0])
