# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Evaluation reports: the metrics JSON and a confusion-matrix PNG."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np


def plot_confusion(cm, labels, path, title: str = '') -> Path:
    """Row-normalised confusion matrix as a PNG (counts written in the cells when there are at
    most 30 classes)."""
    import matplotlib

    matplotlib.use('Agg', force=False)
    import matplotlib.pyplot as plt

    cm = np.asarray(cm, dtype=np.float64)
    n = cm.shape[0]
    with np.errstate(all='ignore'):
        norm = np.nan_to_num(cm / cm.sum(axis=1, keepdims=True))
    size = min(4 + 0.4 * n, 24)
    fig, ax = plt.subplots(figsize=(size, size * 0.9))
    im = ax.imshow(norm, cmap='Blues', vmin=0, vmax=1)
    ax.set_xticks(range(n))
    ax.set_yticks(range(n))
    fs = 9 if n <= 15 else 7 if n <= 30 else 5
    ax.set_xticklabels(labels, rotation=90, fontsize=fs)
    ax.set_yticklabels(labels, fontsize=fs)
    ax.set_xlabel('predicted')
    ax.set_ylabel('true')
    if title:
        ax.set_title(title, fontsize=10)
    if n <= 30:
        for i in range(n):
            for j in range(n):
                if cm[i, j]:
                    ax.text(j, i, f'{int(cm[i, j])}', ha='center', va='center', fontsize=fs - 1,
                            color='white' if norm[i, j] > 0.5 else 'black')
    fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04, label='fraction of true class')
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def write_report(result: dict, output, plot: bool = True) -> tuple[Path, Path | None]:
    """Write the JSON (without the per-clip predictions) and, with ``plot``, the confusion
    matrix PNG next to it (``<stem>_confusion.png``)."""
    out = Path(output)
    out.parent.mkdir(parents=True, exist_ok=True)
    public = {k: v for k, v in result.items() if not k.startswith('_')}
    png = None
    if plot:
        png = out.with_name(out.stem + '_confusion.png')
        name = result.get('name') or Path(str(result.get('model', ''))).stem
        title = f'{name} on {result.get("data", "")} ({result.get("split", "")})'
        if result.get('noise'):
            title += f', noise {result["noise"]["snr_db"]:g} dB'
        title += f' top-1 {result["top1"]:.3f}' if result.get('top1') is not None else ''
        plot_confusion(result['confusion'], result['labels'], png, title)
        public['confusion_png'] = png.name
    out.write_text(json.dumps(public, indent=2, allow_nan=False) + '\n')
    return out, png
