# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""`degram identify --db PEOPLE.json FILE...`: who speaks in each file (or 'unknown')."""
from __future__ import annotations

from .speaker_common import add_db_argument, add_model_arguments


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        'identify', help='name the enrolled speaker of each audio file, or say unknown',
        description='Keep the speech of each file (silero-vad), embed its windows, average them and '
        'compare the result with every enrolled speaker (cosine, or its AS-norm against the cohort of training '
        'speakers a model ships). The best one is named when its score '
        'reaches the threshold, else the answer is unknown; confidence = 1 / (1 + exp(-scale (score - '
        'threshold))), 0.5 at the threshold. A file without speech gives "no speech" (JSON: speaker null). '
        'Exit status 2 for a missing or damaged database or one made with another model.')
    add_db_argument(parser)
    add_model_arguments(parser)
    parser.add_argument('--threshold', type=float,
                        help="cosine score needed to name someone, scoring by raw cosine (default: the model's "
                        "calibrated scoring: its speaker_threshold, in AS-norm units when it ships a cohort; else 0.5)")
    parser.add_argument('-k', '--top-k', type=int, default=3, help='candidates to report (default 3)')
    parser.add_argument('--json', action='store_true', help='print one JSON list of objects {file, speaker, known, '
                        'score, confidence, candidates, speech_seconds}')
    parser.add_argument('files', nargs='+', metavar='FILE', help='audio files (WAV/FLAC/Ogg)')
    parser.set_defaults(func=run)


def _line(path, match, seconds) -> str:
    others = ', '.join(f'{name} {score:.3f}' for name, score in match.candidates)
    return (f'{path}: {match.speaker}  score {match.score:.3f}  confidence {match.confidence:.3f}  '
            f'({seconds:.1f} s of speech; {others or "no one enrolled"})')


def run(args) -> int:
    import json

    from ..speaker import SpeakerDatabase, SpeakerDatabaseError, identify, speaker_scoring
    from ..speaker.enrollment import mean_embedding
    from ..speaker.vad import VadUnavailableError
    from .speaker_common import check_windows, fail, file_embeddings, load_predictor, make_vad

    try:
        check_windows(args)
        if args.top_k < 1:
            raise ValueError('--top-k must be >= 1')
        if args.threshold is not None and not -1.0 <= args.threshold <= 1.0:
            raise ValueError(f'--threshold {args.threshold} is not a cosine score in [-1, 1]')
    except ValueError as exc:
        return fail(args, exc)
    predictor, (model_name, model_sha) = load_predictor(args)   # a bad model: CheckpointError, exit 1
    try:
        database = SpeakerDatabase.open(args.db, model_name, model_sha, create=False)
        vad = make_vad(args)
        threshold, scale, normaliser = speaker_scoring(predictor, args.threshold)
    except (SpeakerDatabaseError, VadUnavailableError, ValueError) as exc:
        return fail(args, exc)
    results = []
    for path in args.files:
        rows, seconds = file_embeddings(predictor, path, vad, args)
        if rows is None:
            result = {'file': str(path), 'speaker': None, 'known': False, 'score': None, 'confidence': None,
                      'candidates': [], 'speech_seconds': 0.0}
            if not args.json:
                print(f'{path}: no speech')
        else:
            match = identify(mean_embedding(rows), database, threshold, scale, top_k=args.top_k,
                             normaliser=normaliser)
            result = dict(file=str(path), **match.to_dict(), speech_seconds=round(seconds, 3))
            if not args.json:
                print(_line(path, match, seconds))
        results.append(result)
    if args.json:
        print(json.dumps(results, indent=1))
    return 0
