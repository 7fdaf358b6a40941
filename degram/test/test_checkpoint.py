# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Checkpoints: round trip, fp16 storage, shipped names and the documented errors."""
import os

import numpy as np
import pytest
import torch

from degram import CheckpointError, build_model, load_checkpoint, resolve_model_path, save_checkpoint
from degram.audio import resample
from degram.inference import FORMAT_VERSION

LABELS = ['dog_bark', 'rain', 'siren']


@pytest.fixture(scope='module')
def saved(tmp_path_factory):
    torch.manual_seed(0)
    model = build_model('degram', 'resnet18', num_classes=3).eval()
    path = save_checkpoint(model, tmp_path_factory.mktemp('ckpt') / 'model.pt', labels=LABELS,
                           task='sound_event', name='unit', metrics={'top1': 0.75})
    return model, path


def test_round_trip_gives_identical_outputs(saved):
    model, path = saved
    checkpoint = load_checkpoint(path)
    assert checkpoint.labels == LABELS and checkpoint.task == 'sound_event'
    assert checkpoint.sample_rate == 16000 and checkpoint.metadata['metrics'] == {'top1': 0.75}
    assert not checkpoint.model.training
    waveform = 0.1 * torch.randn(2, 16000)
    with torch.no_grad():
        assert torch.equal(model(waveform), checkpoint.model(waveform))


def test_predict_resamples_and_returns_probabilities(saved):
    _, path = saved
    checkpoint = load_checkpoint(path)
    rng = np.random.default_rng(0)
    clip = (0.1 * rng.standard_normal(44100)).astype(np.float32)
    single = checkpoint.predict(clip, 44100)
    assert single.shape == (3,) and single.sum() == pytest.approx(1.0, abs=1e-5)
    batch = checkpoint.predict(np.stack([clip, clip]), 44100)
    assert batch.shape == (2, 3)
    np.testing.assert_allclose(batch[0], single, atol=1e-6)
    # the 44.1 kHz clip is resampled to the model's 16 kHz: the same as resampling it first ...
    at_16k = checkpoint.predict(resample(clip, 44100, 16000), 16000)
    np.testing.assert_allclose(at_16k, single, atol=1e-5)
    # ... and not the same as taking its samples for 16 kHz ones
    assert np.abs(checkpoint.predict(clip, 16000) - single).max() > 1e-3


def test_half_precision_storage_is_smaller_and_close(saved, tmp_path):
    model, path = saved
    half = save_checkpoint(model, tmp_path / 'half.pt', labels=LABELS, task='sound_event', half=True)
    assert half.stat().st_size < 0.6 * path.stat().st_size
    waveform = 0.1 * torch.randn(1, 16000)
    with torch.no_grad():
        torch.testing.assert_close(load_checkpoint(half).model(waveform), model(waveform), atol=2e-2, rtol=2e-2)


def test_missing_file(tmp_path):
    with pytest.raises(CheckpointError, match='no such checkpoint file') as err:
        load_checkpoint(tmp_path / 'absent.pt')
    assert 'absent.pt' in str(err.value)


def test_truncated_file(saved, tmp_path):
    _, path = saved
    broken = tmp_path / 'truncated.pt'
    broken.write_bytes(path.read_bytes()[:4096])
    with pytest.raises(CheckpointError, match='truncated.pt'):
        load_checkpoint(broken)


def test_corrupt_file(tmp_path):
    broken = tmp_path / 'noise.pt'
    broken.write_bytes(np.random.default_rng(0).bytes(10000))
    with pytest.raises(CheckpointError, match='noise.pt.*corrupt'):
        load_checkpoint(broken)


def test_foreign_file_bare_state_dict(tmp_path):
    foreign = tmp_path / 'foreign.pt'
    torch.save(build_model('spectrogram', num_classes=2).state_dict(), foreign)
    with pytest.raises(CheckpointError, match='not a degram checkpoint.*bare state_dict'):
        load_checkpoint(foreign)


class _Boom:
    """Unpickling this runs a command: what weights_only loading must refuse."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (os.system, (f'touch {self.marker}',))


def test_pickled_code_is_never_executed(tmp_path):
    evil, marker = tmp_path / 'evil.pt', tmp_path / 'pwned'
    torch.save({'format': 'degram_ros.checkpoint', 'format_version': 1, 'payload': _Boom(marker)}, evil)
    with pytest.raises(CheckpointError, match='evil.pt.*cannot be read'):
        load_checkpoint(evil)
    assert not marker.exists()


def test_newer_format_version(saved, tmp_path):
    _, path = saved
    payload = torch.load(path, weights_only=True)
    payload['format_version'] = FORMAT_VERSION + 1
    newer = tmp_path / 'newer.pt'
    torch.save(payload, newer)
    with pytest.raises(CheckpointError, match='newer than this degram supports'):
        load_checkpoint(newer)


def test_weights_that_do_not_match_the_architecture(saved, tmp_path):
    _, path = saved
    payload = torch.load(path, weights_only=True)
    payload['config']['backbone'] = 'resnet34'
    mismatch = tmp_path / 'mismatch.pt'
    torch.save(payload, mismatch)
    with pytest.raises(CheckpointError, match='mismatch.pt: weights do not match'):
        load_checkpoint(mismatch)


def test_save_validates_labels_and_task(tmp_path):
    model = build_model('spectrogram', num_classes=2)
    with pytest.raises(ValueError, match='2 classes'):
        save_checkpoint(model, tmp_path / 'x.pt', labels=['a'], task='sound_event')
    with pytest.raises(ValueError, match='task'):
        save_checkpoint(model, tmp_path / 'x.pt', labels=['a', 'b'], task='asr')


def test_shipped_names_resolve_or_say_none_is_installed(monkeypatch, tmp_path):
    import dataclasses

    from degram.inference import PRETRAINED

    entry = PRETRAINED.get('keyword')
    monkeypatch.setitem(PRETRAINED._entries, 'keyword', dataclasses.replace(entry, file=tmp_path / 'keyword.pt'))
    with pytest.raises(CheckpointError, match="no shipped model named 'keyword' is installed"):
        resolve_model_path('keyword')
    (tmp_path / 'keyword.pt').write_bytes(entry.file.read_bytes())
    assert resolve_model_path('keyword') == tmp_path / 'keyword.pt'
    assert resolve_model_path('some/file.pt').name == 'file.pt'


def test_a_flipped_byte_in_a_shipped_model_is_a_clear_error(monkeypatch, tmp_path):
    import dataclasses

    from degram.inference import PRETRAINED

    entry = PRETRAINED.get('keyword')
    damaged = bytearray(entry.file.read_bytes())
    damaged[len(damaged) // 2] ^= 0x01
    (tmp_path / 'keyword.pt').write_bytes(bytes(damaged))
    monkeypatch.setitem(PRETRAINED._entries, 'keyword', dataclasses.replace(entry, file=tmp_path / 'keyword.pt'))
    with pytest.raises(CheckpointError, match=r"keyword.pt: shipped model 'keyword' is damaged \(sha256"):
        load_checkpoint('keyword')


def test_nan_weights_are_refused_with_the_file_name(tmp_path):
    model = build_model('spectrogram', num_classes=2)
    with torch.no_grad():
        model.backbone.fc.weight[0, 0] = float('nan')
    path = save_checkpoint(model, tmp_path / 'nan.pt', labels=['a', 'b'], task='sound_event')
    with pytest.raises(CheckpointError, match='nan.pt: the weights hold NaN/Inf'):
        load_checkpoint(path)


@pytest.mark.parametrize('key, value, message', [
    ('sample_rate', 0, r"sample_rate 0 is not a rate in Hz"),
    ('sample_rate', -16000, r"sample_rate -16000 is not a rate in Hz"),
    ('task', 'x' * 10_000, r"task 'x{64}… \(10000 characters\)' is none of"),
    ('labels', ['a', 'b', 'c'], r'3 labels for a model with 2 outputs'),
])
def test_inconsistent_checkpoints_are_one_clear_error(tmp_path, key, value, message):
    model = build_model('spectrogram', num_classes=2)
    path = save_checkpoint(model, tmp_path / 'x.pt', labels=['a', 'b'], task='sound_event')
    payload = torch.load(path, weights_only=True)
    payload[key] = value
    torch.save(payload, path)
    with pytest.raises(CheckpointError, match=message):
        load_checkpoint(path)
