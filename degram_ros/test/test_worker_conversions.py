# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The node's thread hand-over and message conversions (no middleware needed)."""
from __future__ import annotations

import threading

import numpy as np
import pytest

pytest.importorskip('rclpy', reason='rclpy is not importable: source a ROS 2 installation (conftest.py)')

from degram_ros.conversions import representation_image
from degram_ros.worker import LatestSlot


def test_latest_slot_newest_wins():
    slot = LatestSlot()
    assert slot.put(1) is False
    assert slot.put(2) is True     # 1 was stale and dropped
    assert slot.get(0.1) == 2 and slot.get(0.01) is None
    got = []
    t = threading.Thread(target=lambda: got.append(slot.get(5.0)))
    t.start()
    slot.put(3)
    t.join(5.0)
    assert got == [3]
    slot.close()
    assert slot.closed and slot.get(1.0) is None


def test_representation_image():
    rep = np.random.default_rng(1).normal(size=(2, 30, 40))
    img, enc = representation_image(rep)
    assert enc == 'mono8' and img.shape == (40, 30) and img.dtype == np.uint8
    assert img.min() == 0 and img.max() == 255
    img, enc = representation_image(rep, '32FC1')
    assert enc == '32FC1' and img.dtype == np.float32 and img.shape == (40, 30)
    # the values themselves, averaged over the channels; rows = frequency with the lowest at the bottom,
    # columns = time from left to right
    mean = rep.mean(axis=0).astype(np.float32)                      # (T, F)
    np.testing.assert_allclose(img[-1, :], mean[:, 0], atol=1e-6)   # bottom row: the lowest band over time
    np.testing.assert_allclose(img[0, :], mean[:, -1], atol=1e-6)   # top row: the highest band
    np.testing.assert_allclose(img[:, 0], mean[0, ::-1], atol=1e-6)  # left column: the first frame


def test_stamps_beyond_int32_seconds_are_an_error_not_a_wrap():
    import pytest

    from degram_ros.conversions import StampRangeError, time_from_ns, to_time

    assert to_time(2**31 - 1).sec == 2**31 - 1
    with pytest.raises(StampRangeError, match='does not fit builtin_interfaces/Time'):
        to_time(2**31 + 5.0)
    with pytest.raises(StampRangeError):
        time_from_ns(-1)
