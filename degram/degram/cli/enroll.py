# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""`degram enroll --db PEOPLE.json --name NAME FILE...`: add a person's voice to a speaker database."""
from __future__ import annotations

from .speaker_common import add_db_argument, add_model_arguments


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        'enroll', help='enrol a speaker from recordings of their voice',
        description='Keep the speech of each file (silero-vad), cut it into windows, embed them with the '
        'model and add their mean to NAME in the database (created when missing; an enrolled NAME is '
        'merged, weighted by the number of windows). The database is saved atomically; the previous '
        'version is kept as PEOPLE.json.bak. Exit status 2 when a file has no speech, the name is invalid '
        'or the database is damaged or made with another model.')
    add_db_argument(parser)
    parser.add_argument('--name', required=True, help='the speaker (at most 64 characters)')
    add_model_arguments(parser)
    parser.add_argument('files', nargs='+', metavar='FILE', help='recordings of the speaker (WAV/FLAC/Ogg)')
    parser.set_defaults(func=run)


def run(args) -> int:
    import numpy as np

    from ..speaker import SpeakerDatabase, SpeakerDatabaseError
    from ..speaker.vad import VadUnavailableError
    from ..speaker.validation import check_name
    from .speaker_common import check_windows, fail, file_embeddings, load_predictor, make_vad

    try:
        check_name(args.name)
        check_windows(args)
    except ValueError as exc:
        return fail(args, exc)
    predictor, (model_name, model_sha) = load_predictor(args)   # a bad model: CheckpointError, exit 1
    try:
        database = SpeakerDatabase.open(args.db, model_name, model_sha, create=True)
        vad = make_vad(args)
    except (SpeakerDatabaseError, VadUnavailableError) as exc:
        return fail(args, exc)
    embeddings, seconds = [], 0.0
    for path in args.files:
        rows, speech = file_embeddings(predictor, path, vad, args)
        if rows is None:
            return fail(args, f'{path}: no speech found (nothing enrolled; try another recording, or --no-vad)')
        embeddings.append(rows)
        seconds += speech
    rows = np.concatenate(embeddings)
    try:
        database.enroll(args.name, rows)
        database.save()
    except (ValueError, OSError) as exc:
        return fail(args, f'{args.db}: {exc}')
    info = database.info(args.name)
    print(f"enrolled '{args.name}': {rows.shape[0]} windows from {seconds:.1f} s of speech in {len(args.files)} "
          f"file(s); {info['count']} in all; {args.db} ({len(database)} speakers, model {model_name})")
    return 0
