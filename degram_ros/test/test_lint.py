"""ruff over the packages (sources, tests, launch files) and the tools."""
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
    targets = [str(ROOT / 'degram'), str(ROOT / 'degram_ros')] + [str(p) for p in sorted((ROOT / 'tools').glob('*.py'))]
    proc = subprocess.run([ruff, 'check', '--no-cache', '--line-length', '120',
                           '--select', 'E,F,W', *targets],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
