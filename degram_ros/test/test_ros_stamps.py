# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Stamps as real drivers deliver them, through the node over the real middleware (issue 18): 60 s of
audio in 0.25 s messages, 1 s windows every 1 s.  The stamps come from
:mod:`degram.streaming.drivers` and each message is sent once the node has taken the one before
(``send_lockstep``), so the machine's load can change no stamp and drop no window."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

pytestmark = pytest.mark.usefixtures('ros_required')

RATE, T0 = 16000, 1000.0
_ns = itertools.count()


def _run(ros, model, chunks, **params):
    """Send ``chunks`` (stamped) into a fresh node → (node, the results' stamps in order, the
    /diagnostics values of the node)."""
    from degram.streaming import encode_pcm
    from degram_msgs.msg import SoundEvent
    from degram_ros.node import DegramNode

    from harness import AudioSource, tone

    ns = f'/st{next(_ns)}'
    node = ros.add(DegramNode, 'degram_node', namespace=ns,
                   params={'model_path': str(model), 'device': 'cpu', 'stamped': True, 'window_length': 1.0,
                           'hop_length': 1.0, **params})
    results = ros.collect(SoundEvent, f'{ns}/sound_event', 100)
    src = AudioSource(ros, ns)
    assert src.wait_connected(stamped=True)
    audio = tone(60.0, RATE)
    src.send_lockstep(node, [(encode_pcm(audio[c.first:c.first + c.frames]), c.stamp) for c in chunks])
    windows = node.stream.counters.windows
    assert ros.wait_for(lambda: len(results) == windows), f'{len(results)} results for {windows} windows'
    assert node.counts['dropped_windows'] == 0
    stamps = [m.header.stamp.sec + m.header.stamp.nanosec * 1e-9 for m in results.items]
    values = node.diagnostics_values()
    ros.remove(node)
    return node, stamps, values


def _errors(stamps, truth):
    """Each result's stamp against the nearest true capture time of a window start."""
    truth = np.asarray(truth)
    return np.array([np.abs(truth - s).min() for s in stamps])


def test_jittered_capture_stamps_give_a_result_per_window_stamped_within_15_ms(ros, multilabel_checkpoint):
    from degram.streaming.drivers import capture, jittered

    node, stamps, values = _run(ros, multilabel_checkpoint(), jittered(capture(60.0, 0.25, RATE, T0), 0.01))
    assert len(stamps) == 60 and stamps == sorted(stamps)
    assert _errors(stamps, T0 + np.arange(60)).max() <= 0.015
    assert (values['stream_resets'], values['stamp_reanchors'], values['stamp_gaps']) == ('1', '0', '0')


def test_a_4x_replay_stamped_with_now_gives_every_result_without_a_reset(ros, multilabel_checkpoint):
    from degram.streaming.drivers import capture, fast_now

    node, stamps, values = _run(ros, multilabel_checkpoint(), fast_now(capture(60.0, 0.25, RATE, T0), 4.0))
    assert len(stamps) == 60 and stamps == sorted(stamps)
    # window k is stamped with the publish time of its last message minus the audio before it
    assert _errors(stamps, T0 + 0.25 + 0.25 * np.arange(60) + 0.75 / 4 - 0.75).max() <= 1e-3
    assert values['stream_resets'] == '1' and int(values['stamp_reanchors']) == 239


def test_a_gap_resets_once_and_duplicates_are_dropped_and_counted(ros, multilabel_checkpoint):
    from degram.streaming.drivers import capture, duplicated, gap, jittered

    chunks = duplicated(jittered(gap(capture(60.0, 0.25, RATE, T0), 30.0, 1.0, RATE), 0.01), every=20)
    node, stamps, values = _run(ros, multilabel_checkpoint(), chunks)
    assert len(stamps) == 59               # 30 windows before the 1 s gap, 29 after it
    assert _errors(stamps, T0 + np.r_[0:30, 31:60]).max() <= 0.015
    assert (values['stream_resets'], values['stamp_gaps'], values['duplicate_messages']) == ('2', '1', '11')


def test_stamp_tolerance_is_the_nodes_parameter(ros, multilabel_checkpoint):
    from degram.streaming.drivers import capture, jittered

    chunks = jittered(capture(60.0, 0.25, RATE, T0), 0.01)
    node, stamps, values = _run(ros, multilabel_checkpoint(), chunks, stamp_tolerance=0.005)
    assert node.get_parameter('stamp_tolerance').value == 0.005
    assert len(stamps) == 60 and int(values['stamp_reanchors']) > 10 and values['stream_resets'] == '1'
