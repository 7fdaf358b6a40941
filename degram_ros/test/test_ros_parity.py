# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The same audio gives the same results through the node and offline: degram_node (real rclpy,
AudioDataStamped) ⇄ ``degram annotate``'s Annotator (the library's StreamInput → AudioStream →
WindowAnalyzer), and degram_node on PyTorch ⇄ on ONNX Runtime."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

from conftest import error_lines

pytestmark = pytest.mark.usefixtures('ros_required')

RATE = 16000
CHUNK = 0.1
START = 50.0
_ns = itertools.count()


@pytest.fixture(scope='module')
def recording() -> np.ndarray:
    """4.5 s: a tone, digital silence, noise."""
    from harness import tone

    noise = 0.1 * np.random.default_rng(3).standard_normal(int(1.5 * RATE))
    return np.concatenate([tone(1.5, RATE), np.zeros(int(1.5 * RATE)), noise]).astype(np.float32)


def _split(values: np.ndarray) -> float:
    """A threshold in the middle of the widest gap between the values (some above, some below)."""
    ordered = np.sort(values)
    k = int(np.argmax(np.diff(ordered)))
    return float((ordered[k] + ordered[k + 1]) / 2)


@pytest.fixture(scope='module')
def model(multilabel_checkpoint, recording):
    """The multi-label test model with thresholds that make knock and speech come and go over the
    recording (alarm: threshold 0, detected whenever the gate lets a window through)."""
    from degram.events import detector_for, windows_of
    from degram.inference import load_model

    predictor = load_model(multilabel_checkpoint('parity_probe'))
    _, windows = windows_of(recording, RATE, RATE, 1.0, 0.5)
    loud = [w for w in windows if not detector_for(predictor).gate(w)[1]]
    scores = predictor.predict(np.stack(loud), RATE)
    return multilabel_checkpoint('parity', thresholds=(0.0, _split(scores[:, 1]), _split(scores[:, 2])))


def _seconds(stamp) -> float:
    return stamp.sec + stamp.nanosec * 1e-9


def _run_node(ros, model, audio, **params):
    """Play ``audio`` as AudioDataStamped (S16LE, CHUNK s, stamps from START) through a fresh node,
    window by window; shut it down (open events end); → (SoundEvents by stamp, segments, node)."""
    from degram_msgs.msg import SoundEvent, SoundEventSegment
    from degram_ros.node import DegramNode

    from harness import AudioSource

    ns = f'/par{next(_ns)}'
    events = ros.collect(SoundEvent, f'{ns}/sound_event', 100)
    segments = ros.collect(SoundEventSegment, f'{ns}/sound_event_segments', 100)
    node = ros.add(DegramNode, 'degram_node', namespace=ns, params={
        'model_path': str(model), 'device': 'cpu', 'stamped': True, 'num_threads': 1, **params})
    src = AudioSource(ros, ns)
    assert src.wait_connected(stamped=True)
    src.info(RATE, 1, 'S16LE')
    assert ros.wait_for(lambda: node.stream.sample_format == 'S16LE')
    src.stream_lockstep(node, audio, RATE, chunk=CHUNK, start=START)
    windows = node.stream.counters.windows
    assert windows >= 6 and node.counts['dropped_windows'] == 0
    assert ros.wait_for(lambda: len(events) == windows)
    info = (node.device_text, node.diagnostics_values())
    ros.remove(node)     # shutdown: the open events end
    n_started = sum(s.state == SoundEventSegment.STARTED for s in segments.items)
    assert ros.wait_for(lambda: sum(s.state == SoundEventSegment.ENDED for s in segments.items) == n_started)
    return sorted(events.items, key=lambda m: _seconds(m.header.stamp)), segments.items, info


def _annotate(model, audio):
    """The same bytes and stamps through degram annotate's Annotator."""
    from degram.annotate import Annotator
    from degram.inference import load_model
    from degram.streaming import encode_pcm
    from degram.streaming.bags import AudioMessage

    predictor = load_model(model)
    window, hop = predictor.metadata['window_length'], predictor.metadata['hop_length']
    annotator = Annotator(predictor, window, hop)
    step = int(round(CHUNK * RATE))
    messages = [AudioMessage(START, info={'channels': 1, 'sample_rate': RATE, 'sample_format': 'S16LE',
                                          'bitrate': 16 * RATE, 'coding_format': 'wave'})]
    messages += [AudioMessage(START + i / RATE, encode_pcm(audio[i:i + step], 'S16LE'), START + i / RATE)
                 for i in range(0, len(audio), step)]
    annotator.feed(messages)
    return annotator.finish()


def test_node_and_annotate_agree_window_by_window_and_on_the_events(ros, model, recording):
    from degram_msgs.msg import SoundEventSegment

    msgs, segments, _ = _run_node(ros, model, recording)
    result = _annotate(model, recording)
    assert len(msgs) == len(result.windows) == 8
    for msg, row in zip(msgs, result.windows):
        assert _seconds(msg.header.stamp) == pytest.approx(row['stamp'], abs=1e-6)
        assert msg.silent == row['silent'] and msg.detected == row['detected']
        assert ' '.join(d.label for d in msg.detections) == row['detections']
        assert msg.label == row['label'] and msg.confidence == pytest.approx(row['confidence'], abs=1e-5)
        assert msg.level_db == pytest.approx(row['level_db'], abs=0.01)
    # the recording exercises every case: silent windows, windows with and without knock/speech
    assert {m.silent for m in msgs} == {True, False}
    for label in ('knock', 'speech'):
        assert {label in row['detections'].split() for row in result.windows if not row['silent']} == {True, False}
    started = sorted((s.label, round(_seconds(s.onset), 6)) for s in segments
                     if s.state == SoundEventSegment.STARTED)
    ended = sorted((s.label, round(_seconds(s.onset), 6), round(_seconds(s.offset), 6), s.peak_confidence)
                   for s in segments if s.state == SoundEventSegment.ENDED)
    offline = sorted((e['label'], e['onset'], e['offset'], e['peak']) for e in result.events)
    assert len(offline) >= 2      # alarm at least twice (the tone, the noise), split by the silence
    assert started == [(label, onset) for label, onset, _, _ in offline]
    assert [e[:3] for e in ended] == [e[:3] for e in offline]      # labels, onsets, offsets (µs)
    assert [e[3] for e in ended] == pytest.approx([e[3] for e in offline], abs=1e-5)


def test_onnxruntime_backend_publishes_what_torch_publishes(ros, model, recording, tmp_path, monkeypatch,
                                                            capfd):
    monkeypatch.setenv('DEGRAM_CACHE', str(tmp_path / 'cache'))   # where the .pt gets exported
    audio = recording[:int(3.5 * RATE)]
    torch_msgs, torch_segments, _ = _run_node(ros, model, audio)
    capfd.readouterr()
    onnx_msgs, onnx_segments, (device, diagnostics) = _run_node(
        ros, model, audio, backend='onnxruntime', publish_representation=True)
    output = capfd.readouterr()
    assert device == 'cpu (onnxruntime)' and diagnostics['device'] == device
    assert diagnostics['backend'] == 'onnxruntime'
    # nothing to publish as an image: one warning at configure
    warnings = [line for line in (output.out + output.err).splitlines() if 'computes no representation' in line]
    assert len(warnings) == 1 and '[WARN]' in warnings[0]
    assert len(onnx_msgs) == len(torch_msgs)
    for a, b in zip(torch_msgs, onnx_msgs):
        assert a.header.stamp == b.header.stamp and a.silent == b.silent
        assert a.label == b.label and [d.label for d in a.detections] == [d.label for d in b.detections]
        np.testing.assert_allclose(b.scores, a.scores, atol=1e-4)
    assert sorted((s.label, s.state, s.onset.sec, s.onset.nanosec) for s in onnx_segments) == \
        sorted((s.label, s.state, s.onset.sec, s.onset.nanosec) for s in torch_segments)


def test_onnx_model_path(ros, model, tmp_path, capfd):
    """An .onnx file runs on ONNX Runtime by itself; asking for torch is one clear error."""
    from rclpy.lifecycle import TransitionCallbackReturn

    from degram.export import export_onnx
    from degram.inference import load_checkpoint
    from degram_ros.node import DegramNode

    onnx = export_onnx(load_checkpoint(model), tmp_path / 'parity.onnx')
    node = ros.add(DegramNode, 'degram_node', namespace=f'/par{next(_ns)}',
                   params={'model_path': str(onnx), 'device': 'cpu'})
    assert node.model.backend == 'onnxruntime' and node.device_text == 'cpu (onnxruntime)'
    assert node.model_name == 'parity' and list(node.detector.thresholds)[0] == 0.0
    ros.remove(node)
    capfd.readouterr()
    node = ros.add(DegramNode, 'degram_node', namespace=f'/par{next(_ns)}',
                   params={'model_path': str(onnx), 'device': 'cpu', 'backend': 'torch', 'autostart': False})
    assert node.trigger_configure() == TransitionCallbackReturn.FAILURE
    assert node.model is None
    ros.wait_for(lambda: False, 0.3)   # let the log line out
    output = capfd.readouterr()
    text = output.out + output.err
    problems = error_lines(text)
    assert len(problems) == 1, text
    assert str(onnx) in problems[0] and "backend 'torch'" in problems[0] and 'onnxruntime' in problems[0]
    assert 'Traceback' not in text
    ros.remove(node)
