# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Training: the DEGram paper's recipe driven by a YAML config (:mod:`.config`), run by a
:class:`Trainer` into a :class:`RunFolder`; the typed schema is :mod:`.schema`."""
from .config import (
                     CSV_COLUMNS,
                     DEFAULT_CONFIG,
                     ConfigError,
                     apply_overrides,
                     config_path,
                     load_config,
                     shipped_configs,
                     validate_config,
)
from .run_folder import RunFolder
from .schema import DataConfig, InferenceConfig, TrainConfig, TrainingConfig
from .trainer import Trainer, train

__all__ = ['CSV_COLUMNS', 'DEFAULT_CONFIG', 'ConfigError', 'DataConfig', 'InferenceConfig', 'RunFolder', 'TrainConfig',
           'Trainer', 'TrainingConfig', 'apply_overrides', 'config_path', 'load_config', 'shipped_configs', 'train',
           'validate_config']
