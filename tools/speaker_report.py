#!/usr/bin/env python3
# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The Markdown report of tools/eval_speaker.sh: one row per evaluation JSON that the recipe wrote
under OUTDIR (the embedding model with AS-norm, the same weights scored by raw cosine, then the shipped
speaker_id used as an embedding extractor), the
calibration of each, and the cost per window at batch 1 on one thread (median of 20 runs after 3
warm-up runs) of the voice-activity detector, the embedding model and the shipped sound_event
classifier (measured once, kept in OUTDIR/cost.json).

    python tools/speaker_report.py OUTDIR [--model OUTDIR/calibrated.pt]   # prints it, writes OUTDIR/report.md
"""
from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

#: (file under a model's folder, speakers, condition); the order of the rows
ROWS = (('eval_dev-b.json', 'voices:dev-b (20)', 'clean'),
        ('eval_dev-b_10dB.json', 'voices:dev-b (20)', '10 dB unseen noise'),
        ('eval_dev.json', 'voices:dev (40, includes the calibration speakers)', 'clean'),
        ('eval_dev-b_lowpass7k.json', 'voices:dev-b (20)', '7 kHz low-pass'),
        ('eval_dev-b_telephone.json', 'voices:dev-b (20)', 'telephone band (300-3400 Hz)'),
        ('eval_dev-b_room.json', 'voices:dev-b (20)', 'room (RT60 0.5 s, 2 m)'),
        ('eval_dev-b_eq.json', 'voices:dev-b (20)', 'microphone EQ (±6 dB)'),
        ('eval_dev-b_0dB.json', 'voices:dev-b (20)', '0 dB unseen noise'))
RUNS, WARMUP = 20, 3


def _pct(value) -> str:
    return 'n/a' if value is None else f'{100 * value:.1f} %'


def _model_info(path: Path) -> tuple[str, dict]:
    from degram.inference.checkpoint import read_payload
    from degram.inference.metadata import ModelMetadata

    payload = read_payload(path)
    meta = ModelMetadata.from_dict(payload.get('metadata'))
    epoch = meta.epoch if meta.epoch is not None else meta.metrics.get('epoch')
    speeds = ((payload.get('metadata') or {}).get('config') or {}).get('data', {}).get('speed_perturb') or []
    speakers = len(payload['labels']) // (1 + len(speeds))   # speed-perturbed copies are classes, not people
    text = f"{meta.name or path.stem} ({speakers} training speakers"
    if speeds:
        text += f" heard at x{', x'.join(f'{s:g}' for s in [1.0, *speeds])}"
    return text + (f', epoch {epoch})' if epoch is not None else ')'), meta


def _median_ms(step) -> float:
    for _ in range(WARMUP):
        step()
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return 1000.0 * statistics.median(times)


def measure_cost(model: Path) -> dict:
    """Milliseconds per window at batch 1, one thread."""
    import numpy as np
    import torch

    import degram
    from degram.speaker import VoiceActivityDetector

    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    second = (0.1 * rng.standard_normal(16000)).astype(np.float32)
    two = (0.1 * rng.standard_normal(32000)).astype(np.float32)
    vad, embedder, events = VoiceActivityDetector(), degram.load_model(model), degram.load_model('sound_event')
    return {'threads': 1, 'runs': RUNS, 'vad_1s': _median_ms(lambda: vad.speech_ratio(second, 16000)),
            'embedding_1s': _median_ms(lambda: embedder.embed(second, 16000)),
            'embedding_2s': _median_ms(lambda: embedder.embed(two, 16000)),
            'sound_event_1s': _median_ms(lambda: events.predict(second, 16000))}


def report(out: Path, model: Path | None) -> str:
    lines = ['| model (training speakers) | evaluated on | condition | EER | minDCF (p=0.01) | top-1 | named, all '
             'enrolled | named, rotations | stranger FAR | non-speech windows named | passed voice gate |',
             '|---|---|---|---|---|---|---|---|---|---|---|']
    notes = []
    for folder in (out, out / 'cosine', out / 'speaker_id'):
        calibrated = folder / 'calibrated.pt'
        if not calibrated.is_file():
            continue
        name, meta = _model_info(calibrated)
        name += ', AS-norm' if meta.speaker_cohort is not None else ', cosine'
        cal = meta.speaker_calibration
        notes.append(f"- {name}: calibrated on {cal.get('speakers')}: threshold {meta.speaker_threshold:.4f}, "
                     f"scale {meta.speaker_score_scale:.2f}; there stranger FAR {_pct(cal.get('far'))}, named "
                     f"{_pct(cal.get('named'))} (rotations), EER {_pct((cal.get('verification') or {}).get('eer'))}")
        for file, speakers, condition in ROWS:
            if not (folder / file).is_file():
                continue
            r = json.loads((folder / file).read_text())
            v, ident, ns = r['verification'], r['identification'], r.get('non_speech') or {}
            everyone, rotations = ident['all_enrolled'], ident['rotations']
            lines.append(f"| {name} | {speakers} | {condition} | {_pct(v['eer'])} | {v['min_dcf']:.3f} | "
                         f"{_pct(everyone['top1'])} | {_pct(everyone['named'])} | {_pct(rotations['named'])} | "
                         f"{_pct(rotations.get('far'))} ({rotations['counts']['false_accepts']}/"
                         f"{rotations['counts']['stranger_trials']}) | {_pct(ns.get('known_rate'))} "
                         f"({ns.get('known')}/{ns.get('windows')}) | {_pct(ns.get('gate_rate'))} |")
    text = '\n'.join(lines) + '\n\n' + '\n'.join(notes) + '\n'
    text += ('\ntop-1: best-scoring enrolled speaker right, any score (3 utterances enrolled per speaker, '
             'the others identified); named: right and at or above the threshold; rotations: 4, a quarter of the '
             'speakers not enrolled each time (their every utterance must come out unknown); non-speech: ESC-50 '
             'fold 4 without vocal classes, speech_commands_noise, digital silence, in the model\'s windows '
             'through the voice gate (min_speech_ratio) and identification.\n')
    cost_file = out / 'cost.json'
    if model is not None and not cost_file.is_file():
        cost_file.write_text(json.dumps(measure_cost(model), indent=1) + '\n')
    if cost_file.is_file():
        cost = json.loads(cost_file.read_text())
        text += ('\n| step (batch 1, 1 thread, median of 20) | ms per 1 s window |\n|---|---|\n'
                 f"| voice-activity detector (silero-vad) | {cost['vad_1s']:.1f} |\n"
                 f"| speaker embedding model | {cost['embedding_1s']:.1f} (2 s window: {cost['embedding_2s']:.1f}) |\n"
                 f"| shipped sound_event classifier | {cost['sound_event_1s']:.1f} |\n")
    return text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('out', type=Path, help='the output folder of tools/eval_speaker.sh')
    parser.add_argument('--model', type=Path, help='the embedding model whose cost to measure (once)')
    args = parser.parse_args()
    text = report(args.out, args.model)
    (args.out / 'report.md').write_text(text)
    print(text)
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
