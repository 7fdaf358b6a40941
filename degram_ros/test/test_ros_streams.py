# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""One degram_node, several microphones (the ``streams`` parameter): each stream has its own topics,
format, buffer, stamps, counters and diagnostics; one model serves them all; a stream that sends
garbage or stalls affects no other."""
from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.usefixtures('ros_required')

RATE = 16000


def test_three_streams_one_model_each_with_its_own_topics_format_and_counters(ros, multilabel_checkpoint):
    import functools

    from diagnostic_msgs.msg import DiagnosticArray

    from degram.streaming import encode_pcm
    from degram_msgs.msg import ModelInfo, SoundEvent
    from degram_ros.node import DegramNode

    from harness import LATCHED, AudioSource, tone

    node = ros.add(DegramNode, 'degram_node', namespace='/multi', params={
        'model_path': str(multilabel_checkpoint()), 'device': 'cpu', 'stamped': True,
        'streams': ['front', 'back', 'junk', 'quiet']})
    assert [c.name for c in node.channels] == ['front', 'back', 'junk', 'quiet']
    events = {name: ros.collect(SoundEvent, f'/multi/{name}/sound_event', 100) for name in ('front', 'back', 'junk')}
    infos = ros.collect(ModelInfo, '/multi/front/model_info', LATCHED)
    diagnostics = ros.collect(DiagnosticArray, '/diagnostics', 10)
    sources = {name: AudioSource(ros, f'/multi/{name}') for name in ('front', 'back', 'junk')}
    for src in sources.values():
        assert src.wait_connected(stamped=True)
    front, back, junk = (node.channels[i] for i in range(3))
    sources['back'].info(44100, 2, 'F32LE')
    sources['junk'].info(RATE, 1, 'F32LE')
    assert ros.wait_for(lambda: back.stream.format == (44100, 2, 'F32LE') and junk.stream.sample_format == 'F32LE')
    assert front.stream.format == (RATE, 1, 'S16LE')               # front keeps its own format
    stereo = np.stack([tone(3.0, 44100), tone(3.0, 44100, 880.0)], axis=1)
    rng = np.random.default_rng(0)
    for k in range(12):        # interleaved, 0.25 s each, each message taken before the next goes out
        for name, payload, stamp in (
                ('front', encode_pcm(tone(0.25, RATE)), 10.0 + 0.25 * k),
                ('back', encode_pcm(stereo[k * 11025:(k + 1) * 11025], 'F32LE'), 500.0 + 0.25 * k),
                ('junk', rng.integers(0, 256, 4003, dtype=np.uint8).tobytes(), 900.0 + 0.25 * k)):   # garbage
            ros.lockstep(node, [functools.partial(sources[name].raw, payload, stamp)], stream=name)
    # 3 s: windows at 0, 0.5 ... 2.0 s (44.1 kHz: soxr holds back the last); all of them give a result
    assert (front.stream.counters.windows, back.stream.counters.windows) == (5, 4)
    assert ros.wait_for(lambda: len(events['front']) == 5 and len(events['back']) == 4, 30.0)
    assert front.counts['dropped_windows'] == back.counts['dropped_windows'] == 0
    # every result on its own stream's topic, with its own stamps
    assert all(900 > e.header.stamp.sec >= 10 for e in events['front'].items)
    assert all(e.header.stamp.sec >= 500 for e in events['back'].items)
    # the garbage stream: counted there (ragged, clipped or non-finite samples), nowhere else
    bad = ('ragged', 'clipped', 'nonfinite')
    assert sum(getattr(junk.stream.counters, k) for k in bad) >= 12
    assert sum(getattr(c.stream.counters, k) for c in (front, back) for k in bad) == 0
    assert front.counts['inference_errors'] == back.counts['inference_errors'] == 0
    assert ros.wait_for(lambda: len(infos) == 1)
    # one diagnostics status per stream, named after it; the silent one says so
    assert ros.wait_for(lambda: any(len(a.status) == 4 for a in diagnostics.items), 5.0)
    status = {s.name: s for s in [a for a in diagnostics.items if len(a.status) == 4][-1].status}
    assert set(status) == {f'degram_node: /multi/degram_node/{n}' for n in ('front', 'back', 'junk', 'quiet')}
    assert 'no audio received' in status['degram_node: /multi/degram_node/quiet'].message
    values = {kv.key: kv.value for kv in status['degram_node: /multi/degram_node/back'].values}
    assert values['stream'] == 'back' and values['input_format'] == '44100 Hz, 2 ch, F32LE'
    ros.remove(node)


def test_stream_names_are_checked_at_start_up(ros, multilabel_checkpoint):
    from degram_ros.node import DegramNode, StartupError

    for streams, text in ((['front', 'front'], 'unique'), (['1mic'], 'not a valid stream name')):
        with pytest.raises(StartupError, match=text):
            ros.add(DegramNode, 'degram_node', namespace='/bad',
                    params={'model_path': str(multilabel_checkpoint()), 'device': 'cpu', 'streams': streams})
