# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""`degram predict MODEL FILE…`: top-k classes per audio file."""
from __future__ import annotations

import json

from .common import add_device_argument, add_model_argument


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        'predict', help='classify audio files (WAV/FLAC/Ogg, any rate and channels)',
        description='Classify whole audio files; prints the top-k classes of each.')
    add_model_argument(parser)
    parser.add_argument('files', nargs='+', help='audio files')
    parser.add_argument('-k', '--top-k', type=int, default=5, help='classes to show (default 5)')
    add_device_argument(parser)
    parser.add_argument('--json', action='store_true', help='print JSON lines')
    parser.add_argument('--sounds-db', metavar='SOUNDS.json', help='also score the sounds taught to the model '
                        '(degram teach): each one\'s best window of the file, * when detected')
    parser.set_defaults(func=run)


def run(args) -> int:
    import numpy as np

    from ..audio import load_audio
    from ..inference import load_checkpoint

    if args.top_k < 1:
        raise SystemExit('degram predict: error: --top-k must be >= 1')
    checkpoint = load_checkpoint(args.model, device=args.device)
    taught = _matcher(args, checkpoint) if args.sounds_db else None
    if isinstance(taught, int):
        return taught
    for path in args.files:
        samples, rate = load_audio(path, checkpoint.sample_rate)
        probabilities = checkpoint.predict(samples, rate)
        order = np.argsort(-probabilities)[:args.top_k]
        top = [(checkpoint.labels[i], float(probabilities[i])) for i in order]
        sounds = _taught_scores(checkpoint, taught, samples, rate) if taught is not None else None
        if args.json:
            line = {'file': str(path), 'top_k': [{'label': lbl, 'score': s} for lbl, s in top]}
            if sounds is not None:
                line['taught'] = [{'label': lbl, 'score': s, 'detected': hit} for lbl, s, hit in sounds]
            print(json.dumps(line))
        else:
            print(f'{path}: ' + '  '.join(f'{lbl} {s:.3f}' for lbl, s in top)
                  + ('  | taught: ' + '  '.join(f"{lbl} {s:.3f}{'*' if hit else ''}" for lbl, s, hit in sounds)
                     if sounds else ''))
    return 0


def _matcher(args, predictor):
    """The taught sounds of --sounds-db (a SoundMatcher), or the exit status of an error."""
    from ..sounds import SoundDatabaseError, SoundMatcher
    from .sounds_common import open_sounds
    from .speaker_common import fail

    try:
        return SoundMatcher.of(open_sounds(args.sounds_db, predictor))
    except SoundDatabaseError as exc:
        return fail(args, exc)


def _taught_scores(predictor, matcher, samples, rate) -> list[tuple[str, float, bool]]:
    """Each taught sound's best score over the windows of a recording that hold sound."""
    from ..sounds import sound_embeddings

    embeddings = sound_embeddings(predictor, samples, rate)
    if not len(matcher) or not len(embeddings):
        return [(name, 0.0, False) for name in matcher.names]
    scores = matcher.scores(embeddings).max(axis=0)
    return [(name, float(score), bool(score >= 0.5)) for name, score in zip(matcher.names, scores)]
