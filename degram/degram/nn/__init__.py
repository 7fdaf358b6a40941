# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Networks: backbones, SpecAugment, the classifier and its factory."""
from .backbones import BACKBONES
from .classifier import DEGramClassifier, ModelOutput, build_from_config, build_model
from .config import ModelConfig, PartConfig, options_of
from .losses import aam_softmax_loss
from .specaugment import SpecAugment

__all__ = ['BACKBONES', 'DEGramClassifier', 'ModelConfig', 'ModelOutput', 'PartConfig', 'SpecAugment',
           'aam_softmax_loss', 'build_from_config', 'build_model', 'options_of']
