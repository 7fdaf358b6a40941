# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The typed training config (degram/training/schema.py): one ConfigError naming the key for an
unknown key or a wrong type; every key of today's recipes and run folders, and the configs stored
in the shipped checkpoints, load."""
from __future__ import annotations

import dataclasses

import pytest

from degram.inference import PRETRAINED, read_payload
from degram.training import DEFAULT_CONFIG, ConfigError, load_config, validate_config
from degram.training.schema import DataConfig, TrainConfig, TrainingConfig


def _config(**sections) -> dict:
    cfg = {'data': {'spec': 'esc10'}}
    for section, values in sections.items():
        cfg.setdefault(section, {}).update(values)
    return cfg


@pytest.mark.parametrize('section, key, value, expected', [
    ('train', 'lr', 'fast', 'train.lr: expected a number'),
    ('train', 'max_epochs', 2.5, 'train.max_epochs: expected a whole number'),
    ('train', 'progress', 'yes', 'train.progress: expected true or false'),
    ('data', 'crop_min', [1], 'data.crop_min: expected a number'),
    ('data', 'channel', 'room', 'data.channel: expected a mapping'),
    ('train', 'batch_size', True, 'train.batch_size: expected a whole number'),
])
def test_a_wrong_type_is_one_error_naming_the_key(section, key, value, expected):
    with pytest.raises(ConfigError, match=expected.replace('.', r'\.')):
        validate_config(_config(**{section: {key: value}}))


def test_an_unknown_key_is_one_error_naming_it():
    with pytest.raises(ConfigError, match=r'train\.learning_rate'):
        validate_config(_config(train={'learning_rate': 1.0}))
    with pytest.raises(ConfigError, match=r'data\.mix_alpha'):
        validate_config(_config(data={'mix_alpha': 1.0}))
    with pytest.raises(ConfigError, match='epochs'):
        validate_config(dict(_config(), epochs=3))


def test_values_come_back_typed():
    cfg = validate_config(_config(train={'lr': '1e-3', 'max_epochs': 3.0, 'optimizer': 'AdamW'},
                                  data={'crop_min': 1, 'crop_max': 2}))
    assert cfg['train']['lr'] == 1e-3 and isinstance(cfg['train']['max_epochs'], int)
    assert cfg['train']['optimizer'] == 'adamw' and isinstance(cfg['data']['crop_min'], float)
    typed = TrainingConfig.from_dict(cfg)
    assert typed.train.lr == 1e-3 and typed.data.crop_max == 2.0 and typed.to_dict() == cfg


def test_every_key_of_this_weeks_recipe_is_in_the_schema():
    keys = {f.name for f in dataclasses.fields(DataConfig)} | {f.name for f in dataclasses.fields(TrainConfig)}
    assert {'mixup_alpha', 'mixup_prob', 'channel', 'scheduler', 'warmup_epochs', 'val_every', 'checkpoint',
            'optimizer', 'weight_decay', 'min_lr'} <= keys
    cfg = validate_config(_config(
        data={'mixup_alpha': 0.4, 'mixup_prob': 0.5, 'channel': {'room': 0.3, 'eq': 0.5}},
        train={'scheduler': 'cosine', 'warmup_epochs': 5, 'val_every': 5, 'checkpoint': 'last',
               'optimizer': 'adamw', 'weight_decay': 0.01, 'min_lr': 1e-5},
        model={'top_db': 80.0, 'dropout': 0.5}))
    assert cfg['model']['top_db'] == 80.0 and cfg['train']['checkpoint'] == 'last'   # model options pass through
    with pytest.raises(ConfigError, match='data.channel'):
        validate_config(_config(data={'channel': {'thunder': 0.5}}))
    with pytest.raises(ConfigError, match='train.scheduler'):
        validate_config(_config(train={'scheduler': 'step'}))


def test_older_configs_load():
    # null meant 0 for these before the config was typed
    cfg = validate_config(_config(train={'weight_decay': None, 'min_lr': None, 'warmup_epochs': None}))
    assert (cfg['train']['weight_decay'], cfg['train']['min_lr'], cfg['train']['warmup_epochs']) == (0.0, 0.0, 0)
    assert validate_config(DEFAULT_CONFIG | {'data': dict(DEFAULT_CONFIG['data'], spec='esc10')})


@pytest.mark.parametrize('name', PRETRAINED.names())
def test_the_config_stored_in_each_shipped_checkpoint_loads(name):
    stored = read_payload(PRETRAINED.get(name).file)['metadata']['config']
    assert validate_config(stored)['data']['spec'] == stored['data']['spec']


def test_the_shipped_recipes_load():
    from degram.training import shipped_configs

    for name in shipped_configs():
        assert load_config(name)['name']
