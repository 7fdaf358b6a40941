# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The hand-over between the audio callbacks and the inference thread, and that thread.

With several streams (``streams`` parameter) each stream has its own slot; the thread takes the
newest window of every stream that has one and runs them as one batch.
"""
from __future__ import annotations

import threading
import time


class LatestSlot:
    """One-element hand-over per key (a stream) between the audio callbacks and the inference
    thread.

    ``put(item, key)`` replaces an unconsumed item of that key (newest wins) and returns True when
    it did so, i.e. when a stale window was dropped.  ``get_all`` takes the items of every key at
    once (in the order the keys first put something); ``get`` is the single-key form.
    """

    def __init__(self):
        self._cond = threading.Condition()
        self._items: dict = {}
        self._closed = False

    def put(self, item, key=None) -> bool:
        with self._cond:
            dropped = self._items.get(key) is not None
            self._items[key] = item
            self._cond.notify()
            return dropped

    def get_all(self, timeout: float | None = None) -> list[tuple[object, object]]:
        """→ [(key, item)] of every key holding one (waits up to ``timeout`` for the first)."""
        with self._cond:
            if not self.pending and not self._closed:
                self._cond.wait(timeout)
            ready = [(key, item) for key, item in self._items.items() if item is not None]
            for key, _ in ready:
                self._items[key] = None
            return ready

    def get(self, timeout: float | None = None):
        ready = self.get_all(timeout)
        return ready[0][1] if ready else None

    @property
    def pending(self) -> int:
        """How many windows wait for the inference thread."""
        return sum(item is not None for item in self._items.values())

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    @property
    def closed(self) -> bool:
        return self._closed


class InferenceWorker:
    """The inference thread of one activation: takes the newest window of each stream from
    :attr:`slot`, runs ``process([(key, window), ...])`` (one batch: inference and publishing; it
    may return ``[(key, exception)]`` for streams whose window failed alone) and counts into
    ``account(key)`` → (counts, latencies) of that stream; a window that took longer than
    ``hop_length`` seconds is late; ``on_error(exception)`` hears of each failure.

    :meth:`stop` closes the slot and joins the thread: the batch in flight is finished (and
    published) first.  An exception raised once stopping has begun (a publish racing the
    teardown) is not an error and is not reported."""

    def __init__(self, process, *, hop_length: float, on_error, account):
        self.slot = LatestSlot()
        self._process, self._hop, self._on_error, self._account = process, hop_length, on_error, account
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
            batch = self.slot.get_all(timeout=0.2)
            if not batch:
                continue
            start = time.monotonic()
            try:
                failed = dict(self._process(batch) or ())
            except Exception as exc:  # the whole batch failed; keep serving
                failed = {key: exc for key, _ in batch}
            if failed and self.slot.closed:
                return
            for key, exc in failed.items():
                self._account(key)[0]['inference_errors'] += 1
                self._on_error(exc)
            elapsed = time.monotonic() - start
            for key, _ in batch:
                if key in failed:
                    continue
                counts, latencies = self._account(key)
                latencies.append(elapsed)
                counts['windows_processed'] += 1
                if elapsed > self._hop:
                    counts['late_windows'] += 1
