# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Inference cost of the robust models' compression against the paper's: DEGram-ResNet18 with
``top_db`` (PeakDecibels) and with the standardised log (LogStandardise), same weights otherwise,
interleaved in one run; prints medians and the paired ratio (machines are noisy: compare ratios).

    python tools/bench_compression.py [--runs 40] [--threads 2] [--output docs/figures/bench_compression.json]
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import torch


def main(argv=None) -> int:
    from degram import build_model
    from degram.bench.config import BenchConfig
    from degram.bench.timing import paired_ratio, time_contenders
    from degram.bench.workload import noise_waveform

    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--runs', type=int, default=40)
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--window', type=float, default=2.0, help='seconds (the sound_event window)')
    parser.add_argument('--output', metavar='FILE.json')
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    config = BenchConfig(Path('.'), runs=args.runs, warmup=5)
    device = torch.device('cpu')
    rows = {}
    for batch in (1, 8):
        models = {}
        for name, top_db in (('standardised_log', None), ('peak_decibels', 80.0)):
            torch.manual_seed(0)
            models[name] = build_model('degram', 'resnet18', num_classes=50, top_db=top_db).eval()
        models['peak_decibels'].load_state_dict(models['standardised_log'].state_dict())
        waveform = noise_waveform(batch, args.window, 0, device)
        with torch.inference_mode():
            times, summary = time_contenders({k: (lambda m=m, w=waveform: m(w)) for k, m in models.items()},
                                             config, device)
        rows[f'batch{batch}'] = {
            'median_ms': {k: v['median_ms'] for k, v in summary.items()},
            'paired_ratio_peak_over_log': paired_ratio(times['peak_decibels'], times['standardised_log'])}
        medians = rows[f'batch{batch}']['median_ms']
        print(f"batch {batch}, {args.window:g} s, {args.threads} threads: standardised log "
              f"{medians['standardised_log']:.1f} ms, top_db 80 {medians['peak_decibels']:.1f} ms, "
              f"paired ratio {rows[f'batch{batch}']['paired_ratio_peak_over_log']:.3f}")
    if args.output:
        Path(args.output).write_text(json.dumps({'threads': args.threads, 'window_s': args.window,
                                                 'runs': args.runs, 'rows': rows}, indent=2) + '\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
