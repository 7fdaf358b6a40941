# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The model factory: front-end + SpecAugment (training only) + backbone."""
from __future__ import annotations

import inspect
from typing import Any, NamedTuple

import torch
from torch import nn

from ..frontends import FRONTENDS
from .backbones import BACKBONES
from .config import ModelConfig, PartConfig, options_of
from .specaugment import SpecAugment


class ModelOutput(NamedTuple):
    """Everything one forward pass computes on its way to the logits."""

    representation: torch.Tensor   # (B, C, T, F) front-end output
    embedding: torch.Tensor         # (B, D) pooled backbone features
    logits: torch.Tensor            # (B, num_classes)


class DEGramClassifier(nn.Module):
    """Waveform (B, L) float32 in [-1, 1] → logits (B, num_classes).

    :meth:`run` gives the representation (B, C, T, F), the embedding (B, D) and the logits of one
    pass. ``config`` is the :class:`~degram.nn.config.ModelConfig` that rebuilds it.
    """

    def __init__(self, frontend: nn.Module, backbone: nn.Module, specaugment: nn.Module | None,
                 config: ModelConfig):
        super().__init__()
        self.frontend = frontend
        self.specaugment = specaugment if specaugment is not None else nn.Identity()
        self.backbone = backbone
        self.config = config

    @property
    def sample_rate(self) -> int:
        return self.config.sample_rate

    @property
    def num_classes(self) -> int:
        return self.config.num_classes

    @property
    def frontend_name(self) -> str:
        return self.config.frontend.name

    @property
    def backbone_name(self) -> str:
        return self.config.backbone.name

    def run(self, waveform: torch.Tensor) -> ModelOutput:
        """(B, L) → representation, embedding and logits of one pass (SpecAugment in training)."""
        if waveform.dim() != 2:
            raise ValueError(f'expected a waveform batch (B, L), got shape {tuple(waveform.shape)}')
        representation = self.frontend(waveform)
        embedding = self.backbone.features(self.specaugment(representation))
        return ModelOutput(representation, embedding, self.backbone.classify(embedding))

    def forward(self, waveform: torch.Tensor) -> torch.Tensor:
        return self.run(waveform).logits


def _build_part(factory, part: PartConfig, kind: str, **supplied) -> tuple[nn.Module, PartConfig]:
    known = options_of(factory)
    unknown = sorted(set(part.options) - set(known))
    if unknown:
        raise TypeError(f'unknown option(s) {unknown} for {kind} {part.name!r}; valid options: '
                        f'{sorted(known)}')
    module = factory(**supplied, **part.options)
    # record every option, defaults included, so a later change of a default never alters a saved model
    resolved = {name: part.options.get(name, default) for name, default in known.items()
                if default is not inspect.Parameter.empty or name in part.options}
    return module, PartConfig(part.name, resolved)


def build_model(frontend: str | dict = 'degram', backbone: str | dict = 'resnet18', num_classes: int = 2,
                sample_rate: int = 16000, specaugment: bool | dict | None = True,
                **options: Any) -> DEGramClassifier:
    """Build a classifier from registered names, or from a config.

    Nested: ``build_model({'name': 'degram', 'n_filters': 32}, {'name': 'resnet18', 'dropout': 0.3})``.
    Flat (training configs, format-1 checkpoints): ``build_model('degram', 'resnet18', n_filters=32,
    dropout=0.3)``; each option goes to the part that takes it (front-end, backbone or SpecAugment).
    An option that none takes raises TypeError naming the valid ones.
    """
    if isinstance(frontend, str) and isinstance(backbone, str) and not isinstance(specaugment, dict):
        config = ModelConfig.from_flat(frontend, backbone, num_classes, sample_rate, bool(specaugment),
                                       **options)
    else:
        if options:
            raise TypeError(f'with a nested config, give options inside its parts, not {sorted(options)}')
        config = ModelConfig.from_dict({'frontend': frontend, 'backbone': backbone, 'num_classes': num_classes,
                                        'sample_rate': sample_rate, 'specaugment': specaugment})
    return build_from_config(config)


def build_from_config(config: ModelConfig | dict) -> DEGramClassifier:
    """Rebuild a classifier from a :class:`ModelConfig` or its dict (nested or flat)."""
    if isinstance(config, dict):
        config = ModelConfig.from_dict(config)
    front, front_config = _build_part(FRONTENDS.get(config.frontend.name), config.frontend, 'frontend',
                                      sample_rate=config.sample_rate)
    back, back_config = _build_part(BACKBONES.get(config.backbone.name), config.backbone, 'backbone',
                                    num_classes=config.num_classes, in_channels=front.out_channels)
    augment, augment_options = None, None
    if config.specaugment is not None:
        augment, augment_config = _build_part(SpecAugment, PartConfig('specaugment', config.specaugment),
                                              'SpecAugment')
        augment_options = augment_config.options
    resolved = ModelConfig(front_config, back_config, config.num_classes, config.sample_rate, augment_options)
    return DEGramClassifier(front, back, augment, resolved)
