# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Working with the publishers out there (issue 12): reliability matched to the publisher so large
messages arrive, AudioInfo from volatile publishers, require_audio_info, quiet AudioInfo re-sends."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

pytestmark = pytest.mark.usefixtures('ros_required')

RATE = 16000
_ns = itertools.count()


def _start(ros, model, **params):
    from degram_ros.node import DegramNode

    ns = f'/io{next(_ns)}'
    node = ros.add(DegramNode, 'degram_node', namespace=ns,
                   params={'model_path': str(model), 'device': 'cpu', 'stamped': True, **params})
    return node, ns


def test_auto_qos_becomes_reliable_for_a_reliable_publisher_and_large_messages_arrive(ros, multilabel_checkpoint):
    from harness import AudioSource

    node, ns = _start(ros, multilabel_checkpoint(), max_message_length=5.0)
    # no publisher yet: no reader either, so that none is switched (and loses audio) later
    assert node.channel.audio.subscription is None
    assert node.diagnostics_values()['audio_qos'] == (
        f'waiting for a publisher on {ns}/audio_stamped (audio_qos auto); 0 publisher(s)')
    src = AudioSource(ros, ns)                                    # the harness publishes reliably
    assert ros.wait_for(lambda: node.channel.audio.reliability == 'reliable', 10.0)
    assert src.wait_connected(stamped=True)
    assert 'reliable reader (audio_qos auto); 1 publisher(s): reliable' == node.diagnostics_values()['audio_qos']
    big = np.zeros(1 << 20, np.int16).tobytes()                   # 2 MiB = 65 s of 16 kHz S16LE
    for k in range(5):
        src.raw(big, 10.0 + 70.0 * k)
    # every one arrives (a best-effort reader got 0 of 5 of these); each is oversize (> 5 s)
    assert ros.wait_for(lambda: node.stream.counters.oversize == 5, 30.0)
    ros.remove(node)


def test_audio_qos_parameter_forces_the_reader_kind(ros, multilabel_checkpoint):
    from harness import AudioSource

    node, ns = _start(ros, multilabel_checkpoint(), audio_qos='best_effort')
    AudioSource(ros, ns)
    ros.wait_for(lambda: False, 0.5)
    assert node.channel.audio.reliability == 'best_effort'
    ros.remove(node)


def test_auto_qos_follows_a_publisher_of_another_kind_and_counts_the_switch(ros, multilabel_checkpoint):
    from audio_common_msgs.msg import AudioDataStamped
    from rclpy.qos import qos_profile_sensor_data

    from harness import AudioSource

    node, ns = _start(ros, multilabel_checkpoint())
    src = AudioSource(ros, ns)
    assert src.wait_connected(stamped=True) and node.channel.audio.reliability == 'reliable'
    assert node.diagnostics_values()['audio_qos_switches'] == '0'
    # a best-effort publisher joins: only a best-effort reader matches both
    ros.publisher(AudioDataStamped, f'{ns}/audio_stamped', qos_profile_sensor_data)
    assert ros.wait_for(lambda: node.channel.audio.reliability == 'best_effort', 10.0)
    assert node.diagnostics_values()['audio_qos_switches'] == '1'
    ros.remove(node)


def test_audio_info_from_a_volatile_publisher_is_used_and_re_sends_change_nothing(ros, multilabel_checkpoint):
    from audio_common_msgs.msg import AudioInfo

    from degram_ros.qos import VOLATILE_INFO

    node, ns = _start(ros, multilabel_checkpoint())
    info = ros.publisher(AudioInfo, f'{ns}/audio_info', VOLATILE_INFO)   # audio_capture before 0.4
    assert ros.wait_for(lambda: info.get_subscription_count() >= 1, 10.0)
    msg = AudioInfo(channels=2, sample_rate=44100, sample_format='F32LE', coding_format='wave', bitrate=0)
    info.publish(msg)
    assert ros.wait_for(lambda: node.channel.input.handled_infos == 1, 10.0)   # only the volatile reader matches
    assert node.stream.format == (44100, 2, 'F32LE')
    resets = node.stream.counters.resets
    for _ in range(3):
        info.publish(msg)                                          # re-sent every 5 s in the field
    assert ros.wait_for(lambda: node.channel.input.handled_infos == 4, 10.0)
    assert node.stream.counters.resets == resets and node.stream.counters.format_changes == 1
    ros.remove(node)


def test_require_audio_info_ignores_audio_until_one_arrives(ros, multilabel_checkpoint):
    from degram_msgs.msg import SoundEvent

    from harness import AudioSource, tone

    node, ns = _start(ros, multilabel_checkpoint(), require_audio_info=True)
    events = ros.collect(SoundEvent, f'{ns}/sound_event', 100)
    src = AudioSource(ros, ns)
    assert src.wait_connected(stamped=True)
    src.stream(tone(1.5, RATE), RATE, chunk=0.25, start=20.0)
    assert ros.wait_for(lambda: node.counts['waiting_for_audio_info'] >= 6, 10.0)
    assert len(events) == 0 and int(node.diagnostics_values()['waiting_for_audio_info']) >= 6
    src.info(RATE, 1, 'S16LE')
    assert ros.wait_for(lambda: node.channel.input.input.info_received, 10.0)
    src.stream(tone(1.5, RATE), RATE, chunk=0.25, start=30.0)
    assert ros.wait_for(lambda: len(events) >= 1, 20.0)
    ros.remove(node)


def _seconds(stamp) -> float:
    return stamp.sec + stamp.nanosec * 1e-9


def test_vision_msgs_label_info_and_one_classification_per_window_with_the_detections(ros, multilabel_checkpoint):
    from vision_msgs.msg import Classification, LabelInfo

    from degram_msgs.msg import SoundEvent

    from conftest import MULTI_LABELS
    from harness import LATCHED, AudioSource, tone

    node, ns = _start(ros, multilabel_checkpoint())
    events = ros.collect(SoundEvent, f'{ns}/sound_event', 100)
    results = ros.collect(Classification, f'{ns}/classification', 100)
    labels = ros.collect(LabelInfo, f'{ns}/label_info', LATCHED)
    src = AudioSource(ros, ns)
    assert src.wait_connected(stamped=True)
    src.info(RATE, 1, 'S16LE')
    assert ros.wait_for(lambda: node.channel.input.handled_infos >= 1, 10.0)
    audio = np.concatenate([tone(2.0, RATE), np.zeros(2 * RATE, np.float32)])
    src.stream_lockstep(node, audio, RATE, chunk=0.25, start=40.0)
    windows = node.stream.counters.windows
    assert ros.wait_for(lambda: len(events) == windows and len(results) == windows, 20.0)
    assert ros.wait_for(lambda: len(labels) == 1, 10.0)
    info = labels.items[0]
    assert [(c.class_id, c.class_name) for c in info.class_map] == list(enumerate(MULTI_LABELS))
    assert info.threshold == 0.0                                   # the lowest per-class threshold
    by_stamp = {_seconds(m.header.stamp): m for m in results.items}
    loud = silent = 0
    for event in events.items:
        result = by_stamp[_seconds(event.header.stamp)]
        assert [(h.class_id, h.score) for h in result.results] == [
            (str(d.class_id), pytest.approx(d.score)) for d in event.detections]
        if event.silent:
            silent += 1
            assert result.results == []                            # nothing happening: no hypothesis
        else:
            loud += 1
            assert '0' in [h.class_id for h in result.results]     # alarm: threshold 0
    assert loud >= 2 and silent >= 2
    ros.remove(node)


def test_vision_msgs_outputs_can_be_turned_off(ros, multilabel_checkpoint):
    node, ns = _start(ros, multilabel_checkpoint(), publish_vision_msgs=False)
    assert ros.wait_for(lambda: node.count_publishers(f'{ns}/model_info') == 1, 5.0)
    assert node.count_publishers(f'{ns}/label_info') == 0 and node.count_publishers(f'{ns}/classification') == 0
    ros.remove(node)


def test_diagnostics_name_the_audio_flavour_and_follow_the_shipped_analyzer(ros, multilabel_checkpoint):
    from pathlib import Path

    import yaml

    config = Path(__file__).resolve().parents[1] / 'config'   # installed to share/degram_ros/config
    node, ns = _start(ros, multilabel_checkpoint())
    assert node.diagnostics_values()['audio_msgs'] == 'audio_common_msgs (ros-drivers)'
    status = node.diagnostics_status()
    analyzer = yaml.safe_load((config / 'diagnostic_analyzers.yaml').read_text())
    spec = analyzer['analyzers']['ros__parameters']['audio_recognition']
    assert any(status.name.startswith(prefix) for prefix in spec['startswith'])
    assert status.name.removeprefix(spec['remove_prefix'][0]) == f'{ns}/degram_node'
    ros.remove(node)


def test_the_mgonzs13_flavour_in_a_process_of_its_own(multilabel_checkpoint):
    """Against a build of mgonzs13's audio_common_msgs (the same package name), sourced in a
    separate process: typed samples with a PortAudio format in every AudioStamped on ``audio``."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parents[2]
    base = repo / '.ws' / ('jazzy/' if os.environ.get('DEGRAM_ROS_DISTRO') == 'jazzy' else '')
    underlay = base / 'mgonzs13_underlay' / 'local_setup.bash'
    assert underlay.exists(), f'{underlay} missing: tools/setup.sh builds it'
    script = Path(__file__).with_name('mgonzs13_flavour_check.py')
    proc = subprocess.run(
        ['bash', '-c', f'source "{underlay}" && exec "{sys.executable}" "{script}" "{multilabel_checkpoint()}"'],
        capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report['flavour'] == 'mgonzs13'
    assert report['subscribed'] == '/m0/audio'
    # the node starts at 16 kHz mono S16LE: the other two change the format (from the message)
    assert [report[case]['format_changes'] for case in ('int16_16k', 'float32_44k_stereo', 'int24_16k')] == [0, 1, 1]
    # 2.5 s from a fresh buffer: windows at 0, 0.5, 1.0 and 1.5 s (44.1 kHz: soxr holds back the last)
    assert [report[case]['windows'] for case in ('int16_16k', 'float32_44k_stereo', 'int24_16k')] == [4, 3, 4]
    for case in ('int16_16k', 'float32_44k_stereo', 'int24_16k'):
        assert report[case]['results'] == report[case]['windows'], case
    assert report['unknown_format'] == {'counted': 3, 'windows': 0, 'results': 0}
    player = report['wav_publisher']     # 2 s: windows at 0, 0.5 and 1.0 s
    assert player['windows'] == 3 and player['results'] + player['dropped'] == 3 and player['results'] >= 1
