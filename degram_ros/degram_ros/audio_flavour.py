# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The two packages called ``audio_common_msgs``, told apart by their fields at import time.

- ``ros-drivers`` (ros-drivers/audio_common: audio_capture, respeaker): ``AudioData{uint8[] data}``
  on ``audio``, ``AudioDataStamped`` on ``audio_stamped``, the format in ``AudioInfo`` on
  ``audio_info``.
- ``mgonzs13`` (mgonzs13/audio_common, used with whisper_ros): ``AudioStamped{header, audio:
  Audio{audio_data: AudioData{float32_data, int32_data, int24_data, int16_data, int8_data,
  uint8_data}, info: AudioInfo{format, channels, rate, chunk}}}`` on ``audio``; every message
  carries its own format (a PortAudio code).
"""
from __future__ import annotations

from dataclasses import dataclass

ROS_DRIVERS, MGONZS13 = 'ros-drivers', 'mgonzs13'


@dataclass(frozen=True)
class AudioFlavour:
    name: str                  # ROS_DRIVERS or MGONZS13
    plain: type | None         # ros-drivers AudioData
    stamped: type | None       # ros-drivers AudioDataStamped, or mgonzs13 AudioStamped
    info: type | None          # ros-drivers AudioInfo (mgonzs13: inside every message)

    @property
    def description(self) -> str:
        return f'audio_common_msgs ({self.name})'


def _fields(msg_type) -> dict:
    return msg_type.get_fields_and_field_types() if msg_type is not None else {}


def detect_flavour(module=None) -> AudioFlavour:
    """The installed ``audio_common_msgs.msg`` (or ``module``) → its flavour; raises ImportError
    when none is importable and RuntimeError for a layout that is neither."""
    if module is None:
        import audio_common_msgs.msg as module
    audio_stamped = getattr(module, 'AudioStamped', None)
    audio = getattr(module, 'Audio', None)
    if audio_stamped is not None and 'audio_data' in _fields(audio):
        return AudioFlavour(MGONZS13, None, audio_stamped, None)
    data = getattr(module, 'AudioData', None)
    if 'data' in _fields(data) and hasattr(module, 'AudioDataStamped') and hasattr(module, 'AudioInfo'):
        return AudioFlavour(ROS_DRIVERS, data, module.AudioDataStamped, module.AudioInfo)
    raise RuntimeError('audio_common_msgs has neither the ros-drivers layout (AudioData.data, '
                       'AudioDataStamped, AudioInfo) nor the mgonzs13 one (AudioStamped, Audio.audio_data)')
