# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Streaming audio, without ROS: PCM decoding, sliding windows at the model rate, capture stamps.

The ROS node and offline tools feed :class:`AudioStream` message by message and get windows back.
"""
from .input import StreamInput, check_coding
from .pcm import (
                  PCM_CODINGS,
                  SAMPLE_FORMATS,
                  InputFormatError,
                  decode_pcm,
                  encode_pcm,
                  frame_bytes,
                  normalize_sample_format,
                  select_channel,
)
from .portaudio import PORTAUDIO_FORMATS, portaudio_sample_format, portaudio_to_pcm
from .stamps import STAMP_TOLERANCE, SampleClock
from .stream import AudioStream, StreamCounters, StreamResampler, Window

__all__ = [
    'PCM_CODINGS', 'PORTAUDIO_FORMATS', 'SAMPLE_FORMATS', 'STAMP_TOLERANCE', 'AudioStream', 'InputFormatError',
    'SampleClock', 'StreamCounters',
    'StreamInput', 'StreamResampler', 'Window', 'check_coding', 'decode_pcm', 'encode_pcm', 'frame_bytes',
    'normalize_sample_format', 'portaudio_sample_format', 'portaudio_to_pcm', 'select_channel',
]
