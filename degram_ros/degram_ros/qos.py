# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The QoS profiles of degram_ros, stated once (node, harness, wav_publisher)."""
from __future__ import annotations

from rclpy.qos import DurabilityPolicy, HistoryPolicy, QoSProfile, ReliabilityPolicy, qos_profile_sensor_data

#: latched: late subscribers still get the last message (model_info, audio_info)
LATCHED = QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE,
                     durability=DurabilityPolicy.TRANSIENT_LOCAL)
# The sensor-data profile (best effort: matches reliable and best-effort publishers) with a deeper
# queue: its depth of 5 loses chunks whenever a burst (bag replay, a busy executor) outruns the
# callback, and every lost chunk resets the window buffer.
AUDIO_QOS = QoSProfile(history=HistoryPolicy.KEEP_LAST, depth=100,
                       reliability=qos_profile_sensor_data.reliability,
                       durability=qos_profile_sensor_data.durability)
#: results, segments: reliable, depth 10
RESULTS_DEPTH = 10
#: audio_info from publishers that do not latch it (audio_capture before 0.4 re-sends it every 5 s)
VOLATILE_INFO = QoSProfile(depth=5, reliability=ReliabilityPolicy.RELIABLE,
                           durability=DurabilityPolicy.VOLATILE)
AUDIO_QOS_CHOICES = ('auto', 'reliable', 'best_effort')


def audio_qos(reliability: str) -> QoSProfile:
    """The audio subscription's profile: AUDIO_QOS, reliable or best effort."""
    policy = ReliabilityPolicy.RELIABLE if reliability == 'reliable' else ReliabilityPolicy.BEST_EFFORT
    return QoSProfile(history=HistoryPolicy.KEEP_LAST, depth=AUDIO_QOS.depth, reliability=policy,
                      durability=DurabilityPolicy.VOLATILE)


def choose_reliability(mode: str, publishers) -> str:
    """``audio_qos`` parameter + the audio topic's publishers (``get_publishers_info_by_topic``) →
    'reliable' or 'best_effort'. auto: reliable when every publisher is reliable (large messages
    from a reliable publisher rarely reach a best-effort reader whole), best effort otherwise (it
    matches both kinds) and while there is no publisher."""
    if mode != 'auto':
        return mode
    if publishers and all(p.qos_profile.reliability == ReliabilityPolicy.RELIABLE for p in publishers):
        return 'reliable'
    return 'best_effort'
