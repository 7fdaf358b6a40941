# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Shipped weights, by name: ``assets/models/manifest.json`` maps each name to its file, sha256,
task, labels and licence; :func:`resolve` verifies the file's sha256 before it is loaded, so a
damaged download or a flipped byte is a clear error, never a model that outputs NaN."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from ..registry import Registry

MODELS_DIR = Path(__file__).resolve().parents[1] / 'assets' / 'models'
MANIFEST = MODELS_DIR / 'manifest.json'


class PretrainedError(ValueError):
    """A shipped model that is missing or damaged."""


@dataclass(frozen=True)
class PretrainedModel:
    name: str
    file: Path
    sha256: str
    task: str
    labels: tuple[str, ...]
    licence: str = ''
    trained_on: str = ''


def _read_manifest(path: Path = MANIFEST) -> Registry:
    registry: Registry = Registry('shipped model')
    if not path.is_file():  # an installation without weights: every name is simply unknown
        return registry
    for name, entry in json.loads(path.read_text())['models'].items():
        registry.register(name, PretrainedModel(
            name=name, file=path.parent / entry['file'], sha256=entry['sha256'], task=entry['task'],
            labels=tuple(entry['labels']), licence=entry.get('licence', ''),
            trained_on=entry.get('trained_on', '')))
    return registry


PRETRAINED: Registry = _read_manifest()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, 'rb') as fh:
        for block in iter(lambda: fh.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


def verify(entry: PretrainedModel) -> Path:
    """The entry's file after checking that it exists and its sha256 matches the manifest."""
    if not entry.file.is_file():
        raise PretrainedError(f"no shipped model named '{entry.name}' is installed (expected {entry.file}); "
                              f"pass a checkpoint file instead, or train one with "
                              f"'degram train --config {entry.name}'")
    actual = sha256_of(entry.file)
    if actual != entry.sha256:
        raise PretrainedError(f"{entry.file}: shipped model '{entry.name}' is damaged (sha256 {actual[:12]}… "
                              f"!= {entry.sha256[:12]}… in {MANIFEST.name}); reinstall the degram package")
    return entry.file


def nearest_name(text: str) -> str | None:
    """The shipped model name closest to ``text`` (a typo of one), else None."""
    import difflib

    close = difflib.get_close_matches(str(text), PRETRAINED.names(), n=1, cutoff=0.6)
    return close[0] if close else None


def resolve(model: str | Path) -> tuple[Path, PretrainedModel | None]:
    """A shipped model's name (verified) or a file path → (path, manifest entry or None)."""
    if isinstance(model, str) and model in PRETRAINED:
        entry = PRETRAINED.get(model)
        return verify(entry), entry
    return Path(model).expanduser(), None
