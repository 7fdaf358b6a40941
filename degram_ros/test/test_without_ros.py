# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""What conftest.py promises: without ROS the node's tests are skipped with the reason, and none
errors (the library's tests need no ROS at all)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

# a Python in which rclpy and every message / interface package fails to import, then pytest
WITHOUT_ROS = '''
import importlib.abc, sys

class NoRos(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        top = name.split('.')[0]
        if top == 'rclpy' or top.endswith(('_msgs', '_interfaces')):
            raise ModuleNotFoundError(f'No module named {name!r} (ROS hidden by the test)', name=name)
        return None

sys.meta_path.insert(0, NoRos())
import pytest
sys.exit(pytest.main(sys.argv[1:]))
'''


def test_without_ros_every_node_test_is_skipped_with_the_reason_and_none_errors():
    proc = subprocess.run([sys.executable, '-c', WITHOUT_ROS, '-q', '-rs', '-p', 'no:cacheprovider', str(HERE),
                           '-k', 'not test_lint and not without_ros'],
                          capture_output=True, text=True, timeout=600, cwd=HERE)
    out = proc.stdout + proc.stderr
    summary = out.strip().splitlines()[-1]     # e.g. "9 passed, 47 skipped in 1.30s"
    assert proc.returncode == 0 and 'error' not in summary and 'failed' not in summary, out[-4000:]
    assert int(summary.split(' skipped')[0].split()[-1]) >= 40, summary
    assert 'rclpy is not importable' in out, out[-4000:]
