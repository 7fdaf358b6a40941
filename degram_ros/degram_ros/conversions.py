# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Conversions between the library's values and ROS messages: times, representation images.

:func:`to_time` / :func:`time_from_ns` are the one definition of seconds → builtin_interfaces/Time
(node, harness, wav_publisher)."""
from __future__ import annotations

import numpy as np
from builtin_interfaces.msg import Duration, Time

INT32_MAX = 2**31 - 1


class StampRangeError(ValueError):
    """A time that builtin_interfaces/Time (int32 seconds) cannot hold."""


def time_from_ns(ns: int) -> Time:
    """Integer nanoseconds → Time (exact); outside 0 … 2^31-1 s it is an error, never a wrap."""
    ns = int(ns)
    sec = ns // 1_000_000_000
    if not 0 <= sec <= INT32_MAX:
        raise StampRangeError(f'stamp {sec} s does not fit builtin_interfaces/Time (0 … {INT32_MAX} s)')
    return Time(sec=sec, nanosec=ns % 1_000_000_000)


def to_time(seconds: float) -> Time:
    """Seconds → Time, rounded to the nanosecond."""
    return time_from_ns(round(float(seconds) * 1e9))


def to_duration(seconds: float) -> Duration:
    t = to_time(seconds)
    return Duration(sec=t.sec, nanosec=t.nanosec)


def stamp_to_seconds(stamp) -> float:
    return stamp.sec + stamp.nanosec * 1e-9


def representation_image(rep: np.ndarray, encoding: str = 'mono8') -> tuple[np.ndarray, str]:
    """(C, T, F) or (T, F) representation → image (F rows, low frequencies at the bottom, T
    columns): uint8 min–max normalised ('mono8') or float32 ('32FC1')."""
    rep = np.asarray(rep, dtype=np.float32)
    while rep.ndim > 2:
        rep = rep.mean(axis=0)
    img = np.ascontiguousarray(np.flipud(rep.T))
    img = np.nan_to_num(img, nan=0.0, posinf=0.0, neginf=0.0)
    if encoding == '32FC1':
        return img.astype(np.float32), '32FC1'
    lo, hi = float(img.min()), float(img.max())
    scaled = (img - lo) / (hi - lo) if hi > lo else np.zeros_like(img)
    return np.round(scaled * 255.0).astype(np.uint8), 'mono8'


def image_message(rep: np.ndarray, encoding: str, stamp: Time, frame_id: str):
    """A window's representation → sensor_msgs/Image (see :func:`representation_image`)."""
    from sensor_msgs.msg import Image

    img, encoding = representation_image(rep, encoding)
    image = Image()
    image.header.stamp = stamp
    image.header.frame_id = frame_id
    image.height, image.width = int(img.shape[0]), int(img.shape[1])
    image.encoding = encoding
    image.is_bigendian = 0
    image.step = int(img.strides[0])
    image.data = img.tobytes()
    return image
