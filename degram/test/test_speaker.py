# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Open-set speaker recognition: the database file (round trip, merge, atomic save with .bak,
damaged and foreign files, threads), identification and its confidence, verification metrics
against hand-computed cases, the silero voice detector, windows → embeddings, model
fingerprints and the enroll → speakers → identify command line."""
from __future__ import annotations

import dataclasses
import hashlib
import json
import threading
from pathlib import Path

import numpy as np
import pytest
import torch

import degram
from degram.audio import resample
from degram.data.files import find_data_root
from degram.evaluation.metrics import equal_error_rate, min_dcf
from degram.speaker import (
    SpeakerDatabase,
    SpeakerDatabaseError,
    SpeakerMatch,
    enrollment_embeddings,
    identify,
    model_fingerprint,
    score_threshold,
)
from degram.speaker.enrollment import cut_windows, mean_embedding

DATA = find_data_root() or Path('shared', 'data')   # $DEGRAM_DATA, else shared/data found upwards, as the library
OCEAN = DATA / 'speechocean762' / 'audio'
SHA = 'a' * 64
RATE = 16000


def unit_rows(rows) -> np.ndarray:
    rows = np.asarray(rows, dtype=np.float64)
    return rows / np.linalg.norm(rows, axis=-1, keepdims=True)


def random_rows(seed: int, n: int, d: int = 8) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((n, d))


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / 'people.db'


@pytest.fixture(scope='module')
def tiny_model(tmp_path_factory) -> Path:
    torch.manual_seed(0)
    model = degram.build_model('degram', 'resnet18', num_classes=3, width=8).eval()
    return degram.save_checkpoint(model, tmp_path_factory.mktemp('speaker') / 'tiny.pt', labels=['a', 'b', 'c'],
                                  task='speaker_id', name='tiny')


# ------------------------------------------------------------------------------------------ database
def test_database_round_trip_enrol_merge_remove_save_reopen(db_path):
    database = SpeakerDatabase.open(db_path, 'm', SHA)
    assert len(database) == 0 and not db_path.exists()          # nothing written before save()
    first, second = random_rows(0, 3), random_rows(1, 2)
    database.enroll('alice', first)
    database.enroll('bob', random_rows(2, 1)[0])                 # a single (D,) embedding
    database.enroll('carol', random_rows(3, 4))
    stored = unit_rows(unit_rows(first).mean(axis=0))
    np.testing.assert_allclose(database.matrix()[1][0], stored, rtol=1e-6)
    database.enroll('alice', second)                              # merge: count-weighted, renormalised
    merged = unit_rows(3 * stored + unit_rows(second).sum(axis=0))
    assert database.info('alice')['count'] == 5 and database.info('bob')['count'] == 1
    assert database.remove('carol') and not database.remove('carol') and 'carol' not in database
    names, matrix = database.matrix()
    assert names == ['alice', 'bob'] == database.names() and matrix.dtype == np.float32 and matrix.shape == (2, 8)
    np.testing.assert_allclose(matrix[0], merged, rtol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(matrix, axis=1), 1.0, rtol=1e-6)
    database.save()
    again = SpeakerDatabase.open(db_path, 'm', SHA, create=False)
    assert again.names() == names and 'alice' in again and len(again) == 2 and again.dimension == 8
    np.testing.assert_array_equal(again.matrix()[1], matrix)     # bit-exact float32 round trip
    assert again.info('alice') == database.info('alice')
    assert set(again.info('alice')) >= {'count', 'enrolled'} and again.info('alice')['enrolled'].endswith('Z')
    document = json.loads(db_path.read_text())
    assert document['format_version'] == 1 and document['model'] == {'name': 'm', 'sha256': SHA}
    assert document['dimension'] == 8 and document['speakers']['alice']['count'] == 5


def test_a_missing_file_is_empty_with_create_and_an_error_without(db_path):
    assert len(SpeakerDatabase.open(db_path, 'm', SHA, create=True)) == 0
    with pytest.raises(SpeakerDatabaseError, match='people.db'):
        SpeakerDatabase.open(db_path, 'm', SHA, create=False)


def test_save_is_atomic_and_keeps_the_previous_version_as_bak(db_path):
    database = SpeakerDatabase.open(db_path, 'm', SHA)
    database.enroll('alice', random_rows(0, 2))
    database.save()
    version_1 = db_path.read_bytes()
    assert not db_path.with_name('people.db.bak').exists()
    database.enroll('bob', random_rows(1, 2))
    database.save()
    assert db_path.with_name('people.db.bak').read_bytes() == version_1
    assert json.loads(db_path.read_text())['speakers'].keys() == {'alice', 'bob'}
    assert sorted(p.name for p in db_path.parent.iterdir()) == ['people.db', 'people.db.bak']   # no temp files


@pytest.mark.parametrize('damage', ['garbage', 'truncated', 'structure', 'not normalised'])
def test_a_damaged_file_is_an_error_naming_it_and_its_backup(db_path, damage):
    database = SpeakerDatabase.open(db_path, 'm', SHA)
    database.enroll('alice', random_rows(0, 2))
    database.save()
    good = db_path.read_text()
    document = json.loads(good)
    if damage == 'garbage':
        db_path.write_bytes(b'\x00\xff garbage \x81')
    elif damage == 'truncated':
        db_path.write_text(good[:len(good) // 2])
    elif damage == 'structure':
        db_path.write_text(json.dumps(dict(document, speakers=[1, 2])))
    else:
        document['speakers']['alice']['embedding'] = [1.0] * 8
        db_path.write_text(json.dumps(document))
    with pytest.raises(SpeakerDatabaseError, match=r'people\.db.*no backup'):
        SpeakerDatabase.open(db_path, 'm', SHA)
    db_path.with_name('people.db.bak').write_text(good)
    with pytest.raises(SpeakerDatabaseError, match=r'people\.db\.bak'):
        SpeakerDatabase.open(db_path, 'm', SHA, create=True)     # never a silent empty database


def test_a_database_of_another_model_is_refused_naming_both(db_path):
    database = SpeakerDatabase.open(db_path, 'speaker_id', SHA)
    database.enroll('alice', random_rows(0, 1))
    database.save()
    for name, sha in (('speaker_id', 'b' * 64), ('speaker_embedding', SHA)):
        with pytest.raises(SpeakerDatabaseError) as error:
            SpeakerDatabase.open(db_path, name, sha)
        text = str(error.value)
        assert "'speaker_id' (sha256 aaaaaaaaaaaa" in text and f"'{name}' (sha256 {sha[:12]}" in text
        assert 'enrol the speakers again with this model, or use the database' in text
    assert SpeakerDatabase.read(db_path).model_name == 'speaker_id'   # listing needs no model


@pytest.mark.parametrize('name, rows, message', [
    ('', random_rows(0, 1), 'empty'),
    ('   ', random_rows(0, 1), 'empty'),
    ('x' * 65, random_rows(0, 1), '65 characters'),
    ('unknown', random_rows(0, 1), 'unknown'),
    ('alice', np.zeros((0, 8)), 'N == 0'),
    ('alice', np.full((1, 8), np.nan), 'NaN'),
    ('alice', random_rows(0, 1, d=9), 'dimension 9.*dimension 8'),
    ('alice', np.zeros(8), 'all zeros'),
])
def test_enrol_rejects_bad_names_and_embeddings(db_path, name, rows, message):
    database = SpeakerDatabase.open(db_path, 'm', SHA)
    database.enroll('bob', random_rows(5, 1))
    with pytest.raises(ValueError, match=message):
        database.enroll(name, rows)
    assert database.names() == ['bob']
    database.enroll('y' * 64, random_rows(1, 1))                   # 64 characters are fine


def test_enrolling_and_identifying_from_threads_loses_nothing(db_path):
    database = SpeakerDatabase.open(db_path, 'm', SHA)
    database.enroll('seed', random_rows(0, 1))
    errors = []

    def enrol(offset):
        try:
            for i in range(40):
                database.enroll(f'p{offset + i}', random_rows(offset + i, 2))
                database.enroll('shared', random_rows(1000 + offset + i, 1))
                if i % 10 == 0:
                    database.save()
        except Exception as exc:   # any failure in a thread fails the test
            errors.append(exc)

    def query():
        try:
            for i in range(200):
                identify(random_rows(2000 + i, 1)[0], database, 0.5)
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=enrol, args=(0,)), threading.Thread(target=enrol, args=(100,)),
               threading.Thread(target=query)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    database.save()
    assert errors == []
    again = SpeakerDatabase.open(db_path, 'm', SHA, create=False)
    assert len(again) == 82 and again.info('shared')['count'] == 80 and again.info('p139')['count'] == 2


# ------------------------------------------------------------------------------------------ identify
def test_identify_known_unknown_and_top_k(db_path):
    database = SpeakerDatabase.open(db_path, 'm', SHA)
    basis = np.eye(8)
    for i, name in enumerate(['alice', 'bob', 'carol', 'dave']):
        database.enroll(name, basis[i])
    match = identify(basis[1] + 0.2 * basis[0], database, threshold=0.5, top_k=2)
    assert isinstance(match, SpeakerMatch) and match.speaker == 'bob' and match.known
    assert match.score == pytest.approx(1 / np.sqrt(1.04))
    assert [name for name, _ in match.candidates] == ['bob', 'alice']
    assert match.candidates[1][1] == pytest.approx(0.2 / np.sqrt(1.04))
    assert match.confidence == pytest.approx(1 / (1 + np.exp(-10 * (match.score - 0.5))))
    stranger = identify(basis[6] + 0.1 * basis[2], database, threshold=0.5)
    assert stranger.speaker == 'unknown' and not stranger.known and stranger.confidence < 0.5
    assert stranger.candidates[0][0] == 'carol' and len(stranger.candidates) == 3
    with pytest.raises(dataclasses.FrozenInstanceError):
        match.speaker = 'eve'


def test_identify_with_an_empty_database_is_unknown_with_score_minus_one(db_path):
    match = identify(np.ones(8), SpeakerDatabase.open(db_path, 'm', SHA), threshold=0.5)
    assert (match.speaker, match.score, match.known, match.candidates) == ('unknown', -1.0, False, [])
    assert 0.0 <= match.confidence < 1e-6


def test_confidence_is_one_half_at_the_threshold_and_scale_sharpens_it(db_path):
    database = SpeakerDatabase.open(db_path, 'm', SHA)
    database.enroll('alice', random_rows(0, 3))
    query = random_rows(9, 1)[0]
    score = identify(query, database, threshold=0.0).score
    at = identify(query, database, threshold=score)
    assert at.confidence == 0.5 and at.known and at.speaker == 'alice'
    soft = identify(query, database, threshold=score - 0.1, scale=5.0).confidence
    sharp = identify(query, database, threshold=score - 0.1, scale=20.0).confidence
    assert 0.5 < soft < sharp < 1.0
    assert soft == pytest.approx(1 / (1 + np.exp(-0.5)))


def test_score_threshold_reads_the_metadata_with_defaults():
    class Stub:
        def __init__(self, metadata):
            self.metadata, self.name = metadata, 'stub'

    assert score_threshold(Stub({})) == (0.5, 10.0)
    assert score_threshold(Stub({'speaker_threshold': 0.62, 'speaker_score_scale': 14})) == (0.62, 14.0)
    with pytest.raises(ValueError, match='speaker_threshold'):
        score_threshold(Stub({'speaker_threshold': 3.0}))


# ------------------------------------------------------------------------------------------ metrics
def test_equal_error_rate_by_hand():
    # thresholds 0.6: miss 1/4 (0.3), false alarm 1/4 (0.6): they meet exactly
    assert equal_error_rate([0.9, 0.8, 0.7, 0.3], [0.6, 0.4, 0.2, 0.1]) == pytest.approx((0.25, 0.6))
    # t = 0.6: miss 1/3, fa 1/2; t = 0.8: miss 1/3, fa 0 -> the line crosses at 1/3 of the way (t = 0.6667)
    eer, threshold = equal_error_rate([0.9, 0.8, 0.5], [0.6, 0.1])
    assert eer == pytest.approx(1 / 3) and threshold == pytest.approx(0.6 + 0.2 / 3)
    assert equal_error_rate([1.0, 2.0], [0.0, -1.0]) == (0.0, 1.0)          # separated: 0 at the lowest target
    assert equal_error_rate([0.5], [0.5]) == (0.5, 0.5)
    with pytest.raises(ValueError):
        equal_error_rate([], [0.1])


def test_min_dcf_by_hand():
    targets, nontargets = [0.9, 0.8, 0.7, 0.3], [0.6, 0.4, 0.2, 0.1]
    # p_target 0.5: normalised DCF = P_miss + P_fa; t = 0.7: 1/4 + 0
    assert min_dcf(targets, nontargets, p_target=0.5) == pytest.approx((0.25, 0.7))
    # p_target 0.01: P_miss + 99 P_fa; t = 0.7 still (0.25); t = 0.6 would cost 0.25 + 99/4
    assert min_dcf(targets, nontargets) == pytest.approx((0.25, 0.7))
    # c_miss 10, p 0.5: (10 P_miss + P_fa) / 1; t = 0.3: 0 + 2/4 = 0.5 beats t = 0.7 (2.5)
    assert min_dcf(targets, nontargets, p_target=0.5, c_miss=10) == pytest.approx((0.5, 0.3))
    # useless scores: rejecting everything (t = +inf) costs 1
    assert min_dcf([0.5], [0.9]) == (1.0, float('inf'))


# ------------------------------------------------------------------------------------------ windows, fingerprint
def test_windows_cover_the_speech_and_embed_in_one_batch(tiny_model):
    assert cut_windows(np.arange(5 * RATE), RATE).shape == (4, 2 * RATE)
    tail = cut_windows(np.arange(int(5.5 * RATE)), RATE)
    assert tail.shape == (5, 2 * RATE) and tail[-1, -1] == 5.5 * RATE - 1
    assert cut_windows(np.ones(RATE), RATE).shape == (1, RATE) and cut_windows(np.zeros(0), RATE).shape[0] == 0
    predictor = degram.load_model(tiny_model)
    wave = 0.1 * np.random.default_rng(0).standard_normal(5 * 44100).astype(np.float32)
    embeddings = enrollment_embeddings(predictor, wave, 44100)
    assert embeddings.shape == (4, 64)
    np.testing.assert_allclose(np.linalg.norm(embeddings, axis=1), 1.0, rtol=1e-5)
    short = enrollment_embeddings(predictor, wave[:22050], 44100)
    assert short.shape == (1, 64)
    np.testing.assert_allclose(short[0], predictor.embed(wave[:22050], 44100), atol=1e-5)
    mean = mean_embedding(embeddings)
    assert mean.shape == (64,) and abs(np.linalg.norm(mean) - 1) < 1e-5
    with pytest.raises(ValueError, match='nothing to embed'):
        enrollment_embeddings(predictor, np.zeros(0, np.float32), RATE)


def test_fingerprint_of_shipped_names_files_and_predictors(tiny_model, tmp_path, monkeypatch):
    entry = degram.PRETRAINED.get('speaker_id')
    assert model_fingerprint('speaker_id') == ('speaker_id', entry.sha256)
    assert model_fingerprint(degram.load_model('speaker_id')) == ('speaker_id', entry.sha256)
    expected = ('tiny', hashlib.sha256(tiny_model.read_bytes()).hexdigest())
    assert model_fingerprint(tiny_model) == expected == model_fingerprint(str(tiny_model))
    assert model_fingerprint(degram.load_model(tiny_model)) == expected
    pytest.importorskip('onnxruntime')
    monkeypatch.setenv('DEGRAM_CACHE', str(tmp_path))
    on_onnx = degram.load_model(tiny_model, backend='onnxruntime')    # runs the cached export of tiny.pt
    assert on_onnx.path.suffix == '.onnx' and model_fingerprint(on_onnx) == expected


# ------------------------------------------------------------------------------------------ voice activity
def ocean_clips(speaker: str, count: int) -> list[Path]:
    clips = sorted((OCEAN / speaker).glob('*.ogg'))[:count]
    if len(clips) < count:
        pytest.skip(f'speechocean762 clips of {speaker} are absent from {OCEAN}')
    return clips


@pytest.fixture(scope='module')
def vad():
    pytest.importorskip('silero_vad', reason='silero-vad is not installed (pip install silero-vad)')
    from degram.speaker import VoiceActivityDetector

    return VoiceActivityDetector()


def test_vad_finds_speech_and_rejects_silence_and_noise(vad):
    speech, rate = degram.load_audio(ocean_clips('SPEAKER0001', 1)[0])
    probabilities = vad.speech_probabilities(speech, rate)
    assert probabilities.shape == (-(-speech.size // 512),) and probabilities.dtype == np.float32
    ratio = vad.speech_ratio(speech, rate)
    assert ratio > 0.3
    kept = vad.speech_only(speech, rate)
    assert kept.size == pytest.approx(ratio * probabilities.size * 512, abs=512)
    silence = np.zeros(3 * RATE, np.float32)
    noise = (10 ** (-30 / 20) * np.random.default_rng(0).standard_normal(3 * RATE)).astype(np.float32)
    assert vad.speech_ratio(silence, RATE) < 0.05 and vad.speech_ratio(noise, RATE) < 0.05
    assert vad.speech_only(silence, RATE).size == 0
    np.testing.assert_array_equal(vad.speech_probabilities(speech, rate), probabilities)   # state reset per call
    resampled = resample(speech, rate, 44100)
    assert abs(vad.speech_ratio(resampled, 44100) - ratio) < 0.05
    assert vad.speech_only(resampled, 44100).size == pytest.approx(kept.size * 44100 / RATE, rel=0.05)
    assert vad.speech_probabilities(np.zeros(0, np.float32), RATE).shape == (0,)
    assert vad.speech_probabilities(np.zeros(100, np.float32), RATE).shape == (1,)


def test_vad_without_silero_says_how_to_install_it(monkeypatch):
    import sys

    from degram.speaker import VoiceActivityDetector

    monkeypatch.setitem(sys.modules, 'silero_vad', None)             # import silero_vad -> ImportError
    with pytest.raises(RuntimeError, match='pip install silero-vad'):
        VoiceActivityDetector()
