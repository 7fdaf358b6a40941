# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Shared test set-up: an isolated ROS 2 domain per test session, and the ROS skip helper.

Tests that need ROS use the ``ros_required`` fixture: they are skipped (with the reason) only when
rclpy itself cannot be imported; when rclpy is there but the message packages are not, they fail
and say how to build them (``bash tools/test.sh`` builds and sources everything).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

# One DDS domain per test session (0..101 keeps within the default port range) and discovery
# restricted to this machine, so that parallel runs and other robots never cross-talk.
os.environ['ROS_DOMAIN_ID'] = str(1 + os.getpid() % 100)
os.environ.setdefault('ROS_AUTOMATIC_DISCOVERY_RANGE', 'LOCALHOST')   # Iron and newer
if os.environ.get('ROS_DISTRO', '') in ('humble', 'foxy', 'galactic'):
    os.environ.setdefault('ROS_LOCALHOST_ONLY', '1')                     # Humble

# DEGRAM_TEST_INFERENCE_DELAY_MS=150: inference slowed by that much per batch, in this process and
# in every process the tests start (slow_site/slow_inference.py; never read by the product)
if os.environ.get('DEGRAM_TEST_INFERENCE_DELAY_MS'):
    _SLOW_SITE = str(Path(__file__).resolve().parent / 'slow_site')
    sys.path.insert(0, _SLOW_SITE)
    os.environ['PYTHONPATH'] = os.pathsep.join(p for p in (_SLOW_SITE, os.environ.get('PYTHONPATH')) if p)
    import slow_inference  # noqa: E402,F401

try:
    import rclpy  # noqa: F401
    RCLPY_ERROR = None
except ImportError as exc:  # pragma: no cover - depends on the machine
    RCLPY_ERROR = exc


@pytest.fixture(scope='session')
def ros_required():
    if RCLPY_ERROR is not None:
        pytest.skip(f'rclpy is not importable ({RCLPY_ERROR}); source a ROS 2 installation')
    try:
        import audio_common_msgs.msg  # noqa: F401

        import degram_msgs.msg  # noqa: F401
    except ImportError as exc:
        pytest.fail(f'rclpy works but the message packages do not import ({exc}): build and '
                    'source the workspace (bash tools/test.sh does both)')


MULTI_LABELS = ['alarm', 'knock', 'speech']


@pytest.fixture(scope='module')
def ros():
    """One in-process rclpy harness (private context, spinning executor) per test module."""
    from harness import RosHarness

    harness = RosHarness()
    yield harness
    harness.close()


def error_lines(log: str) -> list[str]:
    """The [ERROR] / [FATAL] lines of a node's log output."""
    return [line for line in log.splitlines() if '[ERROR]' in line or '[FATAL]' in line]


@pytest.fixture(scope='session')
def multilabel_checkpoint(tmp_path_factory):
    """→ make(name, thresholds=..., **metadata): a tiny multi-label (sigmoid) DEGram checkpoint
    with calibration metadata as training writes it: per-class thresholds, a -65 dBFS level gate
    and a recommended 1.0 s / 0.5 s window (the same seeded weights every time)."""
    root = tmp_path_factory.mktemp('multilabel')

    def make(name: str = 'tiny_multi', thresholds=(0.0, 1.0, 0.5), **metadata):
        import torch

        from degram import build_model, save_checkpoint

        torch.manual_seed(0)
        model = build_model('degram', 'resnet18', num_classes=3, width=8)
        meta = {'min_level_db': -65.0, 'window_length': 1.0, 'hop_length': 0.5, **metadata}
        return save_checkpoint(model, root / f'{name}.pt', labels=MULTI_LABELS, task='sound_event',
                               name=name, multi_label=True, thresholds=list(thresholds), **meta)
    return make
