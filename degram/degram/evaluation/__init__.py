# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Evaluation: metrics of the DEGram paper, clip-level evaluation clean, with real noise or through
channel conditions, reports."""
from .evaluate import channel_waves, evaluate, evaluate_checkpoint, noisy_waves, predict_logits, select_split
from .metrics import classification_metrics, per_class_accuracy
from .report import plot_confusion, write_report

__all__ = ['channel_waves', 'classification_metrics', 'evaluate', 'evaluate_checkpoint', 'noisy_waves',
           'per_class_accuracy', 'plot_confusion', 'predict_logits', 'select_split', 'write_report']
