# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The speaker command line: degram enroll / speakers / identify (see test_speaker.py for the library)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from test_speaker import RATE, ocean_clips, random_rows, tiny_model, vad  # noqa: F401  (fixtures)

from degram.cli import main
from degram.speaker import SpeakerDatabase, model_fingerprint


def test_cli_enroll_speakers_identify_round_trip(tmp_path, capsys):
    vad_flags = [] if _has_silero() else ['--no-vad']
    men, women, other = ocean_clips('SPEAKER0482', 4), ocean_clips('SPEAKER0024', 4), ocean_clips('SPEAKER0560', 1)
    db = str(tmp_path / 'people.db')
    for name, clips in (('man', men), ('woman', women)):
        assert main(['enroll', '--db', db, '--name', name, '--model', 'speaker_id', *vad_flags,
                     *map(str, clips[:3])]) == 0
        assert f"enrolled '{name}'" in capsys.readouterr().out
    assert main(['speakers', '--db', db, '--json']) == 0
    listing = json.loads(capsys.readouterr().out)
    assert [row['name'] for row in listing['speakers']] == ['man', 'woman'] and listing['model']['name'] == 'speaker_id'
    assert all(row['count'] >= 3 for row in listing['speakers'])
    files = [str(men[3]), str(women[3]), str(other[0])]
    assert main(['identify', '--db', db, '--model', 'speaker_id', '--json', *vad_flags, *files]) == 0
    results = json.loads(capsys.readouterr().out)
    assert [r['file'] for r in results] == files
    assert [r['speaker'] for r in results[:2]] == ['man', 'woman'] and results[0]['known'] and results[1]['known']
    for r in results:
        assert set(r) == {'file', 'speaker', 'known', 'score', 'confidence', 'candidates', 'speech_seconds'}
        assert 0.0 <= r['confidence'] <= 1.0 and r['speech_seconds'] > 0.5
        best = r['candidates'][0]
        assert r['score'] == best['score'] and r['speaker'] == (best['name'] if r['known'] else 'unknown')
    # the closed-set speaker_id model names the stranger (its open-set rejection is speaker_embedding's,
    # test_shipped_models): a threshold above the stranger's best score makes it unknown
    stranger = results[2]['candidates'][0]['score']
    assert main(['identify', '--db', db, '--model', 'speaker_id', '--json', *vad_flags, '--threshold',
                 f'{stranger + 0.01:.4f}', files[2]]) == 0
    again = json.loads(capsys.readouterr().out)[0]
    assert (again['speaker'], again['known']) == ('unknown', False) and again['confidence'] < 0.5
    assert again['candidates'][0] == results[2]['candidates'][0]
    assert main(['speakers', '--db', db, '--remove', 'woman']) == 0
    assert 'woman' not in SpeakerDatabase.read(db).names() and Path(db + '.bak').is_file()


def test_cli_says_no_speech_for_silence(vad, tmp_path, capsys):  # noqa: F811  (the fixture)
    import soundfile

    db = tmp_path / 'people.db'
    database = SpeakerDatabase.open(db, *model_fingerprint('speaker_id'))
    database.enroll('alice', random_rows(0, 1, d=512))
    database.save()
    silent = tmp_path / 'silence.wav'
    soundfile.write(silent, np.zeros(2 * RATE, np.float32), RATE)
    assert main(['identify', '--db', str(db), '--model', 'speaker_id', str(silent)]) == 0
    assert capsys.readouterr().out.strip() == f'{silent}: no speech'
    assert main(['enroll', '--db', str(db), '--name', 'ghost', '--model', 'speaker_id', str(silent)]) == 2
    assert 'silence.wav: no speech' in capsys.readouterr().err
    assert SpeakerDatabase.read(db).names() == ['alice']


def test_cli_refuses_a_database_of_another_model_in_one_line(tiny_model, tmp_path, capsys):  # noqa: F811
    db = tmp_path / 'people.db'
    database = SpeakerDatabase.open(db, *model_fingerprint('speaker_id'))
    database.enroll('alice', random_rows(0, 1, d=512))
    database.save()
    wave = tmp_path / 'a.wav'
    import soundfile

    soundfile.write(wave, 0.1 * np.random.default_rng(0).standard_normal(RATE).astype(np.float32), RATE)
    assert main(['identify', '--db', str(db), '--model', str(tiny_model), '--no-vad', str(wave)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith('degram identify: error: ') and len(err.splitlines()) == 1
    assert "'speaker_id'" in err and "'tiny'" in err and 'enrol the speakers again' in err
    assert main(['identify', '--db', str(tmp_path / 'none.db'), '--model', str(tiny_model), '--no-vad',
                 str(wave)]) == 2
    assert 'none.db: no such speaker database' in capsys.readouterr().err


def _has_silero() -> bool:
    try:
        import silero_vad  # noqa: F401
    except ImportError:
        return False
    return True
