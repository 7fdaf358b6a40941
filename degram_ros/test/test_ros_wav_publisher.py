# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""wav_publisher over the real middleware, alone and feeding degram_node."""
from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.usefixtures('ros_required')


@pytest.fixture
def stereo_wav(tmp_path):
    import soundfile

    rate = 22050
    t = np.arange(int(rate * 1.6)) / rate
    frames = np.stack([0.5 * np.sin(2 * np.pi * 300 * t), 0.25 * np.sin(2 * np.pi * 900 * t)], 1)
    path = tmp_path / 'stereo.flac'
    soundfile.write(str(path), frames.astype(np.float32), rate)
    return path, frames, rate


def test_publishes_file_as_audio_common_msgs(stereo_wav):
    from audio_common_msgs.msg import AudioData, AudioDataStamped, AudioInfo

    from degram.streaming import decode_pcm
    from degram_ros.wav_publisher import WavPublisher, WavPublisherError

    from harness import LATCHED, RosHarness

    path, frames, rate = stereo_wav
    with RosHarness() as ros:
        plain = ros.collect(AudioData, '/wp/audio')
        stamped = ros.collect(AudioDataStamped, '/wp/audio_stamped')
        infos = ros.collect(AudioInfo, '/wp/audio_info', LATCHED)
        player = ros.add(WavPublisher, 'wav_publisher', namespace='/wp', params={
            'files': [str(path)], 'rate': 4.0, 'chunk_length': 0.2, 'frame_id': 'mic',
            'start_delay': 0.0})
        assert ros.wait_for(lambda: player.pub_stamped.get_subscription_count() > 0
                            and player.pub_audio.get_subscription_count() > 0)
        player.run()
        n_chunks = int(np.ceil(len(frames) / int(0.2 * rate)))
        assert player.chunks_published == n_chunks
        assert ros.wait_for(lambda: len(stamped) == n_chunks and len(plain) == n_chunks)
        assert ros.wait_for(lambda: len(infos) >= 1)
        info = infos.items[-1]
        assert (info.sample_rate, info.channels, info.sample_format, info.coding_format) == \
            (rate, 2, 'S16LE', 'wave')
        audio = np.concatenate([decode_pcm(m.audio.data, 'S16LE', 2)[0] for m in stamped.items])
        np.testing.assert_allclose(audio, frames, atol=2e-4)
        stamps = [m.header.stamp.sec + m.header.stamp.nanosec * 1e-9 for m in stamped.items]
        np.testing.assert_allclose(np.diff(stamps), 0.2, atol=1e-6)   # gap-free audio timeline
        assert all(m.header.frame_id == 'mic' for m in stamped.items)
        with pytest.raises(WavPublisherError, match='no audio file'):
            ros.add(WavPublisher, 'wav_publisher_empty')
        with pytest.raises(WavPublisherError, match='missing.wav'):
            ros.add(WavPublisher, 'wav_publisher_bad', params={'file': str(path.parent /
                                                                           'missing.wav')})


def test_wav_publisher_feeds_degram_node(stereo_wav, tmp_path):
    from degram import build_model, save_checkpoint
    from degram_msgs.msg import SoundEvent
    from degram_ros.node import DegramNode
    from degram_ros.wav_publisher import WavPublisher

    from harness import RosHarness

    path, _, _ = stereo_wav
    model = build_model('spectrogram', 'resnet18', num_classes=2, sample_rate=16000, width=8)
    ckpt = save_checkpoint(model, tmp_path / 'm.pt', labels=['x', 'y'], task='sound_event')
    with RosHarness() as ros:
        events = ros.collect(SoundEvent, '/pipe/sound_event')
        node = ros.add(DegramNode, 'degram_node', namespace='/pipe', params={
            'model_path': str(ckpt), 'device': 'cpu', 'stamped': True, 'hop_length': 0.25})
        player = ros.add(WavPublisher, 'wav_publisher', namespace='/pipe', params={
            'files': [str(path)], 'rate': 2.0, 'chunk_length': 0.1, 'start_delay': 0.0})
        assert ros.wait_for(lambda: player.pub_stamped.get_subscription_count() > 0)
        player.run()
        assert ros.wait_for(lambda: len(events) + node.counts['dropped_windows'] >= 2)
        assert len(events) >= 1 and events.items[0].label in ('x', 'y')
        assert node.stream.sample_rate == 22050 and node.stream.channels == 2
