# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""degram annotate: ROS 2 bags (sqlite3 and MCAP, written here with rosbags) and audio files give
the same windows, decisions and events through the node's streaming and event code."""
from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf
import torch

import degram
from degram.annotate import annotate, write_annotation
from degram.cli import main
from degram.streaming import encode_pcm

rosbags = pytest.importorskip('rosbags')
RATE = 16000


@pytest.fixture(scope='module')
def model_file(tmp_path_factory):
    torch.manual_seed(0)
    model = degram.build_model('degram', 'resnet18', num_classes=3, width=8).eval()
    path = tmp_path_factory.mktemp('model') / 'tiny.pt'
    return degram.save_checkpoint(model, path, labels=['a', 'b', 'c'], task='sound_event', thresholds=[0.3, 0.35, 0.4],
                                  min_level_db=-65.0, window_length=1.0, hop_length=0.5)


def _recording():
    rng = np.random.default_rng(0)
    t = np.arange(4 * RATE) / RATE
    x = 0.3 * np.sin(2 * np.pi * 600 * t) * (t < 1.5) + 0.05 * rng.standard_normal(t.size) * (t > 2.5)
    return x.astype(np.float32)          # a tone, silence, then noise


def _write_bag(path, samples, storage, stamped=True, start=100.0, chunk=0.1):
    from rosbags.rosbag2 import StoragePlugin, Writer

    from degram.streaming.bags import _typestore

    store = _typestore()
    Data = store.types['audio_common_msgs/msg/AudioData']
    Stamped = store.types['audio_common_msgs/msg/AudioDataStamped']
    Info = store.types['audio_common_msgs/msg/AudioInfo']
    Header, Time = store.types['std_msgs/msg/Header'], store.types['builtin_interfaces/msg/Time']
    plugin = StoragePlugin.MCAP if storage == 'mcap' else StoragePlugin.SQLITE3
    with Writer(path, version=9, storage_plugin=plugin) as writer:
        topic = '/robot/audio/audio_stamped' if stamped else '/robot/audio/audio'
        kind = 'audio_common_msgs/msg/AudioDataStamped' if stamped else 'audio_common_msgs/msg/AudioData'
        audio = writer.add_connection(topic, kind, typestore=store)
        info = writer.add_connection('/robot/audio/audio_info', 'audio_common_msgs/msg/AudioInfo', typestore=store)
        msg = Info(channels=1, sample_rate=RATE, sample_format='S16LE', bitrate=RATE * 16, coding_format='wave')
        writer.write(info, int(start * 1e9), store.serialize_cdr(msg, 'audio_common_msgs/msg/AudioInfo'))
        step = int(chunk * RATE)
        for i in range(0, len(samples), step):
            data = Data(data=np.frombuffer(encode_pcm(samples[i:i + step], 'S16LE'), dtype=np.uint8))
            t = start + i / RATE
            if stamped:
                sec = int(t)
                data = Stamped(header=Header(stamp=Time(sec=sec, nanosec=int(round((t - sec) * 1e9))),
                                             frame_id='mic'), audio=data)
            # recorded as it arrived: a real-time stream, received right after each chunk ends
            writer.write(audio, int((t + chunk) * 1e9), store.serialize_cdr(data, kind))
    return topic


@pytest.mark.parametrize('storage', ['sqlite3', 'mcap'])
def test_a_bag_and_the_same_audio_as_a_file_give_the_same_results(model_file, tmp_path, storage):
    samples = _recording()
    predictor = degram.load_model(model_file)
    topic = _write_bag(tmp_path / 'bag', samples, storage)
    # the bag's exact 16-bit samples (soundfile's own float → int16 scaling differs by one step)
    sf.write(str(tmp_path / 'clip.wav'), np.frombuffer(encode_pcm(samples, 'S16LE'), '<i2'), RATE, subtype='PCM_16')
    from_bag = annotate(predictor, tmp_path / 'bag', topic=topic, window_length=1.0, hop_length=0.5, progress=False)
    from_file = annotate(predictor, tmp_path / 'clip.wav', window_length=1.0, hop_length=0.5, progress=False)
    assert len(from_bag.windows) == len(from_file.windows) == 7
    assert [w['stamp'] - 100.0 for w in from_bag.windows] == pytest.approx([w['stamp'] for w in from_file.windows])
    for a, b in zip(from_bag.windows, from_file.windows):
        assert (a['silent'], a['detections'], a['label']) == (b['silent'], b['detections'], b['label'])
        assert a['confidence'] == pytest.approx(b['confidence'], abs=1e-4)
    assert [e['label'] for e in from_bag.events] == [e['label'] for e in from_file.events]
    assert [e['onset'] - 100.0 for e in from_bag.events] == pytest.approx([e['onset'] for e in from_file.events])
    assert from_bag.events and from_bag.events[-1]['offset'] is not None
    assert any(w['silent'] for w in from_bag.windows)        # the quiet middle is gated


def test_plain_audio_data_is_stamped_by_the_bag_receive_time_like_the_node(model_file, tmp_path):
    topic = _write_bag(tmp_path / 'bag', _recording(), 'sqlite3', stamped=False, start=50.0)
    result = annotate(degram.load_model(model_file), tmp_path / 'bag', topic=topic, window_length=1.0,
                      hop_length=0.5, progress=False)
    assert [w['stamp'] for w in result.windows][:3] == pytest.approx([50.0, 50.5, 51.0], abs=1e-3)


def test_cli_writes_csv_with_an_events_file_and_names_missing_topics(model_file, tmp_path, capsys):
    topic = _write_bag(tmp_path / 'bag', _recording(), 'sqlite3')
    out = tmp_path / 'results.csv'
    assert main(['annotate', '--bag', str(tmp_path / 'bag'), '--topic', topic, '--model', str(model_file),
                 '-o', str(out), '--no-progress']) == 0
    assert out.read_text().splitlines()[0] == 'stamp,level_db,silent,detected,label,confidence,detections'
    assert (tmp_path / 'results_events.csv').read_text().startswith('label,class_id,onset,offset,peak')
    assert main(['annotate', '--bag', str(tmp_path / 'bag'), '--topic', '/nope', '--model', str(model_file),
                 '-o', str(out), '--no-progress']) == 1
    assert 'no topic /nope; it holds /robot/audio/audio_info' in capsys.readouterr().err
    written = write_annotation(annotate(degram.load_model(model_file), tmp_path / 'bag', topic=topic,
                                        window_length=1.0, hop_length=0.5, progress=False), tmp_path / 'r.json')
    assert written == [tmp_path / 'r.json']
