# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The few-shot protocol (``degram eval --few-shot``): how well a sound-event model learns sounds
nobody trained it on, from 1-5 examples.

The model is trained without some ESC-50 classes (the ``sound_event_fewshot`` recipe leaves out
10, drawn with seed 20; their names are in the checkpoint's config, ``data.exclude_labels``).
Every clip of those classes (folds 1-4) is cut into the model's windows; the windows that hold the
sound (within 20 dB of the clip's loudest, above the level gate) are embedded once.

- **N-way K-shot accuracy** (N = 5, 10; K = 1, 3, 5): ``episodes`` seeded episodes; each draws N
  of the classes, K support clips and ``queries`` other clips per class; a class's prototype is
  the mean direction of its support windows (as :func:`degram.sounds.teach` makes it); a query
  clip (the mean direction of its windows) is named after its nearest prototype by cosine.
- **Detection** (5 examples): ``draws`` seeded draws of 5 support clips per class; all classes are
  taught at once with :func:`degram.sounds.teach` against the default background (synthetic
  silence and noise, speech of speechocean762 speakers 0-4 / ASC 1-9 / FSDD george, jackson, the
  three training noises, ESC-50 folds 1-3 of the known classes). *Recall*: the share of windows
  of the class's other clips that hold the sound in which that class is detected.
- **False detections**: the share of windows in which any taught class is detected, on material
  disjoint from the background: speech (speechocean762 speakers 5-9, ASC 25-30, FSDD theo and
  yweweler), room noise (pink noise, running tap), silence (digital silence, white noise at
  -90/-75/-60 dBFS; windows below the level gate detect nothing, as in the node) and the known
  classes (ESC-50 fold 4 of the model's own classes).
- **Teach time**: wall time of one :func:`degram.sounds.teach` call from 5 clip files (decode,
  windows, embeddings, calibration; the background cached), the median over the classes.
"""
from __future__ import annotations

import csv
import time
from glob import glob
from pathlib import Path

import numpy as np

from ..events.detector import level_db
from .background import Background
from .database import SoundDatabase
from .embedding import cut, gate_db, loud_windows, window_embeddings
from .matcher import SoundMatcher
from .teach import teach

__all__ = ['EVAL_SOURCES', 'TARGETS', 'evaluate_few_shot', 'held_out_classes']

#: false-detection material (relative to the data root): disjoint from the background and the training negatives
EVAL_SOURCES = {
    'speech': ['speechocean762/audio/SPEAKER[5-9]*/*.ogg', 'arabic_speech_commands/audio/*/0000002[5-9]_*.flac',
               'arabic_speech_commands/audio/*/00000030_*.flac', 'fsdd/recordings/*_theo_*.wav',
               'fsdd/recordings/*_yweweler_*.wav'],
    'room_noise': ['speech_commands_noise/pink_noise.flac', 'speech_commands_noise/running_tap.flac'],
}
FILES_PER_GLOB = 40
#: the issue's targets: (metric key, comparison, value)
TARGETS = {'10way_5shot': ('>=', 0.80), '10way_1shot': ('>=', 0.55), 'recall': ('>=', 0.70),
           'false_speech': ('<=', 0.01), 'false_silence': ('<=', 0.01), 'teach_seconds': ('<=', 2.0)}


def held_out_classes(predictor) -> list[str]:
    """The classes the model was trained without (its config's ``data.exclude_labels``), or []."""
    config = getattr(predictor.metadata, 'config', None) or {}
    left = (config.get('data') or {}).get('exclude_labels') or []
    return sorted([left] if isinstance(left, str) else left)


def _esc50_rows(root: Path) -> list[dict]:
    meta = root / 'esc50' / 'meta.csv'
    if not meta.is_file():
        raise FileNotFoundError(f'{meta}: the few-shot protocol needs ESC-50 (esc50/meta.csv under the data root)')
    with open(meta, newline='') as fh:
        return list(csv.DictReader(fh))


def _unit(rows):
    rows = np.asarray(rows, dtype=np.float64)
    return rows / np.maximum(np.linalg.norm(rows, axis=-1, keepdims=True), 1e-12)


def _clip_windows(predictor, path: str) -> np.ndarray:
    """A clip's sound windows' embeddings (N, D) (N may be 0)."""
    from ..audio import load_audio

    samples, rate = load_audio(path, predictor.sample_rate)
    windows = cut(predictor, samples, rate)
    keep = loud_windows(windows, gate_db(predictor))
    return window_embeddings(predictor, windows[keep]).astype(np.float64)


def _all_windows(predictor, recordings) -> np.ndarray:
    """Every window above the level gate of (path | (samples, rate)) recordings → (M, D); a window
    under the gate is never scored (the node's level gate), so it cannot be a false detection."""
    from ..audio import load_audio

    gate, rows = gate_db(predictor), []
    for item in recordings:
        samples, rate = item if isinstance(item, tuple) else load_audio(item, predictor.sample_rate)
        windows = cut(predictor, samples, rate)
        if len(windows):
            windows = windows[[level_db(w) >= gate for w in windows]]
        rows.append(window_embeddings(predictor, windows).astype(np.float64))
    return np.concatenate(rows) if rows else np.zeros((0, 0))


def _sample_files(root: Path, globs, rng, limit: int) -> list[str]:
    files = []
    for pattern in globs:
        found = sorted(glob(str(root / pattern)))
        if len(found) > limit:
            found = [found[i] for i in sorted(rng.choice(len(found), limit, replace=False))]
        files += found
    return files


def _detected(matcher, embeddings) -> np.ndarray:
    """(M, D) windows → (M, K) bool: each taught sound at or above its threshold."""
    if not len(embeddings):
        return np.zeros((0, len(matcher)), bool)
    return matcher.detections(embeddings)


def _accuracy(clips: dict, classes: list[str], ways: int, shots: int, queries: int, episodes: int, rng) -> float:
    correct = total = 0
    for _ in range(episodes):
        chosen = sorted(rng.choice(len(classes), ways, replace=False)) if ways < len(classes) else range(ways)
        protos, query_rows, truth = [], [], []
        for k, c in enumerate(chosen):
            items = clips[classes[c]]
            order = rng.permutation(len(items))
            protos.append(_unit(np.concatenate([items[i] for i in order[:shots]]).sum(axis=0)))
            for i in order[shots:shots + queries]:
                query_rows.append(_unit(items[i].sum(axis=0)))
                truth.append(k)
        guess = np.argmax(np.stack(query_rows) @ np.stack(protos).T, axis=1)
        correct += int(np.sum(guess == np.asarray(truth)))
        total += len(truth)
    return correct / max(total, 1)


def evaluate_few_shot(predictor, classes=None, data_root=None, *, episodes: int = 200, queries: int = 5,
                      draws: int = 5, ways=(5, 10), shots=(1, 3, 5), seed: int = 0, clips_per_class=None,
                      files_per_glob: int = FILES_PER_GLOB, background: Background | None = None,
                      progress=None) -> dict:
    """The protocol of the module docstring → a JSON-like dict (accuracies, recall, false
    detections per kind, teach time, and the targets met). ``classes``: default
    :func:`held_out_classes`. ``clips_per_class`` and ``files_per_glob`` (false-detection files
    per source) limit the work (a smoke test); ``background``: instead of the default one."""
    from ..data import find_data_root

    say = progress or (lambda message: None)
    classes = sorted(classes or held_out_classes(predictor))
    if len(classes) < 2:
        raise ValueError('the few-shot protocol needs at least 2 held-out classes: train with data.exclude_labels '
                         '(the sound_event_fewshot recipe) or name them')
    known = [label for label in predictor.labels if label not in classes]
    overlap = sorted(set(classes) & set(predictor.labels))
    root = find_data_root(data_root)
    if root is None:
        raise FileNotFoundError('no data root: the few-shot protocol needs the shared data (--data-root)')
    root = Path(root)
    rng = np.random.default_rng(seed)
    rows = _esc50_rows(root)
    missing = sorted(set(classes) - {r['category'] for r in rows})
    if missing:
        raise ValueError(f'not ESC-50 classes: {missing}')
    files = {c: [str(root / 'esc50' / 'audio' / r['filename']) for r in rows if r['category'] == c] for c in classes}
    if clips_per_class:
        files = {c: f[:clips_per_class] for c, f in files.items()}
    start = time.perf_counter()
    clips, clip_files = {}, {}
    for c in classes:
        pairs = [(f, _clip_windows(predictor, f)) for f in files[c]]
        pairs = [(f, e) for f, e in pairs if len(e)]
        clips[c], clip_files[c] = [e for _, e in pairs], [f for f, _ in pairs]
    say(f'embedded {sum(len(v) for v in clips.values())} clips of {len(classes)} held-out classes '
        f'in {time.perf_counter() - start:.0f} s')
    most = max(shots)
    if min(len(v) for v in clips.values()) < most + 1:
        raise ValueError(f'every class needs at least {most + 1} clips with sound')
    result = {'model': predictor.name, 'classes': classes, 'known_classes': len(known),
              'classes_the_model_was_trained_on': overlap, 'episodes': episodes, 'queries': queries,
              'draws': draws, 'seed': seed, 'window_length': None, 'accuracy': {}}
    from .embedding import window_and_hop

    result['window_length'], result['hop_length'] = window_and_hop(predictor)
    if background is None:
        background = Background.build(predictor, corpus=True, data_root=root, known_labels=known)
    say(f'background: {background.counts()}')
    centre = background.center().astype(np.float64)   # the space teach() compares in
    centred = {c: [_unit(e - centre) for e in v] for c, v in clips.items()}
    for n in ways:
        if n > len(classes):
            continue
        for k in shots:
            result['accuracy'][f'{n}way_{k}shot'] = round(_accuracy(centred, classes, n, k, queries, episodes, rng),
                                                           4)
    negatives = {kind: _all_windows(predictor, _sample_files(root, globs, np.random.default_rng(seed), files_per_glob))
                 for kind, globs in EVAL_SOURCES.items()}
    from ..evaluation.windows import silence_recordings

    negatives['silence'] = _all_windows(predictor, silence_recordings(predictor.sample_rate))
    fold4 = [str(root / 'esc50' / 'audio' / r['filename']) for r in rows if r['category'] in known and r['fold'] == '4']
    negatives['known_classes'] = _all_windows(predictor, fold4)
    say('negative windows: ' + ', '.join(f'{k} {len(v)}' for k, v in negatives.items()))

    hits = total = 0
    other_hits = 0
    per_class = {c: [0, 0] for c in classes}
    false = {kind: [0, 0] for kind in negatives}
    teach_seconds, thresholds = [], []
    for draw in range(draws):
        database = SoundDatabase(Path('unused.json'), predictor.name, '')
        held = {}
        for c in classes:
            order = rng.permutation(len(clips[c]))
            support, held[c] = order[:most], order[most:]
            recordings = [clip_files[c][i] for i in support]
            begin = time.perf_counter()
            teach(predictor, database, c if c not in predictor.labels else f'taught:{c}', recordings, background)
            if draw == 0:
                teach_seconds.append(time.perf_counter() - begin)
        sounds = database.sounds()
        matcher = SoundMatcher.of(database)
        names = [s.name.removeprefix('taught:') for s in sounds]
        thresholds += [s.threshold for s in sounds]

        for j, c in enumerate(names):
            for i in held[c]:
                found = _detected(matcher, clips[c][i])
                hits += int(found[:, j].sum())
                per_class[c][0] += int(found[:, j].sum())
                per_class[c][1] += len(found)
                total += len(found)
                other_hits += int(np.delete(found, j, axis=1).any(axis=1).sum())
        for kind, embeddings in negatives.items():
            found = _detected(matcher, embeddings)
            false[kind][0] += int(found.any(axis=1).sum()) if len(found) else 0
            false[kind][1] += len(found)
    result['detection'] = {
        'shots': most, 'recall': round(hits / max(total, 1), 4), 'windows': total,
        'another_taught_class_detected': round(other_hits / max(total, 1), 4),
        'recall_per_class': {c: round(h / max(n, 1), 4) for c, (h, n) in per_class.items()},
        'threshold_median': round(float(np.median(thresholds)), 4)}
    result['false_detections'] = {kind: {'rate': round(h / max(n, 1), 4), 'windows': n // max(draws, 1)}
                                  for kind, (h, n) in false.items()}
    result['teach_seconds'] = round(float(np.median(teach_seconds)), 3)
    result['teach_seconds_max'] = round(float(np.max(teach_seconds)), 3)
    accuracy = result['accuracy']
    values = {'10way_5shot': accuracy.get('10way_5shot'), '10way_1shot': accuracy.get('10way_1shot'),
              'recall': result['detection']['recall'], 'false_speech': result['false_detections']['speech']['rate'],
              'false_silence': result['false_detections']['silence']['rate'], 'teach_seconds': result['teach_seconds']}
    result['targets'] = {key: {'value': values[key], 'target': f'{op} {bound}',
                               'met': None if values[key] is None else
                               (values[key] >= bound if op == '>=' else values[key] <= bound)}
                         for key, (op, bound) in TARGETS.items()}
    return result


def format_few_shot(result: dict) -> str:
    """The result as the text ``degram eval --few-shot`` prints (a Markdown table)."""
    names = ', '.join(result['classes'])
    lines = [f"{result['model']}: few-shot on {len(result['classes'])} held-out classes ({names})"
             + (f"; WARNING: the model was trained on {result['classes_the_model_was_trained_on']}"
                if result['classes_the_model_was_trained_on'] else ''),
             '', '| metric | value | target |', '|---|---|---|']
    targets = result['targets']
    for key, value in result['accuracy'].items():
        ways, shots = key.split('_')
        mark = targets.get(key)
        lines.append(f"| {ways[:-3]}-way {shots[:-4]}-shot accuracy | {value:.3f} | "
                     + (f"{mark['target']} {'met' if mark['met'] else 'missed'}" if mark else '') + ' |')
    det = result['detection']
    lines.append(f"| taught class detected in its windows ({det['shots']}-shot, {det['windows']} windows) | "
                 f"{det['recall']:.3f} | {targets['recall']['target']} "
                 f"{'met' if targets['recall']['met'] else 'missed'} |")
    lines.append(f"| another taught class detected there | {det['another_taught_class_detected']:.3f} | |")
    for kind, rate in result['false_detections'].items():
        key = {'speech': 'false_speech', 'silence': 'false_silence'}.get(kind)
        mark = f"{targets[key]['target']} {'met' if targets[key]['met'] else 'missed'}" if key else ''
        lines.append(f"| false detections on {kind.replace('_', ' ')} ({rate['windows']} windows) | "
                     f"{rate['rate']:.4f} | {mark} |")
    mark = targets['teach_seconds']
    lines.append(f"| teach from 5 clips (median s, max {result['teach_seconds_max']:.2f}) | "
                 f"{result['teach_seconds']:.2f} | {mark['target']} {'met' if mark['met'] else 'missed'} |")
    return '\n'.join(lines)
