# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""`degram teach`, `degram sounds` and `--sounds-db` of `degram predict` / `degram annotate`, end to
end with a tiny model, tones as the taught sound, and the synthetic background only."""
from __future__ import annotations

import json

import numpy as np
import pytest
import soundfile as sf
import torch
from test_sounds import RATE, tiny_model, tone  # noqa: F401  (the fixture)

import degram
from degram.cli.main import main


@pytest.fixture
def setup(tiny_model, tmp_path, monkeypatch):  # noqa: F811
    """(model path, folder with beep1-3.wav, quiet.wav and mixed.wav); the cache under tmp_path."""
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path / 'cache'))
    for i in range(3):
        sf.write(tmp_path / f'beep{i}.wav', tone(1000, seed=i), RATE)
    sf.write(tmp_path / 'quiet.wav', np.zeros(RATE, np.float32), RATE)
    mixed = np.concatenate([np.zeros(2 * RATE, np.float32), tone(1000, 3.0, seed=7), np.zeros(2 * RATE, np.float32)])
    sf.write(tmp_path / 'mixed.wav', mixed, RATE)
    return tiny_model, tmp_path


def test_teach_list_predict_annotate_remove(setup, capsys):
    model, folder = setup
    db = folder / 'sounds.json'
    files = [str(folder / f'beep{i}.wav') for i in range(3)]
    assert main(['teach', '--db', str(db), '--name', 'beep', '--model', str(model), '--no-corpus', *files]) == 0
    out = capsys.readouterr().out
    assert "taught 'beep'" in out and 'held-out windows of the sound detected' in out
    assert main(['sounds', '--db', str(db), '--json']) == 0
    listing = json.loads(capsys.readouterr().out)
    assert [s['name'] for s in listing['sounds']] == ['beep'] and listing['model']['name'] == 'tiny'
    assert listing['sounds'][0]['clips'] == 3

    assert main(['predict', str(model), str(folder / 'beep0.wav'), str(folder / 'quiet.wav'), '--json',
                 '--sounds-db', str(db)]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [t['label'] for t in lines[0]['taught']] == ['beep']
    assert lines[0]['taught'][0]['score'] > 0.5 and lines[0]['taught'][0]['detected']   # a taught clip
    assert lines[1]['taught'] == [{'label': 'beep', 'score': 0.0, 'detected': False}]   # silence: no window

    target = folder / 'out.json'
    assert main(['annotate', '--model', str(model), '--sounds-db', str(db), '--no-progress', '-o', str(target),
                 str(folder / 'mixed.wav')]) == 0
    capsys.readouterr()
    result = json.loads(target.read_text())
    assert any('beep' in row['detections'].split() for row in result['windows'])
    beeps = [e for e in result['events'] if e['label'] == 'beep']
    assert beeps and beeps[0]['class_id'] == 3 and 1.0 <= beeps[0]['onset'] <= 3.5

    assert main(['sounds', '--db', str(db), '--remove', 'beep']) == 0
    assert "removed 'beep'" in capsys.readouterr().out
    assert main(['sounds', '--db', str(db), '--remove', 'beep']) == 2
    assert "no sound named 'beep'" in capsys.readouterr().err


def test_cli_errors_are_one_line_with_status_2(setup, capsys, tmp_path_factory):
    model, folder = setup
    db = folder / 'sounds.json'
    assert main(['teach', '--db', str(db), '--name', 'a', '--model', str(model), '--no-corpus',
                 str(folder / 'beep0.wav')]) == 2
    assert "model's own classes" in capsys.readouterr().err
    assert main(['teach', '--db', str(db), '--name', 'hush', '--model', str(model), '--no-corpus',
                 str(folder / 'quiet.wav')]) == 2
    assert 'silent' in capsys.readouterr().err
    assert main(['sounds', '--db', str(folder / 'none.json')]) == 2
    assert 'no such sound database' in capsys.readouterr().err
    # a database of another model
    torch.manual_seed(1)
    other = degram.save_checkpoint(degram.build_model('degram', 'resnet18', num_classes=2, width=8).eval(),
                                   tmp_path_factory.mktemp('other') / 'other.pt', labels=['x', 'y'],
                                   task='sound_event', name='other', window_length=1.0, hop_length=0.5)
    assert main(['teach', '--db', str(db), '--name', 'beep', '--model', str(model), '--no-corpus',
                 str(folder / 'beep0.wav')]) == 0
    capsys.readouterr()
    assert main(['predict', str(other), str(folder / 'beep0.wav'), '--sounds-db', str(db)]) == 2
    err = capsys.readouterr().err
    assert 'taught with model' in err and len(err.strip().splitlines()) == 1
    assert main(['annotate', '--model', str(other), '--sounds-db', str(db), '-o', str(folder / 'x.json'),
                 str(folder / 'beep0.wav')]) == 2
