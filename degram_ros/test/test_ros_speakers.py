# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Open-set speaker identification in degram_node (a speaker-embedding model): enrolment through
the real node services, 'unknown' below the threshold, no result without speech, the database
file's failures, enrolling from the stream while it streams, and ROS4HRI voices."""
from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from degram.data.files import find_data_root

pytestmark = pytest.mark.usefixtures('ros_required')

DATA = (find_data_root() or Path('shared', 'data')) / 'speechocean762' / 'audio'   # $DEGRAM_DATA, as the library
RATE = 16000
_ns = itertools.count()


@pytest.fixture(scope='module')
def speech():
    """Two real read-English utterances (speechocean762), 16 kHz: (path, samples)."""
    from degram.audio import load_audio

    if not DATA.is_dir():
        pytest.skip(f'{DATA} is absent')
    clips = sorted(DATA.glob('SPEAKER0026/*.ogg'))[:2]
    return [(str(c), load_audio(c, RATE)[0]) for c in clips]


@pytest.fixture(scope='module')
def embedding_model(tmp_path_factory):
    """A tiny speaker-embedding checkpoint (cosine head) with the metadata the shipped one has."""
    import torch

    from degram import build_model, save_checkpoint

    torch.manual_seed(0)
    model = build_model('degram', 'resnet18', num_classes=4, width=8, head='cosine')
    return save_checkpoint(model, tmp_path_factory.mktemp('emb') / 'tiny_embedding.pt', labels=list('abcd'),
                           task='speaker_id', name='tiny_embedding', embedding_model=True,
                           speaker_threshold=0.5, speaker_score_scale=10.0, min_speech_ratio=0.3,
                           window_length=2.0, hop_length=1.0)


def _start(ros, model, db, **params):
    from degram_ros.node import DegramNode

    ns = f'/spk{next(_ns)}'
    node = ros.add(DegramNode, 'degram_node', namespace=ns, params={
        'model_path': str(model), 'device': 'cpu', 'stamped': True, 'speaker_db': str(db), **params})
    return node, ns


def _stream(ros, node, ns, samples, start):
    from harness import AudioSource

    src = AudioSource(ros, ns)
    assert src.wait_connected(stamped=True)
    src.stream_lockstep(node, samples, RATE, chunk=0.25, start=start)
    assert ros.wait_for(lambda: node.pending_windows() == 0, 20.0)


def test_enrol_identify_unknown_silence_and_forget_through_the_services(ros, embedding_model, speech, tmp_path):
    from degram.speaker import SpeakerDatabase
    from degram_msgs.msg import ModelInfo, SpeakerId
    from degram_msgs.srv import Enroll, Forget, ListSpeakers

    from harness import LATCHED

    db = tmp_path / 'people.db'
    node, ns = _start(ros, embedding_model, db)
    results = ros.collect(SpeakerId, f'{ns}/speaker_id', 100)
    infos = ros.collect(ModelInfo, f'{ns}/model_info', LATCHED)
    assert list(ros.call(ListSpeakers, f'{ns}/degram_node/list_speakers').names) == []
    assert not db.exists()                                            # nothing written before an enrolment
    answer = ros.call(Enroll, f'{ns}/degram_node/enroll', Enroll.Request(name='alice', files=[speech[0][0]]))
    assert answer.success and answer.windows >= 1 and answer.speech_seconds > 1.0, answer.message
    listed = ros.call(ListSpeakers, f'{ns}/degram_node/list_speakers')
    assert list(listed.names) == ['alice'] and listed.counts[0] == answer.windows and listed.database == str(db)
    assert SpeakerDatabase.read(db).names() == ['alice']             # saved at once
    assert ros.wait_for(lambda: infos.items and list(infos.items[-1].labels) == ['alice'])
    bad = ros.call(Enroll, f'{ns}/degram_node/enroll', Enroll.Request(name='bob', files=['/nonexistent.wav']))
    assert not bad.success and 'nonexistent' in bad.message

    # the same voice comes back as alice; silence gives no result at all
    samples = speech[0][1]
    _stream(ros, node, ns, np.concatenate([samples, np.zeros(3 * RATE, np.float32)]), 100.0)
    speech_end = 100.0 + len(samples) / RATE
    assert results.items, 'no SpeakerId for speech'
    assert all(m.speaker == 'alice' and m.known and m.confidence > 0.5 and m.speech_ratio >= 0.3
               for m in results.items)
    assert all(m.header.stamp.sec < speech_end for m in results.items)     # none for the silent windows
    assert node.counts['windows_without_speech'] >= 2
    assert node.diagnostics_values()['enrolled_speakers'] == '1'

    # a threshold above every cosine score: the same voice is now 'unknown'
    from rcl_interfaces.srv import SetParameters
    from rclpy.parameter import Parameter

    ros.call(SetParameters, f'{ns}/degram_node/set_parameters',
             SetParameters.Request(parameters=[Parameter('threshold', value=0.9999).to_parameter_msg()]))
    results.clear()
    _stream(ros, node, ns, samples, 200.0)
    assert results.items and all(m.speaker == 'unknown' and not m.known for m in results.items)
    assert all(m.candidates[0].label == 'alice' for m in results.items)

    assert ros.call(Forget, f'{ns}/degram_node/forget', Forget.Request(name='alice')).success
    assert not ros.call(Forget, f'{ns}/degram_node/forget', Forget.Request(name='alice')).success
    assert list(ros.call(ListSpeakers, f'{ns}/degram_node/list_speakers').names) == []
    assert Path(f'{db}.bak').exists()                                  # the previous version kept
    ros.remove(node)


def test_enrolling_from_the_stream_while_it_streams_drops_nothing(ros, embedding_model, speech, tmp_path):
    from degram_msgs.msg import SpeakerId
    from degram_msgs.srv import Enroll

    from harness import AudioSource

    node, ns = _start(ros, embedding_model, tmp_path / 'people.db')
    results = ros.collect(SpeakerId, f'{ns}/speaker_id', 100)
    src = AudioSource(ros, ns)
    assert src.wait_connected(stamped=True)
    client = ros.client.create_client(Enroll, f'{ns}/degram_node/enroll')
    assert client.wait_for_service(timeout_sec=10.0)
    future = client.call_async(Enroll.Request(name='carol', seconds=2.0, timeout=60.0))
    assert ros.wait_for(lambda: node.speaker_services.listening, 20.0)   # listening before the speech
    audio = np.concatenate([s for _, s in speech])
    src.stream_lockstep(node, audio, RATE, chunk=0.25, start=300.0)    # the stream keeps flowing meanwhile
    assert ros.wait_for(future.done, 30.0)
    answer = future.result()
    assert answer.success and answer.speech_seconds >= 2.0 and answer.windows >= 2, answer.message
    assert node.speaker_database.names() == ['carol']
    assert node.counts['dropped_windows'] == 0 and len(results) >= 3   # results published while enrolling
    ros.remove(node)


def test_a_damaged_database_or_one_of_another_model_stops_the_start_with_one_line(ros, embedding_model, tmp_path):
    from degram.speaker import SpeakerDatabase
    from degram_ros.node import StartupError

    broken = tmp_path / 'broken.db'
    broken.write_text('{"format": "degram.speakers", "speak')
    with pytest.raises(StartupError, match='broken.db'):
        _start(ros, embedding_model, broken)
    other = SpeakerDatabase.open(tmp_path / 'other.db', 'another_model', 'f' * 64)
    other.enroll('dave', np.ones(512, np.float32))
    other.save()
    with pytest.raises(StartupError, match='another_model'):
        _start(ros, embedding_model, tmp_path / 'other.db')
    assert broken.read_text() == '{"format": "degram.speakers", "speak'   # never replaced


def test_rep155_voices_follow_the_speech(ros, embedding_model, speech, tmp_path):
    pytest.importorskip('hri_msgs')
    from hri_msgs.msg import IdsList, IdsMatch

    from degram_msgs.srv import Enroll

    node, ns = _start(ros, embedding_model, tmp_path / 'people.db')
    assert {'/humans/voices/tracked', '/humans/candidate_matches'} <= {p.topic_name for p in node.publishers}
    tracked = ros.collect(IdsList, '/humans/voices/tracked', 100)
    matches = ros.collect(IdsMatch, '/humans/candidate_matches', 100)
    assert ros.call(Enroll, f'{ns}/degram_node/enroll', Enroll.Request(name='Alice B.', files=[speech[0][0]])).success
    _stream(ros, node, ns, np.concatenate([speech[0][1], np.zeros(3 * RATE, np.float32), speech[0][1]]), 500.0)
    assert ros.wait_for(lambda: len(matches) >= 2, 10.0)
    voices = [list(m.ids) for m in tracked.items]
    spoken = [v[0] for v in voices if v]
    assert len(set(spoken)) == 2                                        # two stretches of speech, two voice ids
    assert [] in voices                                                 # the silence between them
    assert {(m.id1_type, m.id2, m.id2_type) for m in matches.items} == {(IdsMatch.VOICE, 'alice_b_', IdsMatch.PERSON)}
    assert {m.id1 for m in matches.items} == set(spoken)
    ros.remove(node)


def test_publish_hri_voices_false_publishes_no_voices(ros, embedding_model, tmp_path):
    pytest.importorskip('hri_msgs')
    node, _ = _start(ros, embedding_model, tmp_path / 'people.db', publish_hri_voices=False)
    topics = {p.topic_name for p in node.publishers}
    assert any(t.endswith('/speaker_id') for t in topics)           # the results themselves are there
    assert not {'/humans/voices/tracked', '/humans/candidate_matches'} & topics
    ros.remove(node)


def test_the_voice_gate_serves_other_models_too(ros, checkpoint_keyword_like, speech):
    """min_speech_ratio with a sound-event model (e.g. the keyword one): windows without speech give
    no result and are counted; speech windows are scored as before."""
    from degram_msgs.msg import SoundEvent
    from degram_ros.node import DegramNode

    node = ros.add(DegramNode, 'degram_node', namespace='/kw', params={
        'model_path': str(checkpoint_keyword_like), 'device': 'cpu', 'stamped': True, 'min_speech_ratio': 0.3})
    events = ros.collect(SoundEvent, '/kw/sound_event', 100)
    noise = (0.05 * np.random.default_rng(0).standard_normal(3 * RATE)).astype(np.float32)   # loud, no speech
    samples = speech[1][1]
    _stream(ros, node, '/kw', np.concatenate([noise, samples]), 700.0)
    assert node.counts['windows_without_speech'] >= 3
    assert events.items and all(e.header.stamp.sec + e.header.stamp.nanosec * 1e-9 >= 702.0 for e in events.items)
    assert node.diagnostics_values()['windows_without_speech'] == str(node.counts['windows_without_speech'])
    ros.remove(node)


@pytest.fixture(scope='module')
def checkpoint_keyword_like(tmp_path_factory):
    from degram import build_model, save_checkpoint

    model = build_model('spectrogram', 'resnet18', num_classes=3, width=8)
    return save_checkpoint(model, tmp_path_factory.mktemp('kw') / 'kw.pt', labels=['stop', 'go', 'left'],
                           task='sound_event', name='kw', window_length=1.0, hop_length=0.5)
