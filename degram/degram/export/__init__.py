# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Export: ONNX (whole model, front-end included) with a parity check; fp16 checkpoints live in
:func:`degram.inference.save_half`."""
from .onnx import PARITY_TOLERANCE, check_parity, export_onnx

__all__ = ['PARITY_TOLERANCE', 'check_parity', 'export_onnx']
