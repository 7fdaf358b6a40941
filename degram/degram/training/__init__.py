"""Training: the DEGram paper's recipe driven by a YAML config."""
from .trainer import CSV_COLUMNS, DEFAULT_CONFIG, ConfigError, apply_overrides, load_config, train, validate_config

__all__ = ['CSV_COLUMNS', 'DEFAULT_CONFIG', 'ConfigError', 'apply_overrides', 'load_config', 'train',
           'validate_config']
