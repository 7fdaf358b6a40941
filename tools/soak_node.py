#!/usr/bin/env python3
# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Soak degram_node: hours of audio with driver-like stamps and format changes (not a test).

A publisher process plays the bundled demo scene (``degram_ros/degram_ros/assets/demo/scene.ogg``)
in a loop, ``--speed`` times faster than real time, as ``AudioDataStamped`` (``--chunk`` s
messages, capture stamps on the audio's own clock) with what real drivers do to it:

* every stamp off by Gaussian jitter (``--jitter``, σ 10 ms, clipped at 3 σ);
* bursts: now and then the driver's callback stalls: 2-4 messages held back, then handed over
  back to back, each stamped late by the stall (20-80 ms, plus the jitter);
* now and then a 1 s real gap: 1 s of audio is lost (the stamps jump by 1 s) and the producer
  pauses for 1 s of wall time;
* now and then an exact duplicate (the same stamp and bytes sent twice);
* every ``--format-every`` wall seconds an audio format change, int16 16 kHz mono ↔ float32
  44.1 kHz stereo (a new latched ``AudioInfo``, then 0.3 s of wall time and 1 s of audio lost, as
  when a driver re-opens its device).

The audio writer is reliable and keeps ``10 * speed`` messages (audio_capture's 10 messages of
wall-time slack, scaled with the speed); the node's reader is ``audio_qos: reliable`` (depth 100).

This process runs ``degram_node`` (in process, :class:`degram_ros.in_process.InProcess`, so its
counters can be read exactly) and a subscriber counting the ``sound_event`` results; every
``--sample`` seconds it records the resident memory of this process (VmRSS: the node, its model,
rclpy and the subscriber; the publisher is another process) and the node's counters.

The accounting, checked at the end (model-rate samples; :class:`degram.streaming.StreamCounters`
of the node's stream, the same values /diagnostics reports):

* **samples**: ``received_samples`` (what the resampler put into the buffer) =
  ``windowed_samples`` (inside at least one window) + ``discarded_samples`` (buffered, then thrown
  away by a reset: gap, restart, format change, oversize) + ``buffered_samples`` (not yet in a
  window, less than a window plus a hop). Exact, an integer identity.
* **windows**: ``windows`` (cut by the stream) = ``windows_processed`` + ``windows_dropped``
  (replaced by a newer one before inference took them: inference slower than the hop) +
  ``inference_errors`` + windows still waiting (0 once drained). Exact.
* **messages**: the audio messages the node counted = those the publisher sent (duplicates
  included); a difference is transport loss (the reader's queue overflowing).
* **input**: ``received_samples`` against the publisher's unique audio at the model rate
  (duplicates excluded); the difference is what the resampler holds back at each reset of a
  resampled segment (tens of samples each), reported, not asserted.

Prints a row per sample and a Markdown table at the end (``--out``: JSON). Run after
``source tools/env.sh``:

    python tools/soak_node.py --minutes 60 --speed 10 [--model sound_event] [--seed 0]
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SCENE = ROOT / 'degram_ros' / 'degram_ros' / 'assets' / 'demo' / 'scene.ogg'
FORMATS = [(16000, 1, 'S16LE'), (44100, 2, 'F32LE')]
NS = '/soak'


def rss_mb(pid: int) -> float:
    for line in Path(f'/proc/{pid}/status').read_text().splitlines():
        if line.startswith('VmRSS:'):
            return int(line.split()[1]) / 1024
    return float('nan')


# -- the publisher (a child process) ----------------------------------------------------------------
def publish(args) -> int:
    """The driver stand-in: runs for ``args.minutes`` of wall time, then writes its counts as JSON
    to ``args.stats``."""
    import soxr

    from degram.audio import load_audio
    from degram.streaming import encode_pcm

    sys.path.insert(0, str(ROOT / 'degram_ros' / 'test'))   # the tests' harness
    from harness import AudioSource, RosHarness

    rng = np.random.default_rng(args.seed)
    mono16, rate = load_audio(SCENE, 16000)
    assert rate == 16000
    scene44 = soxr.resample(mono16, 16000, 44100).astype(np.float32)
    stereo44 = np.stack([scene44, 0.8 * scene44], axis=1)
    sources = {16000: mono16, 44100: stereo44}
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stats = {'messages': 0, 'duplicates': 0, 'bursts': 0, 'gaps': 0, 'format_changes': 0,
             'unique_model_samples': 0.0, 'audio_seconds': 0.0, 'late_s_max': 0.0}
    with RosHarness(threads=2) as ros:
        src = AudioSource(ros, NS)
        # audio_capture's writer keeps 10 messages (1 s at 10 Hz); at ``speed`` times real time the
        # same wall-time slack takes 10 * speed
        ros.client.destroy_publisher(src.pub_stamped)
        src.pub_stamped = ros.publisher(src.AudioDataStamped, f'{NS}/audio_stamped', max(10, round(10 * args.speed)))
        if not src.wait_connected(stamped=True, timeout=120):
            print('publisher: the node never subscribed', file=sys.stderr)
            return 1
        fmt_index = 0
        rate, channels, sample_format = FORMATS[fmt_index]
        src.info(rate, channels, sample_format)
        time.sleep(1.0)
        wall0 = time.monotonic()
        end = wall0 + 60 * args.minutes
        next_format = wall0 + args.format_every
        next_gap = wall0 + rng.exponential(args.gap_every)
        t_audio = 1000.0                # capture time of the next frame (the audio clock)
        position = 0                    # frame of the looped source
        schedule = time.monotonic()     # wall time the next message is due
        pending: list = []              # a burst being held back: (payload, true stamp, frames)
        pending_size, stall = 0, 0.0

        def chunk_frames() -> int:
            return int(round(args.chunk * rate))

        def take(n: int) -> np.ndarray:
            nonlocal position
            audio = sources[rate]
            idx = (position + np.arange(n)) % len(audio)
            position = (position + n) % len(audio)
            return audio[idx]

        def send(payload: bytes, stamp: float, frames: int) -> None:
            src.raw(payload, stamp)
            stats['messages'] += 1
            stats['unique_model_samples'] += frames * 16000 / rate
            stats['audio_seconds'] += frames / rate
            if rng.random() < args.duplicate_rate:
                src.raw(payload, stamp)
                stats['messages'] += 1
                stats['duplicates'] += 1

        while not stop.is_set():
            now = time.monotonic()
            if now >= end:
                break
            if now >= next_format:        # the driver re-opens the device in the other format
                fmt_index = 1 - fmt_index
                rate, channels, sample_format = FORMATS[fmt_index]
                position = int(position * rate / FORMATS[1 - fmt_index][0]) % len(sources[rate])
                src.info(rate, channels, sample_format)
                stats['format_changes'] += 1
                time.sleep(0.3)
                t_audio += 1.0
                schedule = time.monotonic()
                next_format = now + args.format_every
                continue
            if now >= next_gap:           # 1 s of audio lost, the producer silent for 1 s
                take(rate)
                t_audio += 1.0
                stats['gaps'] += 1
                time.sleep(1.0)
                schedule = time.monotonic()
                next_gap = time.monotonic() + rng.exponential(args.gap_every)
                continue
            n = chunk_frames()
            frames = take(n)
            payload = encode_pcm(frames if channels > 1 else frames.reshape(-1), sample_format)
            jitter = float(np.clip(rng.normal(0.0, args.jitter), -3 * args.jitter, 3 * args.jitter))
            stamp, t_audio = t_audio, t_audio + n / rate
            if not pending and rng.random() < args.burst_rate:   # the driver's callback stalls
                pending_size = int(rng.integers(2, 5))
                stall = float(rng.uniform(0.02, 0.08))
                stats['bursts'] += 1
            if pending or pending_size:
                pending.append((payload, stamp, n))
                if len(pending) < pending_size:   # held back: handed over later, all at once
                    schedule += n / rate / args.speed
                    continue
                for payload_k, stamp_k, n_k in pending:   # stamped late by the stall
                    late = stall + float(np.clip(rng.normal(0.0, args.jitter), -3 * args.jitter,
                                                 3 * args.jitter))
                    stats['late_s_max'] = max(stats['late_s_max'], late)
                    send(payload_k, stamp_k + late, n_k)
                pending, pending_size = [], 0
            else:
                send(payload, stamp + jitter, n)
            schedule += n / rate / args.speed
            delay = schedule - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            elif delay < -5.0:            # fell behind by seconds: do not try to catch up
                schedule = time.monotonic()
        stats['wall_s'] = time.monotonic() - wall0
        time.sleep(1.0)   # let the last messages go out
    Path(args.stats).write_text(json.dumps(stats))
    return 0


# -- the node side --------------------------------------------------------------------------------------
def snapshot(node, results: int) -> dict:
    channel = node.channel
    c, k = channel.stream.counters, channel.counts
    return {
        'messages': c.messages, 'windows': c.windows, 'processed': k['windows_processed'],
        'dropped': k['dropped_windows'], 'errors': k['inference_errors'], 'pending': node.pending_windows(),
        'received_samples': c.samples, 'windowed_samples': c.windowed_samples,
        'discarded_samples': sum(c.discarded_samples.values()), 'discarded_by': dict(c.discarded_samples),
        'buffered_samples': channel.stream.unused_samples, 'resets': c.resets, 'reanchors': c.reanchors,
        'gaps': c.discontinuity, 'backwards': c.backwards, 'duplicates': c.duplicates,
        'format_changes': c.format_changes, 'results': results, 'decode_errors': k['decode_errors'],
        'late': k['late_windows'],
    }


def soak(args) -> dict:
    from degram_msgs.msg import SoundEvent
    from degram_ros.in_process import InProcess
    from degram_ros.node import DegramNode

    stats_path = Path(args.out or '/tmp/soak_node.json').with_suffix('.publisher.json')
    stats_path.unlink(missing_ok=True)
    results = [0]
    lock = threading.Lock()

    def on_result(_msg):
        with lock:
            results[0] += 1

    samples = []
    with InProcess(threads=2) as ros:
        node = ros.add(DegramNode, 'degram_node', namespace=NS,
                       params={'model_path': args.model, 'device': 'cpu', 'stamped': True,
                               'num_threads': args.threads, 'audio_qos': 'reliable'})
        ros.client.create_subscription(SoundEvent, f'{NS}/sound_event', on_result, 100)
        window, hop = node.stream.window_length, node.stream.hop_length
        pub = subprocess.Popen([sys.executable, __file__, '--publisher', '--stats', str(stats_path),
                                *sys.argv[1:]], stdin=subprocess.DEVNULL)
        t0 = time.monotonic()
        print(f'soak: model {args.model}, window {window} s, hop {hop} s, {args.minutes} min at {args.speed}x; '
              f'node pid {os.getpid()}, publisher pid {pub.pid}', flush=True)
        print('  min   RSS MB  messages   windows processed   dropped   results  resets reanchors', flush=True)
        next_sample = t0
        while True:
            now = time.monotonic()
            if now >= next_sample:
                snap = snapshot(node, results[0])
                snap.update(wall_s=now - t0, rss_mb=rss_mb(os.getpid()), alive=node.inferring)
                samples.append(snap)
                print(f"{snap['wall_s'] / 60:5.1f} {snap['rss_mb']:8.1f} {snap['messages']:9d} {snap['windows']:9d} "
                      f"{snap['processed']:9d} {snap['dropped']:9d} {snap['results']:9d} {snap['resets']:7d} "
                      f"{snap['reanchors']:9d}", flush=True)
                next_sample += args.sample
            if pub.poll() is not None:
                break
            time.sleep(min(1.0, max(0.05, next_sample - time.monotonic())))
        if pub.returncode != 0:
            raise RuntimeError(f'the publisher failed ({pub.returncode})')
        publisher = json.loads(stats_path.read_text())
        # drain: every message taken, every window decided, every result delivered
        ros.wait_for(lambda: node.channel.stream.counters.messages >= publisher['messages'], 30)
        ros.wait_for(lambda: node.pending_windows() == 0, 30)
        time.sleep(2.0)
        final = snapshot(node, results[0])
        final.update(wall_s=time.monotonic() - t0, rss_mb=rss_mb(os.getpid()), alive=node.inferring)
        samples.append(final)
    return report(args, window, hop, publisher, samples)


def report(args, window: float, hop: float, publisher: dict, samples: list[dict]) -> dict:
    f = samples[-1]
    rss = np.array([s['rss_mb'] for s in samples])
    minutes = np.array([s['wall_s'] / 60 for s in samples])
    slope = float(np.polyfit(minutes, rss, 1)[0] * 60) if len(samples) > 2 else float('nan')
    half = minutes >= minutes[-1] / 2
    slope2 = float(np.polyfit(minutes[half], rss[half], 1)[0] * 60) if half.sum() > 2 else float('nan')
    samples_ok = f['received_samples'] == f['windowed_samples'] + f['discarded_samples'] + f['buffered_samples']
    windows_ok = f['windows'] == f['processed'] + f['dropped'] + f['errors'] + f['pending']
    summary = {
        'wall_minutes': round(publisher['wall_s'] / 60, 2),
        'audio_minutes': round(publisher['audio_seconds'] / 60, 1),
        'speed_achieved': round(publisher['audio_seconds'] / publisher['wall_s'], 2),
        'messages_sent': publisher['messages'], 'messages_received': f['messages'],
        'results': f['results'], 'windows': f['windows'], 'windows_processed': f['processed'],
        'windows_dropped': f['dropped'], 'inference_errors': f['errors'], 'late_windows': f['late'],
        'sent_bursts': publisher['bursts'], 'sent_gaps': publisher['gaps'],
        'sent_duplicates': publisher['duplicates'], 'sent_format_changes': publisher['format_changes'],
        'resets': f['resets'], 'reanchors': f['reanchors'], 'stamp_gaps': f['gaps'], 'backwards': f['backwards'],
        'duplicates': f['duplicates'], 'format_changes': f['format_changes'], 'decode_errors': f['decode_errors'],
        'received_samples': f['received_samples'], 'windowed_samples': f['windowed_samples'],
        'discarded_samples': f['discarded_samples'], 'discarded_by': f['discarded_by'],
        'buffered_samples': f['buffered_samples'], 'samples_identity': samples_ok, 'windows_identity': windows_ok,
        'published_unique_samples': round(publisher['unique_model_samples']),
        'input_shortfall_samples': round(publisher['unique_model_samples']) - f['received_samples'],
        'rss_start_mb': round(float(rss[0]), 1), 'rss_end_mb': round(float(rss[-1]), 1),
        'rss_max_mb': round(float(rss.max()), 1), 'rss_slope_mb_per_h': round(slope, 1),
        'rss_slope_second_half_mb_per_h': round(slope2, 1), 'node_alive': bool(f['alive']),
        'window_s': window, 'hop_s': hop, 'speed': args.speed, 'model': args.model, 'seed': args.seed,
    }
    rows = [
        ('wall minutes / audio minutes (speed achieved)',
         f"{summary['wall_minutes']} / {summary['audio_minutes']} ({summary['speed_achieved']}x)"),
        ('audio messages sent / received', f"{summary['messages_sent']} / {summary['messages_received']}"),
        ('sent: bursts, 1 s gaps, duplicates, format changes',
         f"{publisher['bursts']}, {publisher['gaps']}, {publisher['duplicates']}, {publisher['format_changes']}"),
        ('node: resets, re-anchors, stamp gaps, backwards, duplicates, format changes',
         f"{f['resets']}, {f['reanchors']}, {f['gaps']}, {f['backwards']}, {f['duplicates']}, {f['format_changes']}"),
        ('windows = processed + dropped + errors + pending',
         f"{f['windows']} = {f['processed']} + {f['dropped']} + {f['errors']} + {f['pending']}: "
         + ('holds' if windows_ok else 'FAILS')),
        ('results received (late windows)', f"{f['results']} ({f['late']})"),
        ('received = windowed + discarded + buffered samples',
         f"{f['received_samples']} = {f['windowed_samples']} + {f['discarded_samples']} + "
         f"{f['buffered_samples']}: " + ('holds' if samples_ok else 'FAILS')),
        ('discarded by reason', ', '.join(f'{k} {v}' for k, v in sorted(f['discarded_by'].items())) or 'none'),
        ('published unique samples (16 kHz) − received', f"{summary['published_unique_samples']} − "
         f"{f['received_samples']} = {summary['input_shortfall_samples']}"),
        ('RSS start / end / max (MB)',
         f"{summary['rss_start_mb']} / {summary['rss_end_mb']} / {summary['rss_max_mb']}"),
        ('RSS slope (MB/hour): whole run, second half',
         f"{summary['rss_slope_mb_per_h']}, {summary['rss_slope_second_half_mb_per_h']}"),
        ('node still active, inference thread alive', 'yes' if f['alive'] else 'NO'),
    ]
    print('\n| quantity | value |\n|---|---|')
    for name, value in rows:
        print(f'| {name} | {value} |')
    return {'summary': summary, 'samples': samples, 'publisher': publisher}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--minutes', type=float, default=60.0, help='wall-clock minutes (default 60)')
    parser.add_argument('--speed', type=float, default=10.0, help='times faster than real time (default 10)')
    parser.add_argument('--model', default='sound_event', help='checkpoint or shipped model name')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--threads', type=int, default=1, help='num_threads of the node (default 1)')
    parser.add_argument('--chunk', type=float, default=0.1, help='seconds of audio per message (default 0.1)')
    parser.add_argument('--jitter', type=float, default=0.01, help='σ of the stamps\' jitter, s (default 0.01)')
    parser.add_argument('--burst-rate', type=float, default=0.005, help='chance a message starts a burst')
    parser.add_argument('--duplicate-rate', type=float, default=0.002, help='chance a message is sent twice')
    parser.add_argument('--gap-every', type=float, default=60.0, help='mean wall seconds between 1 s gaps')
    parser.add_argument('--format-every', type=float, default=180.0, help='wall seconds between format changes')
    parser.add_argument('--sample', type=float, default=30.0, help='wall seconds between RSS samples')
    parser.add_argument('--out', help='write the summary and the samples as JSON here')
    parser.add_argument('--publisher', action='store_true', help=argparse.SUPPRESS)
    parser.add_argument('--stats', help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.publisher:
        return publish(args)
    result = soak(args)
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=1))
    s = result['summary']
    return 0 if s['samples_identity'] and s['windows_identity'] and s['node_alive'] else 1


if __name__ == '__main__':
    sys.exit(main())
