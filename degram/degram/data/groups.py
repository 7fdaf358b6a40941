# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Validation groups: folds, speakers, repetitions … named in a spec such as ``"25-30,3"``."""
from __future__ import annotations

import re
from collections.abc import Iterable

from .files import DatasetError


def norm_group(value) -> str:
    s = str(value).strip()
    return str(int(s)) if s.isdigit() else s.lower()


def parse_groups(spec) -> set[str] | float | None:
    """Parse a validation spec into a set of group names, a fraction, or None (the default).

    Accepts an int (``4``), a fraction in (0, 1) (``0.2``, a seeded random choice of groups),
    a string of comma-separated items and integer ranges (``"5-9"``, ``"25-30,3"``, ``"val"``),
    a list of those, or ``"none"`` / ``[]`` (no validation). Numeric group names compare as
    integers (``"08"`` == ``8``)."""
    if spec is None:
        return None
    if isinstance(spec, bool):
        raise DatasetError(f'invalid validation spec {spec!r}')
    if isinstance(spec, float):
        if 0.0 < spec < 1.0:
            return spec
        if spec.is_integer():
            return {str(int(spec))}
        raise DatasetError(f'a validation fraction must lie in (0, 1), got {spec}')
    if isinstance(spec, int):
        return {str(spec)}
    if isinstance(spec, str):
        s = spec.strip()
        if s.lower() in ('', 'none', 'no', 'off', 'false'):
            return set()
        try:
            f = float(s)
        except ValueError:
            pass
        else:
            if '.' in s or 'e' in s.lower():
                return parse_groups(f)
        out: set[str] = set()
        for item in (x.strip() for x in s.split(',')):
            if not item:
                continue
            m = re.fullmatch(r'(\d+)\s*-\s*(\d+)', item)
            if m:
                a, b = int(m.group(1)), int(m.group(2))
                if b < a:
                    raise DatasetError(f'empty range {item!r} in validation spec')
                out.update(str(i) for i in range(a, b + 1))
            else:
                out.add(norm_group(item))
        return out
    if isinstance(spec, Iterable):
        out = set()
        for item in spec:
            got = parse_groups(item)
            if not isinstance(got, set):
                raise DatasetError(f'a fraction cannot be part of a list of groups: {spec!r}')
            out |= got
        return out
    raise DatasetError(f'invalid validation spec {spec!r}')


def group_sort_key(g: str):
    return (0, int(g), '') if str(g).isdigit() else (1, 0, str(g))
