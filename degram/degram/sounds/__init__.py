# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Few-shot sounds: teach a sound-event model a new sound from a few recordings, detect it like a
built-in class.

    from degram.sounds import Background, SoundDatabase, SoundMatcher, TaughtPredictor, teach

    predictor = degram.load_model('sound_event')
    database = SoundDatabase.open('sounds.json', *model_fingerprint(predictor))
    report = teach(predictor, database, 'doorbell', ['ring1.wav', 'ring2.wav'], Background.build(predictor))
    database.save()                                                   # atomic, keeps sounds.json.bak
    extended = TaughtPredictor(predictor, SoundMatcher.of(database))  # labels + ['doorbell']

Modules: :mod:`.embedding` (windows → pooled features), :mod:`.background` (what a threshold is
calibrated against), :mod:`.teach` (prototypes, calibration), :mod:`.database` (the file),
:mod:`.matcher` (scores per window, the extended predictor), :mod:`.fewshot` (the evaluation
protocol of ``degram eval --few-shot``).
"""
from ..speaker.fingerprint import model_fingerprint
from .background import Background
from .database import SoundDatabase, SoundDatabaseError, TaughtSound, check_sound_name
from .embedding import sound_embeddings, window_embeddings
from .matcher import SoundMatcher, TaughtPredictor
from .teach import TeachReport, calibrate, prototypes_of, teach

__all__ = ['Background', 'SoundDatabase', 'SoundDatabaseError', 'SoundMatcher', 'TaughtPredictor', 'TaughtSound',
           'TeachReport', 'calibrate', 'check_sound_name', 'model_fingerprint', 'prototypes_of', 'sound_embeddings',
           'teach', 'window_embeddings']
