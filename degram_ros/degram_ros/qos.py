"""The QoS profiles of degram_ros, stated once (node, harness, wav_publisher)."""
from __future__ import annotations

from rclpy.qos import (DurabilityPolicy, HistoryPolicy, QoSProfile, ReliabilityPolicy,
                       qos_profile_sensor_data)

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
