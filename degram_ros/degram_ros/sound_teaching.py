# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Few-shot sounds in ``degram_node`` (a sound-event model): the parameter ``sound_db`` and the
services ``~/teach`` (``degram_msgs/srv/TeachSound``: audio files, or the next seconds of the
stream), ``~/forget_sound`` (``degram_msgs/srv/Forget``) and ``~/list_sounds``
(``degram_msgs/srv/ListSounds``).

A taught sound is one more class (:class:`degram.sounds.TaughtPredictor`): SoundEvent detections
and scores, SoundEventSegment events, ModelInfo labels and vision_msgs LabelInfo carry it like the
model's own classes; ModelInfo (and LabelInfo) are re-published when the taught sounds change.

Never in the way of the stream: the service callbacks are coroutines that hand the work
(decoding, embedding, calibration) to a thread of their own and await it, so that even a
single-threaded executor goes on serving the audio callbacks; a stream teaching collects the
windows the inference thread embeds anyway (the predictor's listener). The switch to the new
classes happens under the node's analysis lock, between two windows. The background a threshold
is calibrated against (:class:`degram.sounds.Background`) is built on a thread at configure
(cached on disk after the first start); a teaching waits for it.
"""
from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from degram_ros.stream_requests import StreamRequestServices

SOUND_DB = 'sound_db'
DEFAULT_SECONDS = 5.0
BACKGROUND_WAIT_S = 600.0


def declare(node) -> None:
    """Declare ``sound_db`` (read-only): the sound database file; empty = no taught sounds."""
    from rcl_interfaces.msg import ParameterDescriptor

    node.declare_parameter(SOUND_DB, '', ParameterDescriptor(
        description='sound database of taught sounds (JSON, see degram teach); created when missing; '
        'empty: no taught sounds and no ~/teach service', read_only=True))


class _StreamCollection:
    """The next ``seconds`` of windows the inference thread embeds: (level dB, embedding) each."""

    def __init__(self, seconds: float, hop: float):
        self.needed = max(1, int(round(seconds / hop)))
        self.levels: list[float] = []
        self.embeddings: list[np.ndarray] = []
        self.cancelled = False
        self.done = threading.Event()

    def add(self, windows: np.ndarray, embeddings: np.ndarray) -> None:
        from degram.events.detector import level_db

        for window, embedding in zip(windows, embeddings):
            if len(self.embeddings) < self.needed:
                self.levels.append(level_db(window))
                self.embeddings.append(np.asarray(embedding, np.float32))
        if len(self.embeddings) >= self.needed:
            self.done.set()

    def sound(self) -> np.ndarray:
        """The collected windows that hold the sound (within 20 dB of the loudest) → (N, D)."""
        from degram.sounds.embedding import CONTAINS_SOUND_DB

        levels = np.asarray(self.levels)
        keep = levels >= levels.max() - CONTAINS_SOUND_DB
        return np.stack(self.embeddings)[keep]


class SoundTeaching(StreamRequestServices):
    """Made by configure when ``sound_db`` is set and the model is a sound-event one: opens the
    database (:class:`~degram_ros.parameters.StartupError` on a damaged file or one of another
    model) and puts the taught sounds after the model's classes (``model.predictor``,
    ``model.labels``). :meth:`activate` / :meth:`deactivate` make and remove the services."""

    def __init__(self, model, path: str, logger):
        from degram.sounds import SoundDatabase, SoundDatabaseError, model_fingerprint
        from degram_ros.parameters import StartupError

        self.model, self.base, self._logger = model, model.predictor, logger
        self.path = Path(path).expanduser()
        try:
            self.database = SoundDatabase.open(self.path, *model_fingerprint(self.base), create=True)
        except SoundDatabaseError as exc:
            raise StartupError(f'invalid parameter sound_db: {exc}') from None
        super().__init__()          # _lock, _pending (a _StreamCollection in flight), _node, services
        self._analysis_lock = self._changed = None
        self._extend()
        self._background = None
        self._background_error: Exception | None = None
        self._background_ready = threading.Event()
        threading.Thread(target=self._build_background, name='sound_background', daemon=True).start()
        logger.info(f'sound database {self.path}: {len(self.database)} taught sounds'
                    + (f' ({", ".join(self.database.names()[:10])})' if len(self.database) else
                       ' (teach one: ros2 service call <node>/teach degram_msgs/srv/TeachSound '
                       '"{name: doorbell, seconds: 5.0}" while it rings, or degram teach)'))

    def _build_background(self) -> None:
        from degram.sounds import Background

        try:
            self._background = Background.build(self.base)
        except Exception as exc:   # reported by the next teaching
            self._background_error = exc
        finally:
            self._background_ready.set()

    def _extend(self) -> None:
        from degram.sounds import SoundMatcher, TaughtPredictor

        extended = TaughtPredictor(self.base, SoundMatcher.of(self.database), listener=self._on_batch)
        self.model.predictor, self.model.labels = extended, extended.labels

    # ------------------------------------------------------------ activation
    def activate(self, node, analysis_lock, changed) -> None:
        """The services; ``changed()`` rebuilds the detector and re-publishes ModelInfo."""
        from rclpy.callback_groups import ReentrantCallbackGroup

        from degram_msgs.srv import Forget, ListSounds, TeachSound

        self._node, self._analysis_lock, self._changed = node, analysis_lock, changed
        group = ReentrantCallbackGroup()
        self.services = [node.create_service(TeachSound, '~/teach', self._teach, callback_group=group),
                         node.create_service(Forget, '~/forget_sound', self._forget, callback_group=group),
                         node.create_service(ListSounds, '~/list_sounds', self._list, callback_group=group)]

    def deactivate(self) -> None:
        self.release_services()

    # ------------------------------------------------------------ the inference thread
    def _on_batch(self, windows: np.ndarray, embeddings: np.ndarray) -> None:
        with self._lock:
            pending = self._pending
        if pending is not None:
            pending.add(windows, embeddings)

    # ------------------------------------------------------------ services
    async def _off_thread(self, work):
        """Run ``work()`` on a thread of its own; the executor serves other callbacks meanwhile."""
        from rclpy.task import Future

        future = Future()

        def run():
            try:
                future.set_result((True, work()))
            except Exception as exc:   # a clear answer to the caller, never a dead service
                future.set_result((False, exc))

        threading.Thread(target=run, name='sound_teach', daemon=True).start()
        ok, value = await future
        if not ok:
            raise value
        return value

    async def _teach(self, request, response):
        name = request.name.strip()
        try:
            report = await self._off_thread(lambda: self._teach_now(name, request))
        except Exception as exc:
            response.success, response.message = False, f'cannot teach {name!r}: {exc}'
            self._node.get_logger().warning(response.message)
            return response
        recall = report.expected_recall
        response.success, response.windows = True, int(report.windows)
        response.threshold = float(report.sound.threshold)
        response.expected_recall = -1.0 if recall is None else float(recall)
        response.message = (f'taught {name!r} from {report.windows} windows (threshold {report.sound.threshold:.3f}'
                            + ('' if recall is None else f', {recall:.0%} of held-out windows detected')
                            + f'); {len(self.database)} sounds in {self.database.path}')
        self._node.get_logger().info(response.message)
        return response

    def _teach_now(self, name: str, request):
        from degram.sounds import check_sound_name, teach

        check_sound_name(name, self.base.labels)
        if request.files:
            recordings = list(request.files)
        else:
            recordings = [self._collect(name, float(request.seconds or DEFAULT_SECONDS))]
        if not self._background_ready.wait(BACKGROUND_WAIT_S):
            raise TimeoutError('the background is still being computed; try again later')
        if self._background_error is not None:
            raise RuntimeError(f'no background to calibrate against: {self._background_error}')
        report = teach(self.base, self.database, name, recordings, self._background, replace=request.replace)
        self.database.save()
        self._apply()
        return report

    def _collect(self, name: str, seconds: float):
        """The next ``seconds`` of the stream's windows → a recording-like (embeddings) input."""
        if not 0 < seconds <= 120:
            raise ValueError(f'seconds must be in (0, 120], got {seconds}')
        hop = float(self._node.stream.hop_length)
        request = _StreamCollection(seconds, hop)
        with self._lock:
            if self._pending is not None:
                raise RuntimeError('already teaching a sound from the stream')
            self._pending = request
        self._node.get_logger().info(f'teaching {name!r}: collecting {seconds:.1f} s of the stream')
        try:
            finished = request.done.wait(max(10.0, 3 * seconds + 10.0))
        finally:
            with self._lock:
                self._pending = None
        if request.cancelled:
            raise RuntimeError('the node stopped listening (deactivated) before the audio arrived')
        if not finished:
            raise TimeoutError(f'only {len(request.embeddings)} windows arrived (is the audio above the level gate?)')
        from degram.sounds.teach import Embedded

        return Embedded(request.sound(), len(request.embeddings) * hop)

    async def _forget(self, request, response):
        name = request.name.strip()

        def forget():
            if not self.database.remove(name):
                return False
            self.database.save()
            self._apply()
            return True

        try:
            found = await self._off_thread(forget)
        except Exception as exc:
            found, response.message = False, f'cannot forget {name!r}: {exc}'
        else:
            response.message = f'forgot {name!r}' if found else f'{name!r} is not a taught sound'
        response.success = found
        self._node.get_logger().info(response.message)
        return response

    def _list(self, request, response):
        sounds = self.database.sounds()
        response.names = [s.name for s in sounds]
        response.counts = [int(s.count) for s in sounds]
        response.thresholds = [float(s.threshold) for s in sounds]
        response.database = str(self.database.path)
        response.model = f'{self.database.model_name} ({self.database.model_sha256[:12]})'
        return response

    # ------------------------------------------------------------ switching the classes
    def _apply(self) -> None:
        """The node's classes become the model's + the taught ones now: predictor, labels, each
        stream's analyzer and event tracker (open events of the remaining classes go on), then the
        detector and ModelInfo / LabelInfo (``changed``)."""
        from degram.events import EventTracker

        with self._analysis_lock:
            self._extend()
            node = self._node
            node.labels = self.model.labels
            for channel in getattr(node, '_channels', []):
                results = getattr(channel, 'results', None)
                if results is None:
                    continue
                results.analyzer.predictor = self.model.predictor
                old = results.analyzer.tracker
                if old is not None:
                    results.analyzer.tracker = _carry_over(old, EventTracker(
                        self.model.labels, old.window_length, old.k, old.n, old.release))
            self._changed()


def _carry_over(old, new):
    """The tracks (recent windows, open events) of the classes both trackers have, by label."""
    index = {label: i for i, label in enumerate(new.labels)}
    for label, track in zip(old.labels, old._tracks):
        if label in index:
            new._tracks[index[label]] = track
            if track.event is not None:
                track.event.class_id = index[label]
    return new



def configure(node, model):
    """Configure: a :class:`SoundTeaching` when ``sound_db`` is set and the model is a sound-event
    one, else None (``sound_db`` with another model: a StartupError)."""
    from degram_ros.parameters import StartupError

    path = str(node.get_parameter(SOUND_DB).value or '').strip()
    if not path:
        return None
    if model.task != 'sound_event':
        raise StartupError(f'invalid parameter sound_db: taught sounds need a sound-event model, '
                           f"'{model.name}' is a {model.task} model")
    return SoundTeaching(model, path, node.get_logger())
