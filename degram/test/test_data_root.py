# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The tests look for the shared data where the library does ($DEGRAM_DATA first), so that a
checkout elsewhere runs them instead of skipping them."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
WITH_DATA = sorted(path for folder in ('degram/test', 'degram_ros/test') for path in (REPO / folder).glob('test_*.py')
                   if any(line.startswith('DATA = ') for line in path.read_text().splitlines()))


def test_the_tests_that_use_shared_data_are_found():
    assert len(WITH_DATA) >= 7, WITH_DATA


@pytest.mark.parametrize('path', WITH_DATA, ids=lambda p: p.name)
def test_each_finds_the_data_under_degram_data(path, tmp_path, monkeypatch):
    monkeypatch.setenv('DEGRAM_DATA', str(tmp_path))
    spec = importlib.util.spec_from_file_location(f'data_root_of_{path.stem}', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert Path(module.DATA).is_relative_to(tmp_path), module.DATA
