# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The tests' ROS 2 harness (not installed): :class:`degram_ros.in_process.InProcess` (a private
rclpy context, an executor spinning on a thread, a client node) with helpers to publish audio and
collect messages, and :class:`NodeProcess` for an executable run as a child process.  Used by the
tests and tools/bench_node.py; it uses the real middleware (no mocks).
"""
from __future__ import annotations

import array
import functools
import os
import signal
import subprocess
import sys
import threading
import time

import numpy as np

from degram.streaming import encode_pcm
from degram_ros.conversions import to_time  # noqa: F401  (harness users stamp with it)
from degram_ros.in_process import InProcess
from degram_ros.qos import LATCHED  # noqa: F401  (subscribers of model_info / audio_info)


class Collector:
    """Thread-safe list of the messages received on one subscription."""

    def __init__(self):
        self._lock = threading.Lock()
        self._items: list = []

    def __call__(self, msg) -> None:
        with self._lock:
            self._items.append(msg)

    @property
    def items(self) -> list:
        with self._lock:
            return list(self._items)

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


class RosHarness(InProcess):
    """:class:`degram_ros.in_process.InProcess` with what the tests need: collect messages,
    publish, feed a node in lockstep."""

    def collect(self, msg_type, topic: str, qos=10) -> Collector:
        collector = Collector()
        self.client.create_subscription(msg_type, topic, collector, qos)
        return collector

    def publisher(self, msg_type, topic: str, qos=10):
        return self.client.create_publisher(msg_type, topic, qos)

    def lockstep(self, node, sends, timeout: float = 60.0, stream: str = '') -> None:
        """Call each of ``sends`` (each publishes one audio message to ``stream`` of ``node``, a
        DegramNode of this process) once the node has handled the message before to its end and
        decided every window it completed, so that no window is dropped however busy the machine
        is; raises TimeoutError."""
        channel = next(c for c in node.channels if c.name == stream)
        counters, counts, audio_input = channel.stream.counters, channel.counts, channel.input
        base_handled, base_windows = audio_input.handled, counters.windows
        base_done = counts['windows_processed'] + counts['inference_errors']
        for k, send in enumerate(sends):
            send()

            def taken(target=base_handled + k + 1) -> bool:
                done = counts['windows_processed'] + counts['inference_errors'] - base_done
                return audio_input.handled >= target and done >= counters.windows - base_windows
            if not self.wait_for(taken, timeout, interval=0.002):
                raise TimeoutError(f'the node did not take audio message {k} in {timeout} s')


class AudioSource:
    """Publishes audio like audio_capture: AudioData, AudioDataStamped and latched AudioInfo
    under ``namespace``."""

    def __init__(self, ros: RosHarness, namespace: str = ''):
        from audio_common_msgs.msg import AudioData, AudioDataStamped, AudioInfo

        self.AudioData, self.AudioDataStamped, self.AudioInfo = AudioData, AudioDataStamped, AudioInfo
        prefix = namespace.rstrip('/') + '/' if namespace else ''
        self.ros = ros
        self.pub = ros.publisher(AudioData, prefix + 'audio')
        self.pub_stamped = ros.publisher(AudioDataStamped, prefix + 'audio_stamped')
        self.pub_info = ros.publisher(AudioInfo, prefix + 'audio_info', LATCHED)

    def wait_connected(self, stamped: bool, timeout: float = 20.0) -> bool:
        pub = self.pub_stamped if stamped else self.pub
        return self.ros.wait_for(lambda: pub.get_subscription_count() > 0, timeout)

    def info(self, sample_rate=16000, channels=1, sample_format='S16LE', coding_format='wave'):
        msg = self.AudioInfo(channels=channels, sample_rate=sample_rate,
                             sample_format=sample_format, coding_format=coding_format,
                             bitrate=0)
        self.pub_info.publish(msg)

    def raw(self, payload: bytes, stamp: float | None = None, frame_id: str = '') -> None:
        data = array.array('B', payload)
        if stamp is None:
            self.pub.publish(self.AudioData(data=data))
        else:
            msg = self.AudioDataStamped()
            msg.header.stamp = to_time(stamp)
            msg.header.frame_id = frame_id
            msg.audio = self.AudioData(data=data)
            self.pub_stamped.publish(msg)

    def stream(self, frames: np.ndarray, rate: int, chunk: float, start: float | None = None,
               sample_format: str = 'S16LE', pause: float = 0.02, frame_id: str = '') -> None:
        """Publish ``frames`` ((n,) or (n, C)) in chunks of ``chunk`` seconds; stamped from
        ``start`` on when given, plain AudioData otherwise; ``pause`` seconds between chunks."""
        step = max(1, int(round(chunk * rate)))
        for i in range(0, len(frames), step):
            part = frames[i:i + step]
            stamp = None if start is None else start + i / rate
            self.raw(encode_pcm(part, sample_format), stamp, frame_id)
            if pause:
                time.sleep(pause)

    def stream_lockstep(self, node, frames: np.ndarray, rate: int, chunk: float, start: float | None = None,
                        sample_format: str = 'S16LE', frame_id: str = '', timeout: float = 60.0) -> None:
        """Like :meth:`stream`, but after each chunk wait until ``node`` (a DegramNode of this
        process) has taken it and decided every window it completed, so that no window is dropped
        however busy the machine is (for window-by-window comparisons); raises TimeoutError."""
        step = max(1, int(round(chunk * rate)))
        self.send_lockstep(node, [(encode_pcm(frames[i:i + step], sample_format),
                                   None if start is None else start + i / rate) for i in range(0, len(frames), step)],
                           frame_id, timeout)

    def send_lockstep(self, node, messages, frame_id: str = '', timeout: float = 60.0) -> None:
        """Publish ``messages`` ([(payload bytes, stamp or None)]) with :meth:`RosHarness.lockstep`."""
        self.ros.lockstep(node, [functools.partial(self.raw, payload, stamp, frame_id) for payload, stamp in messages],
                          timeout)


def tone(seconds: float, rate: int, freq: float = 440.0, amplitude: float = 0.3) -> np.ndarray:
    t = np.arange(int(round(seconds * rate))) / rate
    return (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)


class NodeProcess:
    """An executable (``python -m degram_ros.node ...``) in its own process group, its output
    (stdout and stderr together) collected line by line."""

    def __init__(self, module: str, *ros_args: str):
        self.proc = subprocess.Popen(
            [sys.executable, '-m', module, '--ros-args', *ros_args], stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, start_new_session=True)
        self._lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self._lines.append(line)

    @property
    def output(self) -> str:
        return ''.join(self._lines)

    def wait_for_line(self, text: str, timeout: float = 60.0) -> bool:
        return RosHarness.wait_for(lambda: text in self.output or self.proc.poll() is not None,
                                   timeout) and text in self.output

    def signal_group(self, sig=signal.SIGINT, times: int = 1, interval: float = 0.2) -> None:
        """What Ctrl-C under ``ros2 launch`` does: the signal to the whole process group (twice)."""
        for k in range(times):
            if k:
                time.sleep(interval)
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                return

    def wait(self, timeout: float) -> int | None:
        """→ the exit code, or None (and the process is killed) when it ran past ``timeout``."""
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return None
        self._reader.join(5.0)
        return code

    def kill(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait(10)
