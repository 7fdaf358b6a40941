# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Front-ends: waveform (B, L) → representation (B, C, T, F), registered by name.

| name            | what                                                                  |
|-----------------|-----------------------------------------------------------------------|
| `spectrogram`   | log STFT magnitude, 257 bins (the paper's "ResNet18" baseline row)     |
| `sincgram`      | STFT magnitude → 64 learnable Butterworth band-pass filters → log      |
| `despectrogram` | spectrogram + TF-DELayer over the 257 bins                            |
| `degram`        | SincGram + TF-DELayer (the paper's front-end)                         |
| `strf`          | log-mel + learnable 2-D Gabor spectro-temporal receptive fields        |
| `gammatone`     | SpectNet: learnable gammatone filterbank on the waveform              |
| `adastft`       | Ada-STFT: learnable analysis window and DFT kernels                   |
"""
from __future__ import annotations

from ..registry import Registry
from .adastft import AdaSTFT
from .degram import DEGram, DESpectrogram
from .delayer import TFDELayer
from .gammatone import Gammatone
from .sincgram import SincGram, butterworth_filterbank
from .spectrogram import Spectrogram
from .stft import ConvSTFT
from .strf import STRF

FRONTENDS: Registry = Registry('frontend')
for _name, _cls in (('spectrogram', Spectrogram), ('sincgram', SincGram), ('despectrogram', DESpectrogram),
                    ('degram', DEGram), ('strf', STRF), ('gammatone', Gammatone), ('adastft', AdaSTFT)):
    FRONTENDS.register(_name, _cls)

__all__ = [
    'FRONTENDS', 'AdaSTFT', 'ConvSTFT', 'DEGram', 'DESpectrogram', 'Gammatone', 'STRF',
    'SincGram', 'Spectrogram', 'TFDELayer', 'butterworth_filterbank',
]
