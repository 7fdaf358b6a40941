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
    parser.set_defaults(func=run)


def run(args) -> int:
    import numpy as np

    from ..audio import load_audio
    from ..inference import load_checkpoint

    if args.top_k < 1:
        raise SystemExit('degram predict: error: --top-k must be >= 1')
    checkpoint = load_checkpoint(args.model, device=args.device)
    for path in args.files:
        samples, rate = load_audio(path, checkpoint.sample_rate)
        probabilities = checkpoint.predict(samples, rate)
        order = np.argsort(-probabilities)[:args.top_k]
        top = [(checkpoint.labels[i], float(probabilities[i])) for i in order]
        if args.json:
            print(json.dumps({'file': str(path), 'top_k': [{'label': lbl, 'score': s} for lbl, s in top]}))
        else:
            print(f'{path}: ' + '  '.join(f'{lbl} {s:.3f}' for lbl, s in top))
    return 0
