"""Run by test_ros_interop.py in a process whose environment sources the mgonzs13 build of
audio_common_msgs (tools/underlay/mgonzs13_audio_common_msgs): degram_node and wav_publisher
with that flavour.  Prints one JSON line with what it saw; the test asserts on it.

    python mgonzs13_flavour_check.py CHECKPOINT
"""
from __future__ import annotations

import array
import json
import os
import sys
import tempfile
import threading

import numpy as np

os.environ['ROS_DOMAIN_ID'] = str(1 + os.getpid() % 100)
os.environ.setdefault('ROS_AUTOMATIC_DISCOVERY_RANGE', 'LOCALHOST')


def main(checkpoint: str) -> dict:
    import soundfile
    from audio_common_msgs.msg import AudioStamped
    from degram_msgs.msg import SoundEvent

    from degram.streaming import encode_pcm
    from degram_ros.harness import RosHarness, tone, to_time
    from degram_ros.node import AUDIO, DegramNode
    from degram_ros.wav_publisher import WavPublisher

    report = {'flavour': AUDIO.name}
    with RosHarness() as ros:
        node = ros.add(DegramNode, 'degram_node', namespace='/m0',
                       params={'model_path': checkpoint, 'device': 'cpu'})
        events = ros.collect(SoundEvent, '/m0/sound_event', 100)
        pub = ros.publisher(AudioStamped, '/m0/audio')
        assert ros.wait_for(lambda: pub.get_subscription_count() > 0, 20.0), 'the node never subscribed'
        report['subscribed'] = node._audio.topic_name
        counters, counts = node.stream.counters, node._counts

        def send(frames: np.ndarray, rate: int, code: int, field: str, start: float, chunk=0.25):
            step = int(chunk * rate)
            for i in range(0, len(frames), step):
                part = frames[i:i + step]
                msg = AudioStamped()
                msg.header.stamp = to_time(start + i / rate)
                if field == 'float32_data':
                    msg.audio.audio_data.float32_data = part.reshape(-1).astype(np.float32).tolist()
                elif field == 'int24_data':
                    values = np.round(part.reshape(-1) * 8388607).astype(np.int32)
                    msg.audio.audio_data.int24_data = array.array('i', values.tobytes())
                else:
                    msg.audio.audio_data.int16_data = array.array('h', encode_pcm(part, 'S16LE'))
                info = msg.audio.info
                channels = part.shape[1] if part.ndim > 1 else 1
                info.format, info.channels, info.rate, info.chunk = code, channels, rate, step
                pub.publish(msg)
                done = counters.frames_in + len(part)
                ros.wait_for(lambda: counters.frames_in >= done and node.pending_windows() == 0, 30.0)

        def case(name, *args):
            windows0, results0, changes0 = counters.windows, len(events), counters.format_changes
            send(*args)
            ros.wait_for(lambda: len(events) - results0 >= counters.windows - windows0, 30.0)
            report[name] = {'windows': counters.windows - windows0, 'results': len(events) - results0,
                            'format_changes': counters.format_changes - changes0}

        case('int16_16k', tone(2.5, 16000), 16000, 8, 'int16_data', 100.0)
        stereo = np.stack([tone(2.5, 44100), tone(2.5, 44100, 880.0)], axis=1)
        case('float32_44k_stereo', stereo, 44100, 1, 'float32_data', 200.0)
        case('int24_16k', tone(2.5, 16000), 16000, 4, 'int24_data', 300.0)
        results0 = len(events)
        for k in range(3):   # an unknown PortAudio code: counted, never decoded
            msg = AudioStamped()
            msg.header.stamp = to_time(400.0 + k)
            msg.audio.info.format, msg.audio.info.channels, msg.audio.info.rate = 999, 1, 16000
            pub.publish(msg)
        ros.wait_for(lambda: counts['unknown_format'] >= 3, 10.0)
        ros.wait_for(lambda: False, 0.5)
        report['unknown_format'] = {'counted': counts['unknown_format'], 'results': len(events) - results0}

        # wav_publisher speaks the same flavour
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, 'clip.wav')
            soundfile.write(path, tone(2.0, 16000), 16000)
            results0 = len(events)
            player = ros.add(WavPublisher, 'wav_publisher', namespace='/m0',
                             params={'file': path, 'rate': 4.0, 'start_delay': 0.5})
            thread = threading.Thread(target=player.run)
            thread.start()
            thread.join(30.0)
            ros.wait_for(lambda: len(events) - results0 >= 2, 20.0)
            report['wav_publisher'] = {'results': len(events) - results0}
            ros.remove(player)
        ros.remove(node)
    return report


if __name__ == '__main__':
    print(json.dumps(main(sys.argv[1])))
