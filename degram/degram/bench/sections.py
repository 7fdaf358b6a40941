# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The benchmark sections by name, in report order: name → the module that runs and renders it.

Light on purpose (no torch): ``degram bench --sections`` takes its choices from here. A section
module, imported only when its section runs, has ``run(config) -> dict`` (the JSON of the section,
or ``{'skipped': reason}``) and ``render(section) -> list[str]`` (its markdown lines).
"""
from __future__ import annotations

import importlib
from types import ModuleType

from ..registry import Registry

#: section name → module path under degram.bench
SECTIONS: Registry[str] = Registry('benchmark section')
for _name in ('table8', 'flops', 'frontends', 'throughput', 'onnx', 'threading', 'gpu'):
    SECTIONS.register(_name, f'degram.bench.{_name}')


def load_section(name: str) -> ModuleType:
    """The module of section ``name`` (an unknown name raises RegistryError listing the sections)."""
    return importlib.import_module(SECTIONS.get(name))
