# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The executables as processes, checked the way ``ros2 launch`` / ``ros2 param`` meet them:
Ctrl-C under launch (SIGINT to the process group, twice), the parameter services answered while
the node works, and the rejection reasons ``ros2 param set`` prints."""
from __future__ import annotations

import itertools
import signal
import threading
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.usefixtures('ros_required')

EXIT_S = 5.0       # a clean exit must come within this after the signals
_ns = itertools.count()


@pytest.fixture(scope='module')
def model(tmp_path_factory):
    from degram import build_model, save_checkpoint

    net = build_model('spectrogram', 'resnet18', num_classes=3, sample_rate=16000, width=8)
    return save_checkpoint(net, tmp_path_factory.mktemp('proc') / 'tiny.pt',
                           labels=['a', 'b', 'c'], task='sound_event', name='tiny')


@pytest.fixture(scope='module')
def wav(tmp_path_factory):
    import soundfile

    path = tmp_path_factory.mktemp('proc_wav') / 'short.wav'
    t = np.arange(8000) / 16000
    soundfile.write(str(path), (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), 16000)
    return path


def _process(module: str, ns: str, *params: str):
    from harness import NodeProcess

    args = ['-r', f'__ns:={ns}']
    for p in params:
        args += ['-p', p]
    return NodeProcess(module, *args)


def _assert_clean_exit(proc, ready_line=None, sig=signal.SIGINT, times=2):
    """Ctrl-C under ros2 launch: SIGINT to the group twice, 0.2 s apart (or ``times`` ``sig``) →
    exit code 0 within EXIT_S, no traceback, no error line."""
    try:
        if ready_line is not None:
            assert proc.wait_for_line(ready_line), proc.output
        proc.signal_group(sig, times=times, interval=0.2)
        code = proc.wait(EXIT_S + 0.2)
    finally:
        proc.kill()
    output = proc.output
    assert code == 0, f'exit code {code}:\n{output}'
    assert 'Traceback' not in output and 'KeyboardInterrupt' not in output, output
    assert '[ERROR]' not in output and 'process has died' not in output, output
    return output


def test_degram_node_double_sigint_while_inferring_exits_cleanly(ros, model):
    """Windows in flight at the signal: the worker's publish must not race the context away
    ("[ERROR] inference failed: ... context is invalid")."""
    from degram_msgs.msg import SoundEvent

    from harness import AudioSource, tone

    ns = f'/proc{next(_ns)}'
    proc = _process('degram_ros.node', ns, f'model_path:={model}', 'device:=cpu',
                    'window_length:=0.2', 'hop_length:=0.05', 'num_threads:=1')
    events = ros.collect(SoundEvent, f'{ns}/sound_event', 100)
    src = AudioSource(ros, ns)
    stop = threading.Event()

    def feed():   # faster than real time: the worker always has a window
        clip = tone(0.5, 16000)
        while not stop.is_set():
            src.stream(clip, 16000, chunk=0.05, pause=0.005)
    feeder = threading.Thread(target=feed, daemon=True)
    try:
        assert proc.wait_for_line('ready:'), proc.output
        assert src.wait_connected(stamped=False)
        feeder.start()
        assert ros.wait_for(lambda: len(events) >= 5), proc.output
        _assert_clean_exit(proc)
    finally:
        stop.set()
        feeder.join(5.0)
        proc.kill()


def test_degram_node_double_sigint_during_startup_exits_cleanly(model):
    ns = f'/proc{next(_ns)}'
    proc = _process('degram_ros.node', ns, f'model_path:={model}', 'device:=cpu')
    output = _assert_clean_exit(proc, ready_line='loading model')
    assert 'ready:' not in output   # the signals came while the model was loading


def test_wav_publisher_double_sigint_exits_cleanly(wav):
    proc = _process('degram_ros.wav_publisher', f'/proc{next(_ns)}', f'file:={wav}', 'loop:=true')
    _assert_clean_exit(proc, ready_line='publishing')


@pytest.mark.parametrize('module, ready', [('degram_ros.node', 'ready:'), ('degram_ros.node', 'loading model'),
                                           ('degram_ros.wav_publisher', 'publishing')])
def test_sigterm_stops_the_executables_cleanly_at_start_up_and_while_running(module, ready, model, wav):
    params = [f'model_path:={model}', 'device:=cpu'] if module == 'degram_ros.node' else [f'file:={wav}', 'loop:=true']
    _assert_clean_exit(_process(module, f'/proc{next(_ns)}', *params), ready_line=ready, sig=signal.SIGTERM, times=1)


def _parameter_services(ros, node_path: str, names: list[str]):
    from rcl_interfaces.srv import DescribeParameters, GetParameters, ListParameters

    # idempotent: re-sent if a request to the just-started process is lost in discovery
    listed = ros.call(ListParameters, f'{node_path}/list_parameters', retry_after=5.0).result.names
    values = ros.call(GetParameters, f'{node_path}/get_parameters',
                      GetParameters.Request(names=names), retry_after=5.0).values
    described = ros.call(DescribeParameters, f'{node_path}/describe_parameters',
                         DescribeParameters.Request(names=names), retry_after=5.0).descriptors
    return listed, values, described


def test_wav_publisher_answers_parameter_services_while_publishing(ros, wav):
    from audio_common_msgs.msg import AudioDataStamped

    ns = f'/proc{next(_ns)}'
    chunks = ros.collect(AudioDataStamped, f'{ns}/audio_stamped', 100)
    proc = _process('degram_ros.wav_publisher', ns, f'file:={wav}', 'loop:=true',
                    'chunk_length:=0.05')
    try:
        assert proc.wait_for_line('publishing'), proc.output
        assert ros.wait_for(lambda: len(chunks) >= 3)
        listed, values, described = _parameter_services(
            ros, f'{ns}/wav_publisher', ['file', 'loop', 'chunk_length'])
        assert {'files', 'file', 'chunk_length', 'rate', 'loop', 'frame_id', 'start_delay'} <= set(listed)
        assert values[0].string_value == str(wav) and values[1].bool_value is True
        assert values[2].double_value == pytest.approx(0.05)
        assert described[0].description and 'seconds per message' in described[2].description
        more = len(chunks)
        assert ros.wait_for(lambda: len(chunks) > more)   # still publishing
        _assert_clean_exit(proc)
    finally:
        proc.kill()


def test_degram_node_parameter_services_and_rejection_reasons(ros, model):
    from rcl_interfaces.srv import SetParameters
    from rclpy.parameter import Parameter

    from degram_ros.parameters import PARAMETERS

    ns = f'/proc{next(_ns)}'
    proc = _process('degram_ros.node', ns, f'model_path:={model}', 'device:=cpu')
    path = f'{ns}/degram_node'
    try:
        assert proc.wait_for_line('ready:'), proc.output
        listed, values, described = _parameter_services(ros, path, ['threshold', 'window_length'])
        assert set(PARAMETERS) <= set(listed)
        # -1 = the model's thresholds, 0.0 = the model's window (1.0 s for a model without one)
        assert values[0].double_value == -1.0 and values[1].double_value == 0.0
        assert 'window 1.0 s, hop 0.5 s' in proc.output
        assert described[0].description == PARAMETERS['threshold'].description
        assert not described[0].read_only and described[1].read_only
        assert described[0].floating_point_range[0].to_value == 1.0

        def set_one(name, value):
            request = SetParameters.Request(parameters=[Parameter(name, value=value).to_parameter_msg()])
            return ros.call(SetParameters, f'{path}/set_parameters', request, retry_after=5.0).results[0]

        # what `ros2 param set` prints: rclpy's own descriptor checks answer first
        reasons = []
        result = set_one('threshold', 1.5)
        reasons.append(result.reason)
        assert not result.successful
        assert 'threshold out of range' in result.reason and 'Max: 1.0' in result.reason
        assert 'value: 1.5' in result.reason
        result = set_one('window_length', 2.0)
        reasons.append(result.reason)
        assert not result.successful
        assert 'read-only' in result.reason and 'window_length' in result.reason
        result = set_one('top_k', 0)
        reasons.append(result.reason)
        assert not result.successful
        assert 'top_k out of range' in result.reason and 'Min: 1' in result.reason
        # the README quotes exactly these (source checkout only: an installed package has none)
        readme = Path(__file__).resolve().parents[2] / 'README.md'
        if readme.is_file():
            text = readme.read_text()
            for reason in reasons:
                assert reason in text, reason
        assert set_one('threshold', 0.9).successful
        values = _parameter_services(ros, path, ['threshold'])[1]
        assert values[0].double_value == 0.9
        _assert_clean_exit(proc)
    finally:
        proc.kill()
