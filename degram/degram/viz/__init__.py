# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Figures: learned SincGram filters and the representations of a clip."""
from .plotting import chirp, plot_model

__all__ = ['chirp', 'plot_model']
