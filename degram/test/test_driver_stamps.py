# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Stamps as real drivers deliver them (issue 18): jitter, bursts, fast replays stamped with now(),
clock steps, duplicates and gaps, through :class:`degram.streaming.AudioStream` and
:class:`degram.streaming.StreamInput` (no ROS needed).  60 s of audio in 1 s windows every 1 s:
60 windows when nothing is lost."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from degram.streaming import AudioStream, StreamInput
from degram.streaming.drivers import (
    bursts,
    capture,
    clock_step,
    duplicated,
    fast_now,
    first_frame,
    gap,
    index_samples,
    jittered,
    spans_a_gap,
)

RATE, T0 = 16000, 1000.0


def _play(chunks, stamped=True, window=1.0, hop=1.0):
    """Feed ``chunks`` in the order they are sent → (stream, windows, errors of the window stamps
    against the true capture times, events)."""
    source = StreamInput(AudioStream(RATE, window, hop, sample_rate=RATE, sample_format='F32LE'))
    source.set_info(RATE, 1, 'F32LE', 'wave')
    windows, events = [], []
    for c in sorted(chunks, key=lambda c: c.send):
        got, happened = source.push(index_samples(c).tobytes(), c.stamp if stamped else None, c.send)
        windows += got
        events += happened
    errors = np.array([w.stamp - (T0 + first_frame(w.samples) / RATE) for w in windows])
    return source.stream, windows, errors, events


def _one_segment(stream):
    """No buffer reset after the one at start-up, and no window lost to one."""
    assert stream.counters.resets == 1, stream.counters
    assert stream.counters.discarded_samples == {}


@pytest.mark.parametrize('sigma, chunk, limit', [(0.005, 0.25, 0.010), (0.010, 0.25, 0.015), (0.020, 0.25, 0.030),
                                                 (0.010, 0.02, 0.015), (0.010, 0.1, 0.015)])
@pytest.mark.parametrize('seed', range(3))
def test_jittered_capture_stamps_keep_every_window_on_the_sample_timeline(sigma, chunk, limit, seed):
    stream, windows, errors, events = _play(jittered(capture(60.0, chunk, RATE, T0), sigma, seed))
    assert len(windows) == 60 and events == []
    _one_segment(stream)
    assert stream.counters.reanchors == 0
    assert np.abs(errors).max() <= limit, np.abs(errors).max()
    # the stamps follow the samples: one hop apart up to the filter's small corrections
    assert np.abs(np.diff([w.stamp for w in windows]) - 1.0).max() < sigma


def test_bursts_of_four_periods_stamped_at_publish_time_keep_every_window():
    # a 25 ms period driver that hands over 4 periods at once, each stamped when published
    stream, windows, errors, events = _play(bursts(capture(60.0, 0.025, RATE, T0), 4))
    assert len(windows) == 60 and events == []
    _one_segment(stream)
    # publish-time stamps are late by the mean time a period waits for its burst (64 ms here)
    assert 0.0 <= errors.min() and errors.max() <= 0.1, (errors.min(), errors.max())
    assert np.ptp(errors) < 0.01


@pytest.mark.parametrize('chunk', [0.25, 0.1])
def test_a_4x_replay_stamped_with_now_keeps_every_window_and_follows_the_newest_stamps(chunk):
    chunks = fast_now(capture(60.0, chunk, RATE, T0), 4.0)
    stream, windows, errors, events = _play(chunks)
    assert len(windows) == 60
    _one_segment(stream)
    assert stream.counters.reanchors > 0 and set(events) == {'reanchor'}
    stamps = [w.stamp for w in windows]
    assert stamps == sorted(stamps)
    # the estimate follows the newest stamp (within the tolerance): a window is stamped with the
    # publish time of the chunk that completed it minus the audio in between
    size = int(chunk * RATE)
    sent = {c.first: c.send for c in chunks}
    for w in windows:
        last = first_frame(w.samples) + RATE - size
        assert abs(w.stamp - (sent[last] - (last - first_frame(w.samples)) / RATE)) <= 0.1


@pytest.mark.parametrize('step', [0.05, -0.05])
def test_a_clock_step_within_the_tolerance_is_absorbed(step):
    stream, windows, errors, events = _play(clock_step(capture(60.0, 0.25, RATE, T0), 30.0, step))
    assert len(windows) == 60 and events == []
    _one_segment(stream)
    assert np.abs(errors[:30]).max() < 1e-6 and abs(errors[-1] - step) < 0.005   # follows the new clock


@pytest.mark.parametrize('step', [0.15, -0.15])
def test_a_clock_step_beyond_the_tolerance_reanchors_without_losing_audio(step):
    stream, windows, errors, events = _play(clock_step(capture(60.0, 0.25, RATE, T0), 30.0, step))
    assert len(windows) == 60 and events == ['reanchor']
    _one_segment(stream)
    assert np.abs(errors[:30]).max() < 1e-6 and np.abs(errors[30:] - step).max() < 1e-6


def test_a_clock_step_forward_by_seconds_resets_once_like_a_gap():
    stream, windows, errors, events = _play(clock_step(capture(60.0, 0.25, RATE, T0), 30.1, 2.0))
    assert events == ['discontinuity'] and stream.counters.discontinuity == 1 and stream.counters.resets == 2
    assert len(windows) == 59 and not any(spans_a_gap(w.samples) for w in windows)
    assert stream.counters.discarded_samples == {'discontinuity': 0.25 * RATE}   # the step's partial window
    assert np.abs(errors[:30]).max() < 1e-6 and np.abs(errors[30:] - 2.0).max() < 1e-6


def test_a_clock_step_backward_by_seconds_restarts_once():
    stream, windows, errors, events = _play(clock_step(capture(60.0, 0.25, RATE, T0), 30.1, -2.0))
    assert events == ['backwards'] and stream.counters.backwards == 1 and stream.counters.resets == 2
    assert len(windows) == 59 and not any(spans_a_gap(w.samples) for w in windows)
    assert np.abs(errors[:30]).max() < 1e-6 and np.abs(errors[30:] + 2.0).max() < 1e-6


def test_exact_duplicates_are_dropped_counted_and_the_stream_goes_on():
    chunks = jittered(capture(60.0, 0.25, RATE, T0), 0.01)
    stream, windows, errors, events = _play(duplicated(chunks, every=10))
    assert len(windows) == 60 and events == ['duplicate'] * 24
    assert stream.counters.duplicates == 24 and stream.counters.messages == 264
    _one_segment(stream)
    assert np.abs(errors).max() <= 0.015


def test_a_real_gap_of_one_second_resets_once_and_no_window_spans_it():
    chunks = jittered(gap(capture(60.0, 0.25, RATE, T0), 30.0, 1.0, RATE), 0.01)
    stream, windows, errors, events = _play(chunks)
    assert events == ['discontinuity'] and stream.counters.discontinuity == 1 and stream.counters.resets == 2
    assert len(windows) == 59 and not any(spans_a_gap(w.samples) for w in windows)
    assert np.abs(errors).max() <= 0.015


@pytest.mark.parametrize('make', [lambda c: c, lambda c: bursts(c, 4)], ids=['steady', 'bursts'])
def test_plain_audio_stamped_by_the_receive_clock_shares_the_sample_timeline(make):
    # delivered 0-20 ms after its capture ended, or in bursts of 4 periods
    chunks, delay = make(capture(60.0, 0.025, RATE, T0)), np.random.default_rng(1).uniform(0.0, 0.02, 2400)
    sent = np.maximum.accumulate([c.send + d for c, d in zip(chunks, delay)])   # in order, as DDS keeps it
    chunks = [replace(c, send=float(t)) for c, t in zip(chunks, sent)]
    stream, windows, errors, events = _play(chunks, stamped=False)
    assert len(windows) == 60 and events == []
    _one_segment(stream)
    assert stream.counters.reanchors == 0
    assert 0.0 <= errors.min() and errors.max() <= 0.1       # late by the delivery delay, never early
    assert np.ptp(errors) < 0.02                              # and steady: jitter does not move them
