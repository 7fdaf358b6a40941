# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""From window scores to decisions a robot can act on: a level gate, per-class thresholds, and
events with an onset, an offset and a peak found by k-of-n hysteresis. The ROS node,
``degram eval --windows`` and offline tools share it."""
from .analyzer import WindowAnalysis, WindowAnalyzer, analyse_together
from .detector import Decision, WindowDetector, level_db
from .pipeline import detect, detector_for, windows_of
from .tracker import Event, EventTracker

__all__ = ['Decision', 'Event', 'EventTracker', 'WindowAnalysis', 'WindowAnalyzer', 'WindowDetector',
           'analyse_together', 'detect', 'detector_for', 'level_db', 'windows_of']
