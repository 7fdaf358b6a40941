# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Typed, nested model configs: each part of a model states its own options.

A checkpoint (format 2) stores::

    {'frontend': {'name': 'degram', 'n_filters': 64, ...},
     'backbone': {'name': 'resnet18', 'dropout': 0.5, 'width': 64},
     'specaugment': {'freq_masks': 2, ...} | None,
     'num_classes': 10, 'sample_rate': 16000}

Every option is the keyword argument of that part's constructor, and :func:`options_of` lists
them (with defaults). Format 1 stored one flat bag (``frontend='degram', dropout=0.3, ...``);
:meth:`ModelConfig.from_flat` routes such a bag by those option lists, refusing names that no
part or more than one part takes.
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any

# constructor arguments that the model factory supplies itself
_SUPPLIED = frozenset({'self', 'sample_rate', 'num_classes', 'in_channels'})


def options_of(factory) -> dict[str, Any]:
    """The options a part's constructor takes → their defaults (``inspect.Parameter.empty`` if none)."""
    return {name: p.default for name, p in inspect.signature(factory).parameters.items()
            if name not in _SUPPLIED and p.kind is p.POSITIONAL_OR_KEYWORD}


@dataclass(frozen=True)
class PartConfig:
    """A registered part (front-end or backbone) by name, with the options given to it."""

    name: str
    options: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {'name': self.name, **self.options}

    @classmethod
    def from_value(cls, value, kind: str) -> PartConfig:
        """``'degram'`` or ``{'name': 'degram', 'n_filters': 32}``."""
        if isinstance(value, PartConfig):
            return value
        if isinstance(value, str):
            return cls(value)
        if isinstance(value, dict) and isinstance(value.get('name'), str):
            options = {k: v for k, v in value.items() if k != 'name'}
            return cls(value['name'], options)
        raise TypeError(f"{kind} must be a registered name or a mapping with 'name', got {value!r}")


@dataclass(frozen=True)
class ModelConfig:
    """What :func:`degram.nn.build_model` needs to rebuild a classifier exactly."""

    frontend: PartConfig
    backbone: PartConfig
    num_classes: int
    sample_rate: int = 16000
    specaugment: dict[str, Any] | None = field(default_factory=dict)  # None = no SpecAugment

    def to_dict(self) -> dict[str, Any]:
        return {'frontend': self.frontend.to_dict(), 'backbone': self.backbone.to_dict(),
                'specaugment': None if self.specaugment is None else dict(self.specaugment),
                'num_classes': int(self.num_classes), 'sample_rate': int(self.sample_rate)}

    @classmethod
    def from_dict(cls, config: dict[str, Any]) -> ModelConfig:
        """A nested (format 2) or flat (format 1) config dict."""
        if isinstance(config.get('frontend'), dict) or isinstance(config.get('backbone'), dict):
            unknown = set(config) - {'frontend', 'backbone', 'specaugment', 'num_classes', 'sample_rate'}
            if unknown:
                raise TypeError(f'unknown model config key(s) {sorted(unknown)}')
            augment = config.get('specaugment', {})
            if augment is True:
                augment = {}
            return cls(PartConfig.from_value(config['frontend'], 'frontend'),
                       PartConfig.from_value(config['backbone'], 'backbone'),
                       int(config['num_classes']), int(config.get('sample_rate', 16000)),
                       None if augment in (False, None) else dict(augment))
        return cls.from_flat(**config)

    @classmethod
    def from_flat(cls, frontend: str = 'degram', backbone: str = 'resnet18', num_classes: int = 2,
                  sample_rate: int = 16000, specaugment: bool = True, **options: Any) -> ModelConfig:
        """Route one flat bag of options to the part that takes each (format-1 checkpoints and
        the flat ``model:`` section of training configs)."""
        from ..frontends import FRONTENDS
        from .backbones import BACKBONES
        from .specaugment import SpecAugment

        parts = {'frontend': options_of(FRONTENDS.get(frontend)),
                 'backbone': options_of(BACKBONES.get(backbone)),
                 'specaugment': options_of(SpecAugment)}
        routed: dict[str, dict[str, Any]] = {part: {} for part in parts}
        for key, value in options.items():
            owners = [part for part, names in parts.items() if key in names]
            if not owners:
                valid = sorted(set().union(*parts.values()))
                raise TypeError(f'unknown option(s) {[key]} for frontend {frontend!r} and backbone '
                                f'{backbone!r}; valid options: {valid}')
            if len(owners) > 1:
                raise TypeError(f'option {key!r} is taken by {owners}: use the nested form '
                                f"{{'{owners[0]}': {{'name': ..., '{key}': ...}}}}")
            routed[owners[0]][key] = value
        return cls(PartConfig(frontend, routed['frontend']), PartConfig(backbone, routed['backbone']),
                   int(num_classes), int(sample_rate), routed['specaugment'] if specaugment else None)
