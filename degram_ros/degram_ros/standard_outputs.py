# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Standard outputs for consumers without degram_msgs: a latched ``vision_msgs/LabelInfo`` on
``label_info`` (class id → label, the lowest threshold in use) and one
``vision_msgs/Classification`` per window on ``classification`` holding what the window
*detected* (sound events at or above their class threshold, best first; the speaker when known),
so an empty ``results`` means "nothing / unknown".  ``ObjectHypothesis.class_id`` is the class
index as a string, the key of LabelInfo's ``class_map``.

Only when ``vision_msgs`` is importable (it is an optional dependency) and ``publish_vision_msgs``
is true.
"""
from __future__ import annotations

import importlib.util

from degram_ros.outputs import output_publisher
from degram_ros.qos import LATCHED, RESULTS_DEPTH


def vision_msgs_available() -> bool:
    return importlib.util.find_spec('vision_msgs') is not None


def label_info_message(labels, thresholds, stamp):
    from vision_msgs.msg import LabelInfo, VisionClass

    msg = LabelInfo()
    msg.header.stamp = stamp
    msg.class_map = [VisionClass(class_id=i, class_name=str(name)) for i, name in enumerate(labels)]
    msg.threshold = float(min(thresholds)) if len(thresholds) else 0.0
    return msg


def classification_message(hypotheses, stamp, frame_id: str):
    """``hypotheses``: (class index, score) pairs, best first."""
    from vision_msgs.msg import Classification, ObjectHypothesis

    msg = Classification()
    msg.header.stamp = stamp
    msg.header.frame_id = frame_id
    msg.results = [ObjectHypothesis(class_id=str(int(i)), score=float(s)) for i, s in hypotheses]
    return msg


class StandardOutputs:
    """The two publishers of one activation."""

    def __init__(self, node, prefix: str = ''):
        from vision_msgs.msg import Classification, LabelInfo

        self.label_info_pub = output_publisher(node, LabelInfo, prefix + 'label_info', LATCHED)
        self.classification_pub = output_publisher(node, Classification, prefix + 'classification', RESULTS_DEPTH)

    @property
    def publishers(self) -> list:
        return [self.label_info_pub, self.classification_pub]

    def publish_labels(self, labels, thresholds, stamp) -> None:
        self.label_info_pub.publish(label_info_message(labels, thresholds, stamp))

    def publish_result(self, hypotheses, stamp, frame_id: str) -> None:
        self.classification_pub.publish(classification_message(hypotheses, stamp, frame_id))
