# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The two places where ``degram_node`` relies on rclpy internals, and nowhere else.

- :func:`given_parameters`: which parameters were given (command line, parameters file,
  ``parameter_overrides``) rather than left at their defaults. rclpy has no public call for it; it
  keeps them in ``Node._parameter_overrides`` (Humble to Kilted).
- :func:`answer_invalid_transitions`: Jazzy's (and Humble's) rclpy raises inside the
  ``change_state`` service callback when the current state has no such transition, so the caller
  never gets an answer; we wrap the service's ``callback`` to answer ``success: false``, as later
  rclpy versions do.

``degram_ros/test/test_rclpy_private.py`` fails when rclpy changes either.
"""
from __future__ import annotations


def given_parameters(node) -> frozenset[str]:
    """The names of the parameters given to ``node`` rather than left at their defaults."""
    return frozenset(getattr(node, '_parameter_overrides', None) or {})


def answer_invalid_transitions(node) -> int:
    """Make the node's ``change_state`` service answer ``success: false`` to a transition the
    current state does not have (instead of raising in the executor); → how many services were
    wrapped (1 for a lifecycle node)."""
    from lifecycle_msgs.srv import ChangeState

    wrapped = 0
    for service in node.services:
        if service.srv_type is not ChangeState:
            continue
        inner = service.callback

        def guarded(request, response, inner=inner):
            try:
                return inner(request, response)
            except Exception as exc:   # rclpy's RCLError: no such transition from this state
                node.get_logger().warning(f'change_state: transition {request.transition.id} '
                                          f"{request.transition.label!r} refused: {exc}")
                response.success = False
                return response
        service.callback = guarded
        wrapped += 1
    return wrapped
