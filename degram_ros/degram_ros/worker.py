"""The hand-over between the audio callback and the inference thread."""
from __future__ import annotations

import threading


class LatestSlot:
    """A one-element hand-over between the audio callback and the inference thread.

    ``put`` replaces an unconsumed item (newest wins) and returns True when it did so, i.e. when
    a stale window was dropped.
    """

    def __init__(self):
        self._cond = threading.Condition()
        self._item = None
        self._closed = False

    def put(self, item) -> bool:
        with self._cond:
            dropped = self._item is not None
            self._item = item
            self._cond.notify()
            return dropped

    def get(self, timeout: float | None = None):
        with self._cond:
            if self._item is None and not self._closed:
                self._cond.wait(timeout)
            item, self._item = self._item, None
            return item

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    @property
    def closed(self) -> bool:
        return self._closed
