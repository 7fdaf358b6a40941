# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Front-ends: shapes, gradients, the SincGram formula, mel initialisation, TF-DELayer, the
peak-relative floor (band-limited copies, gain)."""
import math

import numpy as np
import pytest
import torch

from degram import BACKBONES, FRONTENDS, build_model
from degram.frontends import SincGram, TFDELayer, butterworth_filterbank
from degram.frontends.common import hz_to_mel
from degram.frontends.sincgram import SincGramFilters
from degram.nn import SpecAugment

RATE = 16000
LENGTHS = (1.0, 3.7)
EXPECTED = {  # name: (channels, features) at the defaults
    'spectrogram': (1, 257), 'sincgram': (1, 64), 'despectrogram': (1, 257), 'degram': (1, 64),
    'strf': (128, 64), 'gammatone': (1, 64), 'adastft': (1, 257),
}


def test_registry_names():
    assert set(FRONTENDS) == set(EXPECTED)
    assert {'resnet18', 'resnet34', 'resnet50', 'eca_resnet18', 'eca_resnet50', 'degramnet'} <= set(BACKBONES)


@pytest.mark.parametrize('name', sorted(EXPECTED))
@pytest.mark.parametrize('seconds', LENGTHS)
def test_frontend_shape(name, seconds):
    frontend = FRONTENDS[name](sample_rate=RATE).eval()
    samples = int(seconds * RATE)
    with torch.no_grad():
        out = frontend(0.1 * torch.randn(2, samples))
    channels, features = EXPECTED[name]
    assert out.shape == (2, channels, 1 + samples // 160, features)
    assert (frontend.out_channels, frontend.out_features) == (channels, features)
    assert torch.isfinite(out).all()


@pytest.mark.parametrize('frontend', sorted(EXPECTED))
@pytest.mark.parametrize('backbone', sorted(BACKBONES))
def test_every_pair_classifies_any_length(frontend, backbone):
    torch.manual_seed(0)
    # width 16 instead of 64: the same wiring at 1/16 of the compute
    model = build_model(frontend, backbone, num_classes=7, sample_rate=RATE, width=16).eval()
    with torch.no_grad():
        for seconds in LENGTHS:
            logits = model(0.1 * torch.randn(1, int(seconds * RATE)))
            assert logits.shape == (1, 7)
            assert torch.isfinite(logits).all()


@pytest.mark.parametrize('name', sorted(EXPECTED))
def test_gradients_reach_every_frontend_parameter(name):
    torch.manual_seed(0)
    model = build_model(name, 'resnet18', num_classes=3, specaugment=False, dropout=0.0)
    logits = model(0.1 * torch.randn(2, RATE))
    torch.nn.functional.cross_entropy(logits, torch.tensor([0, 2])).backward()
    params = dict(model.frontend.named_parameters())
    if name in ('spectrogram',):
        assert params == {}
    for param_name, param in params.items():
        assert param.grad is not None, param_name
        assert torch.isfinite(param.grad).all(), param_name
        assert param.grad.abs().sum() > 0, f'{param_name} gets no gradient'
    if name in ('sincgram', 'degram'):
        assert any(n.endswith('filterbank.alpha') for n in params)
        assert any(n.endswith('filterbank.beta') for n in params)


def test_sincgram_formula_on_hand_computed_points():
    alpha, beta = torch.tensor([0.5]), torch.tensor([0.1])
    freqs = torch.tensor([0.5, 0.6, 0.4, 0.7, 0.55])
    got = butterworth_filterbank(freqs, alpha, beta, order=4)[:, 0]
    # g = 1 / sqrt(1 + ((f - a) / b)^(2n)), n = 4
    want = torch.tensor([1.0, 1 / math.sqrt(2), 1 / math.sqrt(2), 1 / math.sqrt(1 + 2 ** 8),
                         1 / math.sqrt(1 + 0.5 ** 8)])
    torch.testing.assert_close(got, want)
    # order 1 at one half-width: the same half-power point
    torch.testing.assert_close(butterworth_filterbank(torch.tensor([0.6]), alpha, beta, 1),
                               torch.tensor([[1 / math.sqrt(2)]]))


def test_sincgram_output_is_stft_times_filters():
    frontend = FRONTENDS['sincgram'](sample_rate=RATE)
    waveform = 0.1 * torch.randn(1, RATE)
    magnitude = frontend.stft(waveform)                           # (1, T, 257)
    bands = frontend.filterbank(magnitude)                        # (1, T, 64)
    torch.testing.assert_close(bands, magnitude @ frontend.filterbank.filters())
    w = frontend.filterbank.filters()
    k, m = 40, 10
    f = k / 256
    a, b = frontend.filterbank.alpha[m].item(), frontend.filterbank.beta[m].item()
    assert w[k, m].item() == pytest.approx(1 / math.sqrt(1 + ((f - a) / b) ** 8), rel=1e-5)


def test_mel_initialisation():
    bank = SincGramFilters(n_bins=257, n_filters=64, order=4, sample_rate=RATE)
    alpha = bank.alpha.detach().double()
    mels = hz_to_mel(alpha * RATE / 2)
    step = hz_to_mel(RATE / 2) / 65
    torch.testing.assert_close(mels, step * torch.arange(1, 65, dtype=torch.float64), rtol=1e-5, atol=1e-3)
    assert (alpha[1:] > alpha[:-1]).all()
    # beta: a quarter of the distance between the neighbouring mel points, at least half a bin
    edges = torch.cat([torch.zeros(1, dtype=torch.float64), alpha, torch.ones(1, dtype=torch.float64)])
    want = ((edges[2:] - edges[:-2]) / 4).clamp(min=0.5 / 256)
    torch.testing.assert_close(bank.beta.detach().double(), want, rtol=1e-4, atol=1e-6)


def test_sincgram_keeps_beta_positive_and_alpha_in_band():
    bank = SincGramFilters()
    with torch.no_grad():
        bank.beta.fill_(-1.0)
        bank.alpha.fill_(2.0)
    w = bank.filters()
    assert torch.isfinite(w).all()
    assert w[-1].min().item() == pytest.approx(1.0)  # every filter centred at Nyquist after clamping


def test_delayer_gates_lie_in_unit_interval_and_max_aggregates():
    torch.manual_seed(0)
    s = 3 * torch.randn(2, 1, 50, 64)
    layer = TFDELayer(64, aggregation='max')
    freq_gate = layer.freq_attention.gate(s)
    time_gate = layer.time_attention.gate(s)
    assert freq_gate.shape == (2, 1, 1, 64) and time_gate.shape == (2, 1, 50, 1)
    for gate in (freq_gate, time_gate):
        assert gate.min() >= 0 and gate.max() <= 1
    assert layer.freq_attention.mlp[0].out_features == 4  # 64 · 0.0625
    torch.testing.assert_close(layer(s), torch.maximum(freq_gate * s, time_gate * s))
    layer.aggregation = 'mean'
    torch.testing.assert_close(layer(s), (freq_gate * s + time_gate * s) / 2)


def test_time_attention_is_a_same_padded_conv_over_the_band_mean():
    layer = TFDELayer(8, time_kernel=5)
    s = torch.randn(1, 1, 20, 8)
    conv = layer.time_attention.conv
    want = torch.sigmoid(torch.nn.functional.conv1d(s.mean(dim=3).reshape(1, 1, 20), conv.weight,
                                                    conv.bias, padding=2)).reshape(1, 1, 20, 1)
    torch.testing.assert_close(layer.time_attention.gate(s), want)
    weighted = TFDELayer(8, time_squeeze='weighted')
    assert weighted.time_attention.gate(s).shape == (1, 1, 20, 1)


def test_invalid_options_are_rejected_with_the_valid_names():
    with pytest.raises(ValueError, match='aggregation'):
        build_model('degram', aggregation='sum')
    with pytest.raises(TypeError, match='valid options'):
        build_model('degram', n_filterz=32)
    with pytest.raises(ValueError, match='unknown frontend'):
        build_model('melgram')
    model = build_model('degram', n_filters=32, aggregation='mean', time_squeeze='weighted', znorm_freq=True)
    assert model.frontend(torch.randn(1, RATE)).shape[-1] == 32
    assert model.config.frontend.options['n_filters'] == 32
    assert model.config.to_dict()['frontend']['aggregation'] == 'mean'
    assert model.config.backbone == build_model('degram').config.backbone   # defaults recorded in full


def test_eval_is_deterministic_and_specaugment_only_trains():
    torch.manual_seed(0)
    model = build_model('degram', 'resnet18', num_classes=4).eval()
    waveform = 0.1 * torch.randn(2, RATE)
    with torch.no_grad():
        torch.testing.assert_close(model(waveform), model(waveform), rtol=0, atol=0)
    augment = SpecAugment(freq_masks=2, freq_mask_width=10, time_masks=2, time_mask_width=10)
    image = torch.ones(8, 1, 100, 64)
    augment.eval()
    assert torch.equal(augment(image), image)
    augment.train()
    masked = augment(image)
    assert (masked == 0).any() and (masked == 1).any()
    assert (masked == 0).float().mean() < 0.5


def _band_limited_pair():
    """A broadband test signal (noise and two tones, 2 s) and its copy through a 7 kHz brick wall."""
    from degram.data.channel import channel_condition
    rng = np.random.default_rng(0)
    t = np.arange(32000) / 16000
    x = (0.05 * rng.standard_normal(t.size) + 0.1 * np.sin(2 * np.pi * 440 * t)
         + 0.05 * np.sin(2 * np.pi * 3000 * t)).astype(np.float32)
    return x, channel_condition('lowpass:7000')(x, np.random.default_rng(1))


@pytest.mark.parametrize('name', ['sincgram', 'spectrogram'])
def test_a_band_limited_copy_changes_the_peak_decibels_only_in_its_missing_bands(name):
    x, limited = _band_limited_pair()
    centres = {'sincgram': lambda m: m.filterbank.alpha.detach() * 8000,
               'spectrogram': lambda m: torch.linspace(0, 8000, 257)}[name]
    changes = {}
    for top_db in (None, 80.0):
        model = FRONTENDS.get(name)(top_db=top_db).eval()
        with torch.no_grad():
            full, cut = (model(torch.from_numpy(w)[None])[0, 0] for w in (x, limited))
        present = centres(model) < 6000   # the brick wall's transition band starts near 6.5 kHz
        inner = slice(2, -2)              # the resampler's filter rings in the clip's end frames
        changes[top_db] = (full - cut).abs()[inner][:, present].max().item()
        if top_db is not None:
            assert (full - cut).abs().max() <= 4.0 + 1e-5           # the whole [-2, 2] range: top_db
            assert full.min() >= -2.0 - 1e-6 and full.max() <= 2.0 + 1e-6
    assert changes[80.0] < 0.02                    # < 0.4 dB where the channel delivered the sound
    assert changes[None] > 0.5                     # the paper's standardised log moves every band


@pytest.mark.parametrize('gain_db', [-40.0, -20.0, 6.0, 20.0])
def test_gain_changes_nothing_after_peak_decibels_or_standardisation(gain_db):
    x, _ = _band_limited_pair()
    for top_db in (None, 80.0):
        model = SincGram(top_db=top_db).eval()
        with torch.no_grad():
            reference = model(torch.from_numpy(x)[None])
            louder = model(torch.from_numpy(x * np.float32(10 ** (gain_db / 20)))[None])
        torch.testing.assert_close(louder, reference, atol=5e-3, rtol=0)


def test_peak_decibels_options_are_checked():
    with pytest.raises(ValueError, match='top_db must be positive'):
        SincGram(top_db=0.0)
    with pytest.raises(ValueError, match='znorm_freq'):
        SincGram(top_db=80.0, znorm_freq=True)
    model = build_model('degram', 'resnet18', num_classes=3, top_db=60.0)
    assert model.config.frontend.options['top_db'] == 60.0
    assert build_model('degram', 'resnet18', num_classes=3).config.frontend.options['top_db'] is None
