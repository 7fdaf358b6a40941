# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Few-shot sounds (degram.sounds): the database file (round trip, .bak, foreign and damaged
files), prototypes, threshold calibration against a background, the matcher's scores, the
extended predictor, teaching end to end with a tiny model, and the background cache."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

import degram
from degram.sounds import (
    Background,
    SoundDatabase,
    SoundDatabaseError,
    SoundMatcher,
    TaughtPredictor,
    calibrate,
    check_sound_name,
    model_fingerprint,
    prototypes_of,
    teach,
)
from degram.sounds.embedding import cut, loud_windows

SHA = 'b' * 64
RATE = 16000


def unit(rows) -> np.ndarray:
    """Rows scaled to unit length."""
    rows = np.asarray(rows, dtype=np.float64)
    return rows / np.linalg.norm(rows, axis=-1, keepdims=True)


@pytest.fixture(scope='module')
def tiny_model(tmp_path_factory) -> Path:
    """A random 3-class sound-event checkpoint with 1 s windows."""
    torch.manual_seed(0)
    model = degram.build_model('degram', 'resnet18', num_classes=3, width=8).eval()
    return degram.save_checkpoint(model, tmp_path_factory.mktemp('sounds') / 'tiny.pt', labels=['a', 'b', 'c'],
                                  task='sound_event', name='tiny', window_length=1.0, hop_length=0.5,
                                  min_level_db=-65.0)


def tone(freq: float, seconds: float = 2.0, level: float = 0.3, seed: int = 0) -> np.ndarray:
    """A sine at ``freq`` Hz with a little noise."""
    t = np.arange(int(seconds * RATE)) / RATE
    noise = 0.005 * np.random.default_rng(seed).standard_normal(t.size)
    return (level * np.sin(2 * np.pi * freq * t) + noise).astype(np.float32)


# ------------------------------------------------------------------------------------------ database
def test_database_round_trip_bak_and_reopen(tmp_path):
    path = tmp_path / 'sounds.json'
    database = SoundDatabase.open(path, 'm', SHA)
    assert len(database) == 0 and not path.exists()
    protos = unit(np.random.default_rng(0).standard_normal((2, 6)))
    database.put('doorbell', protos, 0.8, 40.0, count=10, clips=3, calibration={'expected_recall': 0.9})
    database.put('kettle', protos[0], 0.7, 20.0, count=4, clips=1)
    database.save()
    again = SoundDatabase.open(path, 'm', SHA, create=False)
    assert again.names() == ['doorbell', 'kettle'] and again.dimension == 6
    sound = again.get('doorbell')
    np.testing.assert_array_equal(sound.prototypes, protos.astype(np.float32))   # bit-exact float32
    assert (sound.threshold, sound.scale, sound.count, sound.clips) == (0.8, 40.0, 10, 3)
    assert sound.calibration == {'expected_recall': 0.9}
    assert again.remove('kettle') and not again.remove('kettle')
    again.save()
    assert (tmp_path / 'sounds.json.bak').is_file()
    assert json.loads((tmp_path / 'sounds.json.bak').read_text())['sounds'].keys() == {'doorbell', 'kettle'}
    assert SoundDatabase.read(path).names() == ['doorbell']


def test_database_refuses_another_model_damage_and_newer_versions(tmp_path):
    path = tmp_path / 'sounds.json'
    database = SoundDatabase.open(path, 'm', SHA)
    database.put('x', unit([1.0, 0.0, 0.0]), 0.5, 10.0, 1, 1)
    database.save()
    with pytest.raises(SoundDatabaseError, match='taught with model .m.'):
        SoundDatabase.open(path, 'other', 'c' * 64)
    with pytest.raises(SoundDatabaseError, match='no such sound database'):
        SoundDatabase.open(tmp_path / 'missing.json', 'm', SHA, create=False)
    document = json.loads(path.read_text())
    document['sounds']['x']['prototypes'] = [[2.0, 0.0, 0.0]]
    path.write_text(json.dumps(document))
    with pytest.raises(SoundDatabaseError, match='not L2-normalised'):
        SoundDatabase.open(path, 'm', SHA)
    path.write_text('{"format": "degram.sounds", "format_version": 9}')
    with pytest.raises(SoundDatabaseError, match='newer'):
        SoundDatabase.open(path, 'm', SHA)
    path.write_text('not json')
    with pytest.raises(SoundDatabaseError, match='not a readable sound database'):
        SoundDatabase.read(path)


def test_names_and_vectors_are_checked():
    with pytest.raises(ValueError, match="model's own classes"):
        check_sound_name('dog', ['cat', 'dog'])
    for bad in ('', ' x', 'a\nb', 'x' * 65, 3):
        with pytest.raises(ValueError):
            check_sound_name(bad)
    database = SoundDatabase('unused.json', 'm', SHA)
    database.put('a', unit([1.0, 0.0]), 0.5, 10.0, 1, 1)
    with pytest.raises(ValueError, match='dimension'):
        database.put('b', unit([1.0, 0.0, 0.0]), 0.5, 10.0, 1, 1)
    with pytest.raises(ValueError, match='threshold'):
        database.put('b', unit([1.0, 0.0]), 1.5, 10.0, 1, 1)
    with pytest.raises(ValueError, match='all-zero'):
        database.put('b', [[0.0, 0.0]], 0.5, 10.0, 1, 1)


# ------------------------------------------------------------------------------------------ prototypes, calibration
def test_prototypes_mean_direction_and_two_clusters():
    rng = np.random.default_rng(1)
    a = unit([1.0, 0.0, 0.0] + 0.05 * rng.standard_normal((10, 3)))
    b = unit([0.0, 1.0, 0.0] + 0.05 * rng.standard_normal((10, 3)))
    one = prototypes_of(np.concatenate([a, b]))
    assert one.shape == (1, 3)
    np.testing.assert_allclose(one[0], unit([1.0, 1.0, 0.0]), atol=0.05)
    two = prototypes_of(np.concatenate([a, b]), count=2)
    assert two.shape == (2, 3)
    assert sorted(int(np.argmax(p)) for p in two) == [0, 1]          # one prototype per cluster
    assert prototypes_of(a[:1], count=5).shape == (1, 3)            # never more prototypes than points


def test_calibration_sits_above_the_background_per_kind():
    rng = np.random.default_rng(2)
    proto = unit([[1.0, 0.0, 0.0, 0.0]])
    # background cosines to the prototype: silence up to 0.3, speech 1000 windows up to ~0.6
    silence = unit(np.column_stack([np.linspace(0.0, 0.3, 50), np.ones(50), np.zeros(50), np.zeros(50)]))
    speech_cos = np.sort(rng.uniform(0.0, 0.6, 1000))
    speech = np.column_stack([speech_cos, np.sqrt(1 - speech_cos ** 2), np.zeros(1000), np.zeros(1000)])
    background = Background(np.concatenate([silence, speech]).astype(np.float32),
                            np.array(['silence'] * 50 + ['speech'] * 1000), [])
    threshold, scale, info = calibrate(proto, background, max_false_rate={'speech': 0.01}, margin=0.0,
                                       held_out=[np.array([0.9, 0.95, 0.5, 0.99])])
    speech_scores = speech @ proto[0]
    assert np.mean(speech_scores >= threshold) <= 0.01 + 1e-9               # the allowed false share
    assert threshold >= (silence @ proto[0]).max() - 1e-6                    # no silence window at all
    assert info['expected_recall'] == 0.75                                   # 3 of 4 held-out windows
    assert info['background_windows'] == {'silence': 50, 'speech': 1000}
    assert scale > 0


def test_matcher_scores_half_at_the_threshold_and_max_over_prototypes(tmp_path):
    database = SoundDatabase(tmp_path / 's.json', 'm', SHA)
    database.put('bell', unit([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]), 0.8, 30.0, 2, 1)
    database.put('horn', unit([0.0, 0.0, 1.0]), 0.9, 10.0, 1, 1)
    matcher = SoundMatcher.of(database)
    assert matcher.names == ('bell', 'horn')
    rows = unit([[0.0, 1.0, 0.0], [0.8, 0.0, 0.6], [0.0, 0.6, 0.8]])
    cosines = matcher.cosines(rows)
    np.testing.assert_allclose(cosines, [[1.0, 0.0], [0.8, 0.6], [0.6, 0.8]], atol=1e-6)
    scores = matcher.scores(rows)
    assert scores[1, 0] == pytest.approx(0.5, abs=1e-5)                   # cosine == threshold
    np.testing.assert_array_equal(matcher.detections(rows), [[True, False], [True, False], [False, False]])
    assert scores[0, 0] > 0.99 and scores[2, 1] < 0.5 and scores[2, 0] < 0.01
    database.put('siren', unit([1.0, 1.0, 1.0]), 0.5, 10.0, 1, 1)
    assert len(matcher) == 2 and len(SoundMatcher.of(database)) == 3       # a snapshot
    with pytest.raises(ValueError, match='dimension'):
        matcher.cosines(np.ones((1, 4)))


# ------------------------------------------------------------------------------------------ with a model
def test_teach_detect_and_extended_predictor(tiny_model, tmp_path):
    predictor = degram.load_model(str(tiny_model))
    background = Background.build(predictor, corpus=False, cache=tmp_path / 'cache')
    assert set(background.counts()) == {'silence', 'noise'}
    cached = Background.build(predictor, corpus=False, cache=tmp_path / 'cache')
    np.testing.assert_array_equal(cached.embeddings, background.embeddings)
    assert len(list((tmp_path / 'cache').glob('background-*.npz'))) == 1

    database = SoundDatabase.open(tmp_path / 'sounds.json', *model_fingerprint(predictor))
    clips = [(tone(1000, seed=i), RATE) for i in range(3)]
    report = teach(predictor, database, 'beep', clips, background)
    assert report.clips == 3 and report.windows > 0 and 'expected_recall' in report.calibration
    sound = database.get('beep')
    assert sound.prototypes.shape == (1, predictor.model.backbone.embedding_size)
    cosines = background.embeddings @ sound.prototypes[0]
    assert cosines[background.kinds == 'silence'].max() < sound.threshold   # never detected on silence
    again = teach(predictor, database, 'beep', [(tone(1000, seed=9), RATE)], background)
    assert again.sound.count == sound.count + again.windows and again.sound.clips == 4   # merged

    with pytest.raises(ValueError, match="model's own classes"):
        teach(predictor, database, 'a', clips, background)
    with pytest.raises(ValueError, match='silent'):
        teach(predictor, database, 'hush', [(np.zeros(RATE, np.float32), RATE)], background)

    extended = TaughtPredictor(predictor, SoundMatcher.of(database))
    assert extended.labels == ['a', 'b', 'c', 'beep']
    assert extended.metadata.thresholds[-1] == 0.5 and len(extended.metadata.thresholds) == 4
    windows = cut(predictor, tone(1000, seconds=3.0, seed=5), RATE)
    output = extended.infer(windows)
    assert output.logits.shape == (len(windows), 4)
    scores = extended.scores(output.logits).numpy()
    np.testing.assert_allclose(scores[:, :3], predictor.scores(predictor.infer(windows).logits).numpy(), atol=1e-6)
    expected = SoundMatcher.of(database).scores(predictor.embed(windows, RATE))[:, 0]
    np.testing.assert_allclose(scores[:, 3], expected, atol=1e-5)
    assert extended.predict(tone(1000, seed=6), RATE).shape == (4,)
    assert extended.name == predictor.name and extended.sample_rate == predictor.sample_rate


def test_loud_windows_keep_only_the_sound():
    windows = np.stack([np.zeros(100), 0.5 * np.ones(100), 0.001 * np.ones(100), 0.3 * np.ones(100)])
    assert loud_windows(windows, gate=-65.0).tolist() == [False, True, False, True]


def test_listener_sees_each_batch_and_embedded_windows_teach(tiny_model, tmp_path):
    from degram.sounds.teach import Embedded

    predictor = degram.load_model(str(tiny_model))
    seen = []
    extended = TaughtPredictor(predictor, SoundMatcher.of(None), listener=lambda w, e: seen.append((w, e)))
    windows = cut(predictor, tone(500, seconds=2.0), RATE)
    output = extended.infer(windows)
    assert output.logits.shape == (len(windows), 3) and len(seen) == 1          # no taught sound: the model's
    np.testing.assert_array_equal(seen[0][0], windows)
    np.testing.assert_allclose(np.linalg.norm(seen[0][1], axis=1), 1.0, atol=1e-5)
    background = Background.build(predictor, corpus=False, cache=False)
    database = SoundDatabase(tmp_path / 's.json', *model_fingerprint(predictor))
    report = teach(predictor, database, 'hum', [Embedded(seen[0][1], 2.0)], background)
    assert report.windows == len(windows) and report.seconds == 2.0
    np.testing.assert_allclose(database.center, background.center(), atol=1e-6)       # set by the first teaching
    expected = unit(unit(seen[0][1] - background.center()).sum(axis=0))
    np.testing.assert_allclose(database.get('hum').prototypes[0], expected, atol=1e-5)
    with pytest.raises(ValueError, match='cannot change'):
        database.set_center(np.zeros(len(expected)))


def test_center_round_trip_and_matcher_compare_around_it(tmp_path):
    path = tmp_path / 'sounds.json'
    database = SoundDatabase.open(path, 'm', SHA)
    database.set_center([1.0, 1.0, 0.0])
    database.put('x', unit([1.0, 0.0, 0.0]), 0.9, 10.0, 1, 1)
    database.save()
    again = SoundDatabase.open(path, 'm', SHA)
    np.testing.assert_array_equal(again.center, np.float32([1.0, 1.0, 0.0]))
    matcher = SoundMatcher.of(again)
    # (2, 1, 0) - centre = (1, 0, 0): cosine 1 to the prototype although the raw cosine is 0.89
    assert matcher.cosines([[2.0, 1.0, 0.0]])[0, 0] == pytest.approx(1.0)
    np.testing.assert_allclose(again.transform([[2.0, 1.0, 0.0]]), [[1.0, 0.0, 0.0]])
    document = json.loads(path.read_text())
    document['center'] = [1.0, 'x', 0.0]
    path.write_text(json.dumps(document))
    with pytest.raises(SoundDatabaseError):
        SoundDatabase.open(path, 'm', SHA)
