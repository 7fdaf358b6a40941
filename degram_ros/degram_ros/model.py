"""The model factory: front-end + SpecAugment (training only) + backbone."""
from __future__ import annotations

import inspect
from typing import Any

import torch
from torch import nn

from .backbones import BACKBONES
from .frontends import FRONTENDS
from .specaugment import SpecAugment


class DEGramClassifier(nn.Module):
    """Waveform (B, L) float32 in [-1, 1] → logits (B, num_classes).

    ``frontend`` gives the representation (B, C, T, F); ``embed`` the pooled embedding (B, D).
    ``config`` is the JSON-serialisable recipe: ``build_model(**model.config)`` rebuilds it.
    """

    def __init__(self, frontend: nn.Module, backbone: nn.Module, specaugment: nn.Module | None,
                 config: dict[str, Any]):
        super().__init__()
        self.frontend = frontend
        self.specaugment = specaugment if specaugment is not None else nn.Identity()
        self.backbone = backbone
        self.config = config

    @property
    def sample_rate(self) -> int:
        return self.config['sample_rate']

    @property
    def num_classes(self) -> int:
        return self.config['num_classes']

    def embed(self, waveform: torch.Tensor) -> torch.Tensor:
        return self.backbone.features(self.frontend(waveform))

    def forward(self, waveform: torch.Tensor) -> torch.Tensor:
        if waveform.dim() != 2:
            raise ValueError(f'expected a waveform batch (B, L), got shape {tuple(waveform.shape)}')
        return self.backbone(self.specaugment(self.frontend(waveform)))


def _accepted(factory) -> set[str]:
    return set(inspect.signature(factory).parameters)


_SPECAUGMENT_OPTIONS = _accepted(SpecAugment)
_BACKBONE_OPTIONS = {'dropout', 'width'}


def build_model(frontend: str = 'degram', backbone: str = 'resnet18', num_classes: int = 2,
                sample_rate: int = 16000, specaugment: bool = True, **options: Any) -> DEGramClassifier:
    """Build a classifier from registered names.

    ``options`` are routed by name to the front-end constructor (e.g. ``n_filters``,
    ``aggregation``, ``time_squeeze``, ``znorm_freq``, ``learn_window``), to the backbone
    (``dropout``, ``width``) or to SpecAugment (``freq_masks``, ``time_mask_width`` …).
    An option that none of them takes raises TypeError naming the valid ones.
    """
    if frontend not in FRONTENDS:
        raise ValueError(f'unknown frontend {frontend!r}; choose from {sorted(FRONTENDS)}')
    if backbone not in BACKBONES:
        raise ValueError(f'unknown backbone {backbone!r}; choose from {sorted(BACKBONES)}')
    frontend_cls = FRONTENDS[frontend]
    frontend_options = _accepted(frontend_cls) - {'sample_rate'}
    unknown = set(options) - frontend_options - _BACKBONE_OPTIONS - _SPECAUGMENT_OPTIONS
    if unknown:
        valid = sorted(frontend_options | _BACKBONE_OPTIONS | _SPECAUGMENT_OPTIONS)
        raise TypeError(f'unknown option(s) {sorted(unknown)} for frontend {frontend!r} and '
                        f'backbone {backbone!r}; valid options: {valid}')
    pick = lambda names: {k: v for k, v in options.items() if k in names}  # noqa: E731
    front = frontend_cls(sample_rate=sample_rate, **pick(frontend_options))
    back = BACKBONES[backbone](num_classes, in_channels=front.out_channels, **pick(_BACKBONE_OPTIONS))
    augment = SpecAugment(**pick(_SPECAUGMENT_OPTIONS)) if specaugment else None
    config = dict(frontend=frontend, backbone=backbone, num_classes=num_classes,
                  sample_rate=sample_rate, specaugment=specaugment, **options)
    return DEGramClassifier(front, back, augment, config)
