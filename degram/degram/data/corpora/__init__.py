# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Named corpora of the shared data folder, one module each, registered in :data:`CORPORA`.

  ===============  =======================  ==========================  ==================
  spec             labels                   group (held out together)   default validation
  ===============  =======================  ==========================  ==================
  ``esc10``        event (10)               fold 1-4 (file name prefix)  fold 4
  ``esc50``        event (50, meta.csv)     fold 1-4 (meta.csv)          fold 4
  ``asc:speaker``  speaker (30)             repetition 01-08            repetition 8
  ``asc:keyword``  keyword (12)             speaker                     speakers 25-30
  ``fsdd:digit``   digit (10)               recording index 5-49        indices 5-9
  ``fsdd:speaker`` speaker (6)              recording index 5-49        indices 5-9
  ===============  =======================  ==========================  ==================

(``asc`` alone means ``asc:keyword``, ``fsdd`` alone ``fsdd:digit``; ``arabic_speech_commands``
is an alias of ``asc``.) A corpus module defines one :class:`Corpus` and registers it.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ...registry import Registry
from ..dataset import Entry


@dataclass(frozen=True)
class Corpus:
    """``entries(base, choice)`` lists the corpus under ``<data root>/<folder>`` labelled by
    ``choice`` (one of ``choices``: label kind → default validation groups). ``subsets``: the
    choices that select part of the corpus rather than a label kind (e.g. ``voices:dev``); they
    do not count when naming the dataset (a corpus with one label kind is named by its key)."""

    folder: str
    choices: dict[str, str]
    default_choice: str
    group_kind: Callable[[str], str]
    entries: Callable[[Path, str], list[Entry]]
    aliases: tuple[str, ...] = ()
    subsets: tuple[str, ...] = ()


CORPORA: Registry = Registry('dataset')
LABEL_ALIASES = {'class': 'event', 'events': 'event', 'command': 'keyword', 'keywords': 'keyword',
                 'word': 'keyword', 'speakers': 'speaker', 'digits': 'digit', 'sid': 'speaker'}


def corpus_by_name(name: str) -> tuple[str, Corpus] | None:
    """A registered corpus by its name or an alias (case-insensitive), else None."""
    key = name.lower()
    for registered, corpus in CORPORA.items():
        if key == registered or key in corpus.aliases:
            return registered, corpus
    return None


from . import asc, esc10, esc50, fsdd, voices  # noqa: E402,F401  (each registers itself)
