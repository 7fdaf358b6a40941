# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Run by test_ros_interop.py in a process whose environment sources the mgonzs13 build of
audio_common_msgs (tools/underlay/mgonzs13_audio_common_msgs): degram_node and wav_publisher
with that flavour.  Prints one JSON line with what it saw; the test asserts on it.

    python mgonzs13_flavour_check.py CHECKPOINT
"""
from __future__ import annotations

import array
import functools
import json
import os
import sys
import tempfile
import threading
from pathlib import Path

import numpy as np

os.environ['ROS_DOMAIN_ID'] = str(1 + os.getpid() % 100)
os.environ.setdefault('ROS_AUTOMATIC_DISCOVERY_RANGE', 'LOCALHOST')


def only_this_flavour(env: dict) -> dict:
    """``env`` without the paths of any other audio_common_msgs build than the mgonzs13 underlay's.
    Both builds have the same library names, and the ROS wheels' bootstrapper rebuilds
    LD_LIBRARY_PATH through a set(), in an order that changes with PYTHONHASHSEED: with both on the
    path the loader may pick the other flavour's type support."""
    def other_build(entry: str) -> bool:
        parts = Path(entry).parts
        return 'audio_common_msgs' in parts and 'mgonzs13_underlay' not in parts
    clean = dict(env)
    for name in ('LD_LIBRARY_PATH', 'PYTHONPATH', 'AMENT_PREFIX_PATH', 'CMAKE_PREFIX_PATH'):
        if name in env:
            clean[name] = os.pathsep.join(e for e in env[name].split(os.pathsep) if not other_build(e))
    return clean


def must(ok: bool, what: str) -> None:
    if not ok:
        raise RuntimeError(what)


def message(frames: np.ndarray, rate: int, code: int, field: str, stamp: float):
    """One AudioStamped of the mgonzs13 flavour: typed samples and the PortAudio format code."""
    from audio_common_msgs.msg import AudioStamped

    from degram.streaming import encode_pcm

    from harness import to_time

    msg = AudioStamped()
    msg.header.stamp = to_time(stamp)
    if field == 'float32_data':
        msg.audio.audio_data.float32_data = frames.reshape(-1).astype(np.float32).tolist()
    elif field == 'int24_data':
        values = np.round(frames.reshape(-1) * 8388607).astype(np.int32)
        msg.audio.audio_data.int24_data = array.array('i', values.tobytes())
    else:
        msg.audio.audio_data.int16_data = array.array('h', encode_pcm(frames, 'S16LE'))
    info = msg.audio.info
    info.format, info.channels, info.rate = code, frames.shape[1] if frames.ndim > 1 else 1, rate
    info.chunk = frames.shape[0]
    return msg


def main(checkpoint: str) -> dict:
    import soundfile
    from audio_common_msgs.msg import AudioStamped

    from degram_msgs.msg import SoundEvent
    from degram_ros.node import AUDIO, DegramNode
    from degram_ros.wav_publisher import WavPublisher

    from harness import RosHarness, to_time, tone

    report = {'flavour': AUDIO.name}
    with RosHarness() as ros:
        node = ros.add(DegramNode, 'degram_node', namespace='/m0',
                       params={'model_path': checkpoint, 'device': 'cpu'})
        events = ros.collect(SoundEvent, '/m0/sound_event', 100)
        pub = ros.publisher(AudioStamped, '/m0/audio')
        must(ros.wait_for(lambda: pub.get_subscription_count() > 0, 20.0), 'the node never subscribed')
        report['subscribed'] = node.channel.audio.topic_name
        counters, counts = node.stream.counters, node.counts

        def case(name, frames, rate, code, field, start, chunk=0.25):
            """Each message handled and its windows decided before the next goes out; then every
            result of this case received before the next case starts."""
            windows0, results0, changes0 = counters.windows, len(events), counters.format_changes
            step = int(chunk * rate)
            ros.lockstep(node, [functools.partial(pub.publish, message(frames[i:i + step], rate, code, field,
                                                                       start + i / rate))
                                for i in range(0, len(frames), step)])
            windows = counters.windows - windows0
            must(ros.wait_for(lambda: len(events) - results0 >= windows, 30.0),
                 f'{name}: {len(events) - results0} results for {windows} windows')
            report[name] = {'windows': windows, 'results': len(events) - results0,
                            'format_changes': counters.format_changes - changes0}

        case('int16_16k', tone(2.5, 16000), 16000, 8, 'int16_data', 100.0)
        stereo = np.stack([tone(2.5, 44100), tone(2.5, 44100, 880.0)], axis=1)
        case('float32_44k_stereo', stereo, 44100, 1, 'float32_data', 200.0)
        case('int24_16k', tone(2.5, 16000), 16000, 4, 'int24_data', 300.0)
        results0, windows0 = len(events), counters.windows
        for k in range(3):   # an unknown PortAudio code: counted, never decoded
            msg = AudioStamped()
            msg.header.stamp = to_time(400.0 + k)
            msg.audio.info.format, msg.audio.info.channels, msg.audio.info.rate = 999, 1, 16000
            pub.publish(msg)
        must(ros.wait_for(lambda: counts['unknown_format'] >= 3, 10.0), 'the unknown format was not counted')
        report['unknown_format'] = {'counted': counts['unknown_format'], 'windows': counters.windows - windows0,
                                    'results': len(events) - results0}

        # wav_publisher speaks the same flavour: 2 s at 4x, free running (a stale window may be dropped)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, 'clip.wav')
            soundfile.write(path, tone(2.0, 16000), 16000)
            results0, windows0, dropped0 = len(events), counters.windows, counts['dropped_windows']
            handled0 = node.channel.input.handled
            player = ros.add(WavPublisher, 'wav_publisher', namespace='/m0',
                             params={'file': path, 'rate': 4.0, 'start_delay': 0.5})
            messages = -(-32000 // round(player.chunk_length * 16000))
            thread = threading.Thread(target=player.run)
            thread.start()
            thread.join(30.0)
            must(not thread.is_alive(), 'wav_publisher did not finish in 30 s')
            # every message handled to its end (its windows counted), then every window decided
            must(ros.wait_for(lambda: node.channel.input.handled - handled0 == messages and node.pending_windows() == 0
                              and len(events) - results0 + counts['dropped_windows'] - dropped0
                              >= counters.windows - windows0, 30.0), 'the clip was not all taken and decided')
            report['wav_publisher'] = {'windows': counters.windows - windows0, 'results': len(events) - results0,
                                       'dropped': counts['dropped_windows'] - dropped0}
            ros.remove(player)
        ros.remove(node)
    return report


if __name__ == '__main__':
    environment = only_this_flavour(dict(os.environ))
    if environment != dict(os.environ):   # start again without the other build on any path
        os.execve(sys.executable, [sys.executable, *sys.argv], environment)
    print(json.dumps(main(sys.argv[1])))
