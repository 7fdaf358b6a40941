#!/usr/bin/env python3
# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Front-end ablation (the DEGram paper's Tables 6-7, on the shared data): Spectrogram, SincGram,
DESpectrogram and DEGram, each with a ResNet18 backbone, the same recipe and seeds, on

- ``asc``: ASC speaker identification (30 speakers; train repetitions 1-7, validate on 8), and
- ``esc10``: ESC-10 leave-one-fold-out cross-validation over folds 1-4,
- ``esc50``: ESC-50, train on folds 1-3, validate on fold 4 (fold 5 is withheld from this project),

each evaluated on the held-out part clean and with real noise at each SNR (default 10 and 0 dB):
ESC-10 rain / sea_waves / helicopter / chainsaw / fire_crackling clips mixed into the ASC speech;
for ESC-10 the interference is FSDD speech by default (``--esc10-noise``; ``none`` keeps ESC-10
clean-only, a folder uses that folder's clips); for ESC-50 it is the real room recordings of
``speech_commands_noise`` (dishes, exercise bike, running tap; ``--esc50-noise``): the cat of
``dude_miaowing`` is an ESC-50 class and white / pink noise are synthetic.

ESC-50 runs use one recipe, the paper's setting rather than the shipped detector's: softmax
cross-entropy on the 50 classes, trained on clean clips (no negatives, no level changes, no noise),
2 s crops as the shipped model, lr 1e-3, batch 32, best epoch by validation top-1 (``ESC50_RECIPE``).

Every run (task, front-end, fold, seed) trains with :func:`degram.training.train` from the
shipped config (speaker_id.yaml / sound_event_esc10.yaml / sound_event.yaml with ``ESC50_RECIPE``)
with only the front-end, validation fold, seed and the given overrides changed, then writes
``<output>/results/<run>.json``. Finished runs are skipped when the script is started again (so it
can be scheduled piecemeal); the Markdown report (mean ± std of top-1 and mAP over folds × seeds)
is rewritten from every result found.

Full run (heavy: 4 front-ends × (1 + 4) trainings × seeds):
    python tools/ablation.py --output runs/ablation --report runs/ablation/ablation.md
ESC-50 at a fixed CPU budget (docs/training.md; two processes side by side on 2 cores):
    python tools/ablation.py --tasks esc50 --max-epochs 20 --num-threads 1 --output runs/abl50
Smoke run on 2 CPU cores:
    python tools/ablation.py --output /tmp/abl --max-epochs 1 --max-steps-per-epoch 1 \
        --folds 4 --frontends spectrogram,degram --batch-size 8 --num-threads 2 --eval-limit 40
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
try:
    import degram  # noqa: F401
except ImportError:  # run from a checkout without installing the package
    sys.path.insert(0, str(REPO / 'degram'))

FRONTENDS = ('spectrogram', 'sincgram', 'despectrogram', 'degram')
FRONTEND_NAMES = {'spectrogram': 'Spectrogram', 'sincgram': 'SincGram', 'despectrogram': 'DESpectrogram',
                  'degram': 'DEGram'}
TASKS = {
    # name: (shipped config, dataset spec, title)
    'asc': ('speaker_id', 'asc:speaker', 'ASC speaker ID'),
    'esc10': ('sound_event_esc10', 'esc10', 'ESC-10'),
    'esc50': ('sound_event', 'esc50', 'ESC-50'),
}
# the shipped sound_event config is the multi-label detector; the ablation compares front-ends
# on the plain 50-class task, trained clean, as the paper does
ESC50_RECIPE = ('train.loss=ce', 'data.negatives=null', 'data.negative_prob=0.0', 'data.silence_prob=0.0',
                'data.gain_db_min=0.0', 'data.gain_db_max=0.0', 'data.noise=null', 'train.monitor=val_top1',
                'train.init_trunk_from=null')
TASK_OVERRIDES = {'esc50': ESC50_RECIPE}
ESC50_NOISE = ('doing_the_dishes.flac', 'exercise_bike.flac', 'running_tap.flac')
NOISE_CLASSES = ('rain', 'sea_waves', 'helicopter', 'chainsaw', 'fire_crackling')


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    p.add_argument('--tasks', default='asc,esc10', help='comma list of asc, esc10, esc50 (default asc,esc10)')
    p.add_argument('--frontends', default=','.join(FRONTENDS), help=f'comma list (default {",".join(FRONTENDS)})')
    p.add_argument('--folds', default='1,2,3,4', help='ESC-10 validation folds (default 1,2,3,4)')
    p.add_argument('--esc50-folds', default='4', help='ESC-50 validation folds (default 4; 5 is withheld)')
    p.add_argument('--asc-validation', default='8', help='ASC repetition(s) held out (default 8)')
    p.add_argument('--seeds', default='0', help='comma list of seeds (default 0)')
    p.add_argument('--snrs', default='10,0', help='noisy-evaluation SNRs in dB (default 10,0)')
    p.add_argument('--noise-classes', default=','.join(NOISE_CLASSES),
                   help='ESC-10 classes used as noise for ASC (default %(default)s)')
    p.add_argument('--esc10-noise', default='fsdd',
                   help="noise for ESC-10's noisy evaluation: fsdd (speech, default), none, or a folder")
    p.add_argument('--esc50-noise', default=','.join(ESC50_NOISE),
                   help="noise files in speech_commands_noise for ESC-50's noisy evaluation (default %(default)s)")
    p.add_argument('--noise-seed', type=int, default=0, help='seed of the noise mixing (default 0)')
    p.add_argument('--max-epochs', type=int, help='train.max_epochs (default: the config, 200 with early stopping)')
    p.add_argument('--max-steps-per-epoch', type=int, help='train.max_steps_per_epoch (smoke runs)')
    p.add_argument('--batch-size', type=int, help='train.batch_size (default: the config, 64)')
    p.add_argument('--device', default='auto', help='auto, cpu, cuda (default auto)')
    p.add_argument('--num-threads', type=int, help='torch CPU threads')
    p.add_argument('--data-root', help='folder holding the shared datasets')
    p.add_argument('--output', default='runs/ablation', help='runs and results folder (default runs/ablation)')
    p.add_argument('--report', help='Markdown file (default <output>/ablation.md)')
    p.add_argument('--eval-limit', type=int, help='evaluate only the first N held-out clips (smoke runs)')
    p.add_argument('--set', action='append', default=[], metavar='KEY=VALUE',
                   help='extra config override for every run (repeatable), e.g. --set model.dropout=0.3')
    p.add_argument('--rerun', action='store_true', help='train again even if a result exists')
    p.add_argument('--report-only', action='store_true', help='only rewrite the report from existing results')
    return p.parse_args(argv)


def _csv(s: str) -> list[str]:
    return [x.strip() for x in str(s).split(',') if x.strip()]


def plan(args) -> list[dict]:
    runs = []
    for task in _csv(args.tasks):
        if task not in TASKS:
            raise SystemExit(f'unknown task {task!r}; choose from {sorted(TASKS)}')
        folds = {'esc10': _csv(args.folds), 'esc50': _csv(args.esc50_folds)}.get(task, [args.asc_validation])
        for fe in _csv(args.frontends):
            if fe not in FRONTENDS:
                raise SystemExit(f'unknown front-end {fe!r}; choose from {FRONTENDS}')
            for fold in folds:
                for seed in _csv(args.seeds):
                    runs.append({'task': task, 'frontend': fe, 'fold': fold, 'seed': int(seed),
                                 'name': f'{task}_{fe}_val{fold.replace(",", "+")}_s{seed}'})
    return runs


def noise_sources(task: str, args) -> list[str] | None:
    from degram.data import DatasetError, find_data_root

    def data_root() -> Path:
        root = find_data_root(args.data_root)
        if root is None:
            raise DatasetError('no data root: pass --data-root')
        return root

    if task == 'asc':
        return [str(data_root() / 'esc10' / 'audio' / c) for c in _csv(args.noise_classes)]
    if task == 'esc50':
        return [str(data_root() / 'speech_commands_noise' / f) for f in _csv(args.esc50_noise)]
    choice = str(args.esc10_noise)
    if choice.lower() == 'none':
        return None
    if choice.lower() == 'fsdd':
        return [str(data_root() / 'fsdd' / 'recordings')]
    return [choice]


def run_config(run: dict, args, out: Path) -> dict:
    """The training config of one run: the task's shipped config and recipe, only the front-end,
    validation fold, seed and the command line's overrides changed."""
    from degram.training import load_config

    config_name, spec, _ = TASKS[run['task']]
    overrides = [*TASK_OVERRIDES.get(run['task'], ()),
                 f'model.frontend={run["frontend"]}', f'data.spec={spec}', f'data.validation={run["fold"]}',
                 f'train.seed={run["seed"]}', f'name={run["name"]}', f'output={json.dumps(str(out / "runs"))}',
                 'export=null', f'train.device={args.device}']
    if args.max_epochs:
        overrides.append(f'train.max_epochs={args.max_epochs}')
    if args.max_steps_per_epoch:
        overrides.append(f'train.max_steps_per_epoch={args.max_steps_per_epoch}')
    if args.batch_size:
        overrides.append(f'train.batch_size={args.batch_size}')
    if args.num_threads:
        overrides.append(f'train.num_threads={args.num_threads}')
    if args.data_root:
        overrides.append(f'data.data_root={json.dumps(args.data_root)}')
    return load_config(config_name, overrides + list(args.set))


def run_one(run: dict, args, out: Path) -> dict:
    import numpy as np
    import torch

    from degram.data import NoiseBank, open_dataset
    from degram.evaluation import evaluate
    from degram.inference import load_checkpoint
    from degram.training import train

    spec = TASKS[run['task']][1]
    cfg = run_config(run, args, out)
    t0 = time.perf_counter()
    summary = train(cfg, resume=True)
    train_s = time.perf_counter() - t0

    device = 'cuda' if args.device == 'auto' and torch.cuda.is_available() else (
        'cpu' if args.device == 'auto' else args.device)
    ckpt = load_checkpoint(summary['best'], device=device)
    dataset = open_dataset(spec, args.data_root, sample_rate=ckpt.sample_rate)
    _, val = dataset.split(run['fold'])
    if args.eval_limit:
        val = np.random.default_rng(0).permutation(val)[:args.eval_limit]
    conditions = {'clean': evaluate(ckpt.model, dataset, val, labels=ckpt.labels, device=device)}
    sources = noise_sources(run['task'], args)
    if sources:
        bank = NoiseBank(sources, ckpt.sample_rate)
        for snr in _csv(args.snrs):
            conditions[f'{float(snr):g}dB'] = evaluate(ckpt.model, dataset, val, labels=ckpt.labels, noise=bank,
                                                        snr=float(snr), seed=args.noise_seed, device=device)
    result = dict(run, train_seconds=train_s, epochs=summary['epochs'], stopped=summary['stopped'],
                  best_metrics=summary['best_metrics'], noise=sources, checkpoint=summary['best'],
                  results={c: {k: r[k] for k in ('top1', 'top5', 'map', 'auc', 'dprime', 'n')}
                           for c, r in conditions.items()})
    return result


def _stat(values) -> str:
    vals = [v for v in values if v is not None and math.isfinite(v)]
    if not vals:
        return '–'
    mean = sum(vals) / len(vals)
    if len(vals) == 1:
        return f'{mean:.3f}'
    std = math.sqrt(sum((v - mean) ** 2 for v in vals) / (len(vals) - 1))
    return f'{mean:.3f} ± {std:.3f}'


def write_report(out: Path, report: Path, args) -> str:
    results = [json.loads(p.read_text()) for p in sorted((out / 'results').glob('*.json'))]
    tasks = [t for t in TASKS if any(r['task'] == t for r in results)]
    conds = {t: [] for t in tasks}
    for r in results:
        for c in r['results']:
            if c not in conds[r['task']]:
                conds[r['task']].append(c)
    for t in tasks:
        conds[t].sort(key=lambda c: (c != 'clean', -float(c[:-2]) if c.endswith('dB') else 0))
    lines = ['# Front-end ablation (ResNet18 backbone)', '',
             (f'Generated {time.strftime("%Y-%m-%d %H:%M")} by `tools/ablation.py` from {len(results)} run(s) '
              f'in `{out}`. Mean ± sample std over folds × seeds; held-out clips only.'), '']
    for t in tasks:
        rs = [r for r in results if r['task'] == t]
        folds = sorted({r['fold'] for r in rs})
        seeds = sorted({r['seed'] for r in rs})
        epochs = sorted({r['epochs'] for r in rs})
        noise = next((r['noise'] for r in rs if r.get('noise')), None)
        desc = (f'validation {"repetition" if t == "asc" else "folds"} {", ".join(folds)}; seeds '
                f'{", ".join(map(str, seeds))}; epochs trained {epochs[0]}–{epochs[-1]}')
        if noise:
            desc += '; noise: ' + ', '.join(Path(n).name for n in noise)
        lines += [f'- **{TASKS[t][2]}**: {desc}']
    lines.append('')
    for metric, title in (('top1', 'Top-1 accuracy'), ('map', 'mAP'), ('dprime', "d′")):
        header = ['Front-end'] + [f'{TASKS[t][2]} {c}' for t in tasks for c in conds[t]]
        lines += [f'## {title}', '', '| ' + ' | '.join(header) + ' |', '|' + '---|' * len(header)]
        for fe in FRONTENDS:
            if not any(r['frontend'] == fe for r in results):
                continue
            cells = [FRONTEND_NAMES[fe]]
            for t in tasks:
                for c in conds[t]:
                    cells.append(_stat([r['results'][c][metric] for r in results
                                        if r['task'] == t and r['frontend'] == fe and c in r['results']]))
            lines.append('| ' + ' | '.join(cells) + ' |')
        lines.append('')
    text = '\n'.join(lines)
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(text)
    return text


def main(argv=None) -> int:
    args = parse_args(argv)
    out = Path(args.output)
    report = Path(args.report) if args.report else out / 'ablation.md'
    (out / 'results').mkdir(parents=True, exist_ok=True)
    if not args.report_only:
        runs = plan(args)
        for n, run in enumerate(runs, 1):
            dest = out / 'results' / f'{run["name"]}.json'
            if dest.is_file() and not args.rerun:
                print(f'[{n}/{len(runs)}] {run["name"]}: done already, skipped', flush=True)
                continue
            print(f'[{n}/{len(runs)}] {run["name"]}: training', flush=True)
            if args.rerun:
                import shutil

                shutil.rmtree(out / 'runs' / run['name'], ignore_errors=True)
            result = run_one(run, args, out)
            dest.write_text(json.dumps(result, indent=2) + '\n')
            print(f'[{n}/{len(runs)}] {run["name"]}: ' + ', '.join(
                f'{c} top-1 {r["top1"]:.3f}' for c, r in result['results'].items()), flush=True)
    text = write_report(out, report, args)
    print(text)
    print(f'wrote {report}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
