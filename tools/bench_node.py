#!/usr/bin/env python3
# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Benchmark degram_node end to end (not a test).

For each stream count (default 1 and 8) of simultaneous real-time streams, served either by one
degram_node process per stream (``--layout separate``) or by one node with the ``streams``
parameter, batching the windows that are ready together (``--layout one``), with the PyTorch or
the ONNX Runtime backend (``--backend``; window 1 s, hop 0.5 s, CPU, 1 thread per node unless
``--threads``), publishes 16 kHz mono S16LE audio in 0.1 s AudioDataStamped chunks and measures

* latency: from the publication of the chunk that completes a window to the arrival of that
  window's result message (median, p95), and
* CPU share of each node process (user+system CPU time / wall time, from /proc/PID/stat; 100 % =
  one core) and its resident memory (VmRSS at the end), plus results received vs expected (a
  window the node dropped as stale never gives a result), and
* the bare model's latency on the same 1 s window (``Checkpoint.predict``, 1 thread, in this
  process, 50 runs after 5 warm-ups), measured just before the streams, so the report gives the
  node's overhead as ratios of medians and p95s from the same run.

Writes JSON (--out) and prints a Markdown table. Run after `source tools/env.sh`:

    python tools/bench_node.py [--model PATH|shipped name] [--streams 1 8] [--seconds 20]
    python tools/bench_node.py --layout one --streams 1 8 32 64 --backend torch onnxruntime
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

CHUNK = 0.1
WINDOW, HOP = 1.0, 0.5
RATE = 16000


def rss_mb(pid: int) -> float:
    for line in Path(f'/proc/{pid}/status').read_text().splitlines():
        if line.startswith('VmRSS:'):
            return int(line.split()[1]) / 1024
    return float('nan')


def cpu_seconds(pid: int) -> float:
    fields = Path(f'/proc/{pid}/stat').read_text().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


def default_model(tmp: Path) -> tuple[str, str]:
    from degram import PRETRAINED

    if 'sound_event' in PRETRAINED and PRETRAINED.get('sound_event').file.is_file():
        return 'sound_event', 'shipped sound_event'
    from degram import build_model, save_checkpoint

    model = build_model('degram', 'resnet18', num_classes=10, sample_rate=RATE)
    path = save_checkpoint(model, tmp / 'bench_degram_resnet18.pt',
                           labels=[f'class_{i}' for i in range(10)], task='sound_event',
                           name='bench_degram_resnet18')
    return str(path), 'temporary untrained degram+resnet18 (10 classes)'


def bare_model_latency(model: str, backend: str = 'torch', threads: int = 1, runs: int = 50) -> dict:
    import torch

    from degram import load_model

    torch.set_num_threads(threads)   # as each node runs (num_threads)
    predictor = load_model(model, backend=backend, threads=threads)
    window = (0.1 * np.random.default_rng(0).standard_normal(int(WINDOW * RATE))).astype(np.float32)
    for _ in range(5):
        predictor.predict(window, RATE)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        predictor.predict(window, RATE)
        times.append(time.perf_counter() - start)
    return {'median_ms': round(1e3 * float(np.median(times)), 1),
            'p95_ms': round(1e3 * float(np.percentile(times, 95)), 1), 'runs': runs}


def run_case(n_streams: int, model: str, seconds: float, env: dict, layout: str = 'separate',
             backend: str = 'torch', threads: int = 1) -> dict:
    from degram_msgs.msg import SoundEvent

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / 'degram_ros' / 'test'))   # the tests' harness
    from degram.streaming import encode_pcm

    from harness import AudioSource, RosHarness

    common = ['-p', f'model_path:={model}', '-p', 'device:=cpu', '-p', 'stamped:=true',
              '-p', f'window_length:={WINDOW}', '-p', f'hop_length:={HOP}', '-p', f'backend:={backend}',
              '-p', f'num_threads:={threads}', '-p', 'publish_vision_msgs:=false', '--log-level', 'warn']
    if layout == 'one':   # one node, stream i on /bench/s{i}/...
        names = ', '.join(f"'s{i}'" for i in range(n_streams))
        commands = [['-r', '__ns:=/bench', '-p', f'streams:=[{names}]']]
        prefixes = [f'/bench/s{i}' for i in range(n_streams)]
    else:
        commands = [['-r', f'__ns:=/bench{i}'] for i in range(n_streams)]
        prefixes = [f'/bench{i}' for i in range(n_streams)]
    procs = [subprocess.Popen([sys.executable, '-m', 'degram_ros.node', '--ros-args', *cmd, *common], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for cmd in commands]
    ros = RosHarness(threads=2)
    try:
        sources, received = [], []
        for i in range(n_streams):
            arrivals: list[tuple[float, float]] = []
            lock = threading.Lock()

            def on_result(msg, arrivals=arrivals, lock=lock):
                now = time.monotonic()
                with lock:
                    arrivals.append((msg.header.stamp.sec + msg.header.stamp.nanosec * 1e-9, now))
            ros.client.create_subscription(SoundEvent, f'{prefixes[i]}/sound_event', on_result, 100)
            received.append(arrivals)
            sources.append(AudioSource(ros, prefixes[i]))
        deadline = time.monotonic() + 180
        for i, src in enumerate(sources):
            proc = procs[i if layout != 'one' else 0]
            while src.pub_stamped.get_subscription_count() == 0:
                if proc.poll() is not None:
                    raise RuntimeError(f'node {i} exited: {proc.stderr.read()}')
                if time.monotonic() > deadline:
                    raise RuntimeError('nodes did not come up')
                time.sleep(0.1)
            src.info(RATE, 1, 'S16LE')
        time.sleep(2.0)   # let AudioInfo arrive and the processes settle
        rng = np.random.default_rng(0)
        audio = (0.1 * rng.standard_normal(int((seconds + WINDOW) * RATE))).astype(np.float32)
        payloads = [encode_pcm(audio[k:k + int(CHUNK * RATE)]) for k in
                    range(0, len(audio), int(CHUNK * RATE))]
        t0_stamp = 1000.0
        published: dict[int, float] = {}
        cpu0 = [cpu_seconds(p.pid) for p in procs]
        wall0 = time.monotonic()
        for k, payload in enumerate(payloads):   # real-time pacing
            target = wall0 + k * CHUNK
            delay = target - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            stamp = t0_stamp + k * CHUNK
            for src in sources:
                src.raw(payload, stamp)
            published[k] = time.monotonic()
        time.sleep(1.5)
        wall = time.monotonic() - wall0
        cpu = [(cpu_seconds(p.pid) - c) / wall for p, c in zip(procs, cpu0)]
        memory = [rss_mb(p.pid) for p in procs]
        latencies = []
        for arrivals in received:
            for stamp, arrival in arrivals:
                # the chunk that completes the window [stamp, stamp + WINDOW)
                k = int(round((stamp - t0_stamp + WINDOW) / CHUNK)) - 1
                if k in published:
                    latencies.append(arrival - published[k])
        expected_per_stream = int((len(payloads) * CHUNK - WINDOW) / HOP) + 1
        got = sum(len(a) for a in received)
        return {
            'layout': layout,
            'backend': backend,
            'streams': n_streams,
            'nodes': len(procs),
            'seconds': round(wall, 2),
            'results': got,
            'expected': expected_per_stream * n_streams,
            'latency_median_ms': round(1e3 * float(np.median(latencies)), 1) if latencies else None,
            'latency_p95_ms': round(1e3 * float(np.percentile(latencies, 95)), 1)
            if latencies else None,
            'cpu_per_node_percent': round(100 * float(np.mean(cpu)), 1),
            'cpu_total_percent': round(100 * float(np.sum(cpu)), 1),
            'memory_total_mb': round(float(np.sum(memory)), 1),
        }
    finally:
        ros.close()
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--model', help='checkpoint or shipped model name (default: shipped '
                                        'sound_event, else a temporary untrained model)')
    parser.add_argument('--streams', type=int, nargs='+', default=[1, 8])
    parser.add_argument('--layout', nargs='+', choices=['separate', 'one'], default=['separate'],
                        help='one node per stream, or one node serving every stream (streams parameter)')
    parser.add_argument('--backend', nargs='+', choices=['torch', 'onnxruntime'], default=['torch'])
    parser.add_argument('--threads', type=int, default=1, help='num_threads of each node')
    parser.add_argument('--seconds', type=float, default=20.0)
    parser.add_argument('--out', default='log/bench_node.json', help='JSON report (log/ is ignored by git)')
    args = parser.parse_args(argv)
    env = dict(os.environ)
    env.setdefault('ROS_DOMAIN_ID', str(150 + os.getpid() % 80))
    env.setdefault('ROS_AUTOMATIC_DISCOVERY_RANGE', 'LOCALHOST')
    os.environ.update(env)
    with tempfile.TemporaryDirectory() as tmp:
        model, description = (args.model, args.model) if args.model else default_model(Path(tmp))
        bare = {b: bare_model_latency(model, b, args.threads) for b in args.backend}
        rows = [run_case(n, model, args.seconds, env, layout, b, args.threads)
                for b in args.backend for layout in args.layout for n in args.streams]
    for r in rows:
        received, base = r['latency_median_ms'] is not None, bare[r['backend']]
        r['median_vs_bare_model'] = round(r['latency_median_ms'] / base['median_ms'], 2) if received else None
        r['p95_vs_bare_model'] = round(r['latency_p95_ms'] / base['p95_ms'], 2) if received else None
    import platform

    report = {'model': description, 'window_length': WINDOW, 'hop_length': HOP, 'threads': args.threads,
              'chunk_length': CHUNK, 'cpu': platform.processor() or platform.machine(),
              'cores': os.cpu_count(), 'date': time.strftime('%Y-%m-%d'), 'bare_model_latency': bare,
              'cases': rows}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2))
    bare_text = '; '.join(f"{b}: median {v['median_ms']} ms, p95 {v['p95_ms']} ms" for b, v in bare.items())
    print(f'\nmodel: {description}; window {WINDOW} s, hop {HOP} s, {CHUNK} s chunks, '
          f'{os.cpu_count()} cores, {args.threads} thread(s) per node; bare model on one window: {bare_text}\n')
    print('| backend | layout | streams | nodes | results/expected | latency median (ms) | latency p95 (ms) | '
          'median / bare | p95 / bare | CPU total (% of a core) | memory total (MB) |')
    print('|---|---|---|---|---|---|---|---|---|---|---|')
    for r in rows:
        print(f"| {r['backend']} | {r['layout']} | {r['streams']} | {r['nodes']} | {r['results']}/{r['expected']} | "
              f"{r['latency_median_ms']} | {r['latency_p95_ms']} | {r['median_vs_bare_model']} | "
              f"{r['p95_vs_bare_model']} | {r['cpu_total_percent']} | {r['memory_total_mb']} |")
    print(f'\nJSON: {args.out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
