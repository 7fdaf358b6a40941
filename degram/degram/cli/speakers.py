# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""`degram speakers --db PEOPLE.json [--remove NAME]`: list (or remove) the enrolled speakers."""
from __future__ import annotations

from .speaker_common import add_db_argument


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        'speakers', help='list or remove the speakers of a speaker database',
        description='Print each enrolled speaker with the number of embeddings averaged and the time of '
        'enrolment, and the model the database belongs to. --remove NAME deletes one and saves '
        '(the previous version is kept as PEOPLE.json.bak). Exit status 2 for a missing or damaged database '
        'or an unknown NAME.')
    add_db_argument(parser)
    parser.add_argument('--remove', metavar='NAME', help='remove this speaker and save')
    parser.add_argument('--json', action='store_true', help='print one JSON object')
    parser.set_defaults(func=run)


def run(args) -> int:
    import json

    from ..speaker import SpeakerDatabase
    from .speaker_common import read_and_remove

    database = read_and_remove(args, SpeakerDatabase)
    if isinstance(database, int):
        return database
    rows = [dict(name=name, **database.info(name)) for name in database.names()]
    model = {'name': database.model_name, 'sha256': database.model_sha256}
    if args.json:
        print(json.dumps({'db': str(args.db), 'model': model, 'dimension': database.dimension, 'speakers': rows}))
        return 0
    print(f"{args.db}: {len(rows)} speaker(s); model {model['name']} (sha256 {model['sha256'][:12]}…)")
    width = max([len(row['name']) for row in rows] + [4])
    for row in rows:
        changed = '' if row['updated'] == row['enrolled'] else f"  (updated {row['updated']})"
        print(f"  {row['name']:<{width}}  {row['count']:>4} embeddings  enrolled {row['enrolled']}{changed}")
    return 0
