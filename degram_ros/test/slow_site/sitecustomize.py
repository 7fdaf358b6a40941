# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Test-only (on PYTHONPATH only while ``DEGRAM_TEST_INFERENCE_DELAY_MS`` is set, by the tests'
conftest): slows inference in the processes the tests start; see slow_inference.py."""
import slow_inference  # noqa: F401
