# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""A training run's folder: ``config.yaml``, ``metrics.csv``, ``best.pt`` and ``last.pt``.

``best.pt`` is a normal checkpoint (:func:`degram.save_checkpoint`); ``last.pt`` holds everything
needed to resume (model, optimizer, scheduler, RNG states, early-stopping counters). Both are
written atomically, so an interrupted run never leaves a half-written file under the real name.
"""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import torch
import yaml

from ..atomic import atomic_path
from .config import CSV_COLUMNS


class RunFolder:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.best = self.path / 'best.pt'
        self.last = self.path / 'last.pt'
        self.metrics = self.path / 'metrics.csv'
        self.config = self.path / 'config.yaml'

    def create(self) -> RunFolder:
        self.path.mkdir(parents=True, exist_ok=True)
        return self

    def start_afresh(self) -> None:
        """Forget earlier epochs: an empty metrics table and no best checkpoint."""
        self.write_rows([])
        self.best.unlink(missing_ok=True)

    def write_config(self, config: dict) -> None:
        self.config.write_text(yaml.safe_dump(config, sort_keys=False))

    # -- metrics.csv ---------------------------------------------------------------------------
    def read_rows(self) -> list[dict]:
        if not self.metrics.is_file():
            return []
        with open(self.metrics, newline='') as fh:
            return list(csv.DictReader(fh))

    def write_rows(self, rows: list[dict]) -> None:
        with atomic_path(self.metrics) as tmp, open(tmp, 'w', newline='') as fh:
            writer = csv.DictWriter(fh, fieldnames=CSV_COLUMNS, extrasaction='ignore')
            writer.writeheader()
            for row in rows:
                writer.writerow({k: ('' if row.get(k) is None else row.get(k)) for k in CSV_COLUMNS})

    def append_row(self, row: dict) -> None:
        self.write_rows(self.read_rows() + [row])

    def keep_rows_before(self, epoch: int) -> None:
        """Drop the rows of epochs that a resume will run again."""
        self.write_rows([r for r in self.read_rows() if int(r['epoch']) < epoch])

    # -- last.pt -----------------------------------------------------------------------------
    def save_state(self, state: dict[str, Any]) -> None:
        with atomic_path(self.last) as tmp:
            torch.save(state, tmp)

    def load_state(self, path: Path | None = None) -> dict[str, Any]:
        # our own resume file: optimizer states hold plain Python objects, hence weights_only=False
        return torch.load(path or self.last, map_location='cpu', weights_only=False)
