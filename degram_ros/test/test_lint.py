# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""ruff over the repository (sources, tests, launch files, tools) with the project's configuration:
``[tool.ruff]`` in the repository's pyproject.toml (rules, their reasons and the per-file ignores
are stated there)."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_ruff_clean():
    ruff = shutil.which('ruff') or str(Path(sys.executable).with_name('ruff'))
    if not Path(ruff).exists() and shutil.which('ruff') is None:
        pytest.fail('ruff is not installed (pip install ruff; tools/setup.sh installs it)')
    assert (ROOT / 'pyproject.toml').is_file()
    proc = subprocess.run([ruff, 'check', '--no-cache', '.'], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
