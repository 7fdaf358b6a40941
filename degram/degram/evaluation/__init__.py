"""Evaluation: metrics of the DEGram paper, clip-level evaluation clean or with real noise, reports."""
from .evaluate import evaluate, evaluate_checkpoint, noisy_waves, predict_logits, select_split
from .metrics import classification_metrics, per_class_accuracy
from .report import plot_confusion, write_report

__all__ = ['classification_metrics', 'evaluate', 'evaluate_checkpoint', 'noisy_waves', 'per_class_accuracy',
           'plot_confusion', 'predict_logits', 'select_split', 'write_report']
