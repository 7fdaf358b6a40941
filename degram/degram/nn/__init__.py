"""Networks: backbones, SpecAugment, the classifier and its factory."""
from .backbones import BACKBONES
from .classifier import DEGramClassifier, ModelOutput, build_from_config, build_model
from .config import ModelConfig, PartConfig, options_of
from .specaugment import SpecAugment

__all__ = ['BACKBONES', 'DEGramClassifier', 'ModelConfig', 'ModelOutput', 'PartConfig', 'SpecAugment',
           'build_from_config', 'build_model', 'options_of']
