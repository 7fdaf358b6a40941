"""Conversions between the library's values and ROS messages."""
from __future__ import annotations

import math

import numpy as np
from builtin_interfaces.msg import Duration, Time


def to_time(seconds: float) -> Time:
    sec = math.floor(seconds)
    nsec = int(round((seconds - sec) * 1e9))
    if nsec >= 1_000_000_000:
        sec, nsec = sec + 1, nsec - 1_000_000_000
    return Time(sec=int(sec), nanosec=nsec)


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
