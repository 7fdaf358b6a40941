# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Section ``frontends``: each registered front-end alone, against peers from other libraries.

Peers: ``torch.stft`` always, nnAudio and torchaudio where they import (optional extras).
"""
from __future__ import annotations

import torch

from ..frontends import FRONTENDS, ConvSTFT
from .config import SAMPLE_RATE, BenchConfig
from .markdown import heading, ms_cell, table_header
from .timing import length_key, time_contenders
from .workload import noise_waveform

N_FFT, HOP = 512, 160
# the peers that compute what ConvSTFT computes; True where they give (B, F, T) rather than (B, T, F)
_STFT_PEERS = {'torch.stft magnitude': False, 'nnAudio STFT magnitude': True, 'torchaudio Spectrogram magnitude': True}


class TorchSTFT(torch.nn.Module):
    """|torch.stft| with the same window, n_fft, hop and centring as ConvSTFT: (B, T, 257)."""

    def __init__(self):
        super().__init__()
        self.register_buffer('window', torch.hann_window(N_FFT))

    def forward(self, waveform):
        spec = torch.stft(waveform, N_FFT, HOP, window=self.window, center=True, pad_mode='constant',
                          return_complex=True)
        return spec.abs().transpose(1, 2)


def _peers() -> tuple[dict, dict]:
    """(name → (library, module)) of the optional libraries that import, (library → skip reason)."""
    modules, skipped = {}, {}
    try:
        from nnAudio import features as nn_features

        modules['nnAudio STFT magnitude'] = ('nnAudio', nn_features.STFT(
            n_fft=N_FFT, hop_length=HOP, window='hann', freq_scale='no', center=True, pad_mode='constant',
            output_format='Magnitude', sr=SAMPLE_RATE, verbose=False))
        modules['nnAudio MelSpectrogram (64)'] = ('nnAudio', nn_features.MelSpectrogram(
            sr=SAMPLE_RATE, n_fft=N_FFT, hop_length=HOP, n_mels=64, center=True, pad_mode='constant',
            verbose=False))
    except Exception as exc:  # noqa: BLE001 - any import failure means: no peer
        skipped['nnAudio'] = f'nnAudio does not import ({type(exc).__name__}: {exc}); pip install --no-deps nnaudio'
    try:
        import torchaudio

        modules['torchaudio Spectrogram magnitude'] = ('torchaudio', torchaudio.transforms.Spectrogram(
            n_fft=N_FFT, hop_length=HOP, power=1.0))
        modules['torchaudio MelSpectrogram (64)'] = ('torchaudio', torchaudio.transforms.MelSpectrogram(
            sample_rate=SAMPLE_RATE, n_fft=N_FFT, hop_length=HOP, n_mels=64))
    except Exception as exc:  # noqa: BLE001 - torchaudio often fails to load against a CPU-only torch
        skipped['torchaudio'] = f'torchaudio does not import ({type(exc).__name__}: {exc})'
    return modules, skipped


def _contenders(device: torch.device) -> tuple[dict, dict]:
    """(name → (library, module)) of every front-end and peer on ``device``, (peer → skip reason)."""
    modules = {}
    for name, cls in FRONTENDS.items():
        torch.manual_seed(0)
        modules[name] = ('degram', cls(sample_rate=SAMPLE_RATE))
    modules['ConvSTFT magnitude'] = ('degram', ConvSTFT(N_FFT, HOP))
    modules['torch.stft magnitude'] = ('torch', TorchSTFT())
    peers, skipped = _peers()
    modules.update(peers)
    return {name: (source, module.to(device).eval()) for name, (source, module) in modules.items()}, skipped


def _stft_agreement(contenders: dict, waveform: torch.Tensor) -> dict:
    """Max |difference| / max |ConvSTFT| of each STFT peer (or the shapes, where they differ)."""
    ours = contenders['ConvSTFT magnitude'][1](waveform)
    agreement = {}
    for name, frequency_first in _STFT_PEERS.items():
        if name in contenders:
            theirs = contenders[name][1](waveform)
            if frequency_first:
                theirs = theirs.transpose(1, 2)
            if theirs.shape == ours.shape:
                agreement[name] = float((theirs - ours).abs().max() / ours.abs().max())
            else:
                agreement[name] = f'shape {tuple(theirs.shape)} vs ours {tuple(ours.shape)}'
    return agreement


def run(config: BenchConfig) -> dict:
    out: dict = {'devices': {}}
    for device_name in config.devices:
        device = torch.device(device_name)
        contenders, skipped = _contenders(device)
        out['skipped_peers'] = skipped
        per_length = {}
        with torch.inference_mode():
            for index, seconds in enumerate(config.frontend_lengths):
                waveform = noise_waveform(1, seconds, config.seed + index, device)
                calls = {name: (lambda m=module, w=waveform: m(w)) for name, (_, module) in contenders.items()}
                per_length[length_key(seconds)] = time_contenders(calls, config, device)[1]
            agreement = _stft_agreement(contenders, noise_waveform(1, config.frontend_lengths[0], config.seed, device))
        out['devices'][device_name] = {'lengths': per_length,
                                       'sources': {name: source for name, (source, _) in contenders.items()},
                                       'stft_max_relative_difference_to_ConvSTFT': agreement}
    return out


def render(section: dict) -> list[str]:
    lines = heading('Front-ends alone',
                    'Median (p95) in ms, batch 1, every front-end and peer interleaved run by run. The '
                    'degram front-ends include log compression and standardisation; the STFT peers give '
                    'magnitude only (compare them with `ConvSTFT magnitude`), the mel peers the power mel '
                    'spectrogram without log.')
    for device_name, result in section['devices'].items():
        lengths = list(result['lengths'])
        lines += heading(device_name, level=3) + table_header('front-end', 'library', *(f'{n} s' for n in lengths))
        for name, source in result['sources'].items():
            cells = ' | '.join(ms_cell(result['lengths'][n].get(name)) for n in lengths)
            lines.append(f'| {name} | {source} | {cells} |')
        agreement = result.get('stft_max_relative_difference_to_ConvSTFT')
        if agreement:
            lines += ['', 'Max |difference| / max |ConvSTFT| of the STFT peers: ' + ', '.join(
                f'{k} {v:.1e}' if isinstance(v, float) else f'{k} {v}' for k, v in agreement.items())]
        lines.append('')
    for peer, reason in section.get('skipped_peers', {}).items():
        lines.append(f'- peer {peer} skipped: {reason}')
    return lines
