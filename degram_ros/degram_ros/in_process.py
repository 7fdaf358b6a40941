# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Nodes run in this process, without ``ros2 run``: a private rclpy context, an executor spinning
on a thread and a client node to call services from.  The demo uses it; the tests' harness
(``degram_ros/test/harness.py``, not installed) builds on it."""
from __future__ import annotations

import threading
import time
import traceback

import rclpy
from rclpy.context import Context
from rclpy.executors import MultiThreadedExecutor
from rclpy.node import Node
from rclpy.parameter import Parameter


class InProcess:
    """``with InProcess() as ros: node = ros.add(DegramNode, 'degram_node', params={...})``."""

    def __init__(self, args: list[str] | None = None, threads: int = 2):
        self.context = Context()
        rclpy.init(args=args or [], context=self.context)
        self.executor = MultiThreadedExecutor(num_threads=threads, context=self.context)
        self.client = Node('degram_harness_client', context=self.context)
        self.executor.add_node(self.client)
        self._nodes: list[Node] = []
        self._thread = threading.Thread(target=self._spin, daemon=True)
        self._thread.start()

    def _spin(self) -> None:
        """Spin until closed; a callback's exception (the executor re-raises it) is printed and the
        spinning goes on, as the executables do."""
        while rclpy.ok(context=self.context):
            try:
                self.executor.spin_once(timeout_sec=0.1)
            except Exception:
                if not rclpy.ok(context=self.context):
                    return
                traceback.print_exc()

    def add(self, node_class, name: str, namespace: str | None = None, params: dict | None = None,
            cli_args: list[str] | None = None):
        """Make a node and spin it; a node with ``autostart()`` (degram_node) is started first as
        its executable's ``main()`` starts it (raising its StartupError)."""
        overrides = [Parameter(k, value=v) for k, v in (params or {}).items()]
        node = node_class(name, context=self.context, namespace=namespace,
                          parameter_overrides=overrides, cli_args=cli_args)
        start = getattr(node, 'autostart', None)
        if callable(start):
            start()
        self._nodes.append(node)
        self.executor.add_node(node)
        return node

    def remove(self, node) -> None:
        self.executor.remove_node(node)
        if node in self._nodes:
            self._nodes.remove(node)
        node.destroy_node()

    def call(self, srv_type, name: str, request=None, timeout: float = 20.0, retry_after: float | None = None):
        """Call service ``name`` from the client node (as ``ros2 param`` / ``ros2 lifecycle``
        do); → the response; raises TimeoutError when the service or its answer does not come.

        ``retry_after`` (idempotent services only, e.g. the parameter services): send the request
        again when no answer came within that many seconds. Right after a process starts, DDS may
        report the service before the request or the reply path is matched, and that request is
        then lost for good."""
        client = self.client.create_client(srv_type, name)
        request = request if request is not None else srv_type.Request()
        try:
            if not client.wait_for_service(timeout_sec=timeout):
                raise TimeoutError(f'service {name} did not appear')
            deadline = time.monotonic() + timeout
            futures = [client.call_async(request)]
            while not any(f.done() for f in futures):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f'service {name} did not answer')
                if self.wait_for(lambda: any(f.done() for f in futures), min(left, retry_after or left)):
                    break
                if retry_after and deadline - time.monotonic() > 0:
                    futures.append(client.call_async(request))
            return next(f for f in futures if f.done()).result()
        finally:
            self.client.destroy_client(client)

    @staticmethod
    def wait_for(predicate, timeout: float = 20.0, interval: float = 0.02) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            time.sleep(interval)
        return bool(predicate())

    def close(self) -> None:
        for node in list(self._nodes):
            try:
                self.remove(node)
            except Exception:
                pass
        self.executor.shutdown(timeout_sec=2.0)
        self.client.destroy_node()
        rclpy.try_shutdown(context=self.context)
        self._thread.join(timeout=5.0)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
