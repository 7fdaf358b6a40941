# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Audio messages out of ROS 2 bags (sqlite3 and MCAP) without a ROS installation (``rosbags``).

audio_common_msgs is not among rosbags' built-in types and bags recorded on Humble carry no
message definitions, so the definitions (field names and types as published by
ros-drivers/audio_common) are registered here.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

AUDIO_COMMON_MSGS = {
    'audio_common_msgs/msg/AudioData': 'uint8[] data\n',
    'audio_common_msgs/msg/AudioDataStamped': 'std_msgs/Header header\naudio_common_msgs/AudioData audio\n',
    'audio_common_msgs/msg/AudioInfo': ('uint8 channels\nuint32 sample_rate\nstring sample_format\n'
                                        'uint32 bitrate\nstring coding_format\n'),
}


class BagError(ValueError):
    """A bag that cannot be read, or a topic it does not hold."""


@dataclass(frozen=True)
class AudioMessage:
    """One message of the audio topic (``data``, with ``stamp`` for AudioDataStamped) or of its
    AudioInfo topic (``info``), with the time the bag recorded it (seconds)."""

    receive_time: float
    data: bytes = b''
    stamp: float | None = None
    frame_id: str = ''
    info: dict | None = None


def _typestore():
    from rosbags.typesys import Stores, get_types_from_msg, get_typestore

    store = get_typestore(Stores.LATEST)
    types = {}
    for name, text in AUDIO_COMMON_MSGS.items():
        types.update(get_types_from_msg(text, name))
    store.register(types)
    return store


def info_topic_for(topic: str) -> str:
    """``/robot/audio`` or ``/robot/audio_stamped`` → ``/robot/audio_info`` (audio_capture's names)."""
    parent = topic.rstrip('/').rsplit('/', 1)[0]
    return f'{parent}/audio_info'


def read_audio(bag: str | Path, topic: str, info_topic: str | None = None) -> Iterator[AudioMessage]:
    """The messages of ``topic`` (AudioData or AudioDataStamped) and of its AudioInfo topic, in
    recording order."""
    try:
        from rosbags.highlevel import AnyReader
    except ImportError:
        raise BagError('reading bags needs the rosbags package: pip install rosbags') from None
    info_topic = info_topic or info_topic_for(topic)
    try:
        reader = AnyReader([Path(bag)], default_typestore=_typestore())
        reader.open()
    except Exception as exc:  # rosbags raises its own error types for every broken bag
        raise BagError(f'{bag}: cannot read the bag ({type(exc).__name__}: {exc})') from None
    try:
        wanted = [c for c in reader.connections if c.topic in (topic, info_topic)]
        if not any(c.topic == topic for c in wanted):
            topics = sorted({f'{c.topic} ({c.msgtype})' for c in reader.connections})
            raise BagError(f'{bag}: no topic {topic}; it holds {", ".join(topics) or "no topics"}')
        for connection, timestamp, raw in reader.messages(connections=wanted):
            msg = reader.deserialize(raw, connection.msgtype)
            received = timestamp * 1e-9
            if connection.msgtype.endswith('AudioInfo'):
                yield AudioMessage(received, info={k: getattr(msg, k) for k in
                                                   ('channels', 'sample_rate', 'sample_format', 'bitrate',
                                                    'coding_format')})
            elif connection.msgtype.endswith('AudioDataStamped'):
                stamp = msg.header.stamp.sec + msg.header.stamp.nanosec * 1e-9
                yield AudioMessage(received, bytes(msg.audio.data), stamp if stamp > 0 else None,
                                   msg.header.frame_id)
            elif connection.msgtype.endswith('AudioData'):
                yield AudioMessage(received, bytes(msg.data))
            else:
                raise BagError(f'{bag}: {topic} holds {connection.msgtype}, not audio_common_msgs audio')
    finally:
        reader.close()
