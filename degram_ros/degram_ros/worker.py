"""The hand-over between the audio callback and the inference thread, and that thread."""
from __future__ import annotations

import threading
import time


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


class InferenceWorker:
    """The inference thread of one activation: takes the newest window from :attr:`slot`, runs
    ``process(window)`` (inference and publishing) and counts into ``counts`` / ``latencies``.

    :meth:`stop` closes the slot and joins the thread: the window in flight is finished (and
    published) first.  An exception raised once stopping has begun (a publish racing the
    teardown) is not an error and is not reported."""

    def __init__(self, process, counts, latencies, hop_length: float, on_error):
        self.slot = LatestSlot()
        self._process, self._counts, self._latencies = process, counts, latencies
        self._hop, self._on_error = hop_length, on_error
        self._thread = threading.Thread(target=self._run, name='degram_inference', daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> bool:
        """→ True when the thread has ended."""
        self.slot.close()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)
        return not self._thread.is_alive()

    def _run(self) -> None:
        while not self.slot.closed:
            window = self.slot.get(timeout=0.2)
            if window is None:
                continue
            start = time.monotonic()
            try:
                self._process(window)
            except Exception as exc:  # keep serving
                if self.slot.closed:
                    return
                self._counts['inference_errors'] += 1
                self._on_error(exc)
                continue
            elapsed = time.monotonic() - start
            self._latencies.append(elapsed)
            self._counts['windows_processed'] += 1
            if elapsed > self._hop:
                self._counts['late_windows'] += 1
