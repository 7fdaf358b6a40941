# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""What a model file says about how to use it: :class:`ModelMetadata`, the one typed owner of a
checkpoint's (and an ONNX export's) metadata.

Every reader goes through it: the node, ``degram eval`` / ``calibrate`` / ``annotate``, the
speaker matching and the ONNX export. Older files load: each field is optional and falls back to
its default, and keys this version does not know are kept in :attr:`ModelMetadata.extra`.
:meth:`ModelMetadata.to_dict` writes only what differs from the defaults, so a file's metadata
round-trips to the same meaning. A value of the wrong type is a :class:`MetadataError` naming the
key.

The window and hop a model recommends, with the defaults when it names none (1.0 s and 0.5 s,
a hop at most the window), live in :meth:`ModelMetadata.window_and_hop` and nowhere else.

A new field (e.g. the models issue's score-normalisation cohort) is one line in the dataclass and,
when its type needs checking, one entry in ``_KINDS``.
"""
from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: the window (seconds) of a model whose metadata names none
DEFAULT_WINDOW = 1.0
#: the hop (seconds) of a model whose metadata names none (at most the window)
DEFAULT_HOP = 0.5


class MetadataError(ValueError):
    """Checkpoint metadata with a value of the wrong type or out of range; the message names the key."""


@dataclass
class ModelMetadata(Mapping):
    """A model's metadata, typed. A read-only mapping of :meth:`to_dict` too (``meta['name']``,
    ``dict(meta)``), for code written against the plain dict that checkpoints store."""

    # how to run it
    name: str = ''
    multi_label: bool = False
    window_length: float | None = None      #: recommended window, seconds (see window_and_hop)
    hop_length: float | None = None         #: recommended hop, seconds
    # sound events: how it decides (``degram calibrate``)
    thresholds: float | list[float] | None = None   #: per-class thresholds (or one for all)
    min_level_db: float | None = None       #: level gate, dBFS RMS
    background: str = ''                    #: how the model says "nothing is happening", stated by hand
    calibration: dict = field(default_factory=dict)
    # speakers (``degram calibrate --speakers``)
    embedding_model: bool = False           #: an open-set speaker-embedding model (cosine scoring)
    speaker_threshold: float | None = None  #: score threshold of a known speaker (a cosine, or AS-norm units)
    speaker_score_scale: float | None = None    #: logistic scale of the confidence
    min_speech_ratio: float | None = None   #: the voice gate's minimum share of speech
    speaker_calibration: dict = field(default_factory=dict)
    #: AS-norm cohort (degram.speaker.score_normaliser): one embedding per training speaker; with it,
    #: speaker scores and ``speaker_threshold`` are in standard deviations instead of cosines
    speaker_cohort: list[list[float]] | None = None
    # provenance
    licence: str = ''
    config: dict = field(default_factory=dict)      #: the training config
    dataset: dict = field(default_factory=dict)     #: what it was trained on (describe(), spec, split)
    metrics: dict = field(default_factory=dict)
    epoch: int | None = None
    # the self-description of an ONNX export (a checkpoint keeps these beside its metadata)
    task: str = ''
    labels: list[str] = field(default_factory=list)
    sample_rate: int | None = None
    frontend: str = ''
    backbone: str = ''
    #: keys this version does not know, kept as they are
    extra: dict = field(default_factory=dict)

    # ---------------------------------------------------------------------------------- reading
    @classmethod
    def from_dict(cls, data: Mapping | None) -> ModelMetadata:
        """The metadata of a checkpoint or export (None or {} = all defaults)."""
        if isinstance(data, ModelMetadata):
            return data
        data = dict(data or {})
        known = {f.name for f in dataclasses.fields(cls)} - {'extra'}
        values = {key: _check(key, data[key]) for key in known if key in data and data[key] is not None}
        extra = {key: value for key, value in data.items() if key not in known}
        threshold = values.get('speaker_threshold')
        if threshold is not None and 'speaker_cohort' not in values and not -1.0 <= threshold <= 1.0:
            raise MetadataError(f'metadata speaker_threshold: {threshold} is not a cosine score in [-1, 1] (only '
                                f'a model with a speaker_cohort scores in AS-norm units)')
        return cls(**values, extra=extra)

    @classmethod
    def of(cls, predictor) -> ModelMetadata:
        """The metadata of a predictor (or of anything with a ``metadata`` mapping)."""
        return cls.from_dict(getattr(predictor, 'metadata', None))

    def to_dict(self) -> dict[str, Any]:
        """The JSON-like dict a checkpoint stores: the fields that differ from their defaults,
        then the unknown keys."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            if f.name == 'extra':
                continue
            value = getattr(self, f.name)
            default = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
            if value != default:
                out[f.name] = value
        out.update(self.extra)
        return out

    def replace(self, **changes) -> ModelMetadata:
        """A copy with ``changes`` (checked like :meth:`from_dict`)."""
        return ModelMetadata.from_dict(dict(self.to_dict(), **changes))

    # ------------------------------------------------------------------------------- derived
    def window_and_hop(self, window: float | None = None, hop: float | None = None,
                       default_window: float = DEFAULT_WINDOW, default_hop: float = DEFAULT_HOP
                       ) -> tuple[float, float]:
        """The window and hop (seconds): the given ones (None or 0 = not given), else the model's
        recommendation, else the defaults. A hop that is not given is at most the window; a given
        one is returned as it is (the caller says what is wrong with a hop longer than the window)."""
        window = float(window or self.window_length or default_window)
        hop = float(hop) if hop else min(float(self.hop_length or default_hop), window)
        return window, hop

    @property
    def negatives(self) -> list[str]:
        """The negative sources it was trained with (training config ``data.negatives`` when
        ``data.negative_prob`` > 0), else []."""
        data = self.config.get('data') if isinstance(self.config.get('data'), dict) else {}
        try:
            used = float(data.get('negative_prob') or 0) > 0
        except (TypeError, ValueError):
            used = False
        sources = (data.get('negatives') or []) if used else []
        return [str(s) for s in (sources if isinstance(sources, (list, tuple)) else [sources])]

    @property
    def calibrated(self) -> bool:
        """Whether it carries per-class thresholds."""
        return self.thresholds is not None

    # ------------------------------------------------------------------ the read-only mapping
    def __getitem__(self, key: str) -> Any:
        return self.to_dict()[key]

    def __iter__(self):
        return iter(self.to_dict())

    def __len__(self) -> int:
        return len(self.to_dict())


def _number(key: str, value, integer: bool = False):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise MetadataError(f'metadata {key}: {value!r} is not a number')
    if not math.isfinite(value):
        raise MetadataError(f'metadata {key}: {value!r} is not finite')
    if integer:
        if int(value) != value:
            raise MetadataError(f'metadata {key}: {value!r} is not a whole number')
        return int(value)
    return float(value)


def _positive(key: str, value):
    value = _number(key, value)
    if value <= 0:
        raise MetadataError(f'metadata {key}: {value} is not positive')
    return value


def _thresholds(key: str, value):
    if isinstance(value, (list, tuple)):
        return [_number(key, v) for v in value]
    return _number(key, value)


def _text(key: str, value):
    if not isinstance(value, str):
        raise MetadataError(f'metadata {key}: {value!r} is not text')
    return value


def _flag(key: str, value):
    if not isinstance(value, (bool, int)):
        raise MetadataError(f'metadata {key}: {value!r} is not true or false')
    return bool(value)


def _mapping(key: str, value):
    if not isinstance(value, Mapping):
        raise MetadataError(f'metadata {key}: {value!r} is not a mapping')
    return dict(value)


def _texts(key: str, value):
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise MetadataError(f'metadata {key}: {value!r} is not a list of text')
    return list(value)


def _vectors(key: str, value):
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, (list, tuple)) for v in value):
        raise MetadataError(f'metadata {key}: not a list of embeddings')
    return [[_number(key, x) for x in v] for v in value]


_KINDS = {
    'name': _text, 'multi_label': _flag, 'window_length': _positive, 'hop_length': _positive,
    'thresholds': _thresholds, 'min_level_db': _number, 'background': _text, 'calibration': _mapping,
    'embedding_model': _flag, 'speaker_threshold': _number, 'speaker_score_scale': _positive,
    'min_speech_ratio': _number, 'speaker_calibration': _mapping, 'speaker_cohort': _vectors,
    'licence': _text, 'config': _mapping, 'dataset': _mapping, 'metrics': _mapping,
    'epoch': lambda key, value: _number(key, value, integer=True),
    'task': _text, 'labels': _texts, 'sample_rate': lambda key, value: _number(key, value, integer=True),
    'frontend': _text, 'backbone': _text,
}


def _check(key: str, value):
    return _KINDS[key](key, value)
