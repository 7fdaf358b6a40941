# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The output side of one activation of ``degram_node``: its publishers and the inference
thread's step, window → :class:`degram.events.WindowAnalyzer` (level gate, thresholds, events; the
path ``degram annotate`` takes) → SoundEvent (+ SoundEventSegment when an event starts or ends)
or SpeakerId, and optionally the representation image."""
from __future__ import annotations

import threading
from dataclasses import dataclass

from rclpy.duration import Duration
from sensor_msgs.msg import Image

from degram.events import WindowAnalyzer
from degram_ros.conversions import image_message, to_time
from degram_ros.detection import build_tracker, speaker_threshold
from degram_ros.messages import (
    ENDED,
    STARTED,
    model_info_message,
    open_set_speaker_message,
    segment_message,
    self_speech_message,
    sound_event_message,
    speaker_message,
)
from degram_ros.outputs import destroy_output, output_publisher
from degram_ros.qos import LATCHED, RESULTS_DEPTH
from degram_ros.standard_outputs import StandardOutputs, vision_msgs_available
from degram_ros.voices import Rep155Voices, hri_msgs_available


class NonFiniteScores(RuntimeError):
    """A window whose scores are not finite (the input is clipped, so this means a broken model)."""


ACK_TIMEOUT_S = 1.0   # at most this long, deactivate waits for the last ENDED segments to arrive


@dataclass(frozen=True)
class Activation:
    """What the outputs of all the streams of one activation share."""

    model: object               # degram_ros.model.LoadedModel
    detector: object            # degram.events.WindowDetector (a runtime threshold change: set_detector)
    background: str             # ModelInfo.background
    params: dict                # the node's live parameter dict: runtime changes apply to the next window
    lock: threading.Lock        # the streams' analyzers: inference thread vs finish
    speakers: object = None     # SpeakerMode: open-set identification against enrolled people
    vad: object = None          # the voice gate's detector
    min_speech_ratio: float = 0.0
    services: object = None     # SpeakerServices, fed with each window's speech embedding


class ResultPublisher:
    """One stream's outputs: made by activate, :meth:`destroy`-ed by deactivate (after
    :meth:`finish`).  ``frame_id()`` gives the audio's frame; ``prefix`` is the stream's topic
    prefix (``''`` or ``name/``); ``voices``: publish REP-155 voices (the node's only stream)."""

    def __init__(self, node, activation: Activation, *, stream, frame_id, counts, prefix: str = '',
                 voices: bool = True):
        from degram_msgs.msg import ModelInfo, SoundEvent, SoundEventSegment, SpeakerId

        a = activation
        model, params, speakers = a.model, a.params, a.speakers
        self._node, self.model, self.stream, self._p = node, model, stream, params
        self._frame_id, self._counts = frame_id, counts
        self.stream_name = prefix.rstrip('/')
        self.speakers = speakers
        self.services = a.services
        self.voices = (Rep155Voices(node) if voices and speakers is not None and params['publish_hri_voices']
                       and hri_msgs_available() else None)
        self.speaker = model.task == 'speaker_id'
        if self.speaker:
            self.result_pub = output_publisher(node, SpeakerId, prefix + 'speaker_id', RESULTS_DEPTH)
            self.segment_pub, tracker = None, None
        else:
            self.result_pub = output_publisher(node, SoundEvent, prefix + 'sound_event', RESULTS_DEPTH)
            self.segment_pub = output_publisher(node, SoundEventSegment, prefix + 'sound_event_segments',
                                                     RESULTS_DEPTH)
            tracker = build_tracker(model.labels, stream.window_length, params)
        self.info_pub = output_publisher(node, ModelInfo, prefix + 'model_info', LATCHED)
        self.image_pub = output_publisher(node, Image, prefix + 'representation', 1)
        self.standard = (StandardOutputs(node, prefix) if params['publish_vision_msgs'] and vision_msgs_available()
                         else None)
        self.analyzer = WindowAnalyzer(model.predictor, a.detector, tracker, a.vad, a.min_speech_ratio)
        self.background = a.background
        self.lock = a.lock
        self._last_stamp: float | None = None

    @property
    def publishers(self) -> list:
        standard = self.standard.publishers if self.standard is not None else []
        return [pub for pub in (self.result_pub, self.segment_pub, self.info_pub, self.image_pub, *standard)
                if pub is not None]

    def set_detector(self, detector, background: str) -> None:
        """A runtime threshold change: the next window is decided by ``detector``; ModelInfo
        states it."""
        self.analyzer.detector, self.background = detector, background
        self.publish_info()

    def publish_info(self) -> None:
        stamp = self._node.get_clock().now().to_msg()
        info = model_info_message(self.model, self.analyzer.detector, self.background,
                                  self.stream.window_length, self.stream.hop_length, stamp)
        if self.speakers is not None:   # open set: the labels are the people enrolled now
            info.labels = self.speakers.database.names()
            info.thresholds = [float(self.speakers.analyzer.threshold)] * len(info.labels)
        self.info_pub.publish(info)
        if self.standard is not None:
            self.standard.publish_labels(info.labels, info.thresholds, stamp)

    # ------------------------------------------------------------ the inference thread
    def process(self, window) -> None:
        if self.speakers is not None:
            return self._process_speakers(window)
        with self.lock:
            analysis = self.analyzer.analyse([window])[0]
            self._last_stamp = window.stamp
        self.publish(analysis)

    def publish(self, analysis) -> None:
        """One window's analysis (by :meth:`process`, or several streams' in one batch) → messages."""
        p, window = self._p, analysis.window
        self._last_stamp = window.stamp
        if analysis.no_speech:   # the voice gate: no result, counted
            self._counts['windows_without_speech'] += 1
            return
        decision = analysis.decision
        if decision.nonfinite:   # counted as an inference error by the worker; never published
            raise NonFiniteScores(f'the model gave NaN/Inf scores for the window at {window.stamp:.3f} s; '
                                  'nothing published')
        stamp = to_time(window.stamp)
        frame_id = p['frame_id'] or self._frame_id()
        if self.speaker:
            embedding = None
            if p['publish_embedding'] and analysis.output is not None:
                embedding = analysis.output.embedding.reshape(-1).float().cpu().numpy()
            msg = speaker_message(
                decision.scores, self.model.labels, p['top_k'], speaker_threshold(p['threshold']),
                stamp, frame_id, self.stream.window_length, embedding)
            self.result_pub.publish(msg)
            detected = [(msg.candidates[0].class_id, msg.confidence)] if msg.known else []
        else:
            msg = sound_event_message(
                decision, self.model.labels, p['top_k'], stamp, frame_id, self.stream.window_length)
            self.result_pub.publish(msg)
            self._publish_segments(analysis.ended, ENDED, frame_id)
            self._publish_segments(analysis.started, STARTED, frame_id)
            detected = [(d.class_id, d.score) for d in msg.detections]
        if self.standard is not None:
            self.standard.publish_result(detected, stamp, frame_id)
        output = analysis.output
        if p['publish_representation'] and output is not None and output.representation is not None:
            rep = output.representation[0].float().cpu().numpy()
            self.image_pub.publish(image_message(rep, p['representation_encoding'], stamp, frame_id))

    def publish_self_speech(self, window) -> None:
        """A window that overlaps the robot's own speech: not analysed (no speaker, no detection;
        the events and the enrolment from the stream do not see it), one message marked
        ``self_speech`` so that consumers see why, counted."""
        self._counts['windows_self_speech'] += 1
        stamp, frame_id = to_time(window.stamp), self._p['frame_id'] or self._frame_id()
        self.result_pub.publish(self_speech_message(self.speaker or self.speakers is not None, stamp, frame_id,
                                                    self.stream.window_length))

    def _process_speakers(self, window) -> None:
        """Open set: the voice gate, the embedding, the best enrolled person or 'unknown'."""
        p, analyzer = self._p, self.speakers.analyzer
        analyzer.top_k = p['top_k']
        result = analyzer.analyse([window])[0]
        if self.services is not None:
            self.services.on_window(result.embedding, result.speech_ratio, self.stream_name)
        stamp, frame_id = to_time(window.stamp), p['frame_id'] or self._frame_id()
        if self.voices is not None:
            self.voices.update(result.speech, result.match, stamp, frame_id)
        if not result.speech:
            self._counts['windows_without_speech'] += 1
            return
        names = self.speakers.database.names()
        msg = open_set_speaker_message(result.match, names, stamp, frame_id, self.stream.window_length,
                                       result.speech_ratio,
                                       result.embedding if p['publish_embedding'] else None)
        self.result_pub.publish(msg)
        if self.standard is not None:
            known = [(names.index(msg.speaker), msg.confidence)] if msg.known and msg.speaker in names else []
            self.standard.publish_result(known, stamp, frame_id)

    def _publish_segments(self, events, state: int, frame_id: str) -> None:
        for event in events:
            self.segment_pub.publish(segment_message(event, state, frame_id))

    # ------------------------------------------------------------ teardown
    def finish(self) -> int:
        """Close the open events (an ENDED segment each, offset = the end of their last detected
        window, as ``degram annotate`` closes them at the end of a recording); → how many."""
        with self.lock:
            if self._last_stamp is None or self.segment_pub is None:
                return 0
            ended = self.analyzer.finish(self._last_stamp + self.stream.window_length)
        frame_id = self._p.get('frame_id') or self._frame_id()
        self._publish_segments(ended, ENDED, frame_id)
        if ended:   # the publisher is destroyed next: let the subscribers have them first
            self.segment_pub.wait_for_all_acked(Duration(seconds=ACK_TIMEOUT_S))
        return len(ended)

    def destroy(self) -> None:
        if self.voices is not None:
            self.voices.destroy()
        for pub in self.publishers:
            destroy_output(self._node, pub)
