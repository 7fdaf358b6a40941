"""Unit tests of degram.streaming (no ROS needed)."""
from __future__ import annotations

import numpy as np
import pytest

from degram.inference import top_k
from degram.streaming import (SAMPLE_FORMATS, AudioStream, InputFormatError, ReceiveClockStamper, decode_pcm,
                              encode_pcm, frame_bytes, normalize_sample_format, select_channel)


def _ramp(n, channels=1):
    x = np.linspace(-0.9, 0.9, n * channels, dtype=np.float32)
    return x.reshape(n, channels)


@pytest.mark.parametrize('fmt', sorted(SAMPLE_FORMATS))
def test_pcm_round_trip_every_format(fmt):
    frames = _ramp(50, 2)
    payload = encode_pcm(frames, fmt)
    assert len(payload) == 50 * frame_bytes(fmt, 2)
    decoded, rest = decode_pcm(payload, fmt, 2)
    assert rest == 0 and decoded.shape == (50, 2) and decoded.dtype == np.float32
    tolerance = 1.0 / SAMPLE_FORMATS[fmt][2] + 1e-6 if SAMPLE_FORMATS[fmt][2] > 1 else 1e-6
    np.testing.assert_allclose(decoded, frames, atol=tolerance)


def test_s16le_known_values_and_aliases():
    payload = np.array([0, 16384, -32768, 32767], dtype='<i2').tobytes()
    decoded, _ = decode_pcm(payload, 's16le', 1)
    np.testing.assert_allclose(decoded[:, 0], [0.0, 0.5, -1.0, 32767 / 32768])
    assert normalize_sample_format('f32') == 'F32LE'


def test_unknown_format_raises_named_error():
    with pytest.raises(InputFormatError) as info:
        decode_pcm(b'\0\0', 'S13BE', 1)
    assert info.value.kind == 'unknown_format' and 'S13BE' in str(info.value)


def test_ragged_bytes_drop_the_partial_frame():
    payload = encode_pcm(_ramp(10, 2), 'S16LE') + b'\x01\x02\x03'
    decoded, rest = decode_pcm(payload, 'S16LE', 2)
    assert decoded.shape == (10, 2) and rest == 3


def test_select_channel_and_mix():
    frames = np.array([[1.0, 3.0], [2.0, 4.0]], dtype=np.float32)
    np.testing.assert_allclose(select_channel(frames, -1), [2.0, 3.0])
    np.testing.assert_allclose(select_channel(frames, 1), [3.0, 4.0])
    np.testing.assert_allclose(select_channel(frames, 5), [2.0, 3.0])  # missing channel: mix


def _push_all(stream, signal, rate, chunk, start, fmt='S16LE'):
    windows, events = [], []
    step = int(chunk * rate)
    for i in range(0, len(signal), step):
        w, e = stream.push(encode_pcm(signal[i:i + step], fmt), start + i / rate)
        windows += w
        events += e
    return windows, events


def test_windows_count_and_stamps_at_model_rate():
    stream = AudioStream(16000, 1.0, 0.5, sample_rate=16000)
    signal = np.random.default_rng(0).uniform(-0.5, 0.5, 16000 * 3).astype(np.float32)
    windows, events = _push_all(stream, signal, 16000, 0.13, 100.0)
    assert events == []
    assert [w.index for w in windows] == [0, 1, 2, 3, 4]
    np.testing.assert_allclose([w.stamp for w in windows], [100.0, 100.5, 101.0, 101.5, 102.0],
                               atol=1e-6)
    # the window holds exactly the audio that starts at its stamp
    np.testing.assert_allclose(windows[1].samples, signal[8000:24000], atol=1 / 32768)


def test_resampled_stereo_stamps_follow_capture_time():
    rate = 44100
    stream = AudioStream(16000, 1.0, 0.5, sample_rate=rate, channels=2)
    n = rate * 3
    stereo = np.stack([np.zeros(n), 0.3 * np.sin(np.arange(n) * 0.05)], axis=1).astype(np.float32)
    windows, _ = _push_all(stream, stereo, rate, 0.0231, 50.0)
    assert len(windows) == 4   # soxr holds back its filter delay, so the 5th is not complete yet
    assert all(w.samples.shape == (16000,) for w in windows)
    np.testing.assert_allclose([w.stamp for w in windows], [50.0, 50.5, 51.0, 51.5], atol=1e-3)


def test_backwards_stamp_resets_and_counts():
    stream = AudioStream(16000, 1.0, 0.5)
    sig = np.zeros(16000, np.float32)
    stream.push(encode_pcm(sig), 10.0)
    windows, events = stream.push(encode_pcm(sig), 5.0)
    assert events == ['backwards'] and stream.counters.backwards == 1
    assert [w.stamp for w in windows] == [5.0]   # the old audio is gone, the new one starts
    windows, _ = stream.push(encode_pcm(sig), 6.0)
    assert [w.stamp for w in windows] == pytest.approx([5.5, 6.0])


def test_gap_resets_for_capture_stamps_but_not_for_receive_clock():
    sig = np.zeros(8000, np.float32)
    stream = AudioStream(16000, 1.0, 0.5)
    stream.push(encode_pcm(sig), 0.0)
    _, events = stream.push(encode_pcm(sig), 3.0)
    assert events == ['discontinuity']
    stream = AudioStream(16000, 1.0, 0.5)
    stream.push(encode_pcm(sig), 0.0, contiguous_clock=True)
    windows, events = stream.push(encode_pcm(sig), 3.0, contiguous_clock=True)
    assert events == [] and len(windows) == 1


def test_nonfinite_empty_oversize():
    stream = AudioStream(16000, 1.0, 0.5, sample_format='F32LE', max_message_length=10.0)
    bad = np.zeros(16000, np.float32)
    bad[::7] = np.nan
    bad[3] = np.inf
    windows, events = stream.push(bad.tobytes(), 0.0)
    assert events == ['nonfinite'] and np.isfinite(windows[0].samples).all()
    assert stream.push(b'', 1.0)[1] == ['empty']
    big = np.zeros(16000 * 12, np.float32)
    big[-16000:] = 0.25
    windows, events = stream.push(big.tobytes(), 2.0)
    assert events == ['oversize'] and stream.counters.oversize == 1
    assert len(windows) == 1   # only the newest window's worth of audio was kept
    assert windows[0].stamp == pytest.approx(2.0 + 11.0, abs=1e-3)
    assert np.allclose(windows[0].samples, 0.25)


def test_format_change_resets_stream():
    stream = AudioStream(16000, 1.0, 0.5)
    stream.push(encode_pcm(np.zeros(8000, np.float32)), 0.0)
    stream.set_format(48000, 2, 'S32LE')
    assert stream.buffered_seconds == 0.0 and stream.sample_rate == 48000
    with pytest.raises(InputFormatError):
        stream.set_format(0, 1, 'S16LE')
    with pytest.raises(ValueError):
        AudioStream(16000, 0.5, 1.0)


def test_receive_clock_stamper_smooths_jitter():
    stamper = ReceiveClockStamper(tolerance=0.5)
    assert stamper(10.1, 0.1) == pytest.approx(10.0)
    assert stamper(10.23, 0.1) == pytest.approx(10.1)     # jitter: keep the timeline
    assert stamper(10.25, 0.3) == pytest.approx(10.2)     # burst with a longer chunk: no going back
    assert stamper(20.0, 0.1) == pytest.approx(19.9)      # far ahead: re-anchor
    for k in range(50):                                   # a replay 4x faster than real time
        stamp = stamper(20.0 + 0.025 * (k + 1), 0.1)
    assert stamp == pytest.approx(19.9 + 0.1 * 50)        # keeps its gap-free timeline
    assert stamper(5.0, 0.1) == pytest.approx(4.9)        # receive clock went back: re-anchor


def test_top_k():
    assert top_k(np.array([0.1, 0.7, 0.2]), 2) == [(1, pytest.approx(0.7)), (2, pytest.approx(0.2))]
    assert len(top_k(np.array([0.5, 0.5]), 10)) == 2
