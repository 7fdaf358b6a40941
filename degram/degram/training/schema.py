# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The training config, typed: one dataclass per section, each field with its default and meaning.

This is the schema (``degram/training/config.py`` loads, merges and checks the ranges).
:meth:`TrainingConfig.from_dict` turns a merged YAML dict into typed values: an unknown key, or a
value of the wrong type, is one :class:`ConfigError` naming the key (``train.lr: expected a
number, got 'fast'``). Integers are accepted where a float is meant, and so is a string such as
``1e-3`` (YAML 1.1 reads it as one). ``model`` is not typed here: its options go to
:func:`degram.build_model` as they are (``frontend``, ``backbone``, ``sample_rate``,
``specaugment``, ``dropout``, ``top_db``, ``head`` ...), which checks them.
"""
from __future__ import annotations

import dataclasses
import re
import typing
from dataclasses import dataclass, field
from typing import Any


class ConfigError(ValueError):
    """A training config that cannot be used, with the reason."""


@dataclass
class InferenceConfig:
    """Stored in the checkpoint's metadata: how the node should run the model."""

    window_length: float | None = None  # seconds per window the model was trained for (crops)
    hop_length: float | None = None


@dataclass
class DataConfig:
    spec: str | None = None             # required: see degram.data.open_dataset (asc:speaker, esc50, ...)
    data_root: str | None = None        # default: $DEGRAM_DATA or shared/data found upwards
    validation: Any = None              # groups held out (8, "25-30", [4]); null: the dataset's default
    split_seed: int = 0                 # the random validation split, where a dataset draws one
    exclude_labels: Any = None          # classes left out of training and validation (few-shot protocol)
    group_regex: str | None = None      # file name -> group (speaker, fold) for folder datasets
    crop_min: float = 4.0               # seconds; each batch is cropped to U[crop_min, crop_max]
    crop_max: float = 6.0
    balance: bool = True                # class-balanced epochs by random under-sampling
    noise: Any = None                   # file(s), folder(s) or glob(s) of noise clips for augmentation
    noise_prob: float = 0.5
    snr_min: float = 0.0
    snr_max: float = 20.0
    negatives: Any = None               # sources of out-of-set audio (speech, room noise): target "no class"
    negative_prob: float = 0.0          # share of each batch replaced by negatives (needs train.loss: bce)
    silence_prob: float = 0.0           # share of negatives that are digital silence or -60..-90 dBFS noise
    gain_db_min: float = 0.0            # random level change of every item, dB (U[min, max])
    gain_db_max: float = 0.0
    mixup_alpha: float = 0.0            # > 0: mixup with lambda ~ Beta(alpha, alpha) (soft targets)
    mixup_prob: float = 1.0             # share of the items that are mixed
    channel: dict | None = None         # {transform: probability}, transforms of degram.data.channel.TRANSFORMS
    speed_perturb: list | None = None   # speeds besides 1.0 ([0.9, 1.1]): each crop is played at one of them or
    #                                     at 1.0, equally likely, and each speed is a class of its own (speakers)


@dataclass
class TrainConfig:
    optimizer: str = 'adam'             # adam | adamw
    lr: float = 3e-4
    weight_decay: float = 0.0
    batch_size: int = 64
    max_epochs: int = 200
    max_steps_per_epoch: int | None = None  # smoke tests
    scheduler: str = 'plateau'          # plateau: ReduceLROnPlateau; cosine: cosine decay to min_lr
    warmup_epochs: int = 0              # cosine: linear warm-up over these epochs
    plateau_patience: int = 7           # ReduceLROnPlateau x plateau_factor
    plateau_factor: float = 0.1
    min_lr: float = 0.0
    val_every: int = 1                  # validate every N epochs (and at the last)
    checkpoint: str = 'best'            # best: best.pt holds the best epoch by `monitor`; last: the last
    early_stopping: int | None = 10     # epochs without improvement of `monitor` (null: never)
    monitor: str = 'val_loss'           # any logged metric (val_top1, val_map ...); min for *loss*
    seed: int = 0
    device: str = 'auto'                # auto | cpu | cuda | cuda:N
    num_threads: int | None = None
    eval_batch_size: int = 16
    grad_clip: float | None = None
    progress: bool = True
    init_from: str | None = None        # checkpoint (file or shipped name) whose weights start the run
    init_trunk_from: str | None = None  # same, all but the classifier layer (other classes allowed)
    loss: str = 'ce'                    # ce: softmax; bce: multi-label sigmoid; aam: additive angular margin
    margin: float = 0.2                 # aam: the angular margin (radians)


def _default_model() -> dict:
    return {'frontend': 'degram', 'backbone': 'resnet18', 'sample_rate': 16000, 'specaugment': True}


@dataclass
class TrainingConfig:
    name: str = 'model'                 # run folder <output>/<name>, checkpoint metadata name
    task: str = 'sound_event'           # speaker_id | sound_event
    output: str = 'runs'                # parent folder of the run folder (relative to the cwd)
    export: str | None = None           # optional path: the best checkpoint is copied there at the end
    inference: InferenceConfig = field(default_factory=InferenceConfig)
    model: dict = field(default_factory=_default_model)   # build_model(**model, num_classes=<from data>)
    data: DataConfig = field(default_factory=DataConfig)
    train: TrainConfig = field(default_factory=TrainConfig)

    @classmethod
    def from_dict(cls, config: dict) -> TrainingConfig:
        """A merged config dict (every key optional) → typed; :class:`ConfigError` naming the key."""
        return _typed(cls, config, '')

    def to_dict(self) -> dict:
        """The plain dict (what ``config.yaml`` and the checkpoint's metadata hold)."""
        return dataclasses.asdict(self)


#: keys that older configs set to null, meaning their default (0)
NULL_IS_DEFAULT = frozenset({'train.weight_decay', 'train.min_lr', 'train.warmup_epochs'})
SECTIONS = {'inference': InferenceConfig, 'data': DataConfig, 'train': TrainConfig}
FLOAT_TEXT = re.compile(r'[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)')


def _typed(cls, values, prefix: str):
    if not isinstance(values, dict):
        raise ConfigError(f'config section {prefix.rstrip(".")!r} must be a mapping')
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(values) - set(fields))
    if unknown:
        where = f'{prefix.rstrip(".")} option' if prefix else 'top-level config key'
        raise ConfigError(f'unknown {where}(s) {unknown} ({", ".join(prefix + k for k in unknown)}); '
                          f'known: {sorted(fields)}')
    hints = typing.get_type_hints(cls)
    out = {}
    for name, value in values.items():
        kind = hints[name]
        if value is None and prefix + name in NULL_IS_DEFAULT:
            continue
        if dataclasses.is_dataclass(kind):
            out[name] = _typed(kind, value, f'{prefix}{name}.')
        else:
            out[name] = _value(f'{prefix}{name}', kind, value)
    return cls(**out)


_NAMES = {float: 'a number', int: 'a whole number', bool: 'true or false', str: 'text', dict: 'a mapping'}


def _value(key: str, kind, value):
    if kind is Any:
        return value
    args = typing.get_args(kind)
    if args:    # X | None
        if value is None:
            return None
        kind = next(a for a in args if a is not type(None))
    if kind is float and isinstance(value, str) and FLOAT_TEXT.fullmatch(value.strip()):
        return float(value)   # YAML 1.1 reads 1e-3 as a string
    if kind is float and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if kind is int and isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, kind) and not (kind is int and isinstance(value, bool)):
        return value
    raise ConfigError(f'{key}: expected {_NAMES.get(kind, kind.__name__)}, got {value!r}')
