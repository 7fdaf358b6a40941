"""Training tool: the DEGram paper's recipe (§3.3) as defaults, driven by a YAML config.

Config schema (every key optional except ``data.spec``; see :data:`DEFAULT_CONFIG`)::

    name: speaker_id            # run folder <output>/<name>, checkpoint metadata name
    task: speaker_id            # speaker_id | sound_event
    output: runs                # parent folder of the run folder (relative to the cwd)
    export: null                # optional path: the best checkpoint is copied there at the end
    model:                      # build_model(**model, num_classes=<from data>)
      frontend: degram
      backbone: resnet18
      sample_rate: 16000
      specaugment: true         # + any other build_model option (dropout, mask options ...)
    data:
      spec: asc:speaker         # see degram_ros.data.open_dataset
      data_root: null           # default: $DEGRAM_DATA or shared/data found upwards
      validation: null          # groups held out (e.g. 8, "25-30", [4]); null: dataset default
      crop_min: 4.0             # seconds; each batch is cropped to U[crop_min, crop_max]
      crop_max: 6.0
      balance: true             # class-balanced epochs by random under-sampling
      noise: null               # folder(s) of noise clips for augmentation
      noise_prob: 0.5
      snr_min: 0.0
      snr_max: 20.0
    train:
      lr: 3.0e-4                # Adam
      batch_size: 64
      max_epochs: 200
      plateau_patience: 7       # ReduceLROnPlateau ×plateau_factor
      plateau_factor: 0.1
      early_stopping: 10        # epochs without improvement of `monitor`
      monitor: val_loss         # any logged column (val_top1, val_map ...); min for *loss*
      seed: 0
      device: auto              # auto | cpu | cuda | cuda:N
      num_threads: null
      max_steps_per_epoch: null # smoke tests
      init_from: null           # checkpoint (file or shipped name) whose weights start the run

``key=value`` overrides use dotted keys (``train.lr=1e-3``); a bare key that names exactly one
option of a section (``max_epochs=2``, ``spec=esc10``) is accepted too. Values are YAML.

The run folder holds ``last.pt`` (model/optimizer/scheduler/RNG state, for ``resume``),
``best.pt`` (a :func:`degram_ros.save_checkpoint` file), ``metrics.csv`` and ``config.yaml``.
"""
from __future__ import annotations

import copy
import csv
import math
import re
import sys
import time
from pathlib import Path

import numpy as np

from .. import data as D

DEFAULT_CONFIG: dict = {
    'name': 'model',
    'task': 'sound_event',
    'output': 'runs',
    'export': None,
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
    },
    'train': {
        'optimizer': 'adam',
        'lr': 3e-4,
        'weight_decay': 0.0,
        'batch_size': 64,
        'max_epochs': 200,
        'max_steps_per_epoch': None,
        'plateau_patience': 7,
        'plateau_factor': 0.1,
        'min_lr': 0.0,
        'early_stopping': 10,
        'monitor': 'val_loss',
        'seed': 0,
        'device': 'auto',
        'num_threads': None,
        'eval_batch_size': 16,
        'grad_clip': None,
        'progress': True,
        'init_from': None,
    },
}

TASKS = ('speaker_id', 'sound_event')
CSV_COLUMNS = ['epoch', 'lr', 'train_loss', 'train_acc', 'val_loss', 'val_top1', 'val_top5', 'val_map',
               'val_auc', 'val_dprime', 'seconds']
_FLOAT_RE = re.compile(r'[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)')
# sections whose keys are checked (model options go to build_model as they are)
_CHECKED_SECTIONS = ('data', 'train')


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
    shipped = Path(__file__).resolve().parent / 'configs' / f'{Path(str(name_or_path)).stem}.yaml'
    if p.suffix in ('', '.yaml', '.yml') and shipped.is_file() and len(p.parts) == 1:
        return shipped
    raise ConfigError(f'{name_or_path}: no such config file (shipped configs: {", ".join(shipped_configs())})')


def shipped_configs() -> list[str]:
    folder = Path(__file__).resolve().parent / 'configs'
    return sorted(p.stem for p in folder.glob('*.yaml'))


def apply_overrides(cfg: dict, overrides) -> dict:
    """Apply ``key=value`` strings (dotted keys, YAML values) to a config dict (copied)."""
    import yaml

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
    import yaml

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
    if str(t['optimizer']).lower() not in ('adam', 'adamw'):
        raise ConfigError('train.optimizer must be adam or adamw')
    if t['monitor'] not in CSV_COLUMNS or t['monitor'] in ('epoch', 'lr', 'seconds'):
        raise ConfigError(f'train.monitor must be one of the logged metrics {CSV_COLUMNS[2:-1]}')
    for k in ('frontend', 'backbone'):
        if not cfg['model'].get(k):
            raise ConfigError(f'model.{k} is required')
    return cfg


def _mode(monitor: str) -> str:
    return 'min' if 'loss' in monitor else 'max'


def _device(name):
    import torch

    name = 'auto' if name in (None, '') else str(name)
    if name == 'auto':
        return torch.device('cuda' if torch.cuda.is_available() else 'cpu')
    dev = torch.device(name)
    if dev.type == 'cuda' and not torch.cuda.is_available():
        raise ConfigError(f'device {name!r} requested but CUDA is not available')
    return dev


class _Progress:
    """tqdm when installed (and wanted), else a plain line every so many steps."""

    def __init__(self, total: int, desc: str, enabled: bool, stream=None):
        self.total, self.desc, self.n = total, desc, 0
        self.stream = stream or sys.stderr
        self.bar = None
        self.enabled = enabled
        self.every = max(1, total // 10)
        self.t0 = time.perf_counter()
        if enabled:
            try:
                from tqdm import tqdm
            except ImportError:
                pass
            else:
                self.bar = tqdm(total=total, desc=desc, leave=False, file=self.stream, dynamic_ncols=True)

    def update(self, **postfix):
        self.n += 1
        if self.bar is not None:
            self.bar.set_postfix({k: f'{v:.3f}' for k, v in postfix.items()}, refresh=False)
            self.bar.update(1)
        elif self.enabled and (self.n % self.every == 0 or self.n == self.total):
            rate = self.n / max(time.perf_counter() - self.t0, 1e-9)
            extra = ' '.join(f'{k}={v:.3f}' for k, v in postfix.items())
            print(f'  {self.desc} step {self.n}/{self.total} {extra} ({rate:.2f} steps/s)',
                  file=self.stream, flush=True)

    def close(self):
        if self.bar is not None:
            self.bar.close()


# --- the training loop -----------------------------------------------------------------------
def _clean_metrics(m: dict) -> dict:
    out = {}
    for k, v in m.items():
        if k == 'confusion':
            continue
        if isinstance(v, float) and not math.isfinite(v):
            v = None
        out[k] = v
    return out


def _read_rows(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    with open(path, newline='') as fh:
        return list(csv.DictReader(fh))


def _write_rows(path: Path, rows: list[dict]) -> None:
    tmp = path.with_suffix('.csv.tmp')
    with open(tmp, 'w', newline='') as fh:
        w = csv.DictWriter(fh, fieldnames=CSV_COLUMNS, extrasaction='ignore')
        w.writeheader()
        for r in rows:
            w.writerow({k: ('' if r.get(k) is None else r.get(k)) for k in CSV_COLUMNS})
    tmp.replace(path)


def _fmt(v) -> str:
    return '-' if v is None or (isinstance(v, float) and not math.isfinite(v)) else (
        f'{v:.4g}' if isinstance(v, float) else str(v))


def train(config: dict, *, resume: bool | str = False, log=None) -> dict:
    """Train a model as ``config`` says (see the module doc); return a summary dict with
    ``run_dir``, ``best`` (checkpoint path), ``best_metrics``, ``epochs`` and ``stopped``.

    ``resume``: True continues from ``<run>/last.pt`` when it exists (a fresh start otherwise);
    a path resumes from that file."""
    import torch
    import torch.nn.functional as F

    from ..evaluation import predict_logits
    from ..inference import save_checkpoint
    from ..nn import build_model

    cfg = validate_config(copy.deepcopy(config))
    log = log or (lambda msg: print(msg, flush=True))
    mcfg, dcfg, tcfg = dict(cfg['model']), cfg['data'], cfg['train']
    if tcfg.get('num_threads'):
        torch.set_num_threads(int(tcfg['num_threads']))
    device = _device(tcfg.get('device'))
    seed = int(tcfg['seed'])
    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)
    sr = int(mcfg.get('sample_rate') or 16000)
    mcfg['sample_rate'] = sr

    # data
    dataset = D.open_dataset(dcfg['spec'], dcfg.get('data_root'), sample_rate=sr,
                             group_regex=dcfg.get('group_regex'))
    train_idx, val_idx = dataset.split(dcfg.get('validation'), seed=int(dcfg.get('split_seed') or 0))
    if len(train_idx) == 0:
        raise ConfigError(f'{dataset.name}: the training split is empty')
    labels = list(dataset.labels)
    missing = [labels[c] for c in range(len(labels)) if dataset.class_counts(train_idx)[c] == 0]
    if missing:
        log(f'warning: classes without training clips: {missing}')
    log(f'{dataset!r}: {len(train_idx)} train / {len(val_idx)} validation clips '
        f'(validation {dataset.group_kind}s: {", ".join(dataset.group_names(val_idx)) or "none"})')
    t0 = time.perf_counter()
    dataset.preload(np.concatenate([train_idx, val_idx]))
    log(f'decoded {len(train_idx) + len(val_idx)} clips in {time.perf_counter() - t0:.1f} s')
    noise = D.NoiseBank(dcfg['noise'], sr, root=D.find_data_root(dcfg.get('data_root'))) if dcfg.get('noise') else None
    if noise is not None:
        log(f'noise augmentation: {len(noise)} clips, p={dcfg["noise_prob"]}, '
            f'SNR U[{dcfg["snr_min"]}, {dcfg["snr_max"]}] dB')
    dataset_meta = dict(dataset.describe(), spec=str(dcfg['spec']),
                        validation=dcfg.get('validation') if dcfg.get('validation') is not None
                        else dataset.default_validation,
                        validation_groups=dataset.group_names(val_idx),
                        split_seed=int(dcfg.get('split_seed') or 0),
                        train_clips=len(train_idx), val_clips=len(val_idx))

    # model, optimiser, scheduler
    model = build_model(num_classes=len(labels), **mcfg).to(device)
    if tcfg.get('init_from'):
        from ..inference import load_checkpoint

        start = load_checkpoint(tcfg['init_from'])
        if start.labels != labels or start.model.config != model.config:
            raise ConfigError(f"train.init_from {start.path}: its architecture or labels differ from "
                              f"this config's; fine-tuning needs the same model and classes")
        model.load_state_dict(start.model.state_dict())
        log(f'weights initialised from {start.path}')
    opt_cls = torch.optim.AdamW if str(tcfg['optimizer']).lower() == 'adamw' else torch.optim.Adam
    optimizer = opt_cls(model.parameters(), lr=float(tcfg['lr']), weight_decay=float(tcfg['weight_decay'] or 0))
    monitor = tcfg['monitor'] if len(val_idx) else 'train_loss'
    mode = _mode(monitor)
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(
        optimizer, mode=mode, factor=float(tcfg['plateau_factor']), patience=int(tcfg['plateau_patience']),
        min_lr=float(tcfg['min_lr'] or 0.0))

    run_dir = Path(cfg['output']) / str(cfg['name'])
    run_dir.mkdir(parents=True, exist_ok=True)
    last_path, best_path, csv_path = run_dir / 'last.pt', run_dir / 'best.pt', run_dir / 'metrics.csv'
    start_epoch, best_value, bad_epochs, best_metrics = 1, None, 0, None
    stopped = 'max_epochs'

    resume_from = Path(resume) if isinstance(resume, (str, Path)) and resume not in ('', True) else (
        last_path if resume else None)
    if resume_from is not None and resume_from.is_file():
        state = torch.load(resume_from, map_location='cpu', weights_only=False)
        if state.get('labels') != labels:
            raise ConfigError(f'{resume_from}: its labels differ from the data ({len(state.get("labels") or [])} '
                              f'vs {len(labels)} classes); cannot resume')
        model.load_state_dict(state['model'])
        optimizer.load_state_dict(state['optimizer'])
        scheduler.load_state_dict(state['scheduler'])
        start_epoch = int(state['epoch']) + 1
        best_value, bad_epochs = state.get('best_value'), int(state.get('bad_epochs', 0))
        best_metrics = state.get('best_metrics')
        rng.bit_generator.state = state['numpy_rng']
        torch.set_rng_state(state['torch_rng'])
        if device.type == 'cuda' and state.get('cuda_rng') is not None:
            try:
                torch.cuda.set_rng_state_all(state['cuda_rng'])
            except RuntimeError:
                pass
        if state.get('finished'):
            stopped = state.get('stopped', 'finished')
        rows = [r for r in _read_rows(csv_path) if int(r['epoch']) < start_epoch]
        _write_rows(csv_path, rows)
        log(f'resumed from {resume_from} at epoch {start_epoch} (best {monitor} = {_fmt(best_value)})')
    else:
        if resume_from is not None and resume:
            log(f'nothing to resume at {resume_from}: starting afresh')
        _write_rows(csv_path, [])
        if best_path.exists():
            best_path.unlink()
    import yaml

    (run_dir / 'config.yaml').write_text(yaml.safe_dump(cfg, sort_keys=False))
    n_params = sum(p.numel() for p in model.parameters())
    log(f'model {mcfg["frontend"]}-{mcfg["backbone"]}: {n_params / 1e6:.2f} M parameters, '
        f'{len(labels)} classes, device {device}, run folder {run_dir}')

    batch_size = int(tcfg['batch_size'])
    max_steps = int(tcfg['max_steps_per_epoch']) if tcfg.get('max_steps_per_epoch') else None
    crop_min, crop_max = float(dcfg['crop_min']), float(dcfg['crop_max'])
    train_targets = dataset.targets[train_idx]
    patience = int(tcfg['early_stopping']) if tcfg.get('early_stopping') else None
    progress = bool(tcfg.get('progress', True))
    grad_clip = float(tcfg['grad_clip']) if tcfg.get('grad_clip') else None
    val_waves = [dataset.load(i) for i in val_idx]
    val_targets = dataset.targets[val_idx]

    epoch = start_epoch - 1
    for epoch in range(start_epoch, int(tcfg['max_epochs']) + 1):
        if stopped == 'early_stopping':
            break
        t_epoch = time.perf_counter()
        order = (D.balanced_indices(train_targets, rng) if dcfg.get('balance', True)
                 else rng.permutation(len(train_idx)))
        chunks = [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
        chunks = [c for c in chunks if len(c) >= 2] or chunks  # BatchNorm needs 2 items
        if max_steps:
            chunks = chunks[:max_steps]
        model.train()
        tot_loss, tot_correct, tot_n = 0.0, 0, 0
        bar = _Progress(len(chunks), f'epoch {epoch}', progress)
        for chunk in chunks:
            idx = train_idx[chunk]
            length = max(1, round(float(rng.uniform(crop_min, crop_max)) * sr))
            batch = D.make_batch([dataset.load(i) for i in idx], length, rng)
            if noise is not None:
                for b in range(batch.shape[0]):
                    if rng.random() < float(dcfg['noise_prob']):
                        batch[b] = noise.mix(batch[b], rng.uniform(float(dcfg['snr_min']),
                                                                   float(dcfg['snr_max'])), rng)
            x = torch.from_numpy(batch).to(device)
            y = torch.from_numpy(dataset.targets[idx]).to(device)
            logits = model(x)
            loss = F.cross_entropy(logits, y)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if grad_clip:
                torch.nn.utils.clip_grad_norm_(model.parameters(), grad_clip)
            optimizer.step()
            n = int(y.shape[0])
            tot_loss += float(loss.detach()) * n
            tot_correct += int((logits.detach().argmax(1) == y).sum())
            tot_n += n
            bar.update(loss=float(loss.detach()))
        bar.close()
        row = {'epoch': epoch, 'lr': optimizer.param_groups[0]['lr'],
               'train_loss': tot_loss / max(tot_n, 1), 'train_acc': tot_correct / max(tot_n, 1)}
        val_metrics = None
        if len(val_idx):
            from ..evaluation.metrics import classification_metrics

            logits = predict_logits(model, val_waves, device=device, batch_size=int(tcfg['eval_batch_size']))
            lt = torch.from_numpy(logits)
            row['val_loss'] = float(F.cross_entropy(lt, torch.from_numpy(val_targets)))
            probs = torch.softmax(lt, dim=1).numpy()
            val_metrics = _clean_metrics(classification_metrics(val_targets, probs))
            for k in ('top1', 'top5', 'map', 'auc', 'dprime'):
                row[f'val_{k}'] = val_metrics.get(k)
            val_metrics['loss'] = row['val_loss']
        row['seconds'] = time.perf_counter() - t_epoch
        value = row.get(monitor)
        if value is None or not math.isfinite(float(value)):
            value = float('inf') if mode == 'min' else float('-inf')
        improved = best_value is None or (value < best_value if mode == 'min' else value > best_value)
        scheduler.step(value)
        if improved:
            best_value, bad_epochs = float(value), 0
            best_metrics = val_metrics or {'train_loss': row['train_loss'], 'train_acc': row['train_acc']}
            best_metrics = dict(best_metrics, epoch=epoch)
            save_checkpoint(model, best_path, labels=labels, task=cfg['task'], name=str(cfg['name']),
                            metrics=best_metrics, config=cfg, dataset=dataset_meta, epoch=epoch)
        else:
            bad_epochs += 1
        rows = _read_rows(csv_path) + [row]
        _write_rows(csv_path, rows)
        log(f'epoch {epoch}: ' + ' '.join(f'{k}={_fmt(row.get(k))}' for k in CSV_COLUMNS[1:])
            + (' *' if improved else ''))
        if patience is not None and bad_epochs >= patience:
            stopped = 'early_stopping'
            log(f'early stopping: {monitor} did not improve for {bad_epochs} epochs')
        state = {
            'model': model.state_dict(), 'optimizer': optimizer.state_dict(), 'scheduler': scheduler.state_dict(),
            'epoch': epoch, 'best_value': best_value, 'bad_epochs': bad_epochs, 'best_metrics': best_metrics,
            'numpy_rng': rng.bit_generator.state, 'torch_rng': torch.get_rng_state(),
            'cuda_rng': torch.cuda.get_rng_state_all() if device.type == 'cuda' else None,
            'labels': labels, 'config': cfg, 'finished': stopped == 'early_stopping', 'stopped': stopped,
        }
        tmp = last_path.with_suffix('.pt.tmp')
        torch.save(state, tmp)
        tmp.replace(last_path)
        if stopped == 'early_stopping':
            break

    if cfg.get('export') and best_path.is_file():
        from ..inference import save_half

        dest = save_half(best_path, cfg['export'])
        log(f'exported {best_path} -> {dest} (fp16 weights)')
    log(f'done: best {monitor} = {_fmt(best_value)} -> {best_path}')
    return {'run_dir': str(run_dir), 'best': str(best_path), 'last': str(last_path), 'monitor': monitor,
            'best_value': best_value, 'best_metrics': best_metrics, 'epochs': epoch, 'stopped': stopped,
            'labels': labels}
