# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""`degram sounds --db SOUNDS.json [--remove NAME]`: list (or remove) the taught sounds."""
from __future__ import annotations

from .sounds_common import add_sounds_db_argument


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        'sounds', help='list or remove the sounds of a sound database',
        description='Print each taught sound with its windows and recordings, threshold and time of teaching, '
        'and the model the database belongs to. --remove NAME forgets one and saves (the previous version is '
        'kept as SOUNDS.json.bak). Exit status 2 for a missing or damaged database or an unknown NAME.')
    add_sounds_db_argument(parser)
    parser.add_argument('--remove', metavar='NAME', help='remove this sound and save')
    parser.add_argument('--json', action='store_true', help='print one JSON object')
    parser.set_defaults(func=run)


def run(args) -> int:
    import json

    from ..sounds import SoundDatabase
    from .speaker_common import read_and_remove

    database = read_and_remove(args, SoundDatabase)
    if isinstance(database, int):
        return database
    rows = [{'name': s.name, 'windows': s.count, 'clips': s.clips, 'prototypes': len(s.prototypes),
             'threshold': s.threshold, 'taught': s.taught, 'updated': s.updated,
             'expected_recall': s.calibration.get('expected_recall')} for s in database.sounds()]
    model = {'name': database.model_name, 'sha256': database.model_sha256}
    if args.json:
        print(json.dumps({'db': str(args.db), 'model': model, 'dimension': database.dimension, 'sounds': rows}))
        return 0
    print(f"{args.db}: {len(rows)} sound(s); model {model['name']} (sha256 {model['sha256'][:12]}…)")
    width = max([len(row['name']) for row in rows] + [4])
    for row in rows:
        changed = '' if row['updated'] == row['taught'] else f"  (updated {row['updated']})"
        print(f"  {row['name']:<{width}}  {row['windows']:>4} windows from {row['clips']:>3} recording(s)  "
              f"threshold {row['threshold']:.3f}  taught {row['taught']}{changed}")
    return 0
