# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""What `degram enroll`, `degram speakers` and `degram identify` share: arguments, the default
model, one-line errors (exit status 2) and file → speech → window embeddings."""
from __future__ import annotations

import sys

PREFERRED_MODEL = 'speaker_embedding'
FALLBACK_MODEL = 'speaker_id'
EXIT_ERROR = 2


def add_db_argument(parser) -> None:
    parser.add_argument('--db', required=True, metavar='PEOPLE.json', help='the speaker database file (JSON)')


def add_model_arguments(parser) -> None:
    """--model, --device, --no-vad, --window, --hop."""
    parser.add_argument('--model', help=f'checkpoint file or shipped model name (default: {PREFERRED_MODEL} when '
                        f'it is shipped, else {FALLBACK_MODEL}); must be the model the database was made with')
    parser.add_argument('--device', default='cpu', help='cpu, cuda or cuda:N (default cpu)')
    parser.add_argument('--no-vad', action='store_true',
                        help='use all of the audio (default: only the speech found by silero-vad)')
    parser.add_argument('--window', type=float, default=2.0, help='seconds per embedding window (default 2)')
    parser.add_argument('--hop', type=float, default=1.0, help='seconds between windows (default 1)')


def default_model() -> str:
    """``speaker_embedding`` when that model is shipped, else ``speaker_id``."""
    from ..inference import PRETRAINED

    return PREFERRED_MODEL if PREFERRED_MODEL in PRETRAINED else FALLBACK_MODEL


def fail(args, message) -> int:
    """Print ``degram COMMAND: error: MESSAGE`` as one line on stderr; the exit status."""
    text = ' '.join(str(message).split())
    print(f'degram {args.command}: error: {text}', file=sys.stderr)
    return EXIT_ERROR


def read_and_remove(args, database_class):
    """``degram speakers`` / ``degram sounds``: the database at ``args.db`` whatever model made it,
    after removing ``args.remove`` (and saving) when given. Returns the database, or the exit
    status (an int) after printing the error."""
    try:
        database = database_class.read(args.db)
    except database_class.Error as exc:
        return fail(args, exc)
    if args.remove is None:
        return database
    if not database.remove(args.remove):
        return fail(args, f"{args.db}: no {database_class.NOUN} named '{args.remove}' ({database_class.VERB}: "
                    f"{', '.join(database.names()) or 'none'})")
    try:
        database.save()
    except OSError as exc:
        return fail(args, f'{args.db}: cannot save ({exc})')
    print(f"removed '{args.remove}' from {args.db}")
    return database


def check_windows(args) -> None:
    if not (args.window > 0 and args.hop > 0):
        raise ValueError(f'--window and --hop must be positive, got {args.window} and {args.hop}')


def load_predictor(args):
    """The model of ``--model`` (or the default) and its fingerprint (name, sha256)."""
    from ..inference import load_model
    from ..speaker import model_fingerprint

    predictor = load_model(args.model or default_model(), device=args.device)
    return predictor, model_fingerprint(predictor)


def make_vad(args):
    """A VoiceActivityDetector, or None with --no-vad (raises VadUnavailableError)."""
    from ..speaker import VoiceActivityDetector

    return None if args.no_vad else VoiceActivityDetector()


def file_embeddings(predictor, path, vad, args):
    """An audio file → ((N, D) window embeddings, or None without speech; seconds of speech used)."""
    from ..audio import load_audio
    from ..speaker.enrollment import cut_windows, speech_audio

    samples, rate = load_audio(path, predictor.sample_rate)
    speech, rate = speech_audio(predictor, samples, rate, vad)
    seconds = speech.size / rate
    if speech.size == 0:
        return None, 0.0
    return predictor.embed(cut_windows(speech, rate, args.window, args.hop), rate), seconds
