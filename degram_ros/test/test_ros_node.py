# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""degram_node over the real middleware (rclpy + Fast DDS in this process, no mocks)."""
from __future__ import annotations

import itertools
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import error_lines

pytestmark = pytest.mark.usefixtures('ros_required')

LABELS = ['dog_bark', 'rain', 'siren']
SPEAKERS = ['alice', 'bob', 'carol', 'dave']
CONFIG = Path(__file__).resolve().parents[1] / 'config'
_ns = itertools.count()


@pytest.fixture(scope='session')
def checkpoints(tmp_path_factory):
    from degram import build_model, save_checkpoint

    root = tmp_path_factory.mktemp('models')
    sound = build_model('spectrogram', 'resnet18', num_classes=3, sample_rate=16000, width=8)
    speaker = build_model('spectrogram', 'resnet18', num_classes=4, sample_rate=16000, width=8)
    return {
        'sound_event': save_checkpoint(sound, root / 'tiny_sound.pt', labels=LABELS,
                                       task='sound_event', name='tiny_sound'),
        'speaker_id': save_checkpoint(speaker, root / 'tiny_speaker.pt', labels=SPEAKERS,
                                      task='speaker_id', name='tiny_speaker'),
    }


def _namespace():
    return f'/t{next(_ns)}'


def _start(ros, checkpoints, task='sound_event', **params):
    from degram_ros.node import DegramNode

    ns = _namespace()
    params = {'model_path': str(checkpoints[task]), 'device': 'cpu', **params}
    node = ros.add(DegramNode, 'degram_node', namespace=ns, params=params)
    return node, ns


def _expect_windows(node, received, expected, timeout=30.0):
    """Every window (sent in lockstep: none is dropped) gives its result, and no more will come:
    every window the stream formed has been processed."""
    from harness import RosHarness

    assert RosHarness.wait_for(lambda: len(received) >= expected, timeout), f'{len(received)} results < {expected}'
    assert node.counts['dropped_windows'] == 0
    assert node.counts['windows_processed'] == node.stream.counters.windows
    assert len(received) == expected


def test_sound_event_per_hop_with_capture_stamps(ros, checkpoints):
    from degram_msgs.msg import ModelInfo, SoundEvent

    from harness import LATCHED, AudioSource, tone

    node, ns = _start(ros, checkpoints, stamped=True, top_k=2, window_length=1.0, hop_length=0.5)
    events = ros.collect(SoundEvent, f'{ns}/sound_event')
    infos = ros.collect(ModelInfo, f'{ns}/model_info', LATCHED)
    src = AudioSource(ros, ns)
    assert src.wait_connected(stamped=True)
    src.info(16000, 1, 'S16LE')
    ros.wait_for(lambda: node.stream.sample_rate == 16000, 5.0)
    src.stream_lockstep(node, tone(3.0, 16000), 16000, chunk=0.1, start=1000.0, frame_id='mic')
    _expect_windows(node, events, 5)
    for msg in events.items:
        stamp = msg.header.stamp.sec + msg.header.stamp.nanosec * 1e-9
        assert any(abs(stamp - (1000.0 + 0.5 * k)) < 1e-3 for k in range(5)), stamp
        assert msg.header.frame_id == 'mic'
        assert (msg.window.sec, msg.window.nanosec) == (1, 0)
        assert len(msg.top_k) == 2
        assert msg.top_k[0].score >= msg.top_k[1].score
        assert msg.label == msg.top_k[0].label and msg.label in LABELS
        assert msg.top_k[0].class_id == LABELS.index(msg.label)
        assert msg.confidence == pytest.approx(msg.top_k[0].score)
        assert msg.detected == (msg.confidence >= 0.5)
    stamps = [m.header.stamp.sec + m.header.stamp.nanosec * 1e-9 for m in events.items]
    assert stamps == sorted(stamps)
    assert ros.wait_for(lambda: len(infos) >= 1, 10.0)
    info = infos.items[-1]
    assert info.name == 'tiny_sound' and info.task == 'sound_event'
    assert list(info.labels) == LABELS and info.sample_rate == 16000
    assert info.window_length == pytest.approx(1.0) and info.hop_length == pytest.approx(0.5)
    assert info.device == 'cpu' and info.frontend and info.backbone
    ros.remove(node)


def test_stereo_44k_plain_audio_is_resampled(ros, checkpoints):
    """Plain AudioData is stamped by the node's receive clock: a simulated clock (/clock) makes the
    arrival times exact, 2.5x faster than real time, however busy the machine is."""
    import functools

    from rosgraph_msgs.msg import Clock

    from degram.streaming import encode_pcm
    from degram_msgs.msg import SoundEvent

    from harness import AudioSource, to_time, tone

    node, ns = _start(ros, checkpoints, frame_id='robot_mic', top_k=10, use_sim_time=True, audio_qos='reliable')
    events = ros.collect(SoundEvent, f'{ns}/sound_event')
    clock = ros.publisher(Clock, '/clock')
    src = AudioSource(ros, ns)
    assert src.wait_connected(stamped=False)
    src.info(44100, 2, 'S16LE')
    assert ros.wait_for(lambda: node.stream.sample_rate == 44100 and node.stream.channels == 2)
    right = tone(2.0, 44100)
    stereo = np.stack([np.zeros_like(right), right], axis=1)

    def arrive(t: float, payload: bytes) -> None:
        clock.publish(Clock(clock=to_time(t)))
        assert ros.wait_for(lambda: node.get_clock().now().nanoseconds == round(t * 1e9), 10.0)
        src.raw(payload)
    step, t0 = int(0.05 * 44100), 500.0
    arrivals = [t0 + 0.02 * (k + 1) for k in range(-(-len(stereo) // step))]   # 50 ms chunks every 20 ms
    ros.lockstep(node, [functools.partial(arrive, t, encode_pcm(stereo[i:i + step]))
                        for t, i in zip(arrivals, range(0, len(stereo), step))])
    _expect_windows(node, events, 2)   # 2 s → windows at 0 and 0.5 s (the third needs 2.0 s + delay)
    c = node.stream.counters
    assert c.frames_in == len(right) and c.resets == 1 + c.format_changes and c.receive_gaps == 0 and c.backwards == 0
    for msg in events.items:
        stamp = msg.header.stamp.sec + msg.header.stamp.nanosec * 1e-9
        # receive-clock capture time: no earlier than the audio sent allows, and the window's end not
        # after the arrival of its last chunk by more than stamp_tolerance
        assert t0 - 2.0 < stamp and stamp + 1.0 <= arrivals[-1] + 0.1
        assert msg.header.frame_id == 'robot_mic'
        assert len(msg.top_k) == 3                     # top_k capped at the class count
        assert {s.label for s in msg.top_k} == set(LABELS)
    ros.remove(node)


def test_speaker_id_with_embedding_and_representation(ros, checkpoints):
    from sensor_msgs.msg import Image

    from degram_msgs.msg import SpeakerId

    from harness import AudioSource, tone

    node, ns = _start(ros, checkpoints, task='speaker_id', stamped=True, publish_embedding=True,
                      publish_representation=True, threshold=0.0)
    results = ros.collect(SpeakerId, f'{ns}/speaker_id')
    images = ros.collect(Image, f'{ns}/representation')
    src = AudioSource(ros, ns)
    assert src.wait_connected(stamped=True)
    src.stream_lockstep(node, tone(1.5, 16000, 220.0), 16000, chunk=0.25, start=5.0)
    _expect_windows(node, results, 2)
    msg = results.items[0]
    assert msg.known and msg.speaker in SPEAKERS and msg.speaker == msg.candidates[0].label
    assert len(msg.candidates) == 4
    assert len(msg.embedding) == 64 and np.isfinite(np.asarray(msg.embedding)).all()
    assert ros.wait_for(lambda: len(images) >= 1, 10.0)
    img = images.items[0]
    assert img.encoding == 'mono8' and img.height > 1 and img.width > 1
    assert len(img.data) == img.height * img.step
    # threshold 1.0 at run time: nobody is known any more
    from rclpy.parameter import Parameter

    assert node.set_parameters([Parameter('threshold', value=1.0)])[0].successful
    results.clear()
    node.counts['dropped_windows'] = 0
    src.stream_lockstep(node, tone(1.0, 16000, 220.0), 16000, chunk=0.25, start=100.0)
    _expect_windows(node, results, 1)
    assert all(m.speaker == 'unknown' and not m.known for m in results.items)
    ros.remove(node)


def _counter(node, name):
    return getattr(node.stream.counters, name, None) if hasattr(node.stream.counters, name) \
        else node.counts[name]


def test_bad_input_is_counted_and_good_input_still_served(ros, checkpoints):
    from diagnostic_msgs.msg import DiagnosticArray

    from degram.streaming import encode_pcm
    from degram_msgs.msg import SoundEvent

    from harness import AudioSource, tone

    node, ns = _start(ros, checkpoints, stamped=True, max_message_length=5.0)
    events = ros.collect(SoundEvent, f'{ns}/sound_event')
    diagnostics = ros.collect(DiagnosticArray, '/diagnostics')
    src = AudioSource(ros, ns)
    assert src.wait_connected(stamped=True)
    wait = ros.wait_for
    good = encode_pcm(tone(0.2, 16000))

    # MP3-coded stream: ignored and counted
    src.info(16000, 1, 'S16LE', coding_format='mp3')
    assert wait(lambda: node.channel.format_error is not None)
    for k in range(3):
        src.raw(good, 1.0 + 0.2 * k)
    assert wait(lambda: node.counts['mp3'] >= 1)
    # unknown sample format
    src.info(16000, 1, 'S13BE')
    assert wait(lambda: node.channel.format_error is not None and node.channel.format_error.kind ==
                'unknown_format')
    src.raw(good, 2.0)
    assert wait(lambda: node.counts['unknown_format'] >= 1)
    assert len(events) == 0
    # a usable format again (F32LE, for the NaN case)
    src.info(16000, 1, 'F32LE')
    assert wait(lambda: node.channel.format_error is None and node.stream.sample_format == 'F32LE')
    c = node.stream.counters
    src.raw(np.zeros(100, np.float32).tobytes() + b'\x01\x02', 10.0)            # ragged
    assert wait(lambda: c.ragged >= 1)
    src.raw(b'', 10.1)                                                           # empty
    assert wait(lambda: c.empty >= 1)
    nan = np.full(1600, np.nan, np.float32)
    nan[::2] = np.inf
    src.raw(nan.tobytes(), 10.2)                                                 # NaN/Inf
    assert wait(lambda: c.nonfinite >= 1)
    src.raw(np.full(1600, 1e38, np.float32).tobytes(), 10.3)                     # finite but huge
    assert wait(lambda: c.clipped >= 1)
    src.raw(np.zeros(16000 * 6, np.float32).tobytes(), 11.0)                     # 6 s > 5 s
    assert wait(lambda: c.oversize >= 1)
    src.raw(np.zeros(1600, np.float32).tobytes(), 3.0)                           # backwards
    assert wait(lambda: c.backwards >= 1)
    # the oversize message's one kept window is still being classified: let it land first
    assert wait(lambda: len(events) + node.counts['dropped_windows'] >= 1 and node.pending_windows() == 0)
    # the node is alive and serves good audio
    events.clear()
    node.counts['dropped_windows'] = 0
    signal = tone(1.5, 16000)
    src.stream_lockstep(node, signal, 16000, chunk=0.1, start=50.0, sample_format='F32LE')
    _expect_windows(node, events, 2)
    stamps = {round(m.header.stamp.sec + m.header.stamp.nanosec * 1e-9, 3) for m in events.items}
    assert stamps <= {50.0, 50.5}
    assert all(np.isfinite(m.confidence) for m in events.items)   # issue 12: ±1e38 gave NaN scores
    # diagnostics report the counters
    mine = f'degram_node: {ns}/degram_node'

    def report():
        for array in reversed(diagnostics.items):
            for status in array.status:
                if status.name == mine:
                    return {kv.key: kv.value for kv in status.values}
        return None
    assert wait(lambda: report() is not None and int(report()['windows_processed']) >= 1, 10.0)
    values = report()
    for key in ('mp3_messages', 'unknown_format_messages', 'ragged_messages', 'empty_messages',
                'nonfinite_messages', 'oversize_messages', 'backwards_stamps', 'clipped_messages',
                'format_changes', 'stream_resets'):
        assert int(values[key]) >= 1, key
    assert int(values['discarded_samples']) == sum(int(v) for k, v in values.items()
                                                   if k.startswith('discarded_samples_'))
    # every received sample is in a window, discarded by a reset, or waiting for its window
    assert int(values['received_samples']) == (int(values['windowed_samples']) + int(values['discarded_samples'])
                                               + int(values['buffered_samples'])) > 0
    for key in ('input_rate_hz', 'windows_dropped', 'windows_late', 'inference_latency_mean_ms',
                'inference_latency_p95_ms', 'device', 'model'):
        assert key in values
    assert values['device'] == 'cpu' and values['model'] == 'tiny_sound'
    ros.remove(node)


def test_runtime_parameters_accept_valid_and_reject_with_reason(ros, checkpoints):
    from rclpy.parameter import Parameter

    node, _ = _start(ros, checkpoints)
    bad = [Parameter('threshold', value=1.5), Parameter('top_k', value=0),
           Parameter('window_length', value=2.0), Parameter('model_path', value='x.pt')]
    for param in bad:
        result = node.set_parameters([param])[0]
        assert not result.successful and param.name in result.reason, result.reason
    assert 'read-only' in node.set_parameters([Parameter('window_length', value=2.0)])[0].reason
    assert node.get_parameter('threshold').value == -1.0     # the model's thresholds:
    assert list(node.detector.thresholds) == [0.5] * 3        # none calibrated: 0.5
    assert node.set_parameters([Parameter('threshold', value=0.9)])[0].successful
    assert node.set_parameters([Parameter('top_k', value=1)])[0].successful
    assert node.parameter_values['threshold'] == 0.9 and node.parameter_values['top_k'] == 1
    assert list(node.detector.thresholds) == [0.9] * 3
    result = node.set_parameters([Parameter('threshold', value=-0.5)])[0]   # only -1 below 0
    assert not result.successful and 'threshold' in result.reason
    ros.remove(node)


def _startup_error(ros, **params):
    from degram_ros.node import DegramNode, StartupError

    with pytest.raises(StartupError) as info:
        ros.add(DegramNode, 'degram_node', namespace=_namespace(), params=params)
    return str(info.value)


def test_model_problems_fail_at_start_with_one_clear_error(ros, checkpoints, tmp_path):
    missing = tmp_path / 'nope.pt'
    assert str(missing) in _startup_error(ros, model_path=str(missing))
    corrupt = tmp_path / 'corrupt.pt'
    corrupt.write_bytes(b'this is not a checkpoint' * 10)
    message = _startup_error(ros, model_path=str(corrupt))
    assert str(corrupt) in message and 'corrupt' in message
    message = _startup_error(ros, model_path=str(checkpoints['sound_event']), task='speaker_id')
    assert str(checkpoints['sound_event'].name).split('.')[0] in message or 'sound_event' in message
    assert 'speaker_id' in message
    from degram.inference import PRETRAINED

    if not PRETRAINED.get('sound_event').file.is_file():
        message = _startup_error(ros)
        assert 'no shipped model' in message and 'model_path' in message


def test_invalid_parameters_fail_at_start_with_reason(ros, checkpoints):
    model = str(checkpoints['sound_event'])
    assert 'hop_length' in _startup_error(ros, model_path=model, window_length=0.5, hop_length=1.0)
    assert 'device' in _startup_error(ros, model_path=model, device='gpu')
    assert 'threshold' in _startup_error(ros, model_path=model, threshold=1.5)
    assert 'top_k' in _startup_error(ros, model_path=model, top_k=0)
    assert 'sample_format' in _startup_error(ros, model_path=model, sample_format='MP3')
    assert 'task' in _startup_error(ros, model_path=model, task='keyword_spotting')
    message = _startup_error(ros, model_path=model, window_length=1.0, max_message_length=0.5)
    assert 'max_message_length' in message and 'no window could ever fill' in message


def test_unavailable_gpu_falls_back_to_cpu(ros, checkpoints):
    import torch

    if torch.cuda.is_available():
        pytest.skip('a GPU is available here')
    node, _ = _start(ros, checkpoints, device='cuda:1')
    assert node.device_text.startswith('cpu') and 'fallback' in node.device_text
    assert 'fallback' in node.diagnostics_values()['device']
    ros.remove(node)


def test_config_yaml_loads_through_params_file(ros, checkpoints):
    import yaml

    from degram_ros.node import DegramNode

    for name in ('degram.yaml', 'sound_event.yaml', 'speaker_id.yaml'):
        path = CONFIG / name
        if not path.exists():
            continue
        values = yaml.safe_load(path.read_text())['/**']['ros__parameters']
        task = values.get('task') or 'sound_event'
        node = ros.add(DegramNode, 'degram_node', namespace=_namespace(),
                       cli_args=['--ros-args', '--params-file', str(path),
                                 '-p', f'model_path:={checkpoints[task]}', '-p', 'device:=cpu'])
        for key, value in values.items():
            if key not in ('model_path', 'device'):
                assert node.get_parameter(key).value == value, (name, key)
        ros.remove(node)
    assert (CONFIG / 'degram.yaml').exists()


def test_entry_point_reports_missing_model_without_traceback(tmp_path):
    missing = tmp_path / 'missing_model.pt'
    proc = subprocess.run(
        [sys.executable, '-m', 'degram_ros.node', '--ros-args', '-p', f'model_path:={missing}'],
        capture_output=True, text=True, timeout=120)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    assert str(missing) in output and 'Traceback' not in output
    problems = error_lines(output)
    assert len(problems) == 1 and 'cannot load model' in problems[0], output   # one clear line
