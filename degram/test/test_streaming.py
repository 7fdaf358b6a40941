# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Unit tests of degram.streaming (no ROS needed)."""
from __future__ import annotations

import numpy as np
import pytest

from degram.inference import top_k
from degram.streaming import (
    SAMPLE_FORMATS,
    AudioStream,
    InputFormatError,
    SampleClock,
    decode_pcm,
    encode_pcm,
    frame_bytes,
    normalize_sample_format,
    select_channel,
)


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
    # at the end of the input (a file, a bag) the delay comes out: the 5th window, stamped on time,
    # then the segment ends with the leftover counted (the last window of a resampled file was lost)
    tail = stream.end_of_input()
    assert [w.index for w in tail] == [4] and tail[0].samples.shape == (16000,)
    assert tail[0].stamp == pytest.approx(52.0, abs=1e-3)
    seconds = 2.0 + np.arange(16000) / 16000   # channel -1 is the mean of the two channels
    expected = 0.15 * np.sin(seconds * rate * 0.05)
    np.testing.assert_allclose(tail[0].samples[:15900], expected[:15900], atol=0.01)
    c = stream.counters
    assert c.samples == 3 * 16000 and c.windowed_samples == 3 * 16000
    assert c.discarded_samples.get('end_of_input', 0) == 0 and stream.unused_samples == 0


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


def test_sample_clock_averages_agreeing_stamps_and_judges_the_others():
    clock = SampleClock(tolerance=0.1, gap_tolerance=0.2)
    assert clock.observe(10.02, 0.0) == 'agrees' and clock.time_at(0.0) == pytest.approx(10.02)
    assert clock.observe(10.23, 0.25) == 'agrees'          # 20 ms early: the mean of the two
    assert clock.time_at(0.0) == pytest.approx(10.0)
    assert clock.observe(10.62, 0.5) == 'reanchor'         # 120 ms late, not a gap: jump to it
    assert clock.time_at(0.5) == pytest.approx(10.62)
    assert clock.observe(10.70, 0.75) == 'reanchor'        # 170 ms early, after the previous start
    assert clock.observe(11.5, 1.0) == 'discontinuity'     # 300 ms late: audio was lost
    assert clock.observe(10.0, 1.0) == 'backwards'         # before the previous message began
    assert clock.observe(10.0, 1.0, may_reset=False) == 'reanchor'   # the receive clock: no resets
    assert clock.time_at(1.0) == pytest.approx(10.0)
    with pytest.raises(ValueError):
        SampleClock(tolerance=0.0)


def test_top_k():
    assert top_k(np.array([0.1, 0.7, 0.2]), 2) == [(1, pytest.approx(0.7)), (2, pytest.approx(0.2))]
    assert len(top_k(np.array([0.5, 0.5]), 10)) == 2


def _s16(seconds, rate=16000, amplitude=0.3):
    t = np.arange(int(seconds * rate)) / rate
    return encode_pcm(amplitude * np.sin(2 * np.pi * 440 * t), 'S16LE')


def test_float_input_beyond_full_scale_is_clipped_and_counted():
    stream = AudioStream(16000, 0.5, 0.5, sample_format='F32LE')
    huge = np.full(8000, 1e38, dtype='<f4').tobytes()
    windows, events = stream.push(huge, 0.0)
    assert 'clipped' in events and stream.counters.clipped == 1
    assert len(windows) == 1 and np.abs(windows[0].samples).max() <= 1.0 + 1e-6


def test_exact_duplicates_are_dropped_and_counted_and_overlaps_keep_the_buffer():
    stream = AudioStream(16000, 1.0, 0.5)
    first = _s16(0.4)
    stream.push(first, 10.0)
    windows, events = stream.push(first, 10.0)               # the same stamp and bytes again
    assert events == ['duplicate'] and stream.counters.duplicates == 1 and windows == []
    assert stream.buffered_seconds == pytest.approx(0.4)     # the buffer is kept
    windows, events = stream.push(_s16(0.4, amplitude=0.2), 10.39)   # overlaps by 10 ms: jitter
    assert events == [] and stream.buffered_seconds == pytest.approx(0.8)
    windows, events = stream.push(_s16(0.4), 10.8)
    assert events == [] and [w.stamp for w in windows] == [pytest.approx(10.0, abs=0.005)]   # the mean
    assert stream.counters.resets == 1 and stream.counters.discarded_samples == {}


def test_format_changes_are_counted_with_what_they_discard():
    stream = AudioStream(16000, 1.0, 0.5)
    stream.push(_s16(0.3), 0.0)
    stream.set_format(16000, 1, 'S16LE')                    # the same format: nothing happens
    assert stream.counters.format_changes == 0 and stream.buffered_seconds == pytest.approx(0.3)
    stream.set_format(48000, 1, 'S16LE')
    assert stream.counters.format_changes == 1 and stream.counters.discarded_samples == {'format_change': 4800}


def test_stream_input_keeps_its_stamps_on_an_identical_audio_info_and_resets_on_a_pause():
    from degram.streaming import StreamInput

    source = StreamInput(AudioStream(16000, 1.0, 0.5))
    source.set_info(16000, 1, 'S16LE', 'wave')
    stamps = []
    for k in range(16):                                     # 0.1 s chunks in real time
        if k == 8:
            source.set_info(16000, 1, 'S16LE', 'wave')      # wav_publisher re-sends it each loop
        windows, events = source.push(_s16(0.1), None, 100.0 + 0.1 * (k + 1))
        assert 'backwards' not in events
        stamps += [w.stamp for w in windows]
    assert stamps == pytest.approx([100.0, 100.5])
    assert source.stream.counters.resets == 1               # only the one at start-up
    windows, events = source.push(_s16(0.1), None, 106.7)   # the producer paused for 5 s
    assert events == ['receive_gap'] and source.stream.counters.receive_gaps == 1
    assert source.stream.counters.discarded_samples == {'receive_gap': 1600}   # the 0.1 s no window used
    windows, _ = source.push(_s16(1.0), None, 107.7)
    assert [round(w.stamp, 2) for w in windows] == [106.6]  # new audio only, stamped after the pause


def test_mp3_bytes_are_recognised_without_audio_info_and_pcm_is_not():
    from degram.streaming import StreamInput
    from degram.streaming.mp3 import looks_like_mp3

    header = bytes([0xFF, 0xFB, 0x90, 0x64])                # MPEG-1 layer III, 128 kbit/s, 44.1 kHz
    frame = header + bytes(413)                             # 417-byte frames
    assert looks_like_mp3(frame * 3) and looks_like_mp3(b'ID3\x04\x00\x00\x00\x00\x00\x21' + frame)
    assert not looks_like_mp3(header + bytes(1000))         # one header-like sample pair is not MP3
    rng = np.random.default_rng(0)
    assert not any(looks_like_mp3(encode_pcm(rng.uniform(-1, 1, 4000), 'S16LE')) for _ in range(50))
    source = StreamInput(AudioStream(16000, 1.0, 0.5))
    with pytest.raises(InputFormatError, match='MP3') as error:
        source.push(frame * 3, None, 1.0)
    assert error.value.kind == 'mp3'


def test_long_input_strings_are_quoted_short():
    with pytest.raises(InputFormatError) as error:
        normalize_sample_format('X' * 1_000_000)
    assert len(str(error.value)) < 200 and '1000000 characters' in str(error.value)


def test_a_fast_replay_of_plain_audio_keeps_every_window_and_stamps_near_arrival():
    from degram.streaming import StreamInput

    source = StreamInput(AudioStream(16000, 1.0, 0.5))
    windows = []
    for k in range(40):                                     # 4 s of audio delivered in 1 s (4x)
        got, events = source.push(_s16(0.1), None, 50.0 + 0.025 * (k + 1))
        assert 'backwards' not in events
        windows += got
    assert len(windows) == 7                                # none lost to re-anchoring
    assert all(w.stamp <= 51.0 for w in windows)            # never in the future of the arrival
    _, events = source.push(_s16(0.1), None, 10.0)          # the receive clock itself went back
    assert events == ['backwards'] and source.stream.counters.backwards == 1


def test_portaudio_typed_samples_decode_like_the_same_pcm_bytes():
    from types import SimpleNamespace

    from degram.streaming import InputFormatError, decode_pcm, portaudio_sample_format, portaudio_to_pcm

    values = np.array([0.0, 0.5, -0.5, 0.25], np.float32)
    data = SimpleNamespace(
        float32_data=values.tolist(),
        int32_data=(values * 2**31).astype(np.int64).clip(-2**31, 2**31 - 1).tolist(),
        int24_data=(values * 2**23).astype(np.int32).tolist(),
        int16_data=(values * 2**15).astype(np.int16).tolist(),
        int8_data=(values * 2**7).astype(np.int8).tolist(),
        uint8_data=(values * 2**7 + 128).astype(np.uint8).tolist())
    for code, expected_format in ((1, 'F32LE'), (2, 'S32LE'), (4, 'S32LE'), (8, 'S16LE'), (16, 'S8'), (32, 'U8')):
        assert portaudio_sample_format(code) == expected_format
        frames, dropped = decode_pcm(portaudio_to_pcm(data, code), expected_format, 1)
        assert dropped == 0
        np.testing.assert_allclose(frames[:, 0], values, atol=1e-6, err_msg=f'format {code}')
    with pytest.raises(InputFormatError) as err:
        portaudio_sample_format(999)
    assert err.value.kind == 'unknown_format' and 'paInt16' in str(err.value)


def test_every_received_sample_is_in_a_window_discarded_or_still_buffered():
    """received = windowed + discarded + buffered, through jitter, gaps, restarts, duplicates,
    oversize messages and format changes (issue 18's accounting identity)."""
    from degram.streaming import encode_pcm

    rng = np.random.default_rng(3)
    stream = AudioStream(16000, 1.0, 0.5, max_message_length=2.0)

    def balanced() -> bool:
        c = stream.counters
        return c.samples == c.windowed_samples + sum(c.discarded_samples.values()) + stream.unused_samples

    t, rate, fmt, channels = 100.0, 16000, 'S16LE', 1
    for k in range(400):
        if k % 97 == 50:   # a format change: int16 16 kHz mono <-> float32 44.1 kHz stereo
            rate, fmt, channels = (44100, 'F32LE', 2) if fmt == 'S16LE' else (16000, 'S16LE', 1)
            stream.set_format(rate, channels, fmt)
        seconds = 3.0 if k % 131 == 7 else float(rng.choice([0.02, 0.1, 0.25]))   # now and then oversize
        frames = (0.1 * rng.standard_normal((int(seconds * rate), channels))).astype(np.float32)
        data = encode_pcm(frames, fmt)
        stamp = t + rng.normal(0, 0.01)
        if k % 53 == 20:
            stamp += 1.0   # a gap
        if k % 71 == 30:
            stamp -= 5.0   # a restarted clock
        stream.push(data, stamp)
        if k % 37 == 5:
            stream.push(data, stamp)   # an exact duplicate
        t += seconds
        assert balanced(), (k, stream.counters)
    c = stream.counters
    assert c.samples > 0 and c.windows > 0 and c.duplicates and c.oversize and c.format_changes
    assert set(c.discarded_samples) >= {'discontinuity', 'backwards', 'format_change', 'oversize'}
    # windows overlap: windowed = one window per segment with windows plus a hop per further window
    assert c.windowed_samples < c.windows * stream.window_samples
