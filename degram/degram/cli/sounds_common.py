# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""What `degram teach`, `degram sounds` and the ``--sounds-db`` option of `degram predict` /
`degram annotate` share: the database argument, opening it for a model, one-line errors."""
from __future__ import annotations

DEFAULT_MODEL = 'sound_event'


def add_sounds_db_argument(parser, required: bool = True, flag: str = '--db') -> None:
    """``--db`` (teach, sounds) or ``--sounds-db`` (predict, annotate): the sound database file."""
    parser.add_argument(flag, required=required, metavar='SOUNDS.json',
                        help='the sound database of taught sounds (JSON; see degram teach)')


def open_sounds(path, predictor, create: bool = False):
    """The sound database at ``path`` for ``predictor`` (raises SoundDatabaseError)."""
    from ..sounds import SoundDatabase, model_fingerprint

    return SoundDatabase.open(path, *model_fingerprint(predictor), create=create)


def with_sounds(predictor, path):
    """``predictor`` with the taught sounds of the database at ``path`` appended to its classes
    (:class:`degram.sounds.TaughtPredictor`); ``predictor`` itself when ``path`` is None."""
    if path is None:
        return predictor
    from ..sounds import SoundMatcher, TaughtPredictor

    return TaughtPredictor(predictor, SoundMatcher.of(open_sounds(path, predictor)))
