# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Voice activity detection with Silero VAD (the ``silero-vad`` package, MIT licence).

The package ships its TorchScript model inside the wheel (``silero_vad/data/silero_vad.jit``);
``silero_vad.load_silero_vad()`` loads that file: nothing is downloaded, and neither torchaudio
nor onnxruntime is needed (they serve only the package's file I/O and ONNX paths, unused here).

Frames: the model scores consecutive 512-sample frames of 16 kHz audio (32 ms); audio at
another rate is resampled to 16 kHz first (:func:`degram.audio.resample`), and the last partial
frame is zero-padded. The model is stateful (an LSTM-like state carried from frame to frame):
every call starts from a reset state, so the same waveform always gives the same probabilities,
and a lock serialises callers sharing one detector.
"""
from __future__ import annotations

import threading
import warnings

import numpy as np

from ..audio import resample

__all__ = ['FRAME_SAMPLES', 'VAD_RATE', 'VadUnavailableError', 'VoiceActivityDetector']

VAD_RATE = 16000
FRAME_SAMPLES = 512     # 32 ms at 16 kHz


class VadUnavailableError(RuntimeError):
    """silero-vad is not installed (or cannot load its bundled model)."""


class VoiceActivityDetector:
    """Speech probabilities per 32 ms frame, and the speech-only part of a waveform."""

    def __init__(self):
        try:
            import silero_vad
        except ImportError as exc:
            raise VadUnavailableError(f'voice activity detection needs the silero-vad package: '
                                      f"pip install silero-vad (or pip install './degram[speaker]'); ({exc})") from None
        try:
            with warnings.catch_warnings():   # importlib.resources.path / torch.jit.load deprecations
                warnings.simplefilter('ignore', DeprecationWarning)
                self._model = silero_vad.load_silero_vad()   # the TorchScript file inside the wheel
        except Exception as exc:
            raise VadUnavailableError(f'silero-vad cannot load its bundled model ({type(exc).__name__}: {exc}); '
                                      f'reinstall it: pip install --force-reinstall silero-vad') from None
        self._lock = threading.Lock()

    @staticmethod
    def _mono(waveform, sample_rate: int) -> np.ndarray:
        samples = np.asarray(waveform, dtype=np.float32)
        if samples.ndim != 1:
            raise ValueError(f'expected a mono waveform (L,), got shape {samples.shape}')
        if not np.isfinite(samples).all():
            raise ValueError('the waveform holds NaN/Inf samples')
        if int(sample_rate) <= 0:
            raise ValueError(f'sample rate must be positive, got {sample_rate}')
        return samples

    def speech_probabilities(self, waveform: np.ndarray, sample_rate: int) -> np.ndarray:
        """Waveform (L,) at ``sample_rate`` → (ceil(L16 / 512),) float32 speech probabilities in
        [0, 1], one per 32 ms frame of the 16 kHz signal (L16 samples); (0,) for empty input."""
        import torch

        samples = self._mono(waveform, sample_rate)
        if sample_rate != VAD_RATE and samples.size:
            samples = resample(samples, int(sample_rate), VAD_RATE)
        if samples.size == 0:
            return np.zeros(0, np.float32)
        frames = -(-samples.size // FRAME_SAMPLES)
        padded = np.zeros(frames * FRAME_SAMPLES, np.float32)
        padded[:samples.size] = samples
        with self._lock, torch.inference_mode():
            try:
                probabilities = self._model.audio_forward(torch.from_numpy(padded)[None], VAD_RATE)
            finally:
                self._model.reset_states()
        return probabilities[0, :frames].float().numpy().astype(np.float32)

    def speech_mask(self, waveform: np.ndarray, sample_rate: int, threshold: float = 0.5) -> np.ndarray:
        """(L,) bool: the samples (at ``sample_rate``) inside frames whose probability ≥ ``threshold``."""
        samples = self._mono(waveform, sample_rate)
        speech = self.speech_probabilities(samples, sample_rate) >= threshold
        # frame i covers [512 i, 512 (i + 1)) at 16 kHz, i.e. these samples at the input's rate
        edges = np.round(np.arange(speech.size + 1) * FRAME_SAMPLES * sample_rate / VAD_RATE).astype(np.int64)
        covered = np.repeat(speech, np.diff(np.minimum(edges, samples.size)))
        mask = np.zeros(samples.size, bool)
        mask[:covered.size] = covered
        return mask

    def speech_ratio(self, waveform: np.ndarray, sample_rate: int, threshold: float = 0.5) -> float:
        """Fraction of frames with speech probability ≥ ``threshold``, in [0, 1] (0.0 when empty)."""
        probabilities = self.speech_probabilities(waveform, sample_rate)
        return float(np.mean(probabilities >= threshold)) if probabilities.size else 0.0

    def speech_only(self, waveform: np.ndarray, sample_rate: int, threshold: float = 0.5) -> np.ndarray:
        """The speech frames of ``waveform`` concatenated, at ``sample_rate`` (float32, possibly (0,))."""
        samples = self._mono(waveform, sample_rate)
        return np.ascontiguousarray(samples[self.speech_mask(samples, sample_rate, threshold)])
