# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Few-shot sounds in degram_node: ~/teach from files and from the stream while it streams,
~/list_sounds, ~/forget_sound, and a taught sound published like a built-in class (SoundEvent
detections, SoundEventSegment events, ModelInfo labels re-published on change)."""
from __future__ import annotations

import itertools

import numpy as np
import pytest
import soundfile as sf

pytestmark = pytest.mark.usefixtures('ros_required')

RATE = 16000
_ns = itertools.count()


def beep(seconds: float, seed: int = 0) -> np.ndarray:
    """A 1 kHz tone with a little noise."""
    t = np.arange(int(seconds * RATE)) / RATE
    return (0.3 * np.sin(2 * np.pi * 1000 * t)
            + 0.005 * np.random.default_rng(seed).standard_normal(t.size)).astype(np.float32)


@pytest.fixture(scope='module')
def event_model(tmp_path_factory):
    """A tiny 3-class sound-event checkpoint with 1 s windows, hop 0.5 s."""
    import torch

    from degram import build_model, save_checkpoint

    torch.manual_seed(0)
    model = build_model('degram', 'resnet18', num_classes=3, width=8).eval()
    return save_checkpoint(model, tmp_path_factory.mktemp('snd') / 'tiny_event.pt', labels=['a', 'b', 'c'],
                           task='sound_event', name='tiny_event', window_length=1.0, hop_length=0.5,
                           thresholds=[1.0, 1.0, 1.0], min_level_db=-65.0)


@pytest.fixture
def quiet_background(tmp_path, monkeypatch):
    """No shared data (the synthetic background only: fast) and a private background cache."""
    monkeypatch.setenv('DEGRAM_DATA', str(tmp_path / 'no_data'))
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path / 'cache'))


def _start(ros, model, db):
    from degram_ros.node import DegramNode

    ns = f'/snd{next(_ns)}'
    node = ros.add(DegramNode, 'degram_node', namespace=ns, params={
        'model_path': str(model), 'device': 'cpu', 'stamped': True, 'sound_db': str(db)})
    return node, ns


def test_teach_detect_list_and_forget_through_the_services(ros, event_model, quiet_background, tmp_path):
    from degram_msgs.msg import ModelInfo, SoundEvent, SoundEventSegment
    from degram_msgs.srv import Forget, ListSounds, TeachSound
    from degram_ros.qos import LATCHED

    from harness import AudioSource

    files = []
    for i in range(3):
        files.append(str(tmp_path / f'beep{i}.wav'))
        sf.write(files[-1], beep(2.0, seed=i), RATE)
    node, ns = _start(ros, event_model, tmp_path / 'sounds.json')
    infos = ros.collect(ModelInfo, f'{ns}/model_info', LATCHED)
    assert ros.wait_for(lambda: len(infos) >= 1, 20.0)
    assert list(infos.items[-1].labels) == ['a', 'b', 'c']
    answer = ros.call(TeachSound, f'{ns}/degram_node/teach', TeachSound.Request(name='beep', files=files),
                      timeout=120.0)
    assert answer.success and answer.windows > 0 and 0 <= answer.expected_recall <= 1, answer.message
    assert ros.wait_for(lambda: list(infos.items[-1].labels) == ['a', 'b', 'c', 'beep'], 20.0)
    assert list(infos.items[-1].thresholds)[-1] == pytest.approx(0.5)
    listed = ros.call(ListSounds, f'{ns}/degram_node/list_sounds')
    assert list(listed.names) == ['beep'] and listed.database.endswith('sounds.json') and 'tiny_event' in listed.model
    bad = ros.call(TeachSound, f'{ns}/degram_node/teach', TeachSound.Request(name='a', files=files))
    assert not bad.success and "model's own classes" in bad.message

    results = ros.collect(SoundEvent, f'{ns}/sound_event', 100)
    segments = ros.collect(SoundEventSegment, f'{ns}/sound_event_segments', 100)
    src = AudioSource(ros, ns)
    assert src.wait_connected(stamped=True)
    audio = np.concatenate([np.zeros(RATE, np.float32), beep(3.0, seed=9), np.zeros(2 * RATE, np.float32)])
    src.stream_lockstep(node, audio, RATE, chunk=0.25, start=100.0)
    assert ros.wait_for(lambda: node.pending_windows() == 0, 20.0)
    detected = [m for m in results.items if any(d.label == 'beep' for d in m.detections)]
    assert detected and all(d.class_id == 3 for m in detected for d in m.detections if d.label == 'beep')
    assert all(len(m.scores) == 4 for m in results.items if not m.silent)
    assert ros.wait_for(lambda: any(s.label == 'beep' and s.class_id == 3 for s in segments.items), 10.0)

    gone = ros.call(Forget, f'{ns}/degram_node/forget_sound', Forget.Request(name='beep'))
    assert gone.success, gone.message
    assert ros.wait_for(lambda: list(infos.items[-1].labels) == ['a', 'b', 'c'], 20.0)
    assert not ros.call(Forget, f'{ns}/degram_node/forget_sound', Forget.Request(name='beep')).success
    ros.remove(node)


def test_teaching_from_the_stream_while_it_streams_drops_nothing(ros, event_model, quiet_background, tmp_path):
    from degram_msgs.msg import SoundEvent
    from degram_msgs.srv import ListSounds, TeachSound

    from harness import AudioSource

    node, ns = _start(ros, event_model, tmp_path / 'sounds.json')
    results = ros.collect(SoundEvent, f'{ns}/sound_event', 100)
    src = AudioSource(ros, ns)
    assert src.wait_connected(stamped=True)
    client = ros.client.create_client(TeachSound, f'{ns}/degram_node/teach')
    assert client.wait_for_service(timeout_sec=10.0)
    future = client.call_async(TeachSound.Request(name='whistle', seconds=2.0))
    assert ros.wait_for(lambda: node._sounds.listening, 20.0)
    src.stream_lockstep(node, beep(4.0, seed=3), RATE, chunk=0.25, start=200.0)   # the stream flows meanwhile
    assert ros.wait_for(future.done, 60.0)
    answer = future.result()
    assert answer.success and answer.windows >= 1, answer.message
    assert list(ros.call(ListSounds, f'{ns}/degram_node/list_sounds').names) == ['whistle']
    assert node.counts['dropped_windows'] == 0 and len(results) >= 3
    ros.remove(node)


def test_a_database_of_another_model_stops_the_start_with_one_line(ros, event_model, tmp_path):
    from degram.sounds import SoundDatabase
    from degram_ros.node import DegramNode
    from degram_ros.parameters import StartupError

    other = SoundDatabase.open(tmp_path / 'sounds.json', 'other', 'c' * 64)
    other.put('x', np.ones(8) / np.sqrt(8), 0.5, 10.0, 1, 1)
    other.save()
    with pytest.raises(StartupError, match='invalid parameter sound_db: .*taught with model'):
        ros.add(DegramNode, 'degram_node', namespace=f'/snd{next(_ns)}', params={
            'model_path': str(event_model), 'device': 'cpu', 'sound_db': str(tmp_path / 'sounds.json')})
