# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Open-set speaker recognition: enrol people by voice, name them later, say ``'unknown'`` for others.

    from degram.speaker import (SpeakerDatabase, VoiceActivityDetector, enrollment_embeddings,
                                identify, model_fingerprint, speaker_scoring)

    predictor = degram.load_model('speaker_id')
    database = SpeakerDatabase.open('people.json', *model_fingerprint(predictor))
    vad = VoiceActivityDetector()                                          # silero-vad
    database.enroll('alice', enrollment_embeddings(predictor, wave, rate, vad))   # (N, D)
    database.save()                                                        # atomic, keeps people.json.bak
    threshold, scale, normaliser = speaker_scoring(predictor)      # AS-norm when the model ships a cohort
    match = identify(predictor.embed(speech, rate), database, threshold, scale, normaliser=normaliser)
    match.speaker, match.score, match.confidence, match.known, match.candidates

Modules: :mod:`.fingerprint` (which model made the embeddings), :mod:`.database` (the file),
:mod:`.matching` (cosine scores, threshold, confidence), :mod:`.vad` (speech frames),
:mod:`.enrollment` (speech → windows → embeddings), :mod:`.validation` (names, arrays),
:mod:`.normalisation` (AS-norm of scores against a cohort of other speakers).
"""
from .database import SpeakerDatabase, SpeakerDatabaseError
from .enrollment import enrollment_embeddings
from .fingerprint import model_fingerprint
from .matching import SpeakerMatch, identify, score_normaliser, score_threshold, speaker_scoring
from .normalisation import AdaptiveSNorm
from .vad import VoiceActivityDetector

__all__ = ['AdaptiveSNorm', 'SpeakerDatabase', 'SpeakerDatabaseError', 'SpeakerMatch', 'VoiceActivityDetector',
           'enrollment_embeddings', 'identify', 'model_fingerprint', 'score_normaliser', 'score_threshold',
           'speaker_scoring']
