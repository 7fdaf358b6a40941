# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Speaker evaluation and calibration: the open-set protocol's bookkeeping on a hand-made score
matrix (and its agreement with degram.speaker.identify), the calibrated threshold against the
false-accept constraint, the Platt score scale, `degram calibrate --speakers` / `degram eval
--speakers` on a tiny model and a handful of real clips, and the development-speaker subsets of the
voices corpus."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
import torch

import degram
from degram.cli import main
from degram.data.files import find_data_root
from degram.evaluation.speakers import (
    choose_threshold,
    enrolment_mask,
    identification_counts,
    open_set_protocol,
    platt_scale,
    rotation_folds,
    rotation_scores,
    verification,
)
from degram.speaker import SpeakerDatabase, identify
from degram.speaker.matching import confidence_of

DATA = find_data_root() or Path('shared', 'data')   # $DEGRAM_DATA, else shared/data found upwards, as the library
needs_data = pytest.mark.skipif(not (DATA / 'speechocean762').is_dir(),
                                reason=f'no speechocean762 under {DATA} (set DEGRAM_DATA)')


@pytest.fixture(autouse=True)
def one_thread():
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


# ------------------------------------------------------------------------------------------ protocol
def hand_made_scores() -> tuple[np.ndarray, np.ndarray]:
    """5 speakers × 3 utterances (the first of each enrolled): own column 0.9, others 0.1, except
    row 1 (speaker 0) 0.95 on speaker 1, row 4 (speaker 1) only 0.4 on its own column, and row 6
    (speaker 2's enrolment utterance) 0.7 on speaker 3."""
    labels = np.repeat(np.arange(5), 3)
    scores = np.full((15, 5), 0.1)
    scores[np.arange(15), labels] = 0.9
    scores[1, 1] = 0.95
    scores[4, 1] = 0.4
    scores[6, 3] = 0.7
    return scores, labels


def test_rotation_protocol_bookkeeping_on_a_hand_made_score_matrix():
    scores, labels = hand_made_scores()
    enrolment = enrolment_mask(labels, 1)
    assert np.flatnonzero(enrolment).tolist() == [0, 3, 6, 9, 12]
    assert [f.tolist() for f in rotation_folds(5)] == [[0, 4], [1], [2], [3]]
    result = open_set_protocol(scores, labels, enrolment, threshold=0.5)
    everyone = result['all_enrolled']['counts']
    # 10 test utterances: row 1 misnamed (speaker 1 at 0.95), row 4 unknown (0.4 < 0.5) but top-1 right
    assert everyone == {'trials': 10, 'top1': 9, 'named': 8, 'unknown': 1, 'misnamed': 1, 'stranger_trials': 0,
                        'false_accepts': 0}
    assert result['all_enrolled']['top1'] == pytest.approx(0.9) and 'far' not in result['all_enrolled']
    # rotation 0 (strangers 0, 4): row 1 names speaker 1 → 1 false accept of 6; enrolled 6 trials, row 4 unknown
    # rotation 1 (stranger 1): 8 trials all named (row 1's 0.95 is on the stranger's column)
    # rotation 2 (stranger 2): row 6 names speaker 3 → 1 false accept of 3; row 1 misnamed, row 4 unknown
    # rotation 3 (stranger 3): row 1 misnamed, row 4 unknown
    rotations = result['rotations']
    assert rotations['counts'] == {'trials': 30, 'top1': 28, 'named': 25, 'unknown': 3, 'misnamed': 2,
                                   'stranger_trials': 15, 'false_accepts': 2}
    assert rotations['far'] == pytest.approx(2 / 15) and rotations['named'] == pytest.approx(25 / 30)
    assert rotations['rotations'] == 4
    strangers, best, right = rotation_scores(scores, labels, enrolment)
    assert sorted(strangers.round(2).tolist(), reverse=True)[:3] == [0.95, 0.7, 0.1]
    assert strangers.size == 15 and best.size == right.size == 30 and int(right.sum()) == 28
    # a threshold above every stranger: no false accept, and row 4 and any score below it unknown
    strict = open_set_protocol(scores, labels, enrolment, choose_threshold(strangers, 0.0))['rotations']
    assert strict['counts']['false_accepts'] == 0 and strict['counts']['named'] == 0
    with pytest.raises(ValueError, match='at least 2'):
        enrolment_mask(np.array([0, 0, 1]), 1)
    with pytest.raises(ValueError, match='5 speakers'):
        rotation_folds(4)


def test_matrix_identification_agrees_with_the_library_identify():
    rng = np.random.default_rng(1)
    centres = rng.standard_normal((6, 16))
    labels = np.repeat(np.arange(6), 4)
    rows = centres[labels] + 0.8 * rng.standard_normal((24, 16))
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    enrolment = enrolment_mask(labels, 2)
    database = SpeakerDatabase(Path('unsaved.db'), 'm', 'a' * 64)
    for k in range(6):
        database.enroll(f's{k}', rows[(labels == k) & enrolment])
    names, matrix = database.matrix()
    scores = rows @ matrix.astype(np.float64).T
    threshold = float(np.median(scores))
    counts = identification_counts(scores, labels, np.arange(6), np.flatnonzero(~enrolment), threshold)
    matches = [identify(rows[i], database, threshold) for i in np.flatnonzero(~enrolment)]
    truth = [f's{k}' for k in labels[~enrolment]]
    assert counts['named'] == sum(m.speaker == t for m, t in zip(matches, truth))
    assert counts['unknown'] == sum(not m.known for m in matches)
    assert counts['top1'] == sum(m.candidates[0][0] == t for m, t in zip(matches, truth))


def test_verification_counts_pairs_and_separates_clear_cases():
    labels = np.array([0, 0, 1, 1, 2])
    embeddings = np.eye(5)[[0, 0, 1, 1, 2]]                     # same speaker identical, others orthogonal
    same = verification(embeddings, labels)
    assert (same['target_pairs'], same['nontarget_pairs']) == (2, 8) and same['eer'] == 0.0
    crossed = verification(embeddings, labels, embeddings)          # ordered pairs, i != j
    assert (crossed['target_pairs'], crossed['nontarget_pairs']) == (4, 16)


# ------------------------------------------------------------------------------------------ calibration
@pytest.mark.parametrize('max_far', [0.0, 0.02, 0.1])
def test_calibrated_threshold_is_the_lowest_that_meets_the_false_accept_rate(max_far):
    rng = np.random.default_rng(2)
    strangers = np.r_[rng.normal(0.3, 0.15, 997), [0.8, 0.8, 0.8]]     # ties at the top too
    threshold = choose_threshold(strangers, max_far)
    assert np.mean(strangers >= threshold) <= max_far
    assert np.mean(strangers >= threshold - 2e-6) > max_far           # any lower threshold breaks it
    # through the rotation protocol, on a synthetic score matrix of 20 speakers
    labels = np.repeat(np.arange(20), 6)
    scores = rng.uniform(0.0, 0.6, (120, 20))
    scores[np.arange(120), labels] += 0.35
    enrolment = enrolment_mask(labels, 3)
    stranger_best, _, _ = rotation_scores(scores, labels, enrolment)
    chosen = choose_threshold(stranger_best, max_far)
    assert open_set_protocol(scores, labels, enrolment, chosen)['rotations']['far'] <= max_far
    assert open_set_protocol(scores, labels, enrolment, chosen - 2e-6)['rotations']['far'] > max_far


def test_platt_scale_is_positive_and_the_confidence_is_one_half_at_the_threshold():
    rng = np.random.default_rng(3)
    target, nontarget = rng.normal(0.7, 0.1, 300), rng.normal(0.2, 0.1, 3000)
    scale = platt_scale(target, nontarget)
    assert 5 < scale < 100
    threshold = choose_threshold(nontarget, 0.02)
    assert confidence_of(threshold, threshold, scale) == pytest.approx(0.5)
    assert confidence_of(0.9, threshold, scale) > 0.9 and confidence_of(0.1, threshold, scale) < 0.1
    assert platt_scale(rng.normal(0.7, 0.02, 300), nontarget) > scale    # sharper separation, steeper
    assert platt_scale(nontarget[:50], target[:50]) > 0                 # wrong way round: still positive
    with pytest.raises(ValueError):
        platt_scale([], nontarget)


# ------------------------------------------------------------------------------------------ command line
@pytest.fixture(scope='module')
def tiny_embedding_model(tmp_path_factory) -> Path:
    torch.manual_seed(0)
    model = degram.build_model('degram', 'resnet18', num_classes=4, width=8, head='cosine').eval()
    return degram.save_checkpoint(model, tmp_path_factory.mktemp('speaker_eval') / 'tiny.pt',
                                  labels=['a', 'b', 'c', 'd'], task='speaker_id', name='tiny_embedding')


@needs_data
def test_calibrate_and_eval_speakers_write_the_metadata_and_the_json(tiny_embedding_model, tmp_path, capsys):
    from degram.evaluation.speaker_eval import weights_digest

    speakers = sorted((DATA / 'speechocean762' / 'audio').iterdir())[:5]
    manifest = tmp_path / 'speakers.csv'
    with open(manifest, 'w', newline='') as fh:
        writer = csv.writer(fh)
        writer.writerow(['path', 'label'])
        for folder in speakers:
            for clip in sorted(folder.glob('*.ogg'))[:3]:
                writer.writerow([str(clip), folder.name])
    calibrated, cache = tmp_path / 'calibrated.pt', tmp_path / 'cache'
    assert main(['calibrate', '--speakers', str(manifest), '--model', str(tiny_embedding_model), '--enrol', '2',
                 '-o', str(calibrated), '--cache', str(cache)]) == 0
    meta = degram.load_model(calibrated).metadata
    assert meta['embedding_model'] is True and meta['name'] == 'tiny_embedding'
    assert -1 <= meta['speaker_threshold'] <= 1 and meta['speaker_score_scale'] > 0
    assert (meta['min_speech_ratio'], meta['window_length'], meta['hop_length']) == (0.3, 2.0, 1.0)
    assert meta['speaker_calibration']['far'] <= 0.02 and meta['speaker_calibration']['counts']['speakers'] == 5
    assert weights_digest(degram.load_model(calibrated)) == weights_digest(degram.load_model(tiny_embedding_model))
    esc = sorted((DATA / 'esc50' / 'audio').glob('4-*-1.ogg'))[0]          # a rooster
    out = tmp_path / 'eval.json'
    args = ['eval', '--model', str(calibrated), '--speakers', str(manifest), '--enrol', '2', '--non-speech', str(esc),
            '--cache', str(cache)]
    assert main(args + ['--output', str(out)]) == 0
    result = json.loads(out.read_text())
    assert {'model', 'name', 'speakers', 'threshold', 'threshold_source', 'scale', 'counts', 'verification',
            'identification', 'non_speech', 'noise'} <= set(result)
    assert result['threshold'] == pytest.approx(meta['speaker_threshold']) and result['threshold_source'] == 'model'
    assert result['counts']['speakers'] == 5 and result['counts']['utterances'] == 15
    assert result['counts']['test_utterances'] == 5 and result['counts']['windows'] >= 15
    assert result['verification']['target_pairs'] == 15 and result['verification']['nontarget_pairs'] == 90
    assert {'eer', 'min_dcf', 'p_target'} <= set(result['verification'])
    assert result['identification']['rotations']['counts']['stranger_trials'] == 15
    assert {'top1', 'named', 'far'} <= set(result['identification']['rotations'])
    ns = result['non_speech']
    assert ns['windows'] == 4 + 29 and set(ns['sources']) == {'given', 'silence'}
    assert ns['sources']['silence']['passed_gate'] == 0 and 0 <= ns['known'] <= ns['passed_gate'] <= ns['windows']
    # the cache gives the same numbers again; noise changes the test utterances only
    assert main(args + ['--output', str(tmp_path / 'again.json')]) == 0
    assert json.loads((tmp_path / 'again.json').read_text()) == result
    noisy = tmp_path / 'noisy.json'
    assert main(args + ['--noise', 'speech_commands_noise/white_noise.flac', '--snr', '0', '--threshold', '0.9',
                        '--output', str(noisy)]) == 0
    result = json.loads(noisy.read_text())
    assert result['noise']['snr_db'] == 0 and result['noise']['enrolment'] == 'clean'
    assert result['threshold'] == 0.9 and result['threshold_source'] == 'given'
    assert result['verification']['target_pairs'] == 30 and result['verification']['pairs'].startswith('ordered')
    phone = tmp_path / 'phone.json'   # the telephone band on the test utterances only, reproducibly
    for out_file in (phone, tmp_path / 'phone2.json'):
        assert main(args + ['--channel', 'band:300-3400', '--output', str(out_file)]) == 0
    heard, again = (json.loads(p.read_text()) for p in (phone, tmp_path / 'phone2.json'))
    assert heard['channel'] == ['band:300-3400'] and heard['noise'] is None and heard == again
    assert heard['verification']['target_pairs'] == 30 and heard['verification'] != result['verification']
    printed = capsys.readouterr().out
    assert 'channel band:300-3400' in printed and 'stranger FAR' in printed
    assert main(['eval', '--model', str(calibrated), '--speakers', str(manifest), '--data', 'esc10']) == 2
    assert main(['calibrate', '--model', str(calibrated), '-o', str(tmp_path / 'x.pt')]) == 2


@needs_data
def test_calibrate_with_a_cohort_ships_it_and_scores_in_as_norm_units(tiny_embedding_model, tmp_path):
    """--cohort: one embedding per cohort speaker goes into the copy; threshold, evaluation and the
    library's identify then all use AS-norm scores, and a user's cosine threshold goes back to cosines."""
    from degram.speaker import speaker_scoring

    folders = sorted((DATA / 'speechocean762' / 'audio').iterdir())
    speakers, others = tmp_path / 'speakers.csv', tmp_path / 'cohort.csv'
    for table, chosen, clips, split in ((speakers, folders[:5], 3, None), (others, folders[5:9], 2, 'train')):
        with open(table, 'w', newline='') as fh:
            writer = csv.writer(fh)
            writer.writerow(['path', 'label'] + (['split'] if split else []))
            for folder in chosen:
                for clip in sorted(folder.glob('*.ogg'))[:clips]:
                    writer.writerow([str(clip), folder.name] + ([split] if split else []))
    calibrated, cache = tmp_path / 'calibrated.pt', tmp_path / 'cache'
    assert main(['calibrate', '--speakers', str(speakers), '--model', str(tiny_embedding_model), '--enrol', '2',
                 '--cohort', str(others), '--cohort-per-speaker', '2', '-o', str(calibrated),
                 '--cache', str(cache)]) == 0
    predictor = degram.load_model(calibrated)
    meta = predictor.metadata
    assert len(meta.speaker_cohort) == 4 and len(meta.speaker_cohort[0]) == 64
    assert meta.speaker_calibration['scores'] == 'as-norm' and meta.speaker_calibration['cohort']['speakers'] == 4
    threshold, _, normaliser = speaker_scoring(predictor)
    assert threshold == meta.speaker_threshold and normaliser is not None and normaliser.cohort.shape == (4, 64)
    assert speaker_scoring(predictor, 0.4)[0::2] == (0.4, None)
    out = tmp_path / 'eval.json'
    assert main(['eval', '--model', str(calibrated), '--speakers', str(speakers), '--enrol', '2', '--non-speech',
                 'none', '--cache', str(cache), '--output', str(out)]) == 0
    result = json.loads(out.read_text())
    assert result['scores'].startswith('as-norm (cohort 4') and result['verification']['scores'] == 'as-norm'
    assert result['identification']['rotations']['far'] <= 0.02       # calibrated on these very speakers
    # calibrating the calibrated copy again starts from its embeddings, not from its cohort's scores
    assert main(['calibrate', '--speakers', str(speakers), '--model', str(calibrated), '--enrol', '2',
                 '-o', str(tmp_path / 'cosine.pt'), '--cache', str(cache)]) == 0
    again = degram.load_model(tmp_path / 'cosine.pt').metadata
    assert again.speaker_cohort is None and -1 <= again.speaker_threshold <= 1


# ------------------------------------------------------------------------------------------ corpus
@needs_data
def test_development_subsets_are_disjoint_from_training_and_from_each_other():
    from degram.data import open_dataset
    from degram.data.corpora.voices import development_speakers

    sets = {spec: open_dataset(spec, DATA) for spec in ('voices', 'voices:dev', 'voices:dev-a', 'voices:dev-b')}
    labels = {spec: set(dataset.labels) for spec, dataset in sets.items()}
    dev = [f'so:{s}' for s in development_speakers(DATA)]
    assert sorted(labels['voices:dev']) == dev and len(dev) == 40
    assert labels['voices:dev-a'] == set(dev[:20]) and labels['voices:dev-b'] == set(dev[20:])
    assert not labels['voices:dev-a'] & labels['voices:dev-b']
    assert not labels['voices'] & labels['voices:dev']
    assert len(sets['voices:dev']) == 480 and len(sets['voices:dev-a']) == len(sets['voices:dev-b']) == 240
    assert {Path(e.path).parent.name for e in sets['voices:dev'].entries} == {s[3:] for s in dev}
    assert not {e.path for e in sets['voices'].entries} & {e.path for e in sets['voices:dev'].entries}
    assert sets['voices'].name == 'voices' and sets['voices:dev-a'].name == 'voices:dev-a'   # training unchanged
    assert open_dataset('voices:speaker', DATA).name == 'voices'
