"""Helpers of the node's /diagnostics report."""
from __future__ import annotations

import numpy as np


def percentile(values, q: float) -> float:
    values = list(values)
    if not values:
        return float('nan')
    return float(np.percentile(np.asarray(values, dtype=np.float64), q))
