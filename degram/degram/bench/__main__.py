# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Benchmarks of the models on this machine (``degram bench``)."""
import sys

from .runner import main

sys.exit(main())
