# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The robot's own voice, over the real middleware: a TTS node's ``std_msgs/Bool`` on
``self_speech_topic`` (true while the robot speaks) → every window that overlaps the robot's
speech (or the ``self_speech_release`` seconds after it) gives a message marked ``self_speech``
with no detection / no speaker, starts or ends no sound event and is counted in diagnostics; every
other window is decided as without the gate."""
from __future__ import annotations

import itertools

import pytest

pytestmark = pytest.mark.usefixtures('ros_required')

RATE = 16000
WINDOW, HOP, RELEASE = 1.0, 0.5, 0.3
_ns = itertools.count()


@pytest.fixture(scope='module')
def checkpoints(tmp_path_factory):
    from degram import build_model, save_checkpoint

    root = tmp_path_factory.mktemp('self_speech')
    sound = build_model('spectrogram', 'resnet18', num_classes=3, sample_rate=RATE, width=8)
    speaker = build_model('spectrogram', 'resnet18', num_classes=4, sample_rate=RATE, width=8)
    return {
        'sound_event': save_checkpoint(sound, root / 'tiny_sound.pt', labels=['a', 'b', 'c'],
                                       task='sound_event', name='tiny_sound'),
        'speaker_id': save_checkpoint(speaker, root / 'tiny_speaker.pt', labels=['w', 'x', 'y', 'z'],
                                      task='speaker_id', name='tiny_speaker'),
    }


def _seconds(stamp) -> float:
    return stamp.sec + stamp.nanosec * 1e-9


def _run(ros, model, task: str):
    """3 s of audio, the robot speaks during the next 2 s (Bool true ... false), 3 s more; every
    window decided (lockstep). → (node, results by stamp, segments, speech interval)."""
    from std_msgs.msg import Bool

    from degram_msgs.msg import SoundEvent, SoundEventSegment, SpeakerId
    from degram_ros.node import DegramNode

    from harness import AudioSource, tone

    ns = f'/self{next(_ns)}'
    # threshold 0: every window the model decides is a detection / a known speaker
    node = ros.add(DegramNode, 'degram_node', namespace=ns, params={
        'model_path': str(model), 'device': 'cpu', 'stamped': True, 'threshold': 0.0,
        'window_length': WINDOW, 'hop_length': HOP, 'self_speech_topic': 'tts/is_speaking',
        'self_speech_release': RELEASE, 'publish_vision_msgs': False})
    kind, topic = (SpeakerId, 'speaker_id') if task == 'speaker_id' else (SoundEvent, 'sound_event')
    results = ros.collect(kind, f'{ns}/{topic}', 200)
    segments = ros.collect(SoundEventSegment, f'{ns}/sound_event_segments', 200)
    tts = ros.publisher(Bool, f'{ns}/tts/is_speaking')
    src = AudioSource(ros, ns)
    assert src.wait_connected(stamped=True)
    assert ros.wait_for(lambda: tts.get_subscription_count() > 0)
    gate = node.channel.self_speech

    def say(speaking: bool) -> None:
        transitions = gate.transitions
        tts.publish(Bool(data=speaking))
        assert ros.wait_for(lambda: gate.transitions == transitions + 1)

    src.stream_lockstep(node, tone(3.0, RATE), RATE, chunk=0.1, start=100.0)
    say(True)                                                  # the audio so far ends at 103.0
    src.stream_lockstep(node, tone(2.0, RATE, 660.0), RATE, chunk=0.1, start=103.0)
    say(False)                                                 # ... 105.0, + release
    src.stream_lockstep(node, tone(3.0, RATE), RATE, chunk=0.1, start=105.0)
    windows = node.stream.counters.windows
    assert windows == 15 and node.counts['dropped_windows'] == 0   # 100.0, 100.5 ... 107.0
    assert ros.wait_for(lambda: len(results) == windows)
    by_stamp = {round(_seconds(m.header.stamp), 3): m for m in results.items}
    return node, by_stamp, segments.items, (103.0, 105.0 + RELEASE)


@pytest.mark.parametrize('task', ['sound_event', 'speaker_id'])
def test_windows_overlapping_the_robots_speech_give_no_result_and_none_other_is_lost(ros, checkpoints, task):
    node, by_stamp, segments, (start, end) = _run(ros, checkpoints[task], task)
    overlapping = {s for s in by_stamp if s < end and start < s + WINDOW}
    outside = set(by_stamp) - overlapping
    assert overlapping == {102.5, 103.0, 103.5, 104.0, 104.5, 105.0}
    assert len(outside) == 9

    def result(msg) -> bool:   # a detection / a known speaker
        return bool(msg.known if task == 'speaker_id' else msg.detections or msg.detected)

    # during the robot's speech: 0 results, every window still answered, marked self_speech
    assert [s for s in overlapping if result(by_stamp[s])] == []
    assert all(by_stamp[s].self_speech for s in overlapping)
    if task == 'speaker_id':
        assert all(by_stamp[s].speaker == '' and not by_stamp[s].candidates for s in overlapping)
    else:
        assert all(by_stamp[s].label == '' and not by_stamp[s].scores for s in overlapping)
    # outside it: every window decided as usual (threshold 0: all of them results), none marked
    assert all(result(by_stamp[s]) and not by_stamp[s].self_speech for s in outside)
    # the marked windows are counted; none failed
    values = node.diagnostics_values()
    assert values['windows_self_speech'] == str(len(overlapping))
    assert node.counts['inference_errors'] == 0
    if task == 'sound_event':   # no event starts or ends inside the robot's speech
        assert segments and not [m for m in segments if start <= _seconds(m.header.stamp) < end]
    print(f'self-speech {task}: results during the robot speech {sum(result(by_stamp[s]) for s in overlapping)} '
          f'of {len(overlapping)} windows; outside {sum(result(by_stamp[s]) for s in outside)} of {len(outside)}')
    ros.remove(node)


def test_without_the_topic_the_gate_is_off(ros, checkpoints):
    from degram_ros.node import DegramNode

    node = ros.add(DegramNode, 'degram_node', namespace=f'/self{next(_ns)}', params={
        'model_path': str(checkpoints['sound_event']), 'device': 'cpu'})
    assert node.channel.self_speech is None
    assert node.diagnostics_values()['windows_self_speech'] == '0'
    ros.remove(node)
