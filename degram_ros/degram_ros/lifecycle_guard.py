"""A lifecycle node's ``change_state`` service that always answers."""
from __future__ import annotations


def answer_invalid_transitions(node) -> None:
    """A change_state request for a transition the current state does not have: Jazzy's rclpy
    raises inside the service callback, so the caller never gets an answer and the exception
    reaches the executor; answer ``success: false`` instead, as later rclpy versions do."""
    from lifecycle_msgs.srv import ChangeState

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
