# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""`degram teach --db SOUNDS.json --name NAME FILE...`: teach a sound-event model a new sound."""
from __future__ import annotations

from .common import add_data_root_argument, add_device_argument
from .sounds_common import DEFAULT_MODEL, add_sounds_db_argument


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        'teach', help='teach a sound-event model a new sound from a few recordings',
        description='Cut each recording into the model\'s windows, keep those that hold the sound (within '
        '20 dB of the loudest and above the level gate), embed them (the model\'s pooled features) and store '
        'their mean direction as NAME\'s prototype in the database (created when missing; a taught NAME is '
        'merged unless --replace). The detection threshold is calibrated against a background: synthetic '
        'silence and room noise, and, when the shared data folder is found, speech, recorded room noise and '
        'the model\'s own classes, plus any --background files (your robot\'s room); the background\'s '
        'embeddings are cached after the first run. Exit status 2 for a bad name, silent recordings or a '
        'database that is damaged or belongs to another model.')
    add_sounds_db_argument(parser)
    parser.add_argument('--name', required=True, help='the sound (at most 64 characters, not one of the '
                        "model's own classes)")
    parser.add_argument('--model', default=DEFAULT_MODEL, help=f'sound-event checkpoint or shipped model name '
                        f'(default {DEFAULT_MODEL}); must be the model the database was made with')
    add_device_argument(parser)
    parser.add_argument('--background', action='append', default=[], metavar='FILE',
                        help='recordings of what is NOT the sound (repeatable): the threshold stays above them')
    parser.add_argument('--no-corpus', action='store_true',
                        help='do not use the shared data folder for the background (synthetic silence/noise '
                        'and --background only)')
    add_data_root_argument(parser)
    parser.add_argument('--prototypes', type=int, default=1, help='prototypes per sound (1-8, default 1; '
                        'more for a sound with several distinct forms)')
    parser.add_argument('--replace', action='store_true', help='forget what NAME was taught before')
    parser.add_argument('--json', action='store_true', help='print one JSON object')
    parser.add_argument('files', nargs='+', metavar='FILE', help='recordings of the sound (WAV/FLAC/Ogg)')
    parser.set_defaults(func=run)


def run(args) -> int:
    import json
    import time

    from ..inference import load_model
    from ..sounds import Background, SoundDatabaseError, check_sound_name, teach
    from .sounds_common import open_sounds
    from .speaker_common import fail

    try:
        check_sound_name(args.name)
        if not 1 <= args.prototypes <= 8:
            raise ValueError(f'--prototypes must be 1-8, got {args.prototypes}')
    except ValueError as exc:
        return fail(args, exc)
    predictor = load_model(args.model, device=args.device)
    try:
        database = open_sounds(args.db, predictor, create=True)
    except SoundDatabaseError as exc:
        return fail(args, exc)
    background = Background.build(predictor, files=args.background, corpus=not args.no_corpus,
                                  data_root=args.data_root)
    start = time.perf_counter()
    try:
        report = teach(predictor, database, args.name, args.files, background, prototypes=args.prototypes,
                       replace=args.replace)
        database.save()
    except (ValueError, OSError) as exc:
        return fail(args, exc)
    seconds = time.perf_counter() - start
    sound, recall = report.sound, report.expected_recall
    if args.json:
        print(json.dumps({'db': str(args.db), 'name': sound.name, 'windows': report.windows, 'clips': report.clips,
                          'threshold': sound.threshold, 'scale': sound.scale, 'count': sound.count,
                          'calibration': report.calibration, 'seconds': round(seconds, 3)}))
        return 0
    kinds = ', '.join(f'{k} {v}' for k, v in background.counts().items())
    print(f"taught '{sound.name}': {report.windows} windows from {report.clips} file(s) ({report.seconds:.1f} s) in "
          f"{seconds:.2f} s; {sound.count} windows in all; cosine threshold {sound.threshold:.3f} (background "
          f"windows: {kinds}); {args.db} ({len(database)} sounds, model {database.model_name})")
    if recall is not None:
        print(f'  held-out windows of the sound detected: {recall:.0%}'
              + ('  (low: teach more or cleaner recordings, or the sound resembles the background)'
                 if recall < 0.5 else ''))
    return 0
