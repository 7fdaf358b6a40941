# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The rclpy internals degram_node relies on (degram_ros/rclpy_private.py): these fail when rclpy
changes them, instead of the node silently losing the behaviour."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.usefixtures('ros_required')


def test_given_parameters_are_the_overrides_and_the_command_line(ros):
    from rclpy.node import Node

    from degram_ros.rclpy_private import given_parameters

    node = ros.add(Node, 'rclpy_private_params', params={'backend': 'torch'},
                   cli_args=['--ros-args', '-p', 'device:=cpu'])
    assert hasattr(node, '_parameter_overrides'), 'rclpy no longer keeps Node._parameter_overrides'
    node.declare_parameter('backend', 'onnxruntime')
    node.declare_parameter('device', 'auto')
    node.declare_parameter('top_k', 5)
    assert {'backend', 'device'} <= given_parameters(node) and 'top_k' not in given_parameters(node)
    ros.remove(node)


def test_change_state_answers_a_transition_the_state_does_not_have(ros):
    from lifecycle_msgs.msg import Transition
    from lifecycle_msgs.srv import ChangeState
    from rclpy.lifecycle import LifecycleNode

    from degram_ros.rclpy_private import answer_invalid_transitions

    node = ros.add(LifecycleNode, 'rclpy_private_lifecycle')
    services = [s for s in node.services if s.srv_type is ChangeState]
    assert len(services) == 1 and callable(services[0].callback), \
        "rclpy's LifecycleNode no longer has one change_state service with a callback"
    assert answer_invalid_transitions(node) == 1
    # unconfigured has no 'activate': answered, not raised (Jazzy raises inside the callback)
    request = ChangeState.Request(transition=Transition(id=Transition.TRANSITION_ACTIVATE))
    assert services[0].callback(request, ChangeState.Response()).success is False
    request = ChangeState.Request(transition=Transition(id=Transition.TRANSITION_CONFIGURE))
    assert services[0].callback(request, ChangeState.Response()).success is True
    ros.remove(node)
