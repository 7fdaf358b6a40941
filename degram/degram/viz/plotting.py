# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Figures of a model: learned SincGram filters and the representations of one clip."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from ..frontends import Spectrogram
from ..frontends.sincgram import SincGramFilters


def _sincgram_of(frontend):
    """The SincGram inside a front-end (itself, or the base of DEGram), else None."""
    for candidate in (frontend, getattr(frontend, 'base', None)):
        if candidate is not None and isinstance(getattr(candidate, 'filterbank', None), SincGramFilters):
            return candidate
    return None


def chirp(sample_rate: int, seconds: float = 2.0) -> np.ndarray:
    """A log sweep 100 Hz → 0.45·rate with a little noise: something with structure to show."""
    t = np.arange(int(seconds * sample_rate)) / sample_rate
    f0, f1 = 100.0, 0.45 * sample_rate
    phase = 2 * np.pi * f0 * seconds / np.log(f1 / f0) * (np.exp(t / seconds * np.log(f1 / f0)) - 1)
    rng = np.random.default_rng(0)
    return (0.5 * np.sin(phase) + 0.01 * rng.standard_normal(t.size)).astype(np.float32)


def plot_model(checkpoint, output: str | Path, audio: str | None = None) -> Path:
    import matplotlib

    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    from ..audio import load_audio

    rate = checkpoint.sample_rate
    samples = load_audio(audio, rate)[0] if audio else chirp(rate)
    waveform = torch.from_numpy(samples)[None]
    frontend = checkpoint.model.frontend.cpu().eval()
    sincgram = _sincgram_of(frontend)
    stft = sincgram.stft if sincgram is not None else None
    spectrogram = Spectrogram(rate, n_fft=stft.n_fft, hop_length=stft.hop_length) if stft else Spectrogram(rate)
    images = [('Spectrogram', spectrogram(waveform))]
    name = checkpoint.model.frontend_name
    if sincgram is not None:
        images.append(('SincGram (learned)', sincgram(waveform)))
    if sincgram is None or frontend is not sincgram:
        images.append((f'{name} (model front-end)', frontend(waveform)))
    panels = len(images) + (1 if sincgram is not None else 0)
    figure, axes = plt.subplots(panels, 1, figsize=(9, 2.6 * panels), squeeze=False)
    axes = axes[:, 0]
    if sincgram is not None:
        bank = sincgram.filterbank
        initial = SincGramFilters(bank.freqs.numel(), bank.n_filters, bank.order, rate)
        hz = bank.freqs.numpy() * rate / 2
        with torch.no_grad():
            axes[0].plot(hz, initial.filters().numpy(), color='0.75', linewidth=0.6)
            axes[0].plot(hz, bank.filters().numpy(), linewidth=0.8)
        axes[0].set_title('SincGram filters: learned (colour) over the mel initialisation (grey)')
        axes[0].set_xlabel('frequency (Hz)')
        axes[0].set_xlim(0, rate / 2)
    seconds = samples.size / rate
    with torch.no_grad():
        for axis, (title, image) in zip(axes[-len(images):], images):
            picture = image[0, 0].numpy().T  # (F, T), first channel
            axis.imshow(picture, origin='lower', aspect='auto', cmap='magma',
                        extent=(0, seconds, 0, picture.shape[0]))
            axis.set_title(title)
            axis.set_ylabel('band')
    axes[-1].set_xlabel('time (s)')
    figure.tight_layout()
    output = Path(output)
    figure.savefig(output, dpi=110)
    plt.close(figure)
    return output
