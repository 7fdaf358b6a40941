# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Sound-event results a robot can act on, over the real middleware: a multi-label model with
calibration metadata (per-class thresholds, level gate, recommended window) → SoundEvent with
every class's score, the detections, silent and level; SoundEventSegment when an event starts
and ends; ModelInfo stating the thresholds, the gate and the background handling."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

from conftest import MULTI_LABELS

pytestmark = pytest.mark.usefixtures('ros_required')

RATE = 16000
_ns = itertools.count()


def _start(ros, model, **params):
    from degram_ros.node import DegramNode

    ns = f'/ev{next(_ns)}'
    node = ros.add(DegramNode, 'degram_node', namespace=ns,
                   params={'model_path': str(model), 'device': 'cpu', 'stamped': True, **params})
    return node, ns


def _seconds(stamp) -> float:
    return stamp.sec + stamp.nanosec * 1e-9


def _s16(samples: np.ndarray) -> np.ndarray:
    """What the node decodes from S16LE: the samples quantised as encode_pcm does."""
    from degram.streaming import decode_pcm, encode_pcm

    return decode_pcm(encode_pcm(samples, 'S16LE'), 'S16LE', 1)[0][:, 0]


def test_multilabel_results_silence_scores_segments_and_model_info(ros, multilabel_checkpoint):
    from rclpy.parameter import Parameter

    from degram.inference import load_model
    from degram_msgs.msg import ModelInfo, SoundEvent, SoundEventSegment

    from harness import LATCHED, AudioSource, tone

    path = multilabel_checkpoint()          # thresholds alarm 0.0, knock 1.0, speech 0.5; gate -65
    node, ns = _start(ros, path)
    events = ros.collect(SoundEvent, f'{ns}/sound_event', 100)
    segments = ros.collect(SoundEventSegment, f'{ns}/sound_event_segments', 100)
    infos = ros.collect(ModelInfo, f'{ns}/model_info', LATCHED)
    src = AudioSource(ros, ns)
    assert src.wait_connected(stamped=True)
    # the window comes from the model's metadata (the parameters are 0.0)
    assert (node.stream.window_length, node.stream.hop_length) == (1.0, 0.5)
    audio = np.concatenate([tone(2.0, RATE), np.zeros(2 * RATE, np.float32)])
    src.stream_lockstep(node, audio, RATE, chunk=0.25, start=100.0)
    assert ros.wait_for(lambda: len(events) == 7)   # windows at 100.0, 100.5, ... 103.0
    assert node.counts['dropped_windows'] == 0
    msgs = sorted(events.items, key=lambda m: _seconds(m.header.stamp))
    predictor = load_model(path)
    heard = _s16(audio)
    for msg in msgs:
        t = _seconds(msg.header.stamp) - 100.0
        assert msg.window.sec == 1 and msg.window.nanosec == 0
        if t >= 2.0:    # digital silence: below the gate, not scored
            assert msg.silent and not msg.detected
            assert list(msg.scores) == [] and list(msg.detections) == [] and list(msg.top_k) == []
            assert msg.level_db < -65.0 and msg.label == '' and msg.confidence == 0.0
            continue
        assert not msg.silent and msg.level_db > -65.0
        start = int(round(t * RATE))
        expected = predictor.predict(heard[start:start + RATE], RATE)
        assert len(msg.scores) == 3                      # every class, in label order
        np.testing.assert_allclose(msg.scores, expected, atol=1e-5)
        wanted = [i for i in np.argsort(-expected, kind='stable') if expected[i] >= [0.0, 1.0, 0.5][i]]
        assert [d.class_id for d in msg.detections] == wanted
        assert [d.label for d in msg.detections] == [MULTI_LABELS[i] for i in wanted]
        assert msg.detected and msg.label == msg.detections[0].label == MULTI_LABELS[wanted[0]]
        assert msg.confidence == pytest.approx(msg.detections[0].score)
        assert 'alarm' in [d.label for d in msg.detections] and 'knock' not in [d.label for d in msg.detections]
        assert [s.score for s in msg.top_k] == sorted([s.score for s in msg.top_k], reverse=True)
    # alarm (threshold 0): detected in the windows at 100.0 .. 101.5 → one event, 100.0 .. 102.5
    assert ros.wait_for(lambda: len([s for s in segments.items if s.label == 'alarm']) == 2)
    alarm = [s for s in segments.items if s.label == 'alarm']
    assert [s.state for s in alarm] == [SoundEventSegment.STARTED, SoundEventSegment.ENDED]
    started, ended = alarm
    assert _seconds(started.onset) == pytest.approx(100.0) and _seconds(started.header.stamp) == pytest.approx(100.0)
    assert (started.offset.sec, started.offset.nanosec) == (0, 0)          # open
    assert started.class_id == 0 and 0.0 < started.peak_confidence <= 1.0
    assert _seconds(ended.onset) == pytest.approx(100.0)
    assert _seconds(ended.offset) == pytest.approx(102.5) and _seconds(ended.onset) <= _seconds(ended.offset)
    scored = [m.scores[0] for m in msgs if not m.silent]
    assert ended.peak_confidence == pytest.approx(max(scored), abs=1e-6)
    for seg in segments.items:   # every segment: a started one, then its end
        assert seg.state in (SoundEventSegment.STARTED, SoundEventSegment.ENDED)
        if seg.state == SoundEventSegment.ENDED:
            assert _seconds(seg.onset) <= _seconds(seg.offset)
            assert any(s.state == SoundEventSegment.STARTED and s.label == seg.label and s.onset == seg.onset
                       for s in segments.items)
    # ModelInfo states the calibration and how the model says "nothing"
    assert ros.wait_for(lambda: len(infos) >= 1)
    info = infos.items[-1]
    assert info.multi_label and list(info.labels) == MULTI_LABELS
    assert list(info.thresholds) == [0.0, 1.0, 0.5] and info.min_level_db == -65.0
    assert info.window_length == 1.0 and info.hop_length == 0.5
    assert 'multi-label' in info.background and 'calibrated per-class thresholds' in info.background
    assert 'level gate -65 dBFS' in info.background

    # threshold 0.9 for every class at run time: the detections follow it (and ModelInfo says so)
    def detections_of(start: float) -> list[tuple[list[int], list[float]]]:
        events.clear()
        src.stream_lockstep(node, tone(1.5, RATE), RATE, chunk=0.25, start=start)
        assert ros.wait_for(lambda: len(events) == 2)
        return [([d.class_id for d in m.detections], list(m.scores)) for m in events.items]

    assert node.set_parameters([Parameter('threshold', value=0.9)])[0].successful
    assert ros.wait_for(lambda: list(infos.items[-1].thresholds) == pytest.approx([0.9] * 3))
    assert 'threshold 0.9 on every class' in infos.items[-1].background
    at_09 = detections_of(200.0)
    for ids, scores in at_09:
        assert ids == [i for i in np.argsort(scores, kind='stable')[::-1] if scores[i] >= 0.9]
        assert 0 not in ids and scores[0] < 0.9       # alarm is no longer detected
    assert node.set_parameters([Parameter('threshold', value=-1.0)])[0].successful
    assert ros.wait_for(lambda: list(infos.items[-1].thresholds) == [0.0, 1.0, 0.5])
    back = detections_of(300.0)
    assert all(0 in ids for ids, _ in back)             # the calibrated thresholds again
    # deactivate closes the event that is still open (alarm since 300.0) with an ENDED segment
    def alarm_at_300(state):
        return [s for s in segments.items if s.label == 'alarm' and s.state == state
                and _seconds(s.onset) == pytest.approx(300.0)]
    assert ros.wait_for(lambda: len(alarm_at_300(SoundEventSegment.STARTED)) == 1)
    assert alarm_at_300(SoundEventSegment.ENDED) == []
    node.trigger_deactivate()
    assert ros.wait_for(lambda: len(alarm_at_300(SoundEventSegment.ENDED)) == 1)
    closing = alarm_at_300(SoundEventSegment.ENDED)[0]
    assert _seconds(closing.onset) == pytest.approx(300.0)
    assert _seconds(closing.offset) == pytest.approx(301.5)    # end of its last window (300.5 + 1)
    ros.remove(node)


def test_window_and_hop_defaults_come_from_the_model(ros, multilabel_checkpoint):
    from degram_msgs.msg import ModelInfo
    from degram_ros.node import DegramNode, StartupError

    from harness import LATCHED

    path = multilabel_checkpoint('tiny_long', window_length=2.0, hop_length=0.25)
    node, ns = _start(ros, path)
    infos = ros.collect(ModelInfo, f'{ns}/model_info', LATCHED)
    assert (node.stream.window_length, node.stream.hop_length) == (2.0, 0.25)
    assert node.get_parameter('window_length').value == 0.0     # the parameter keeps saying "model's"
    assert ros.wait_for(lambda: len(infos) >= 1)
    assert (infos.items[-1].window_length, infos.items[-1].hop_length) == (2.0, 0.25)
    ros.remove(node)
    for params, expected in (({'window_length': 1.0}, (1.0, 0.25)), ({'hop_length': 0.5}, (2.0, 0.5)),
                             ({'window_length': 0.2}, (0.2, 0.2)),          # the model's hop, capped
                             ({'window_length': 3.0, 'hop_length': 1.0}, (3.0, 1.0))):
        node, _ = _start(ros, path, **params)
        assert (node.stream.window_length, node.stream.hop_length) == expected, params
        ros.remove(node)
    # the hop <= window check needs the model's window: after loading it
    with pytest.raises(StartupError, match='hop_length: 3.0 s is longer than window_length 2.0 s'):
        ros.add(DegramNode, 'degram_node', namespace=f'/ev{next(_ns)}',
                params={'model_path': str(path), 'device': 'cpu', 'hop_length': 3.0})
    # a model without recommendations: 1.0 / 0.5
    plain = multilabel_checkpoint('tiny_plain', window_length=None, hop_length=None)
    node, _ = _start(ros, plain)
    assert (node.stream.window_length, node.stream.hop_length) == (1.0, 0.5)
    ros.remove(node)


def test_explicit_level_gate_and_softmax_background(ros, multilabel_checkpoint, tmp_path):
    from degram import build_model, save_checkpoint
    from degram_msgs.msg import ModelInfo, SoundEvent

    from harness import LATCHED, AudioSource, tone

    # min_level_db overrides the model's gate: -10 dBFS silences a -13.5 dBFS tone
    node, ns = _start(ros, multilabel_checkpoint(), min_level_db=-10.0)
    events = ros.collect(SoundEvent, f'{ns}/sound_event', 100)
    infos = ros.collect(ModelInfo, f'{ns}/model_info', LATCHED)
    src = AudioSource(ros, ns)
    assert src.wait_connected(stamped=True)
    src.stream_lockstep(node, tone(1.5, RATE), RATE, chunk=0.25, start=10.0)
    assert ros.wait_for(lambda: len(events) == 2)
    assert all(m.silent and not m.detected and -14.0 < m.level_db < -13.0 for m in events.items)
    assert ros.wait_for(lambda: len(infos) >= 1) and infos.items[-1].min_level_db == -10.0
    ros.remove(node)
    # a softmax model without calibration: 0.5 on the top-1 score, no gate
    net = build_model('spectrogram', 'resnet18', num_classes=2, sample_rate=RATE, width=8)
    soft = save_checkpoint(net, tmp_path / 'soft.pt', labels=['x', 'y'], task='sound_event')
    node, ns = _start(ros, soft)
    infos = ros.collect(ModelInfo, f'{ns}/model_info', LATCHED)
    assert ros.wait_for(lambda: len(infos) >= 1)
    info = infos.items[-1]
    assert list(info.thresholds) == [0.5, 0.5] and info.min_level_db == float('-inf')
    assert info.background.startswith('softmax; every window is one of the labels; threshold 0.5 on the '
                                      'top-1 score')
    ros.remove(node)


@pytest.mark.parametrize('channel, level', [(0, None), (1, -13.5), (-1, -19.5)])
def test_the_channel_parameter_picks_or_mixes_the_input_channels(ros, multilabel_checkpoint, channel, level):
    """Stereo input, silence on the left, a 0.3 tone (RMS -13.5 dBFS) on the right: channel 0 is
    silent, channel 1 the tone, -1 their average (-19.5 dBFS)."""
    from degram_msgs.msg import SoundEvent

    from harness import AudioSource, tone

    node, ns = _start(ros, multilabel_checkpoint(), channel=channel)
    events = ros.collect(SoundEvent, f'{ns}/sound_event', 100)
    src = AudioSource(ros, ns)
    assert src.wait_connected(stamped=True)
    src.info(RATE, 2, 'S16LE')
    assert ros.wait_for(lambda: node.stream.channels == 2)
    right = tone(1.5, RATE)
    src.stream_lockstep(node, np.stack([np.zeros_like(right), right], axis=1), RATE, chunk=0.25, start=50.0)
    assert ros.wait_for(lambda: len(events) == 2)              # windows at 0 and 0.5 s
    for msg in events.items:
        if level is None:
            assert msg.silent and msg.level_db < -65.0
        else:
            assert not msg.silent and msg.level_db == pytest.approx(level, abs=0.2)
    ros.remove(node)


def test_event_k_n_and_release_given_to_the_node_shape_the_segments(ros, multilabel_checkpoint):
    """Three windows detect `alarm` (1.5 s of tone, 1 s windows every 0.5 s, then silence): with
    event_k = event_n = 4 no event starts (the default 2 of 3 would start one); with 3 of 3 it starts
    at the first of them and, with event_release 1, ends after the first window without it."""
    from degram_msgs.msg import SoundEvent, SoundEventSegment

    from harness import AudioSource, tone

    path = multilabel_checkpoint()          # alarm's threshold is 0: every scored window detects it
    audio = np.concatenate([tone(1.5, RATE), np.zeros(2 * RATE, np.float32)])
    for params, expected in (({'event_k': 4, 'event_n': 4, 'event_release': 1}, []),
                             ({'event_k': 3, 'event_n': 3, 'event_release': 1},
                              [(SoundEventSegment.STARTED, 100.0, 0.0), (SoundEventSegment.ENDED, 100.0, 102.0)])):
        node, ns = _start(ros, path, **params)
        events = ros.collect(SoundEvent, f'{ns}/sound_event', 100)
        segments = ros.collect(SoundEventSegment, f'{ns}/sound_event_segments', 100)
        src = AudioSource(ros, ns)
        assert src.wait_connected(stamped=True)
        src.stream_lockstep(node, audio, RATE, chunk=0.25, start=100.0)
        assert ros.wait_for(lambda e=events: len(e) == 6)          # windows at 100.0 ... 102.5
        detected = [_seconds(m.header.stamp) for m in events.items if 'alarm' in [d.label for d in m.detections]]
        assert sorted(detected) == [100.0, 100.5, 101.0]
        if expected:
            assert ros.wait_for(lambda g=segments: len([s for s in g.items if s.label == 'alarm']) == 2)
        alarm = [(s.state, _seconds(s.onset), _seconds(s.offset)) for s in segments.items if s.label == 'alarm']
        assert alarm == [(state, pytest.approx(onset), pytest.approx(offset)) for state, onset, offset in expected]
        ros.remove(node)
