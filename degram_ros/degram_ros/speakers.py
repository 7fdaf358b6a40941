# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The speaker database services of ``degram_node`` with a speaker-embedding model:
``~/enroll`` (audio files, or the next seconds of speech from the stream), ``~/forget`` and
``~/list_speakers`` (``degram_msgs/srv``).

The services run in a callback group of their own, so that (with the executable's multi-threaded
executor) a stream enrolment that waits for speech never holds up the audio callbacks: the
inference thread hands each window's speech embedding to :meth:`SpeakerServices.on_window`, and
the waiting service returns once enough speech has been collected.  Every change is saved at once
(atomically; the previous file is kept as a backup).
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rclpy.callback_groups import MutuallyExclusiveCallbackGroup

from degram.inference.metadata import ModelMetadata
from degram_ros.stream_requests import StreamRequestServices

DEFAULT_SECONDS, DEFAULT_TIMEOUT = 5.0, 60.0


class StreamEnrolment:
    """One request for the next ``seconds`` of speech: embeddings gathered by the inference thread."""

    def __init__(self, name: str, seconds: float, hop_length: float, stream: str):
        self.name, self.seconds, self.hop, self.stream = name, seconds, hop_length, stream
        self.embeddings: list[np.ndarray] = []
        self.speech_seconds = 0.0
        self.cancelled = False
        self.done = threading.Event()

    def add(self, embedding: np.ndarray, speech_ratio: float) -> None:
        """A window with speech: its embedding, and the new speech it brings (its hop's share)."""
        self.embeddings.append(np.asarray(embedding, np.float32))
        self.speech_seconds += self.hop * (1.0 if speech_ratio < 0 else speech_ratio)
        if self.speech_seconds >= self.seconds:
            self.done.set()


class SpeakerServices(StreamRequestServices):
    """Made by activate (with the node's database, predictor and voice detector), destroyed by
    deactivate."""

    def __init__(self, node, predictor, database, vad, hop_length: float, window_length: float, changed,
                 first_stream: str = ''):
        from degram_msgs.srv import Enroll, Forget, ListSpeakers

        super().__init__()          # _lock, _pending (a StreamEnrolment in flight), services
        self._node, self._predictor, self.database, self._vad = node, predictor, database, vad
        self._changed = changed     # re-publishes ModelInfo (its labels are the people enrolled)
        self._first_stream = first_stream
        self._hop, self._window = hop_length, window_length
        group = MutuallyExclusiveCallbackGroup()
        self.services = [node.create_service(Enroll, '~/enroll', self._enroll, callback_group=group),
                         node.create_service(Forget, '~/forget', self._forget, callback_group=group),
                         node.create_service(ListSpeakers, '~/list_speakers', self._list, callback_group=group)]

    # ------------------------------------------------------------ the inference thread
    def on_window(self, embedding, speech_ratio: float, stream: str = '') -> None:
        with self._lock:
            pending = self._pending
        if pending is not None and embedding is not None and pending.stream == stream:
            pending.add(embedding, speech_ratio)

    # ------------------------------------------------------------ services
    def _enroll(self, request, response):
        name = request.name.strip()
        try:
            if request.files:
                windows, seconds = self._enroll_files(name, list(request.files))
            else:
                windows, seconds = self._enroll_stream(name, request.seconds or DEFAULT_SECONDS,
                                                       request.timeout or DEFAULT_TIMEOUT,
                                                       request.stream.strip() or self._first_stream)
            self.database.save()
            self._changed()
        except Exception as exc:   # a clear answer to the caller, never a dead service
            response.success, response.message = False, f'cannot enrol {name!r}: {exc}'
            self._node.get_logger().warning(response.message)
            return response
        response.success, response.windows, response.speech_seconds = True, windows, float(seconds)
        response.message = (f'enrolled {name!r} from {windows} windows ({seconds:.1f} s of speech); '
                            f'{len(self.database)} people in {self.database.path}')
        self._node.get_logger().info(response.message)
        return response

    def _enroll_files(self, name: str, files: list[str]) -> tuple[int, float]:
        from degram.audio import load_audio
        from degram.speaker import enrollment_embeddings

        gathered, speech = [], 0.0
        rate = self._predictor.sample_rate
        for path in files:
            samples, _ = load_audio(path, rate)
            if self._vad is not None:
                samples = self._vad.speech_only(samples, rate)
            if samples.size < int(0.5 * rate):
                raise ValueError(f'{path}: less than 0.5 s of speech')
            gathered.append(enrollment_embeddings(self._predictor, samples, rate, window=self._window,
                                                  hop=self._hop))
            speech += samples.size / rate
        embeddings = np.concatenate(gathered)
        self.database.enroll(name, embeddings)
        return len(embeddings), speech

    def _enroll_stream(self, name: str, seconds: float, timeout: float, stream: str) -> tuple[int, float]:
        if not name:
            raise ValueError('the name is empty')
        request = StreamEnrolment(name, float(seconds), self._hop, stream)
        with self._lock:
            if self._pending is not None:
                raise RuntimeError(f'already enrolling {self._pending.name!r} from the stream')
            self._pending = request
        self._node.get_logger().info(f'enrolling {name!r}: waiting for {seconds:.1f} s of speech on the stream')
        try:
            finished = request.done.wait(timeout)
        finally:
            with self._lock:
                self._pending = None
        if request.cancelled:
            raise RuntimeError('the node stopped listening (deactivated) before enough speech arrived')
        if not finished:
            raise TimeoutError(f'only {request.speech_seconds:.1f} s of speech in {timeout:.0f} s')
        self.database.enroll(name, np.stack(request.embeddings))
        return len(request.embeddings), request.speech_seconds

    def _forget(self, request, response):
        name = request.name.strip()
        if self.database.remove(name):
            self.database.save()
            self._changed()
            response.success, response.message = True, f'forgot {name!r}'
        else:
            response.success, response.message = False, f'{name!r} is not enrolled'
        self._node.get_logger().info(response.message)
        return response

    def _list(self, request, response):
        names = self.database.names()
        response.names = names
        response.counts = [int(self.database.info(n)['count']) for n in names]
        response.database = str(self.database.path)
        response.model = f'{self.database.model_name} ({self.database.model_sha256[:12]})'
        return response

    def destroy(self) -> None:
        self.release_services()


def default_database_path() -> Path:
    """``$ROS_HOME/degram/speakers.json`` (``~/.ros`` when ROS_HOME is unset); a database saved by
    earlier versions as ``speakers.db`` (the same JSON) is used while there is no ``speakers.json``."""
    folder = Path(os.environ.get('ROS_HOME') or Path.home() / '.ros') / 'degram'
    path, earlier = folder / 'speakers.json', folder / 'speakers.db'
    return earlier if earlier.is_file() and not path.exists() else path


def is_embedding_model(predictor) -> bool:
    """A speaker-embedding model (cosine head, calibrated for open-set use) rather than a
    closed-set classifier: the checkpoint says so in its metadata."""
    return ModelMetadata.of(predictor).embedding_model


def speech_ratio_of(predictor, p: dict) -> float:
    """The voice gate's minimum share of speech: the parameter, or (-1) the model's metadata."""
    value = p['min_speech_ratio']
    model = ModelMetadata.of(predictor).min_speech_ratio
    return float(model or 0.0) if value < 0 else float(value)


def voice_detector(min_speech_ratio: float):
    """The voice-activity detector when the gate is on, else None."""
    if min_speech_ratio <= 0:
        return None
    from degram.speaker import VoiceActivityDetector

    return VoiceActivityDetector()


@dataclass
class SpeakerMode:
    """Open-set speaker identification: the database, the voice detector and the analyzer."""

    database: object
    vad: object
    analyzer: object
    threshold: float
    scale: float
    predictor: object = None

    def set_threshold(self, threshold: float) -> None:
        """The ``threshold`` parameter at run time: >= 0 a cosine threshold (raw cosine scoring),
        -1 the model's calibrated scoring (AS-norm when it ships a cohort)."""
        from degram.speaker import speaker_scoring

        chosen = speaker_scoring(self.predictor, threshold if threshold >= 0 else None)
        self.analyzer.threshold, self.analyzer.scale, self.analyzer.normaliser = chosen


def open_speaker_mode(predictor, p: dict, logger) -> SpeakerMode:
    """Configure: the database (created when absent) for this model, the voice gate, the analyzer.
    Raises :class:`degram_ros.parameters.StartupError` with one clear line."""
    from degram.speaker import SpeakerDatabase, SpeakerDatabaseError, model_fingerprint, speaker_scoring
    from degram.speaker.windows import SpeakerWindowAnalyzer
    from degram_ros.parameters import StartupError

    path = Path(p['speaker_db']).expanduser() if p['speaker_db'].strip() else default_database_path()
    name, sha256 = model_fingerprint(predictor)
    try:
        database = SpeakerDatabase.open(path, name, sha256, create=True)
    except SpeakerDatabaseError as exc:
        raise StartupError(f'invalid parameter speaker_db: {exc}') from None
    try:   # threshold >= 0: the user's cosine threshold; -1: the model's scoring (AS-norm with a cohort)
        threshold, scale, normaliser = speaker_scoring(predictor, p['threshold'] if p['threshold'] >= 0 else None)
    except ValueError as exc:
        raise StartupError(f'speaker scoring: {exc}') from None
    min_ratio = speech_ratio_of(predictor, p)
    vad = voice_detector(min_ratio)
    analyzer = SpeakerWindowAnalyzer(predictor, database, threshold, scale, vad, min_ratio, top_k=p['top_k'],
                                     normaliser=normaliser)
    if len(database) == 0:
        logger.info(f"speaker database {path} is empty: every voice is 'unknown' until you enrol people, e.g. "
                    "ros2 service call <node>/enroll degram_msgs/srv/Enroll \"{name: alice, seconds: 5.0}\" "
                    'while alice speaks, or degram enroll --db ... --name alice FILE...')
    else:
        logger.info(f'speaker database {path}: {len(database)} people ({", ".join(database.names()[:10])})')
    return SpeakerMode(database, vad, analyzer, threshold, scale, predictor)


def configure_voice(model, p: dict, logger) -> tuple[SpeakerMode | None, object, float]:
    """Configure: a speaker-embedding model → the enrolled people (open set) with its voice gate;
    any other model → the voice gate when min_speech_ratio (or the model's metadata) asks for one.
    → (speaker mode or None, voice detector or None, min speech ratio)."""
    from degram_ros.parameters import StartupError

    try:
        if model.task == 'speaker_id' and is_embedding_model(model.predictor):
            mode = open_speaker_mode(model.predictor, p, logger)
            return mode, mode.vad, mode.analyzer.min_speech_ratio
        ratio = speech_ratio_of(model.predictor, p)
        return None, voice_detector(ratio), ratio
    except StartupError:
        raise
    except Exception as exc:   # e.g. silero-vad missing
        raise StartupError(f'cannot set up the voice gate / speaker database: {exc}') from None
