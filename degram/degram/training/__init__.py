"""Training: the DEGram paper's recipe driven by a YAML config (:mod:`.config`), run by a
:class:`Trainer` into a :class:`RunFolder`."""
from .config import (CSV_COLUMNS, DEFAULT_CONFIG, ConfigError, apply_overrides, config_path, load_config,
                     shipped_configs, validate_config)
from .run_folder import RunFolder
from .trainer import Trainer, train

__all__ = ['CSV_COLUMNS', 'DEFAULT_CONFIG', 'ConfigError', 'RunFolder', 'Trainer', 'apply_overrides',
           'config_path', 'load_config', 'shipped_configs', 'train', 'validate_config']
