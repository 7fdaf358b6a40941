# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Progress of long loops (training epochs, annotating long recordings): tqdm when installed, else a
plain line every tenth of the way."""
from __future__ import annotations

import sys
import time


class Progress:
    """tqdm when installed (and wanted), else a plain line every so many steps."""

    def __init__(self, total: int, desc: str, enabled: bool, stream=None):
        self.total, self.desc, self.n = total, desc, 0
        self.stream = stream or sys.stderr
        self.bar = None
        self.enabled = enabled
        self.every = max(1, total // 10)
        self.t0 = time.perf_counter()
        if enabled:
            try:
                from tqdm import tqdm
            except ImportError:
                pass
            else:
                self.bar = tqdm(total=total, desc=desc, leave=False, file=self.stream, dynamic_ncols=True)

    def update(self, **postfix):
        self.n += 1
        if self.bar is not None:
            self.bar.set_postfix({k: f'{v:.3f}' for k, v in postfix.items()}, refresh=False)
            self.bar.update(1)
        elif self.enabled and (self.n % self.every == 0 or self.n == self.total):
            rate = self.n / max(time.perf_counter() - self.t0, 1e-9)
            extra = ' '.join(f'{k}={v:.3f}' for k, v in postfix.items())
            print(f'  {self.desc} step {self.n}/{self.total} {extra} ({rate:.2f} steps/s)',
                  file=self.stream, flush=True)

    def close(self):
        if self.bar is not None:
            self.bar.close()
