"""Training configs: the DEGram paper's recipe (§3.3) as defaults, driven by a YAML config.

Config schema (every key optional except ``data.spec``; see :data:`DEFAULT_CONFIG`)::

    name: speaker_id            # run folder <output>/<name>, checkpoint metadata name
    task: speaker_id            # speaker_id | sound_event
    output: runs                # parent folder of the run folder (relative to the cwd)
    export: null                # optional path: the best checkpoint is copied there at the end
    inference:                  # stored in the checkpoint: how the node should run the model
      window_length: null       # seconds per window the model was trained for (crops)
      hop_length: null
    model:                      # build_model(**model, num_classes=<from data>)
      frontend: degram
      backbone: resnet18
      sample_rate: 16000
      specaugment: true         # + any other build_model option (dropout, mask options ...)
    data:
      spec: asc:speaker         # see degram.data.open_dataset
      data_root: null           # default: $DEGRAM_DATA or shared/data found upwards
      validation: null          # groups held out (e.g. 8, "25-30", [4]); null: dataset default
      crop_min: 4.0             # seconds; each batch is cropped to U[crop_min, crop_max]
      crop_max: 6.0
      balance: true             # class-balanced epochs by random under-sampling
      noise: null               # folder(s) of noise clips for augmentation
      noise_prob: 0.5
      snr_min: 0.0
      snr_max: 20.0
      negatives: null           # sources of out-of-set audio (speech, room noise): target "no class"
      negative_prob: 0.0        # share of each batch replaced by negatives (needs train.loss: bce)
      silence_prob: 0.0         # share of negatives that are digital silence or -60..-90 dBFS noise
      gain_db_min: 0.0          # random level change of every item, dB (U[min, max])
      gain_db_max: 0.0
      mixup_alpha: 0.0          # > 0: mixup with λ ~ Beta(α, α) (soft targets)
      mixup_prob: 1.0           # share of the items that are mixed
      channel: null             # {room, eq, highpass, lowpass, resample: probability}: see
                                # degram.data.channel.ChannelAugment
      split_seed: 0             # the random validation split, where a dataset draws one
      group_regex: null         # file name → group (speaker, fold) for folder datasets
    train:
      optimizer: adam           # adam | adamw
      lr: 3.0e-4
      weight_decay: 0.0
      batch_size: 64
      max_epochs: 200
      scheduler: plateau        # plateau: ReduceLROnPlateau; cosine: cosine decay to min_lr
      warmup_epochs: 0          # cosine: linear warm-up over these epochs
      plateau_patience: 7       # ReduceLROnPlateau ×plateau_factor
      plateau_factor: 0.1
      min_lr: 0.0
      early_stopping: 10        # epochs without improvement of `monitor` (null: never)
      monitor: val_loss         # any logged column (val_top1, val_map ...); min for *loss*
      val_every: 1              # validate every N epochs (and at the last)
      checkpoint: best          # best.pt holds the best epoch by `monitor`, or the last epoch
      eval_batch_size: 16
      grad_clip: null
      progress: true
      seed: 0
      device: auto              # auto | cpu | cuda | cuda:N
      num_threads: null
      max_steps_per_epoch: null # smoke tests
      init_from: null           # checkpoint (file or shipped name) whose weights start the run
      init_trunk_from: null     # same, all but the classifier layer (other classes allowed)
      loss: ce                  # ce: softmax cross-entropy; bce: multi-label sigmoid outputs;
                                # aam: additive angular margin softmax (speaker embeddings; needs
                                # model.head: cosine)
      margin: 0.2               # aam: the angular margin (radians)

``key=value`` overrides use dotted keys (``train.lr=1e-3``); a bare key that names exactly one
option of a section (``max_epochs=2``, ``spec=esc10``) is accepted too. Values are YAML.

The run folder (:class:`~degram.training.run_folder.RunFolder`) holds ``last.pt``
(model/optimizer/scheduler/RNG state, for ``resume``), ``best.pt`` (a
:func:`degram.save_checkpoint` file), ``metrics.csv`` and ``config.yaml``.
"""
from __future__ import annotations

import copy
import re
from pathlib import Path

import torch
import yaml

from ..data.channel import TRANSFORMS as CHANNEL_TRANSFORMS
from ..inference.device import DeviceError, resolve_device

CONFIGS_DIR = Path(__file__).resolve().parent / 'configs'

DEFAULT_CONFIG: dict = {
    'name': 'model',
    'task': 'sound_event',
    'output': 'runs',
    'export': None,
    'inference': {
        'window_length': None,
        'hop_length': None,
    },
    'model': {
        'frontend': 'degram',
        'backbone': 'resnet18',
        'sample_rate': 16000,
        'specaugment': True,
    },
    'data': {
        'spec': None,
        'data_root': None,
        'validation': None,
        'split_seed': 0,
        'group_regex': None,
        'crop_min': 4.0,
        'crop_max': 6.0,
        'balance': True,
        'noise': None,
        'noise_prob': 0.5,
        'snr_min': 0.0,
        'snr_max': 20.0,
        'negatives': None,
        'negative_prob': 0.0,
        'silence_prob': 0.0,
        'gain_db_min': 0.0,
        'gain_db_max': 0.0,
        'mixup_alpha': 0.0,
        'mixup_prob': 1.0,
        'channel': None,
    },
    'train': {
        'optimizer': 'adam',
        'lr': 3e-4,
        'weight_decay': 0.0,
        'batch_size': 64,
        'max_epochs': 200,
        'max_steps_per_epoch': None,
        'scheduler': 'plateau',
        'warmup_epochs': 0,
        'plateau_patience': 7,
        'plateau_factor': 0.1,
        'min_lr': 0.0,
        'val_every': 1,
        'checkpoint': 'best',
        'early_stopping': 10,
        'monitor': 'val_loss',
        'seed': 0,
        'device': 'auto',
        'num_threads': None,
        'eval_batch_size': 16,
        'grad_clip': None,
        'progress': True,
        'init_from': None,
        'init_trunk_from': None,
        'loss': 'ce',
        'margin': 0.2,
    },
}

TASKS = ('speaker_id', 'sound_event')
LOSSES = ('ce', 'bce', 'aam')
SCHEDULERS = ('plateau', 'cosine')
CSV_COLUMNS = ['epoch', 'lr', 'train_loss', 'train_acc', 'val_loss', 'val_top1', 'val_top5', 'val_map',
               'val_auc', 'val_dprime', 'seconds']
_FLOAT_RE = re.compile(r'[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)')
# sections whose keys are checked (model options go to build_model as they are)
_CHECKED_SECTIONS = ('data', 'train', 'inference')


class ConfigError(ValueError):
    """A training config that cannot be used, with the reason."""


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
        if isinstance(value, str) and _FLOAT_RE.fullmatch(value.strip()):
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
    unknown = set(cfg) - set(DEFAULT_CONFIG)
    if unknown:
        raise ConfigError(f'unknown top-level config key(s) {sorted(unknown)}; known: {sorted(DEFAULT_CONFIG)}')
    for sec in ('model', *_CHECKED_SECTIONS):
        if not isinstance(cfg.get(sec), dict):
            raise ConfigError(f'config section {sec!r} must be a mapping')
    for sec in _CHECKED_SECTIONS:
        bad = set(cfg[sec]) - set(DEFAULT_CONFIG[sec])
        if bad:
            raise ConfigError(f'unknown {sec} option(s) {sorted(bad)}; known: {sorted(DEFAULT_CONFIG[sec])}')
        for k, v in cfg[sec].items():
            if isinstance(v, str) and _FLOAT_RE.fullmatch(v.strip()):
                cfg[sec][k] = float(v)  # YAML 1.1 reads 1e-3 as a string
    if cfg['task'] not in TASKS:
        raise ConfigError(f'task must be one of {TASKS}, got {cfg["task"]!r}')
    d, t = cfg['data'], cfg['train']
    if not d.get('spec'):
        raise ConfigError('data.spec is required (e.g. asc:speaker, esc10, a folder or a CSV manifest)')
    try:
        cmin, cmax = float(d['crop_min']), float(d['crop_max'])
    except (TypeError, ValueError) as exc:
        raise ConfigError('data.crop_min / data.crop_max must be numbers (seconds)') from exc
    if not 0 < cmin <= cmax:
        raise ConfigError(f'need 0 < crop_min <= crop_max, got {cmin}, {cmax}')
    if float(d['snr_min']) > float(d['snr_max']):
        raise ConfigError('data.snr_min must not exceed data.snr_max')
    if not 0.0 <= float(d['noise_prob']) <= 1.0:
        raise ConfigError('data.noise_prob must lie in [0, 1]')
    for k in ('batch_size', 'max_epochs'):
        if int(t[k]) < 1:
            raise ConfigError(f'train.{k} must be >= 1')
    if float(t['lr']) <= 0:
        raise ConfigError('train.lr must be positive')
    if t['loss'] not in LOSSES:
        raise ConfigError(f"train.loss must be one of {', '.join(LOSSES)}, got {t['loss']!r}")
    if t['loss'] == 'aam' and cfg['model'].get('head') != 'cosine':
        raise ConfigError('train.loss: aam needs model.head: cosine (logits = scale x cosine)')
    if not 0.0 <= float(t['margin']) < 1.0:
        raise ConfigError('train.margin must lie in [0, 1) radians')
    for k in ('negative_prob', 'silence_prob'):
        if not 0.0 <= float(d[k]) <= 1.0:
            raise ConfigError(f'data.{k} must lie in [0, 1]')
    if float(d['negative_prob']) > 0 and (not d.get('negatives') or t['loss'] != 'bce'):
        raise ConfigError('data.negative_prob > 0 needs data.negatives and train.loss: bce '
                          '(a negative is a window where no class is present)')
    if float(d['mixup_alpha']) < 0 or not 0.0 <= float(d['mixup_prob']) <= 1.0:
        raise ConfigError('data.mixup_alpha must be >= 0 and data.mixup_prob in [0, 1]')
    if float(d['mixup_alpha']) > 0 and t['loss'] == 'aam':
        raise ConfigError('data.mixup_alpha > 0 needs soft targets: train.loss ce or bce, not aam')
    if d.get('channel') is not None:
        channel = d['channel']
        if not isinstance(channel, dict) or set(channel) - set(CHANNEL_TRANSFORMS) or not all(
                isinstance(p, (int, float)) and 0.0 <= p <= 1.0 for p in channel.values()):
            raise ConfigError(f'data.channel must map transforms ({", ".join(CHANNEL_TRANSFORMS)}) to '
                              f'probabilities in [0, 1], got {channel!r}')
    if t['scheduler'] not in SCHEDULERS:
        raise ConfigError(f"train.scheduler must be one of {', '.join(SCHEDULERS)}, got {t['scheduler']!r}")
    if t['checkpoint'] not in ('best', 'last'):
        raise ConfigError(f"train.checkpoint must be best or last, got {t['checkpoint']!r}")
    if int(t['val_every']) < 1:
        raise ConfigError('train.val_every must be >= 1')
    if float(d['gain_db_min']) > float(d['gain_db_max']):
        raise ConfigError('data.gain_db_min must not exceed data.gain_db_max')
    if t.get('init_from') and t.get('init_trunk_from'):
        raise ConfigError('give train.init_from or train.init_trunk_from, not both')
    if str(t['optimizer']).lower() not in ('adam', 'adamw'):
        raise ConfigError('train.optimizer must be adam or adamw')
    if t['monitor'] not in CSV_COLUMNS or t['monitor'] in ('epoch', 'lr', 'seconds'):
        raise ConfigError(f'train.monitor must be one of the logged metrics {CSV_COLUMNS[2:-1]}')
    for k in ('frontend', 'backbone'):
        if not cfg['model'].get(k):
            raise ConfigError(f'model.{k} is required')
    return cfg


def monitor_mode(monitor: str) -> str:
    """'min' for losses, 'max' for every other metric."""
    return 'min' if 'loss' in monitor else 'max'


def training_device(name) -> torch.device:
    """The device a training config names; a GPU that is not there is a :class:`ConfigError`."""
    try:
        return resolve_device(None if name in (None, '') else str(name), fallback=False)[0]
    except DeviceError as exc:
        raise ConfigError(str(exc)) from None
