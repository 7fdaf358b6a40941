# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""One input stream of ``degram_node``: its topics, format, buffer, capture stamps, counters, result
publishers and diagnostics.  A node has one (``streams`` empty: the topics ``audio``,
``sound_event`` ... of the node's namespace) or one per stream name ``s`` (``s/audio``,
``s/audio_info`` → ``s/sound_event`` ...); streams share the model and the inference thread, never
their state, so a stream that stalls, floods or sends garbage affects no other."""
from __future__ import annotations

import collections

from degram.events import analyse_together
from degram.streaming import AudioStream
from degram.streaming.self_speech import SelfSpeechGate
from degram_ros.audio_input import AudioInput
from degram_ros.audio_subscription import AudioSubscription
from degram_ros.diagnostics import DiagnosticsReport
from degram_ros.qos import LATCHED, VOLATILE_INFO


class SlotView:
    """A stream's side of the shared :class:`degram_ros.worker.LatestSlot`."""

    def __init__(self, slot, key):
        self._slot, self._key = slot, key

    def put(self, window) -> bool:
        return self._slot.put(window, self._key)


class AudioChannel:
    def __init__(self, node, name: str, p: dict, model_rate: int, window: float, hop: float):
        self.name = name
        self.prefix = f'{name}/' if name else ''
        self.counts: collections.Counter = collections.Counter()
        self.latencies: collections.deque = collections.deque(maxlen=200)
        self.stream = AudioStream(model_rate, window, hop, sample_rate=p['sample_rate'], channels=p['channels'],
                                  sample_format=p['sample_format'], channel=p['channel'],
                                  max_message_length=p['max_message_length'],
                                  stamp_tolerance=p['stamp_tolerance'])
        self.input = AudioInput(self.stream, self.counts, node.get_logger(), node.get_clock(), model_rate,
                                require_info=p['require_audio_info'])
        self.diagnostics = DiagnosticsReport()
        # the robot's own speech on this stream's timeline (the self_speech_topic parameter), else None
        self.self_speech = SelfSpeechGate(p['self_speech_release']) if p['self_speech_topic'] else None
        self.audio: AudioSubscription | None = None
        self.results = None
        self._infos: list = []

    @property
    def format_error(self):
        """What is wrong with the audio format now (:class:`degram.streaming.InputFormatError`), else None."""
        return self.input.format_error

    def activate(self, node, flavour, results, slot, audio_qos: str, stamped: bool) -> None:
        """Results publishers (made by the caller), the hand-over to the inference thread, the
        audio and AudioInfo subscriptions."""
        self.results = results
        self.input.slot = SlotView(slot, self)
        msg_type, topic, callback = self._audio_topic(flavour, stamped)
        self.audio = AudioSubscription(node, msg_type, self.prefix + topic, callback, audio_qos, self.counts)
        # latched AudioInfo, and the volatile kind (audio_capture before 0.4) that a transient-local
        # reader never matches; an identical re-send changes nothing.  (The mgonzs13 flavour has
        # no AudioInfo topic: every message carries its format.)
        if flavour.info is not None:
            self._infos = [node.create_subscription(flavour.info, self.prefix + 'audio_info', self.input.on_info, qos)
                           for qos in (LATCHED, VOLATILE_INFO)]

    def _audio_topic(self, flavour, stamped: bool) -> tuple[type, str, object]:
        from degram_ros.audio_flavour import MGONZS13

        if flavour.name == MGONZS13:   # always stamped, on `audio`
            return flavour.stamped, 'audio', self.input.on_audio_portaudio
        if stamped:
            return flavour.stamped, 'audio_stamped', self.input.on_audio_stamped
        return flavour.plain, 'audio', self.input.on_audio

    def on_self_speech(self, speaking: bool, now: float) -> None:
        """The robot starts (True) or stops speaking: from the newest audio this stream has (its
        capture time, the clock of the windows' stamps), else from ``now`` (ROS time)."""
        if self.self_speech is not None:
            end = self.stream.end_time
            self.self_speech.update(speaking, now if end is None else end)

    def is_self_speech(self, window) -> bool:
        """Whether ``window`` overlaps the robot's speech (or its release)."""
        gate = self.self_speech
        return gate is not None and gate.overlaps(window.stamp, window.stamp + self.stream.window_length)

    def stop_input(self, node) -> None:
        """Deactivate, first step: no more audio in."""
        for info in self._infos:
            node.destroy_subscription(info)
        self._infos = []
        if self.audio is not None:
            self.audio.destroy()
            self.audio = None
        self.input.slot = None

    def diagnostics_values(self, model: str, task: str, device: str, backend: str, flavour: str, named: bool,
                           database=None) -> dict[str, str]:
        values = self.diagnostics.values(self.stream, self.counts, self.latencies, model, task, device, backend)
        values['audio_qos'] = 'not subscribed' if self.audio is None else self.audio.describe()
        for key in ('waiting_for_audio_info', 'audio_qos_switches', 'windows_without_speech',
                    'windows_self_speech'):
            values[key] = str(self.counts[key])
        values['audio_msgs'] = flavour
        if named:
            values['stream'] = self.name
        if database is not None:
            values['enrolled_speakers'] = str(len(database))
            values['speaker_database'] = str(database.path)
        return values

    def diagnostics_status(self, node_name: str, values: dict, device: str):
        """→ this stream's DiagnosticStatus, named ``degram_node: <node>`` (``<node>/<stream>``
        with several streams)."""
        name = f'degram_node: {node_name}' + (f'/{self.name}' if self.name else '')
        return self.diagnostics.status(name, values, device, self.input.format_error, self.input.last_audio)


def process_batch(batch: list, lock) -> list:
    """The inference thread: the newest window of each ready stream [(channel, window)] (those that
    overlap the robot's own speech: a message marked self_speech, nothing analysed), as one
    model call (sound events, closed-set speakers; ``lock`` guards the streams' analyzers) → each
    stream publishes its own results; → [(channel, exception)] for the streams whose window failed
    alone (e.g. NaN scores)."""
    failed = []
    own = [c.is_self_speech(w) for c, w in batch]   # judged once: the gate changes on another thread
    for (channel, window), mine in zip(batch, own):
        if mine:   # the robot's own voice: no analysis, a marked message
            try:
                channel.results.publish_self_speech(window)
            except Exception as exc:
                failed.append((channel, exc))
    batch = [item for item, mine in zip(batch, own) if not mine]
    plain = [(c, w) for c, w in batch if c.results.speakers is None]
    if plain:
        with lock:
            analyses = analyse_together([(c.results.analyzer, [w]) for c, w in plain])
        for (channel, _), (analysis,) in zip(plain, analyses):
            try:
                channel.results.publish(analysis)
            except Exception as exc:
                failed.append((channel, exc))
    for channel, window in batch:
        if channel.results.speakers is not None:
            try:
                channel.results.process(window)
            except Exception as exc:
                failed.append((channel, exc))
    return failed
