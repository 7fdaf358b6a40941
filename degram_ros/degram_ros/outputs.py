# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The publishers of the node's outputs as lifecycle publishers (rclpy ``LifecycleNode``, Humble
on): they publish only while the node is active (``LifecycleNode.on_activate`` enables them); a
node without lifecycle publishers gets plain ones."""
from __future__ import annotations


def output_publisher(node, msg_type, topic: str, qos):
    """A lifecycle publisher of ``node`` when it has them, else a plain one."""
    create = getattr(node, 'create_lifecycle_publisher', None) or node.create_publisher
    return create(msg_type, topic, qos)


def destroy_output(node, publisher) -> None:
    """Destroy a publisher made by :func:`output_publisher` (and forget it as a managed entity)."""
    destroy = getattr(node, 'destroy_lifecycle_publisher', None) or node.destroy_publisher
    destroy(publisher)
