# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Training configs: the DEGram paper's recipe (§3.3) as defaults, driven by a YAML config.

The schema, typed, with each key's default and meaning: :mod:`degram.training.schema`
(:class:`~degram.training.schema.TrainingConfig`: ``name``, ``task``, ``output``, ``export`` and the
sections ``inference``, ``model``, ``data``, ``train``). Every key is optional except ``data.spec``.
An unknown key or a value of the wrong type is one :class:`ConfigError` naming the key; the checks
of ranges and combinations are :func:`validate_config`'s.

``key=value`` overrides use dotted keys (``train.lr=1e-3``); a bare key that names exactly one
option of a section (``max_epochs=2``, ``spec=esc10``) is accepted too. Values are YAML.

The run folder (:class:`~degram.training.run_folder.RunFolder`) holds ``last.pt``
(model/optimizer/scheduler/RNG state, for ``resume``), ``best.pt`` (a
:func:`degram.save_checkpoint` file), ``metrics.csv`` and ``config.yaml``.
"""
from __future__ import annotations

import copy
from pathlib import Path

import torch
import yaml

from ..data.channel import TRANSFORMS as CHANNEL_TRANSFORMS
from ..inference.device import DeviceError, resolve_device
from .schema import FLOAT_TEXT, ConfigError, TrainingConfig

__all__ = ['CONFIGS_DIR', 'CSV_COLUMNS', 'DEFAULT_CONFIG', 'ConfigError', 'apply_overrides', 'config_path',
           'load_config', 'monitor_mode', 'shipped_configs', 'training_device', 'validate_config']

CONFIGS_DIR = Path(__file__).resolve().parent / 'configs'

DEFAULT_CONFIG: dict = TrainingConfig().to_dict()

TASKS = ('speaker_id', 'sound_event')
LOSSES = ('ce', 'bce', 'aam')
SCHEDULERS = ('plateau', 'cosine')
OPTIMIZERS = ('adam', 'adamw')
CSV_COLUMNS = ['epoch', 'lr', 'train_loss', 'train_acc', 'val_loss', 'val_top1', 'val_top5', 'val_map',
               'val_auc', 'val_dprime', 'seconds']
# --- configuration ---------------------------------------------------------------------------
def _merge(base: dict, new: dict) -> dict:
    out = copy.deepcopy(base)
    for k, v in (new or {}).items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def config_path(name_or_path: str | Path) -> Path:
    """A config file path, or the name of a shipped config (``speaker_id`` → configs/speaker_id.yaml)."""
    p = Path(name_or_path).expanduser()
    if p.is_file():
        return p
    shipped = CONFIGS_DIR / f'{Path(str(name_or_path)).stem}.yaml'
    if p.suffix in ('', '.yaml', '.yml') and shipped.is_file() and len(p.parts) == 1:
        return shipped
    raise ConfigError(f'{name_or_path}: no such config file (shipped configs: {", ".join(shipped_configs())})')


def shipped_configs() -> list[str]:
    return sorted(p.stem for p in CONFIGS_DIR.glob('*.yaml'))


def apply_overrides(cfg: dict, overrides) -> dict:
    """Apply ``key=value`` strings (dotted keys, YAML values) to a config dict (copied)."""
    cfg = copy.deepcopy(cfg)
    for item in overrides or ():
        if '=' not in item:
            raise ConfigError(f'override {item!r} is not key=value')
        key, _, raw = item.partition('=')
        key = key.strip()
        try:
            value = yaml.safe_load(raw) if raw.strip() else None
        except yaml.YAMLError as exc:
            raise ConfigError(f'override {item!r}: bad value ({exc})') from exc
        if isinstance(value, str) and FLOAT_TEXT.fullmatch(value.strip()):
            value = float(value)  # YAML 1.1 reads 1e-3 as a string
        parts = key.split('.')
        if len(parts) == 1 and key not in DEFAULT_CONFIG:
            owners = [s for s in DEFAULT_CONFIG if isinstance(DEFAULT_CONFIG[s], dict)
                      and key in DEFAULT_CONFIG[s]]
            if len(owners) != 1:
                raise ConfigError(f'override {item!r}: unknown key {key!r} (use section.key, sections: '
                                  f'{", ".join(s for s in DEFAULT_CONFIG if isinstance(DEFAULT_CONFIG[s], dict))})')
            parts = [owners[0], key]
        node = cfg
        for p in parts[:-1]:
            if node.get(p) is None:
                node[p] = {}
            if not isinstance(node[p], dict):
                raise ConfigError(f'override {item!r}: {p!r} is not a section')
            node = node[p]
        node[parts[-1]] = value
    return cfg


def load_config(path=None, overrides=(), base: dict | None = None) -> dict:
    """Defaults ← YAML file (path or shipped config name) ← ``base`` dict ← overrides; validated."""
    cfg = copy.deepcopy(DEFAULT_CONFIG)
    if path is not None:
        p = config_path(path)
        try:
            loaded = yaml.safe_load(p.read_text()) or {}
        except yaml.YAMLError as exc:
            raise ConfigError(f'{p}: invalid YAML ({exc})') from exc
        if not isinstance(loaded, dict):
            raise ConfigError(f'{p}: the config must be a mapping')
        cfg = _merge(cfg, loaded)
    if base:
        cfg = _merge(cfg, base)
    cfg = apply_overrides(cfg, overrides)
    return validate_config(cfg)


def validate_config(cfg: dict) -> dict:
    """A merged config dict → the same, typed (:class:`TrainingConfig`) and checked, as a plain dict;
    :class:`ConfigError` naming the key on any problem."""
    typed = TrainingConfig.from_dict(_merge(DEFAULT_CONFIG, cfg))
    _check(typed)
    return typed.to_dict()


def _fail(condition: bool, message: str) -> None:
    if condition:
        raise ConfigError(message)


def _check(cfg: TrainingConfig) -> None:
    d, t, m = cfg.data, cfg.train, cfg.model
    _fail(cfg.task not in TASKS, f'task must be one of {TASKS}, got {cfg.task!r}')
    _fail(not d.spec, 'data.spec is required (e.g. asc:speaker, esc10, a folder or a CSV manifest)')
    _fail(not 0 < d.crop_min <= d.crop_max, f'need 0 < crop_min <= crop_max, got {d.crop_min}, {d.crop_max}')
    _fail(d.exclude_labels is not None and not (isinstance(d.exclude_labels, str) or (
        isinstance(d.exclude_labels, list) and all(isinstance(x, str) for x in d.exclude_labels))),
        f'data.exclude_labels must be a class name or a list of them, got {d.exclude_labels!r}')
    _fail(d.snr_min > d.snr_max, 'data.snr_min must not exceed data.snr_max')
    _fail(d.gain_db_min > d.gain_db_max, 'data.gain_db_min must not exceed data.gain_db_max')
    for key in ('noise_prob', 'negative_prob', 'silence_prob'):
        _fail(not 0.0 <= getattr(d, key) <= 1.0, f'data.{key} must lie in [0, 1]')
    _fail(d.negative_prob > 0 and (not d.negatives or t.loss != 'bce'),
          'data.negative_prob > 0 needs data.negatives and train.loss: bce '
          '(a negative is a window where no class is present)')
    _fail(d.mixup_alpha < 0 or not 0.0 <= d.mixup_prob <= 1.0,
          'data.mixup_alpha must be >= 0 and data.mixup_prob in [0, 1]')
    _fail(d.mixup_alpha > 0 and t.loss == 'aam', 'data.mixup_alpha > 0 needs soft targets: train.loss ce or bce, '
          'not aam')
    _fail(d.channel is not None and (set(d.channel) - set(CHANNEL_TRANSFORMS) or not all(
        isinstance(p, (int, float)) and not isinstance(p, bool) and 0.0 <= p <= 1.0 for p in d.channel.values())),
        f'data.channel must map transforms ({", ".join(CHANNEL_TRANSFORMS)}) to probabilities in [0, 1], '
        f'got {d.channel!r}')
    speeds = d.speed_perturb or []
    _fail(d.speed_perturb is not None and not (isinstance(d.speed_perturb, list) and all(
        isinstance(s, (int, float)) and not isinstance(s, bool) and 0.5 <= s <= 2.0 and s != 1.0 for s in speeds)
        and len(set(speeds)) == len(speeds)),
        f'data.speed_perturb must be a list of distinct speeds in [0.5, 2] other than 1.0, got {d.speed_perturb!r}')
    _fail(bool(speeds) and (t.loss == 'bce' or d.mixup_alpha > 0),
          'data.speed_perturb makes each speed a class of its own: it needs single-label targets '
          '(train.loss ce or aam, no mixup)')
    for key in ('batch_size', 'max_epochs', 'val_every', 'eval_batch_size'):
        _fail(getattr(t, key) < 1, f'train.{key} must be >= 1')
    _fail(t.lr <= 0, 'train.lr must be positive')
    _fail(t.loss not in LOSSES, f"train.loss must be one of {', '.join(LOSSES)}, got {t.loss!r}")
    _fail(t.loss == 'aam' and m.get('head') != 'cosine',
          'train.loss: aam needs model.head: cosine (logits = scale x cosine)')
    _fail(not 0.0 <= t.margin < 1.0, 'train.margin must lie in [0, 1) radians')
    _fail(t.scheduler not in SCHEDULERS, f"train.scheduler must be one of {', '.join(SCHEDULERS)}, "
          f'got {t.scheduler!r}')
    _fail(t.checkpoint not in ('best', 'last'), f'train.checkpoint must be best or last, got {t.checkpoint!r}')
    _fail(bool(t.init_from and t.init_trunk_from), 'give train.init_from or train.init_trunk_from, not both')
    t.optimizer = t.optimizer.lower()
    _fail(t.optimizer not in OPTIMIZERS, 'train.optimizer must be adam or adamw')
    _fail(t.monitor not in CSV_COLUMNS or t.monitor in ('epoch', 'lr', 'seconds'),
          f'train.monitor must be one of the logged metrics {CSV_COLUMNS[2:-1]}')
    for key in ('frontend', 'backbone'):
        _fail(not m.get(key), f'model.{key} is required')


def monitor_mode(monitor: str) -> str:
    """'min' for losses, 'max' for every other metric."""
    return 'min' if 'loss' in monitor else 'max'


def training_device(name) -> torch.device:
    """The device a training config names; a GPU that is not there is a :class:`ConfigError`."""
    try:
        return resolve_device(None if name in (None, '') else str(name), fallback=False)[0]
    except DeviceError as exc:
        raise ConfigError(str(exc)) from None
