# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""One version number: the three package.xml files agree, and setup.py, ``degram --version`` and
``__version__`` read it from there."""
from __future__ import annotations

import re
from pathlib import Path

import degram

ROOT = Path(__file__).resolve().parents[2]
VERSION = re.compile(r'<version>([^<]+)</version>')


def test_one_version_number():
    versions = {p: VERSION.search((ROOT / p / 'package.xml').read_text()).group(1)
                for p in ('degram', 'degram_ros', 'degram_msgs')}
    assert len(set(versions.values())) == 1, versions
    assert degram.__version__ == versions['degram']
    for setup in ('degram/setup.py', 'degram_ros/setup.py'):
        assert not re.search(r"version='\d", (ROOT / setup).read_text()), f'{setup} states a version of its own'
    for module in ('degram/degram/__init__.py', 'degram_ros/degram_ros/__init__.py'):
        assert not re.search(r"__version__ = '\d", (ROOT / module).read_text())
