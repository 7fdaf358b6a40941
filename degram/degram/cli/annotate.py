# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""`degram annotate`: the node's results, offline, for a ROS 2 bag or audio files."""
from __future__ import annotations

import sys

from .common import add_device_argument


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        'annotate', help='run a model over a ROS 2 bag (sqlite3 or MCAP) or audio files, as the node would',
        description='Read audio_common_msgs audio from a ROS 2 bag (no ROS installation needed: the rosbags '
        'package) or WAV/FLAC/Ogg files and write, per window, the level, the decision and the best class, '
        'plus the events with onset and offset, through the same streaming, gating and event code as '
        'degram_node. Output: .json (everything) or .csv (windows; events in <stem>_events.csv).')
    parser.add_argument('inputs', nargs='*', metavar='FILE', help='audio files (without --bag)')
    parser.add_argument('--bag', help='ROS 2 bag folder or file')
    parser.add_argument('--topic', help='--bag: the AudioData / AudioDataStamped topic (its audio_info sibling '
                        'is read too)')
    parser.add_argument('--model', required=True, help='checkpoint, .onnx export or shipped model name')
    parser.add_argument('--window', type=float, help="seconds (default: the model's, else 1)")
    parser.add_argument('--hop', type=float, help="seconds (default: the model's, else 0.5)")
    parser.add_argument('--threshold', type=float, help='one threshold for every class instead of the calibrated ones')
    add_device_argument(parser)
    parser.add_argument('--sounds-db', metavar='SOUNDS.json', help='also detect the sounds taught to the model '
                        '(degram teach): they get windows, detections and events like its own classes')
    parser.add_argument('-o', '--output', required=True, help='results.csv or results.json (one input), or a '
                        'folder (several files)')
    parser.add_argument('--no-progress', action='store_true')
    parser.set_defaults(func=run)


def run(args) -> int:
    from pathlib import Path

    from ..annotate import annotate, write_annotation
    from ..inference import load_model
    from ..streaming.bags import BagError

    if bool(args.bag) == bool(args.inputs) or (args.bag and not args.topic):
        print('degram annotate: error: give --bag BAG --topic TOPIC, or audio files', file=sys.stderr)
        return 2
    predictor = load_model(args.model, device=args.device)
    if args.sounds_db:
        from ..sounds import SoundDatabaseError
        from .sounds_common import with_sounds

        try:
            predictor = with_sounds(predictor, args.sounds_db)
        except SoundDatabaseError as exc:
            print(f'degram annotate: error: {exc}', file=sys.stderr)
            return 2
    window, hop = predictor.metadata.window_and_hop(args.window, args.hop)
    sources = [args.bag] if args.bag else args.inputs
    output = Path(args.output)
    for source in sources:
        target = output if len(sources) == 1 else output / f'{Path(source).stem}.csv'
        try:
            result = annotate(predictor, source, topic=args.topic, window_length=window, hop_length=hop,
                              threshold=args.threshold, progress=not args.no_progress)
        except BagError as exc:
            print(f'degram annotate: error: {exc}', file=sys.stderr)
            return 1
        written = write_annotation(result, target)
        detected = sum(row['detected'] for row in result.windows)
        print(f'{source}: {len(result.windows)} windows ({detected} with a detection), {len(result.events)} events'
              + (f', skipped {result.skipped_messages}' if result.skipped_messages else '')
              + f' -> {", ".join(map(str, written))}')
    return 0
