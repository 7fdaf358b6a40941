# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Channel and room simulation (degram.data.channel) and how training batches use it: seeded,
level-preserving, each condition doing what its name says, mixup targets."""
import random

import numpy as np
import pytest

from degram.data.channel import (
    RESAMPLERS,
    TRANSFORMS,
    ChannelAugment,
    channel_condition,
    resample_round_trip,
    room_impulse_response,
)
from degram.training import ConfigError, load_config
from degram.training.batches import BatchMaker

RATE = 16000


def _noise(seconds: float = 1.0, seed: int = 0) -> np.ndarray:
    return (0.1 * np.random.default_rng(seed).standard_normal(int(seconds * RATE))).astype(np.float32)


def _band_db(wave: np.ndarray, low: float, high: float) -> float:
    """Mean power (dB) of ``wave`` between ``low`` and ``high`` Hz, against its 500-2500 Hz band."""
    power = np.abs(np.fft.rfft(wave)) ** 2
    freqs = np.fft.rfftfreq(wave.size, 1 / RATE)
    ref = power[(freqs > 500) & (freqs < 2500)].mean()
    return float(10 * np.log10(power[(freqs > low) & (freqs < high)].mean() / ref))


def test_lowpass_and_telephone_band_remove_what_they_name():
    x = _noise()
    rng = np.random.default_rng(0)
    lowpassed = channel_condition('lowpass:7000')(x, rng)
    assert _band_db(lowpassed, 7300, 8000) < -50 and abs(_band_db(lowpassed, 3000, 6000)) < 1
    phone = channel_condition('band:300-3400')(x, rng)
    assert _band_db(phone, 3700, 8000) < -50 and _band_db(phone, 20, 120) < -20
    assert abs(_band_db(phone, 800, 3000)) < 1


def test_room_reverberates_at_the_same_level_and_is_fixed_per_condition():
    x = np.zeros(RATE, np.float32)
    x[100:900] = _noise(0.05)
    room = channel_condition('room:0.5')
    wet = room(x, np.random.default_rng(0))
    np.testing.assert_array_equal(wet, room(x, np.random.default_rng(1)))   # one room, one response
    assert np.sqrt(np.mean(wet ** 2)) == pytest.approx(np.sqrt(np.mean(x ** 2)), rel=1e-3)
    tail = slice(4000, 8000)        # 0.2-0.5 s after the burst: the dry signal is silent there
    assert np.sqrt(np.mean(wet[tail] ** 2)) > 1e-3 and not np.any(x[tail])


def test_room_impulse_responses_decay_like_their_rt60():
    def decay_time(rir):   # Schroeder backward integration, -5 to -25 dB, extrapolated to -60
        energy = np.cumsum((rir.astype(np.float64) ** 2)[::-1])[::-1]
        db = 10 * np.log10(energy / energy[0] + 1e-30)
        t5, t25 = np.argmax(db < -5), np.argmax(db < -25)
        return 3 * (t25 - t5) / RATE
    short = decay_time(room_impulse_response(0.3, np.random.default_rng(0), RATE, (6, 5, 3), 2.0))
    long = decay_time(room_impulse_response(0.8, np.random.default_rng(0), RATE, (6, 5, 3), 2.0))
    assert 0.15 < short < 0.5 and 0.5 < long < 1.2


@pytest.mark.parametrize('method', RESAMPLERS)
def test_every_resampler_keeps_length_and_cuts_above_the_lower_nyquist(method):
    x = _noise()
    y = resample_round_trip(x, RATE, 8000, method)
    assert y.shape == x.shape and y.dtype == np.float32
    # a quick resampler leaks and a linear one aliases: that variety is what training wants
    assert _band_db(y, 5000, 8000) < {'soxr_hq': -45, 'poly': -45, 'soxr_lq': -15, 'linear': -12}[method]
    assert abs(_band_db(y, 300, 2000)) < 3


def test_eq_changes_the_response_by_at_most_its_range_and_is_seeded():
    x = _noise(2.0)
    eq = channel_condition('eq')
    a, b = eq(x, np.random.default_rng(5)), eq(x, np.random.default_rng(5))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, eq(x, np.random.default_rng(6)))
    ratio = 10 * np.log10((np.abs(np.fft.rfft(a)) ** 2 + 1e-12) / (np.abs(np.fft.rfft(x)) ** 2 + 1e-12))
    smooth = np.convolve(ratio, np.ones(401) / 401, mode='valid')
    assert np.max(np.abs(smooth)) < 7.0 and np.max(np.abs(smooth)) > 0.5


def test_noise_condition_mixes_a_recording_at_the_snr(tmp_path, monkeypatch):
    import soundfile as sf
    hum = (0.3 * np.sin(2 * np.pi * 50 * np.arange(RATE) / RATE)).astype(np.float32)
    (tmp_path / 'noises').mkdir()
    sf.write(tmp_path / 'noises' / 'hum.wav', hum, RATE)
    x = _noise()
    for source, root in ((str(tmp_path / 'noises'), None), ('noises/hum.wav', tmp_path)):
        mixed = channel_condition(f'noise:{source}@10', data_root=root)(x, np.random.default_rng(0))
        added = mixed - x
        assert 10 * np.log10(np.mean(x ** 2) / np.mean(added ** 2)) == pytest.approx(10.0, abs=0.1)
    monkeypatch.setenv('DEGRAM_DATA', str(tmp_path))   # relative to the data root the library finds
    assert channel_condition('noise:noises@0')(x, np.random.default_rng(0)).shape == x.shape


@pytest.mark.parametrize('spec', ['lowpass', 'band:300', 'room:x', 'eq:3', 'resample:8000:best', 'noise:/nope@10',
                                  'telephone'])
def test_a_bad_condition_is_an_error_naming_it(spec):
    with pytest.raises(ValueError, match='channel condition'):
        channel_condition(spec)


def test_channel_augment_is_seeded_and_leaves_the_global_generators_alone():
    augment = ChannelAugment(dict.fromkeys(TRANSFORMS, 1.0), RATE, seed=0)
    x = _noise()
    random.seed(7)
    np.random.seed(7)
    before = (random.random(), np.random.random())
    random.seed(7)
    np.random.seed(7)
    a = augment(x, np.random.default_rng(3))
    assert (random.random(), np.random.random()) == before
    np.testing.assert_array_equal(a, augment(x, np.random.default_rng(3)))
    assert a.shape == x.shape and a.dtype == np.float32 and not np.array_equal(a, x)
    untouched = ChannelAugment(dict.fromkeys(TRANSFORMS, 0.0), RATE)
    np.testing.assert_array_equal(untouched(x, np.random.default_rng(3)), x)
    with pytest.raises(ValueError, match='unknown channel transform'):
        ChannelAugment({'phaser': 0.5})


def test_channel_and_mixup_options_are_validated():
    cfg = load_config('sound_event')
    assert set(cfg['data']['channel']) <= set(TRANSFORMS) and cfg['data']['mixup_alpha'] > 0
    assert cfg['model']['top_db'] == 80.0 and cfg['train']['scheduler'] == 'cosine'
    for bad in ('data.channel={phaser: 0.5}', 'data.channel={room: 2}', 'data.channel=0.5',
                'data.mixup_alpha=-1', 'data.mixup_prob=1.5', 'train.scheduler=step', 'train.val_every=0',
                'train.checkpoint=first'):
        with pytest.raises(ConfigError):
            load_config('sound_event', [bad])
    with pytest.raises(ConfigError, match='aam'):
        load_config('speaker_embedding', ['data.mixup_alpha=0.4'])


class _Clips:
    """A dataset stand-in: item i is a constant of value i + 1 and of class i."""

    def __init__(self, n: int = 8):
        self.num_classes = n
        self.targets = np.arange(n)

    def load(self, i: int) -> np.ndarray:
        return np.full(RATE // 2, i + 1, np.float32)


def _options(**changes):
    options = load_config('sound_event')['data']
    options.update(dict(crop_min=0.5, crop_max=0.5, negative_prob=0.0, noise_prob=0.0, channel=None,
                        gain_db_min=0.0, gain_db_max=0.0, mixup_alpha=0.0), **changes)
    return options


@pytest.mark.parametrize('multi_label', [True, False])
def test_mixup_mixes_waveforms_and_targets_with_one_lambda_and_the_item_dominates(multi_label):
    clips = _Clips()
    idx = np.arange(8)
    maker = BatchMaker(clips, _options(mixup_alpha=1.0, mixup_prob=1.0), RATE, multi_label)
    batch, targets, positive = maker.make(idx, np.random.default_rng(0))
    assert targets.shape == (8, 8) and positive.all()
    np.testing.assert_allclose(targets.sum(1), 1.0, atol=1e-6)
    mixed = 0
    for b in idx:
        lam = targets[b, b]
        assert lam >= 0.5
        others = np.flatnonzero(np.arange(8) != b)
        partner = others[targets[b, others].argmax()] if lam < 1 else b
        # the waveform is mixed with the same λ as the target: λ·(b + 1) + (1 - λ)·(partner + 1)
        assert batch[b, 0] == pytest.approx(lam * (b + 1) + (1 - lam) * (partner + 1), abs=1e-5)
        mixed += lam < 1
    assert mixed >= 4
    plain, hot, _ = BatchMaker(clips, _options(), RATE, multi_label).make(idx, np.random.default_rng(0))
    np.testing.assert_array_equal(plain[:, 0], idx + 1)
    if multi_label:
        np.testing.assert_array_equal(hot, np.eye(8, dtype=np.float32))
    else:
        np.testing.assert_array_equal(hot, idx)   # class indices without mixup


def test_mixup_prob_zero_and_negatives_keep_their_targets():
    clips = _Clips()
    options = _options(mixup_alpha=1.0, mixup_prob=0.0)
    batch, targets, _ = BatchMaker(clips, options, RATE, True).make(np.arange(8), np.random.default_rng(0))
    np.testing.assert_array_equal(batch[:, 0], np.arange(8) + 1)
    np.testing.assert_array_equal(targets.argmax(1), clips.targets)
    assert set(np.unique(targets)) == {0.0, 1.0}


@pytest.fixture(scope='module')
def plain_manifest(tmp_path_factory):
    """A path,label manifest (no split column) of 10 tone clips and an untrained 2-class checkpoint."""
    import soundfile as sf
    import torch

    from degram import build_model, save_checkpoint
    root = tmp_path_factory.mktemp('plain')
    rows = ['path,label']
    for n in range(10):
        tone = np.sin(2 * np.pi * (300 + 200 * n) * np.arange(RATE // 2) / RATE).astype(np.float32)
        sf.write(root / f'c{n}.wav', 0.3 * tone, RATE)
        rows.append(f'c{n}.wav,{"low" if n < 5 else "high"}')
    (root / 'plain.csv').write_text('\n'.join(rows) + '\n')
    torch.manual_seed(0)
    model = build_model('degram', 'resnet18', num_classes=2, top_db=80.0)
    save_checkpoint(model, root / 'model.pt', labels=['high', 'low'], task='sound_event')
    return root


def test_eval_scores_every_row_of_a_plain_manifest_and_says_how_many(plain_manifest, capsys):
    import json

    from degram.cli import main
    out = plain_manifest / 'eval.json'
    assert main(['eval', '--model', str(plain_manifest / 'model.pt'), '--data', str(plain_manifest / 'plain.csv'),
                 '--output', str(out), '--no-plot', '--num-threads', '1']) == 0
    result = json.loads(out.read_text())
    assert result['n'] == 10 and result['split'] == 'all'
    assert '[all: 10 clips scored, clean]' in capsys.readouterr().out
    # a named validation part still applies: rows are their own groups in a plain manifest
    assert main(['eval', '--model', str(plain_manifest / 'model.pt'), '--data', str(plain_manifest / 'plain.csv'),
                 '--validation', 'row2,row3', '--output', str(out), '--no-plot']) == 0
    assert json.loads(out.read_text())['n'] == 2


def test_eval_channel_conditions_change_the_scores_reproducibly(plain_manifest, capsys):
    import json

    from degram.cli import main
    base = ['eval', '--model', str(plain_manifest / 'model.pt'), '--data', str(plain_manifest / 'plain.csv'),
            '--no-plot', '--num-threads', '1']
    results = []
    for name, extra in (('clean', []), ('phone', ['--channel', 'band:300-3400']),
                        ('phone2', ['--channel', 'band:300-3400']), ('both', ['--channel', 'room:0.5',
                                                                               '--channel', 'eq'])):
        out = plain_manifest / f'{name}.json'
        assert main([*base, *extra, '--output', str(out)]) == 0
        results.append(json.loads(out.read_text()))
    clean, phone, phone2, both = results
    assert phone['channel'] == ['band:300-3400'] and both['channel'] == ['room:0.5', 'eq']
    assert phone['loss'] == phone2['loss'] and phone['loss'] != clean['loss'] != both['loss']
    assert 'channel room:0.5 + eq' in capsys.readouterr().out
    assert main([*base, '--channel', 'lowpass']) == 1
    assert "channel condition 'lowpass'" in capsys.readouterr().err


def test_the_robustness_table_tool_names_valid_conditions_and_splits_fold_4(plain_manifest, monkeypatch):
    import importlib.util
    from pathlib import Path
    tool_path = Path(__file__).resolve().parents[2] / 'tools' / 'channel_table.py'
    spec = importlib.util.spec_from_file_location('channel_table_tool', tool_path)
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    assert list(tool.CONDITIONS)[0] == 'clean' and len(tool.ESC10) == 10
    for conditions in tool.CONDITIONS.values():       # every row parses (noise found under the data root)
        for condition in conditions:
            if not condition.startswith('noise:'):
                channel_condition(condition)
    # two conditions on the tiny manifest, its "low" class standing in for ESC-10's
    monkeypatch.setattr(tool, 'CONDITIONS', {'clean': [], '7 kHz low-pass': ['lowpass:7000']})
    monkeypatch.setattr(tool, 'ESC10', ('low',))
    rows = tool.measure(str(plain_manifest / 'model.pt'), str(plain_manifest / 'plain.csv'), parts=True,
                        split='all')
    assert [r['n'] for r in rows] == [10, 10] and rows[1]['channel'] == ['lowpass:7000']
    for row in rows:   # the parts are the two halves of the clips
        assert row['top1'] == pytest.approx((row['top1_esc10'] + row['top1_rest']) / 2)
    table = tool.markdown(rows).splitlines()
    assert table[0].startswith('| condition | clips | top-1 | of clean | mAP | ESC-10 classes |')
    assert len(table) == 4 and table[2].startswith('| clean | 10 |')
