# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""How the node picks its backend, describes its device and decides (no middleware needed)."""
from __future__ import annotations

import math

import numpy as np
import pytest

pytest.importorskip('rclpy', reason='rclpy is not importable: source a ROS 2 installation (conftest.py)')

from degram_ros.detection import background_text, build_detector, gate_db, speaker_threshold
from degram_ros.model import _device_text, choose_backend
from degram_ros.parameters import StartupError


class _Predictor:
    def __init__(self, multi_label=False, **metadata):
        self.labels = ['a', 'b', 'c']
        self.multi_label = multi_label
        self.metadata = dict(metadata, multi_label=multi_label)


def test_backend_follows_the_model_file():
    assert choose_backend('/m/model.pt', 'torch', False) == 'torch'
    assert choose_backend('sound_event', 'onnxruntime', True) == 'onnxruntime'
    assert choose_backend('/m/model.ONNX', 'torch', False) == 'onnxruntime'     # default: auto-selected
    with pytest.raises(StartupError) as info:
        choose_backend('/m/model.onnx', 'torch', True)
    message = str(info.value)
    assert '\n' not in message and '/m/model.onnx' in message and 'onnxruntime' in message


def test_device_text_keeps_the_fallback_note():
    note = 'cpu (fallback: cuda:1 requested but CUDA is not available)'
    assert _device_text('cpu', note) == note
    assert _device_text('cpu (onnxruntime)', note) == \
        'cpu (onnxruntime; fallback: cuda:1 requested but CUDA is not available)'
    assert _device_text('cpu (onnxruntime)', 'cpu') == 'cpu (onnxruntime)'
    assert _device_text('cuda:0', 'cuda:0') == 'cuda:0'


def test_detector_from_the_model_or_the_parameters():
    calibrated = _Predictor(True, thresholds=[0.2, 0.4, 0.6], min_level_db=-65.0)
    d = build_detector(calibrated, 'sound_event', -1.0, -1000.0)
    assert list(d.thresholds) == [0.2, 0.4, 0.6] and d.min_level_db == -65.0
    d = build_detector(calibrated, 'sound_event', 0.9, -40.0)
    assert list(d.thresholds) == [0.9] * 3 and d.min_level_db == -40.0 and gate_db(d) == -40.0
    d = build_detector(_Predictor(), 'sound_event', -1.0, -1000.0)
    assert list(d.thresholds) == [0.5] * 3 and d.min_level_db is None and gate_db(d) == -math.inf
    # the speaker task: top-1 >= threshold (-1 = 0.5), every window scored
    d = build_detector(calibrated, 'speaker_id', -1.0, -1000.0)
    assert list(d.thresholds) == [0.5] * 3 and d.min_level_db is None
    assert speaker_threshold(-1.0) == 0.5 and speaker_threshold(0.7) == 0.7
    level, gated = build_detector(calibrated, 'sound_event', -1.0, -1000.0).gate(np.zeros(100))
    assert gated and level < -65.0
    with pytest.raises(ValueError):    # calibration that does not fit the labels
        build_detector(_Predictor(True, thresholds=[0.5, 0.5]), 'sound_event', -1.0, -1000.0)


def test_background_says_how_the_model_reports_nothing():
    plain = _Predictor()
    text = background_text(plain, 'sound_event', build_detector(plain, 'sound_event', -1.0, -1000.0), -1.0)
    assert text == 'softmax; every window is one of the labels; threshold 0.5 on the top-1 score; no level gate'
    trained = _Predictor(True, thresholds=[0.2, 0.4, 0.6], min_level_db=-65.0,
                         config={'data': {'negatives': ['speech', 'room'], 'negative_prob': 0.3}})
    detector = build_detector(trained, 'sound_event', -1.0, -1000.0)
    text = background_text(trained, 'sound_event', detector, -1.0)
    assert text.startswith('multi-label (sigmoid) outputs trained with negatives (speech, room); '
                           'calibrated per-class thresholds 0.2..0.6; level gate -65 dBFS')
    text = background_text(trained, 'sound_event', build_detector(trained, 'sound_event', 0.7, -1000.0), 0.7)
    assert 'threshold 0.7 on every class' in text
    stated = _Predictor(background='ESC-50 negatives')
    assert background_text(stated, 'sound_event', build_detector(stated, 'sound_event', -1.0, -1000.0),
                           -1.0).startswith('ESC-50 negatives; softmax')
    speaker = build_detector(plain, 'speaker_id', 0.6, -1000.0)
    assert "'unknown' below 0.6" in background_text(plain, 'speaker_id', speaker, 0.6)


def test_the_default_speaker_database_is_json_and_an_earlier_speakers_db_is_still_used(tmp_path, monkeypatch):
    from degram_ros.speakers import default_database_path

    monkeypatch.setenv('ROS_HOME', str(tmp_path))
    assert default_database_path() == tmp_path / 'degram' / 'speakers.json'
    (tmp_path / 'degram').mkdir()
    (tmp_path / 'degram' / 'speakers.db').write_text('{}')           # saved by an earlier version
    assert default_database_path() == tmp_path / 'degram' / 'speakers.db'
    (tmp_path / 'degram' / 'speakers.json').write_text('{}')
    assert default_database_path() == tmp_path / 'degram' / 'speakers.json'
