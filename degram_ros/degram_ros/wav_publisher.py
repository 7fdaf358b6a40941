# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""``wav_publisher``: play audio files onto ROS 2 topics like audio_capture would.

Publishes each file (WAV/FLAC/Ogg, any rate and channel count, read with soundfile) as
``audio_common_msgs/AudioData`` on ``audio``, ``AudioDataStamped`` on ``audio_stamped`` and a
latched ``AudioInfo`` on ``audio_info`` (S16LE, coding_format ``wave``, the file's own rate and
channels: no resampling); with the mgonzs13 flavour of audio_common_msgs instead one
``AudioStamped`` on ``audio`` (int16 samples, format paInt16).  Chunks of ``chunk_length``
seconds, paced in real time (``rate`` 2.0 = twice as fast, 0 = as fast as possible), optionally
looping.  Exits when done unless looping.  The executable publishes from a thread while the node
spins, so its parameter services answer (``ros2 param list /wav_publisher``).

Parameters: ``files`` (string list), ``file`` (one file, added to files), ``chunk_length`` (s,
0.1), ``rate`` (1.0), ``loop`` (false), ``frame_id`` (``microphone``), ``start_delay`` (s, 0.5:
time for subscribers to connect before the first chunk).
"""
from __future__ import annotations

import array
import sys
import threading
import time

import numpy as np
import rclpy
from rcl_interfaces.msg import FloatingPointRange, ParameterDescriptor
from rclpy.node import Node

from degram.streaming import encode_pcm
from degram_ros import shutdown
from degram_ros.audio_flavour import MGONZS13, detect_flavour
from degram_ros.conversions import time_from_ns
from degram_ros.qos import LATCHED

PA_INT16 = 8   # PortAudio's paInt16 (mgonzs13 AudioInfo.format)


class WavPublisherError(RuntimeError):
    pass


def read_file(path: str) -> tuple[np.ndarray, int]:
    """→ (frames (n, channels) float32, rate); raises WavPublisherError naming the file."""
    import soundfile

    try:
        frames, rate = soundfile.read(path, dtype='float32', always_2d=True)
    except Exception as exc:
        raise WavPublisherError(f'{path}: cannot read audio ({exc})') from None
    if frames.shape[0] == 0:
        raise WavPublisherError(f'{path}: the file holds no samples')
    return frames, int(rate)


class WavPublisher(Node):
    def __init__(self, node_name: str = 'wav_publisher', **kwargs):
        super().__init__(node_name, **kwargs)
        self.flavour = detect_flavour()

        def desc(text, lo=None, hi=None):
            d = ParameterDescriptor(description=text, read_only=True)
            if lo is not None:
                d.floating_point_range = [FloatingPointRange(from_value=lo, to_value=hi, step=0.0)]
            return d

        self.declare_parameter('files', [''], desc('audio files to publish, in order'))
        self.declare_parameter('file', '', desc('one audio file (added to files)'))
        self.declare_parameter('chunk_length', 0.1, desc('seconds per message', 0.001, 60.0))
        self.declare_parameter('rate', 1.0, desc('playback speed; 0 = as fast as possible',
                                                 0.0, 1000.0))
        self.declare_parameter('loop', False, desc('start again after the last file'))
        self.declare_parameter('frame_id', 'microphone', desc('header.frame_id of audio_stamped'))
        self.declare_parameter('start_delay', 0.5, desc('seconds to wait before the first chunk',
                                                        0.0, 60.0))
        files = [f for f in self.get_parameter('files').value if f]
        one = self.get_parameter('file').value
        if one:
            files.append(one)
        if not files:
            raise WavPublisherError('no audio file given: set the files (or file) parameter, e.g. '
                                    '--ros-args -p file:=/path/clip.wav')
        self.clips = [(f, *read_file(f)) for f in files]   # fail early on unreadable files
        self.chunk_length = self.get_parameter('chunk_length').value
        self.rate = self.get_parameter('rate').value
        self.loop = self.get_parameter('loop').value
        self.frame_id = self.get_parameter('frame_id').value
        self.start_delay = self.get_parameter('start_delay').value
        if self.flavour.name == MGONZS13:   # one AudioStamped topic, `audio`, the format inside
            self.pub_audio = self.create_publisher(self.flavour.stamped, 'audio', 10)
            self.pub_stamped = self.pub_info = None
        else:
            self.pub_audio = self.create_publisher(self.flavour.plain, 'audio', 10)
            self.pub_stamped = self.create_publisher(self.flavour.stamped, 'audio_stamped', 10)
            self.pub_info = self.create_publisher(self.flavour.info, 'audio_info', LATCHED)
        self.chunks_published = 0
        self._stop = threading.Event()

    def stop(self) -> None:
        """Make :meth:`run` return after the chunk it is publishing."""
        self._stop.set()

    def _publish_info(self, rate: int, channels: int) -> None:
        if self.pub_info is None:
            return
        info = self.flavour.info()
        info.channels, info.sample_rate = channels, rate
        info.sample_format, info.coding_format = 'S16LE', 'wave'
        info.bitrate = rate * channels * 16
        self.pub_info.publish(info)

    def _publish_chunk(self, chunk: np.ndarray, rate: int, stamp) -> None:
        pcm = encode_pcm(chunk, 'S16LE')
        if self.flavour.name == MGONZS13:
            msg = self.flavour.stamped()
            msg.audio.audio_data.int16_data = array.array('h', pcm)
            info = msg.audio.info
            info.format, info.channels, info.rate, info.chunk = PA_INT16, chunk.shape[1], rate, chunk.shape[0]
        else:
            payload = array.array('B', pcm)
            self.pub_audio.publish(self.flavour.plain(data=payload))
            msg = self.flavour.stamped()
            msg.audio = self.flavour.plain(data=payload)
        msg.header.stamp = stamp
        msg.header.frame_id = self.frame_id
        (self.pub_stamped or self.pub_audio).publish(msg)

    def run(self, stop=lambda: False) -> None:
        """Publish everything (blocking); ``stop()`` is polled between chunks, :meth:`stop` ends
        it from another thread."""
        def stopped() -> bool:
            return self._stop.is_set() or stop() or not rclpy.ok(context=self.context)

        if self._stop.wait(self.start_delay):
            return
        clock_start = time.monotonic()
        ros_start = self.get_clock().now().nanoseconds
        played = 0.0          # seconds of audio published so far (for pacing)
        while not stopped():
            for path, frames, rate in self.clips:
                self._publish_info(rate, frames.shape[1])
                self.get_logger().info(f'publishing {path} ({frames.shape[0] / rate:.2f} s, '
                                       f'{rate} Hz, {frames.shape[1]} ch)')
                step = max(1, int(round(self.chunk_length * rate)))
                for i in range(0, frames.shape[0], step):
                    if stopped():
                        return
                    chunk = frames[i:i + step]
                    # capture time of the chunk's first sample on the file's own gap-free
                    # timeline (audio time: with rate > 1 the stamps run ahead of the clock)
                    self._publish_chunk(chunk, rate, time_from_ns(ros_start + round(played * 1e9)))
                    self.chunks_published += 1
                    played += chunk.shape[0] / rate
                    if self.rate > 0:   # sleep until this chunk's audio "has been captured"
                        delay = clock_start + played / self.rate - time.monotonic()
                        if delay > 0 and self._stop.wait(delay):
                            return
            if not self.loop:
                return


def main(args=None) -> int:
    return shutdown.run('wav_publisher', WavPublisher, (WavPublisherError,), args=args,
                        work=lambda node: node.run())


if __name__ == '__main__':
    sys.exit(main())
