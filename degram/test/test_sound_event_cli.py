# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""`degram calibrate --data` and `degram eval --windows` for a sound-event model, end to end on tiny
files: the calibrated copy carries thresholds and a level gate, and the window evaluation uses them."""
import json

import numpy as np
import pytest
import soundfile as sf
import torch

from degram import build_model, load_checkpoint, save_checkpoint
from degram.cli import main

RATE = 16000


@pytest.fixture(scope='module')
def tones(tmp_path_factory):
    """8 tone clips of two classes in a path,label manifest, a noise recording, an untrained
    multi-label 2-class checkpoint."""
    root = tmp_path_factory.mktemp('tones')
    rows = ['path,label']
    t = np.arange(3 * RATE) / RATE
    for n in range(8):
        label, freq = ('low', 300 + 20 * n) if n < 4 else ('high', 3000 + 200 * n)
        sf.write(root / f'{label}{n}.wav', (0.3 * np.sin(2 * np.pi * freq * t)).astype(np.float32), RATE)
        rows.append(f'{label}{n}.wav,{label}')
    (root / 'clips.csv').write_text('\n'.join(rows) + '\n')
    (root / 'noise').mkdir()
    hiss = 0.05 * np.random.default_rng(0).standard_normal(5 * RATE)
    sf.write(root / 'noise' / 'hiss.wav', hiss.astype(np.float32), RATE)
    torch.manual_seed(0)
    model = build_model('degram', 'resnet18', num_classes=2, top_db=80.0, width=8)
    save_checkpoint(model, root / 'model.pt', labels=['high', 'low'], task='sound_event', multi_label=True,
                    window_length=1.0, hop_length=0.5)
    return root


def test_calibrate_then_eval_windows_with_the_calibrated_thresholds(tones, tmp_path, capsys):
    calibrated = tmp_path / 'calibrated.pt'
    assert main(['calibrate', '--model', str(tones / 'model.pt'), '--data', str(tones / 'clips.csv'),
                 '--negatives', str(tones / 'noise'), '--max-false-rate', '0', '-o', str(calibrated),
                 '--num-threads', '1']) == 0
    meta = load_checkpoint(calibrated).metadata
    thresholds = list(meta['thresholds'])
    # no false detection allowed on the hiss, which the untrained model scores near 0.5: above the default
    assert len(thresholds) == 2 and all(0.5 < x < 1.0 for x in thresholds)
    assert meta['min_level_db'] is not None and meta['min_level_db'] < -20
    out = tmp_path / 'eval.json'
    assert main(['eval', '--model', str(calibrated), '--data', str(tones / 'clips.csv'), '--windows',
                 '--out-of-set', f'hiss={tones / "noise"}', '--output', str(out), '--no-plot',
                 '--num-threads', '1']) == 0
    windows = json.loads(out.read_text())['windows']
    assert (windows['window_length'], windows['hop_length']) == (1.0, 0.5)     # the model's own
    assert windows['thresholds']['min'] == pytest.approx(min(thresholds))   # the calibrated ones
    assert windows['thresholds']['max'] == pytest.approx(max(thresholds))
    # 8 clips of 3 s: 5 windows each, all as loud as the loudest; the 5 s hiss gives 9 windows
    assert windows['positives']['windows'] == 40
    hiss = windows['out_of_set']['hiss']
    assert hiss['windows'] == 9 and hiss['false_detections'] == 0     # what the calibration promised
    assert 'false detections on hiss' in capsys.readouterr().out
