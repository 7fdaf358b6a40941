# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""What the speaker services (``~/enroll``) and the sound services (``~/teach``) share: a request
that collects the next seconds of the stream, at most one in flight, and the services that end
with the node's activation."""
from __future__ import annotations

import threading


class StreamRequestServices:
    """The request in flight (``_pending``: an object with ``cancelled`` and a ``done`` event, guarded
    by ``_lock``) and the ``services`` a subclass creates on ``_node``."""

    def __init__(self):
        self._lock = threading.Lock()
        self._pending = None
        self._node = None
        self.services: list = []

    @property
    def listening(self) -> bool:
        """Whether a request is collecting the stream now."""
        with self._lock:
            return self._pending is not None

    def release_services(self) -> None:
        """Cancel the request in flight (its caller gets its answer now) and destroy the services."""
        with self._lock:
            pending, self._pending = self._pending, None
        if pending is not None:
            pending.cancelled = True
            pending.done.set()
        for service in self.services:
            self._node.destroy_service(service)
        self.services = []
