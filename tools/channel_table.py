# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""One robustness table per model: clip top-1 (and mAP) clean and through each channel condition,
on the same clips (degram eval --channel, degram.evaluation.evaluate_checkpoint).

    python tools/channel_table.py --model sound_event --data esc50 --output docs/models/sound_event_channels.json

Rows: clean, 7 kHz low-pass, telephone band, room (RT60 0.5 s, 2 m), microphone EQ, and real noise
unseen in training (the running tap) at 10 and 0 dB. ``--parts esc10`` (the default for esc50)
also splits the clips into ESC-10 classes and the rest: fold 4's two sources (full band / band
limited, shared/data/esc50/README.md). Prints a markdown table; --output keeps the numbers.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ESC10 = ('dog', 'rain', 'sea_waves', 'crying_baby', 'clock_tick', 'sneezing', 'helicopter', 'chainsaw',
         'rooster', 'crackling_fire')
NOISE = 'speech_commands_noise/running_tap.flac'   # in no training recipe's noise or negatives
CONDITIONS = {   # row name: channel conditions, applied in order
    'clean': [],
    '7 kHz low-pass': ['lowpass:7000'],
    'telephone band': ['band:300-3400'],
    'room (RT60 0.5 s)': ['room:0.5'],
    'mic EQ (±6 dB)': ['eq'],
    '10 dB noise': [f'noise:{NOISE}@10'],
    '0 dB noise': [f'noise:{NOISE}@0'],
}


def _top1(result: dict, keep: np.ndarray) -> float | None:
    predictions = result['_predictions']
    if not keep.any():
        return None
    return float(np.mean(predictions['probs'][keep].argmax(1) == predictions['y_true'][keep]))


def measure(model: str, data: str, parts: bool, data_root=None, split: str = 'val') -> list[dict]:
    from degram.evaluation import evaluate_checkpoint
    rows = []
    for name, channel in CONDITIONS.items():
        result = evaluate_checkpoint(model, data, split=split, data_root=data_root, channel=channel)
        labels = np.asarray(result['labels'])[result['_predictions']['y_true']]
        row = {'condition': name, 'channel': channel, 'n': result['n'], 'top1': result['top1'],
               'map': result['map']}
        if parts:
            in_esc10 = np.isin(labels, ESC10)
            row['top1_esc10'] = _top1(result, in_esc10)
            row['top1_rest'] = _top1(result, ~in_esc10)
        rows.append(row)
        print(f'{name}: top-1 {row["top1"]:.3f}', file=sys.stderr, flush=True)
    return rows


def markdown(rows: list[dict]) -> str:
    clean = rows[0]['top1']
    parts = 'top1_esc10' in rows[0]
    head = '| condition | clips | top-1 | of clean | mAP |' + (' ESC-10 classes | the other 40 |' if parts else '')
    lines = [head, '|' + '---|' * (head.count('|') - 1)]
    for r in rows:
        cells = [r['condition'], str(r['n']), f'{r["top1"]:.3f}', f'{r["top1"] / clean:.2f}' if clean else '-',
                 f'{r["map"]:.3f}']
        if parts:
            cells += [f'{r["top1_esc10"]:.3f}', f'{r["top1_rest"]:.3f}']
        lines.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--model', required=True, help='checkpoint or shipped model name')
    parser.add_argument('--data', default='esc50', help='dataset spec (default esc50: its fold 4)')
    parser.add_argument('--split', default='val', help='val (default), train or all')
    parser.add_argument('--parts', choices=('esc10', 'none'), help='split the clips into ESC-10 classes and the '
                        'rest (default: esc10 for esc50)')
    parser.add_argument('--data-root', help='the shared datasets (default: $DEGRAM_DATA or shared/data)')
    parser.add_argument('--num-threads', type=int, default=2)
    parser.add_argument('--output', metavar='FILE.json')
    args = parser.parse_args(argv)
    import torch
    torch.set_num_threads(args.num_threads)
    parts = (args.parts or ('esc10' if args.data == 'esc50' else 'none')) == 'esc10'
    rows = measure(args.model, args.data, parts, args.data_root, args.split)
    print(markdown(rows))
    if args.output:
        out = Path(args.output)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps({'model': args.model, 'data': args.data, 'rows': rows}, indent=2) + '\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
