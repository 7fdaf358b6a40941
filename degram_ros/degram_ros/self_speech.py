# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The robot's own voice: the ``self_speech_topic`` subscription (``std_msgs/Bool``, true while the
robot speaks) that feeds each stream's :class:`degram.streaming.self_speech.SelfSpeechGate`."""
from __future__ import annotations

from degram_ros.qos import RESULTS_DEPTH


def subscribe_self_speech(node, topic: str, channels):
    """→ the subscription (None when ``topic`` is empty): each Bool starts or ends the robot's
    speech on the timeline of every stream in ``channels`` (its newest audio, else ``now``)."""
    if not topic:
        return None
    from std_msgs.msg import Bool

    def on_bool(msg) -> None:
        now = node.get_clock().now().nanoseconds * 1e-9
        for channel in channels:
            channel.on_self_speech(bool(msg.data), now)

    return node.create_subscription(Bool, topic, on_bool, RESULTS_DEPTH)
