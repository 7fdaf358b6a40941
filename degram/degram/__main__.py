# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""``python -m degram`` = the ``degram`` command."""
import sys

from .cli import main

sys.exit(main())
