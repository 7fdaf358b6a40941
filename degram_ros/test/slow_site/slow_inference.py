# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Test-only: inference slowed on purpose, to show that no test depends on how fast the machine is.

With ``DEGRAM_TEST_INFERENCE_DELAY_MS`` set (e.g. 150), every batch the inference thread of a
degram_node runs waits that long first (the wait counts as inference time: latency, late windows).
The tests' conftest imports this module, and puts this folder on ``PYTHONPATH`` so that the
``sitecustomize`` beside it does the same in every process the tests start (nodes run as
executables, the demo).  The product never reads the variable::

    DEGRAM_TEST_INFERENCE_DELAY_MS=150 python -m pytest degram_ros/test
"""
from __future__ import annotations

import os
import time

ENV = 'DEGRAM_TEST_INFERENCE_DELAY_MS'


def install(delay_s: float) -> bool:
    """Wrap :class:`degram_ros.worker.InferenceWorker`'s batch function in a ``delay_s`` wait (once
    per process); → whether the wrap is in place."""
    try:
        from degram_ros import worker
    except ImportError:   # a process without degram_ros: nothing to slow
        return False
    cls = worker.InferenceWorker
    if getattr(cls, '_test_delay_s', None) is not None:
        return True
    original = cls.__init__

    def __init__(self, process, **kwargs):
        def slowed(batch):
            time.sleep(delay_s)
            return process(batch)
        original(self, slowed, **kwargs)

    cls.__init__ = __init__
    cls._test_delay_s = delay_s
    return True


def delay_from_environment() -> float:
    """The delay asked for in seconds (0 when the variable is unset or empty)."""
    return float(os.environ.get(ENV) or 0) / 1000.0


if delay_from_environment() > 0:
    install(delay_from_environment())
