# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The library's contracts: one inference path, one registry mechanism, nested model configs
(format 2) that still load format-1 files, device names, and no ROS anywhere in the package."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import torch

import degram
from degram.inference import DeviceError, resolve_device, scores_from_logits
from degram.nn import ModelConfig, build_from_config, build_model
from degram.registry import Registry, RegistryError

RATE = 16000
PACKAGE = Path(degram.__file__).resolve().parent


def _small(tmp_path, multi_label=False):
    torch.manual_seed(0)
    model = build_model('degram', 'resnet18', num_classes=3, width=8).eval()
    path = degram.save_checkpoint(model, tmp_path / 'small.pt', labels=['a', 'b', 'c'], task='sound_event',
                                  multi_label=multi_label)
    return model, path


def test_one_forward_pass_gives_representation_embedding_and_logits(tmp_path):
    model, path = _small(tmp_path)
    predictor = degram.load_model(path)
    wave = 0.1 * np.random.default_rng(0).standard_normal((2, RATE)).astype(np.float32)
    out = predictor.infer(wave)
    assert out.representation.shape[:2] == (2, 1) and out.representation.shape[-1] == 64
    assert out.embedding.shape == (2, 64) and out.logits.shape == (2, 3)
    with torch.inference_mode():
        torch.testing.assert_close(out.logits, model(torch.from_numpy(wave)))
    np.testing.assert_allclose(predictor.predict(wave, RATE), torch.softmax(out.logits, -1).numpy(), rtol=1e-5)


def test_embed_is_l2_normalised_for_one_or_many_waveforms_at_any_rate(tmp_path):
    _, path = _small(tmp_path)
    predictor = degram.load_model(path)
    wave = 0.1 * np.random.default_rng(1).standard_normal(44100).astype(np.float32)
    single = predictor.embed(wave, 44100)
    batch = predictor.embed(np.stack([wave, wave]), 44100)
    assert single.shape == (64,) and batch.shape == (2, 64)
    np.testing.assert_allclose(np.linalg.norm(batch, axis=1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(single, batch[0], atol=1e-5)


def test_multi_label_models_score_with_sigmoid_everywhere(tmp_path):
    _, path = _small(tmp_path, multi_label=True)
    predictor = degram.load_model(path)
    logits = torch.tensor([[2.0, -1.0, 0.5]])
    torch.testing.assert_close(predictor.scores(logits), torch.sigmoid(logits))
    torch.testing.assert_close(scores_from_logits(logits, multi_label=False), torch.softmax(logits, -1))
    scores = predictor.predict(np.zeros(RATE, np.float32), RATE)
    assert scores.shape == (3,) and abs(scores.sum() - 1.0) > 1e-3   # independent sigmoids


def test_nested_config_round_trips_and_records_every_default():
    model = build_model({'name': 'degram', 'n_filters': 32}, {'name': 'resnet18', 'width': 8}, num_classes=4)
    config = model.config.to_dict()
    assert config['frontend']['name'] == 'degram' and config['frontend']['n_filters'] == 32
    assert config['frontend']['aggregation'] == 'max'          # default written out
    assert config['backbone'] == {'name': 'resnet18', 'dropout': 0.5, 'width': 8, 'head': 'linear', 'scale': 30.0,
                                  'pooling': 'mean', 'embedding_dim': 0}
    assert config['specaugment']['freq_masks'] == 2
    rebuilt = build_from_config(config)
    assert rebuilt.config == model.config
    assert ModelConfig.from_dict(config) == model.config


def test_flat_options_are_routed_and_unknown_ones_named():
    model = build_model('sincgram', 'resnet18', n_filters=16, dropout=0.1, freq_masks=1, num_classes=2)
    assert model.config.frontend.options['n_filters'] == 16
    assert model.config.backbone.options['dropout'] == 0.1
    assert model.config.specaugment['freq_masks'] == 1
    with pytest.raises(TypeError, match=r"unknown option\(s\) \['n_filterz'\].*valid options"):
        build_model('sincgram', n_filterz=3)
    with pytest.raises(TypeError, match="unknown option.*'width'.*frontend 'sincgram'"):
        build_model({'name': 'sincgram', 'width': 3}, 'resnet18')


def test_format_1_checkpoints_load_unchanged(tmp_path):
    model, path = _small(tmp_path)
    payload = torch.load(path, weights_only=True)
    assert payload['format'] == 'degram.checkpoint' and payload['format_version'] == 2
    flat = {'frontend': 'degram', 'backbone': 'resnet18', 'num_classes': 3, 'sample_rate': RATE,
            'specaugment': True, 'width': 8}
    old = dict(payload, format='degram_ros.checkpoint', format_version=1, config=flat)
    torch.save(old, tmp_path / 'old.pt')
    loaded = degram.load_checkpoint(tmp_path / 'old.pt')
    assert loaded.model.config == model.config
    wave = torch.randn(1, RATE)
    with torch.inference_mode():
        torch.testing.assert_close(loaded.model(wave), model(wave))


def test_the_shipped_models_are_format_1_files_that_load_by_name():
    for name in degram.PRETRAINED.names():
        entry = degram.PRETRAINED.get(name)
        predictor = degram.load_model(name)
        assert predictor.labels == list(entry.labels) and predictor.task == entry.task
        assert predictor.model.frontend_name == 'degram' and predictor.model.backbone_name == 'resnet18'


def test_registry_registers_gets_and_names_the_choices():
    things: Registry = Registry('thing')
    things.register('a', 1)

    @things.register('b')
    def b():
        return 2

    assert things.names() == ['a', 'b'] and things.get('b') is b and 'a' in things
    with pytest.raises(RegistryError, match=r"unknown thing 'c'; choose from \['a', 'b'\]"):
        things.get('c')
    with pytest.raises(RegistryError, match="thing 'a' is registered already"):
        things.register('a', 3)
    assert degram.FRONTENDS.names()[:4] == ['spectrogram', 'sincgram', 'despectrogram', 'degram']
    assert 'resnet18' in degram.BACKBONES


def test_device_names_resolve_with_fallback_or_error():
    assert resolve_device('cpu') == (torch.device('cpu'), 'cpu')
    device, text = resolve_device('auto')
    assert device.type in ('cpu', 'cuda')
    if not torch.cuda.is_available():
        device, text = resolve_device('cuda:1')
        assert device == torch.device('cpu') and text == 'cpu (fallback: cuda:1 requested but CUDA is not available)'
        with pytest.raises(DeviceError, match='CUDA is not available'):
            resolve_device('cuda', fallback=False)
    with pytest.raises(DeviceError, match="invalid device 'gpu'"):
        resolve_device('gpu')


def test_the_library_has_no_ros_imports():
    ros = re.compile(r'^\s*(import|from)\s+(rclpy|ament_\w+|launch\w*|rosidl\w*|\w+_msgs)\b', re.M)
    offenders = [str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob('*.py') if ros.search(p.read_text())]
    assert offenders == []


def test_onnx_exports_run_behind_the_same_predictor_interface(tmp_path, monkeypatch):
    pytest.importorskip('onnxruntime')
    from degram.export import export_onnx

    monkeypatch.setenv('DEGRAM_CACHE', str(tmp_path / 'cache'))
    _, path = _small(tmp_path, multi_label=True)
    checkpoint = degram.load_checkpoint(path)
    onnx_file = export_onnx(checkpoint, tmp_path / 'small.onnx')
    runtime = degram.load_model(onnx_file)
    assert (runtime.labels, runtime.task, runtime.multi_label) == (['a', 'b', 'c'], 'sound_event', True)
    assert runtime.device_text == 'cpu (onnxruntime)' and runtime.frontend_name == 'degram'
    wave = 0.1 * np.random.default_rng(2).standard_normal(22050).astype(np.float32)
    np.testing.assert_allclose(runtime.predict(wave, 22050), checkpoint.predict(wave, 22050), atol=1e-5)
    np.testing.assert_allclose(runtime.embed(wave, 22050), checkpoint.embed(wave, 22050), atol=1e-5)
    assert runtime.infer(wave[None, :16000]).representation is None
    cached = degram.load_model(path, backend='onnxruntime')     # a checkpoint exported on first use
    assert cached.path.parent == tmp_path / 'cache' and cached.path.suffix == '.onnx'
    with pytest.raises(degram.CheckpointError, match='an ONNX file needs backend onnxruntime'):
        degram.load_model(onnx_file, backend='torch')
    foreign = tmp_path / 'foreign.onnx'
    foreign.write_bytes(b'not a model')
    with pytest.raises(degram.CheckpointError, match='foreign.onnx: cannot be loaded by ONNX Runtime'):
        degram.load_model(foreign)


def test_onnx_export_of_a_speaker_embedding_model_keeps_what_the_node_reads(tmp_path):
    pytest.importorskip('onnxruntime')
    from degram.export import export_onnx

    model = degram.build_model('spectrogram', 'resnet18', num_classes=3, width=8, head='cosine')
    path = degram.save_checkpoint(model, tmp_path / 'emb.pt', labels=['a', 'b', 'c'], task='speaker_id',
                                  embedding_model=True, speaker_threshold=0.6, speaker_score_scale=12.0,
                                  min_speech_ratio=0.3)
    runtime = degram.load_model(export_onnx(degram.load_checkpoint(path), tmp_path / 'emb.onnx'))
    assert {k: runtime.metadata.get(k) for k in ('embedding_model', 'speaker_threshold', 'speaker_score_scale',
                                                 'min_speech_ratio')} == {
        'embedding_model': True, 'speaker_threshold': 0.6, 'speaker_score_scale': 12.0, 'min_speech_ratio': 0.3}


def test_onnx_export_keeps_the_as_norm_cohort(tmp_path):
    pytest.importorskip('onnxruntime')
    from degram.export import export_onnx
    from degram.speaker import speaker_scoring

    model = degram.build_model('spectrogram', 'resnet18', num_classes=3, width=8, head='cosine')
    cohort = np.random.default_rng(0).normal(size=(5, 64)).round(4).tolist()
    path = degram.save_checkpoint(model, tmp_path / 'emb.pt', labels=['a', 'b', 'c'], task='speaker_id',
                                  embedding_model=True, speaker_threshold=3.2, speaker_score_scale=2.0,
                                  speaker_cohort=cohort)
    runtime = degram.load_model(export_onnx(degram.load_checkpoint(path), tmp_path / 'emb.onnx'))
    threshold, scale, normaliser = speaker_scoring(runtime)
    assert (threshold, scale) == (3.2, 2.0) and normaliser is not None and normaliser.cohort.shape == (5, 64)
