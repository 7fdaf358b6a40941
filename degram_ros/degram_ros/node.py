# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""``degram_node``: sound-event / speaker recognition on a ROS 2 audio stream, a lifecycle node.

Subscribes to audio_common_msgs audio (``audio`` or ``audio_stamped``) and ``audio_info``,
re-chunks it into sliding windows (:class:`degram.streaming.StreamInput`), decides each window
on a worker thread with :class:`degram.events.WindowAnalyzer` (level gate, thresholds, k-of-n
events: the path of ``degram annotate``) and publishes one ``degram_msgs/SoundEvent`` or
``degram_msgs/SpeakerId`` per hop, a ``degram_msgs/SoundEventSegment`` when a sound event starts
or ends, a latched ``degram_msgs/ModelInfo``, optionally the learned representation as an image,
and ``/diagnostics`` at 1 Hz.  With the ``streams`` parameter one node serves several
microphones (:class:`degram_ros.channel.AudioChannel` each, topics under the stream's name); the
windows that are ready together run as one batch.  The contract is the README (Topics,
Parameters, Lifecycle).

Lifecycle: configure = read and validate the parameters (:mod:`degram_ros.parameters`) and load
the model; activate = subscriptions, publishers, the diagnostics timer and the inference thread;
deactivate tears those down (the window in flight is finished first); cleanup releases the model.
The outputs are lifecycle publishers: they publish only while the node is active.  With
``autostart`` (default) :func:`main` (``ros2 run``, a plain launch ``Node``) configures and
activates the node (:meth:`DegramNode.autostart`), exiting with one clear message on failure;
without it the node waits for a lifecycle manager (``<node>/change_state``, or the transitions
``degram.launch.py`` emits).
"""
from __future__ import annotations

import collections
import sys
import threading

from diagnostic_msgs.msg import DiagnosticArray
from rclpy.lifecycle import LifecycleNode, State, TransitionCallbackReturn

from degram_ros import parameters, shutdown, sound_teaching
from degram_ros.audio_flavour import detect_flavour
from degram_ros.audio_input import ThrottledLog
from degram_ros.audio_subscription import POLL_S
from degram_ros.channel import AudioChannel, process_batch
from degram_ros.detection import background_text, build_detector
from degram_ros.model import load_model, model_name, release
from degram_ros.node_view import NodeView
from degram_ros.outputs import destroy_output, output_publisher
from degram_ros.parameters import PARAMETERS, RUNTIME, StartupError  # noqa: F401
from degram_ros.rclpy_private import answer_invalid_transitions, given_parameters
from degram_ros.results import Activation, ResultPublisher
from degram_ros.self_speech import subscribe_self_speech
from degram_ros.speakers import SpeakerServices, configure_voice
from degram_ros.worker import InferenceWorker, LatestSlot

try:  # the message packages are only needed once the node is built
    import degram_msgs.msg  # noqa: F401
    AUDIO = detect_flavour()
except (ImportError, RuntimeError) as _exc:  # pragma: no cover - reported by configure
    _MSG_IMPORT_ERROR: Exception | None = _exc
    AUDIO = None
else:
    _MSG_IMPORT_ERROR = None

NO_REPRESENTATION = ('publish_representation: the onnxruntime backend computes no representation '
                     '(the exported graph outputs logits and embedding only): no images are published')
SUCCESS, FAILURE = TransitionCallbackReturn.SUCCESS, TransitionCallbackReturn.FAILURE


def _closed_slot() -> LatestSlot:
    slot = LatestSlot()
    slot.close()
    return slot


class DegramNode(NodeView, LifecycleNode):
    """The ``degram_node``, unconfigured once constructed; :meth:`autostart` starts it as the
    ``autostart`` parameter says."""

    def __init__(self, node_name: str = 'degram_node', **kwargs):
        super().__init__(node_name, **kwargs)
        self._log = ThrottledLog(self.get_logger())
        self._slot = _closed_slot()
        self._channels: list[AudioChannel] = []    # one per stream, made by configure
        self._unconfigured_counts = collections.Counter()
        self._model = self._worker = None
        self._detector = None
        self._analysis_lock = threading.Lock()   # the streams' analyzers: inference thread vs finish
        self._speakers = self._speaker_services = None    # speaker-embedding model: SpeakerMode, SpeakerServices
        self._vad, self._min_speech_ratio = None, 0.0
        self._inputs: list = []            # (destroy function, entity) made by activate
        self._outputs: list = []           # publishers made by activate
        self._params: dict = {}
        self._failure = ''
        self._autostarting = False
        self._declare_problems = parameters.declare(self)
        sound_teaching.declare(self)
        self._sounds = None   # a sound-event model with sound_db: SoundTeaching (taught sounds, ~/teach)
        self.add_on_set_parameters_callback(self._on_set_parameters)
        answer_invalid_transitions(self)

    def autostart(self) -> None:
        """With the ``autostart`` parameter, configure and activate now (what :func:`main` does),
        raising :class:`StartupError` with one clear message on failure (the node is destroyed
        then); without it, log that the node waits for a lifecycle manager."""
        if not self.get_parameter('autostart').value:
            self.get_logger().info('autostart is false: unconfigured, waiting for a lifecycle '
                                   'manager (configure, then activate)')
            return
        self._autostarting = True
        try:
            ok = self.trigger_configure() == SUCCESS and self.trigger_activate() == SUCCESS
        except BaseException:   # e.g. Ctrl-C while the model loads
            self.destroy_node()
            raise
        finally:
            self._autostarting = False
        if not ok:
            self.destroy_node()
            raise StartupError(self._failure or 'degram_node could not start')

    def _fail(self, message: str) -> TransitionCallbackReturn:
        """One clear line (raised by :meth:`autostart` instead when autostarting), FAILURE."""
        self._failure = message
        if not self._autostarting:
            self.get_logger().error(message)
        return FAILURE

    # ---------------------------------------------------------------- lifecycle
    def on_configure(self, state: State) -> TransitionCallbackReturn:
        try:
            self._configure()
        except Exception as exc:
            self._release()
            return self._fail(str(exc) if isinstance(exc, StartupError) else
                              f'cannot configure: {type(exc).__name__}: {exc}')
        return SUCCESS

    def on_activate(self, state: State) -> TransitionCallbackReturn:
        try:
            self._activate(state)
        except Exception as exc:
            self._deactivate()
            return self._fail(f'cannot activate: {type(exc).__name__}: {exc}')
        return SUCCESS

    def on_deactivate(self, state: State) -> TransitionCallbackReturn:
        self._deactivate()
        super().on_deactivate(state)   # the lifecycle publishers left (none: destroyed above)
        self.get_logger().info('deactivated: no longer listening')
        return SUCCESS

    def on_cleanup(self, state: State) -> TransitionCallbackReturn:
        self._release()
        return SUCCESS

    def on_shutdown(self, state: State) -> TransitionCallbackReturn:
        self._release()
        return SUCCESS

    def on_error(self, state: State) -> TransitionCallbackReturn:
        self._release()
        return SUCCESS

    def _configure(self) -> None:
        if _MSG_IMPORT_ERROR is not None:
            raise StartupError(f'message packages unusable ({_MSG_IMPORT_ERROR}); build and source '
                               'degram_msgs and audio_common_msgs')
        if self._declare_problems:
            raise StartupError(self._declare_problems[0])
        p = {name: self.get_parameter(name).value for name in PARAMETERS}
        parameters.validate(p)
        self.get_logger().info(f"loading model '{model_name(p)}' (device {p['device']}, backend "
                               f"{p['backend']})")
        m = self._model = load_model(p, self.get_logger(), self._explicit('backend'))
        self._sounds = sound_teaching.configure(self, m)   # taught sounds: classes after the model's
        window, hop = parameters.window_and_hop(p, m.meta)
        self.task, self.labels, self.model_rate = m.task, m.labels, m.sample_rate
        self.model_name, self.device_text, self.multi_label = m.name, m.device_text, m.multi_label
        try:
            self._detector = build_detector(m.predictor, m.task, p['threshold'], p['min_level_db'])
        except ValueError as exc:   # e.g. calibrated thresholds that do not fit the labels
            raise StartupError(f"cannot use model '{m.name}': {exc}") from None
        self._channels = [AudioChannel(self, name, p, m.sample_rate, window, hop)
                          for name in parameters.stream_names(p)]
        self._speakers, self._vad, self._min_speech_ratio = configure_voice(m, p, self.get_logger())
        self._params = p
        if p['publish_representation'] and m.backend == 'onnxruntime':
            self.get_logger().warning(NO_REPRESENTATION)

    def _explicit(self, name: str) -> bool:
        """Whether parameter ``name`` was given (command line, params file, overrides) rather than
        left at its default."""
        return name in given_parameters(self)

    def _background(self) -> str:
        return background_text(self._model.predictor, self.task, self._detector,
                               self._params['threshold'])

    def _activate(self, state: State) -> None:
        p = self._params
        self._diag_pub = output_publisher(self, DiagnosticArray, '/diagnostics', 10)
        self._outputs = [self._diag_pub]
        self._worker = InferenceWorker(
            lambda batch: process_batch(batch, self._analysis_lock), hop_length=self.stream.hop_length,
            on_error=lambda exc: self._log('inference', 'error', f'inference failed: {exc}'),
            account=lambda channel: (channel.counts, channel.latencies))
        self._slot = self._worker.slot
        if self._speakers is not None:
            self._speaker_services = SpeakerServices(
                self, self._model.predictor, self._speakers.database, self._speakers.vad,
                self.stream.hop_length, self.stream.window_length, self._publish_model_info,
                self._channels[0].name)
        activation = Activation(self._model, self._detector, self._background(), p, self._analysis_lock,
                                speakers=self._speakers, vad=self._vad, min_speech_ratio=self._min_speech_ratio,
                                services=self._speaker_services)
        if self._sounds is not None:
            self._sounds.activate(self, self._analysis_lock, self._rebuild_detector)
        single = len(self._channels) == 1
        for channel in self._channels:
            results = ResultPublisher(self, activation, stream=channel.stream, counts=channel.counts,
                                      frame_id=lambda c=channel: c.input.frame_id, prefix=channel.prefix,
                                      voices=single)
            self._outputs += results.publishers
            channel.activate(self, AUDIO, results, self._slot, p['audio_qos'], p['stamped'])
        if super().on_activate(state) != SUCCESS:   # enables the lifecycle publishers
            raise RuntimeError('the lifecycle publishers could not be activated')
        self._worker.start()
        self._inputs = [(self.destroy_timer, self.create_timer(1.0, self._publish_diagnostics))]
        speech = subscribe_self_speech(self, p['self_speech_topic'], self._channels)
        if speech is not None:
            self._inputs.append((self.destroy_subscription, speech))
        if p['audio_qos'] == 'auto':
            self._inputs.append((self.destroy_timer, self.create_timer(POLL_S, self._poll_audio)))
        self._publish_model_info()
        topics = ', '.join(f'{c.audio.topic_name} -> {c.results.result_pub.topic_name}' for c in self._channels)
        self.get_logger().info(
            f"ready: model '{self.model_name}' ({self.task}, {len(self.labels)} classes, "
            f'{self.model_rate} Hz) on {self.device_text}; window {self.stream.window_length} s, '
            f'hop {self.stream.hop_length} s; listening on '
            + (topics if single else f'{len(self._channels)} streams: {topics}'))

    def _poll_audio(self) -> None:
        for channel in self._channels:
            if channel.audio is not None:
                channel.audio.poll()

    def _publish_model_info(self) -> None:
        for channel in self._channels:
            if channel.results is not None:
                channel.results.publish_info()

    def _deactivate(self) -> None:
        """Inputs first, then the inference thread (its batch in flight still publishes), the
        open sound events (an ENDED segment each), then the publishers.  Idempotent."""
        inputs, outputs = self._inputs, self._outputs
        self._inputs, self._outputs = [], []
        for destroy, entity in inputs:
            destroy(entity)
        if self._speaker_services is not None:
            self._speaker_services.destroy()
            self._speaker_services = None
        if self._sounds is not None:
            self._sounds.deactivate()
        for channel in self._channels:
            channel.stop_input(self)
        if self._worker is not None:
            self._worker.stop()
            self._worker = None
        for channel in self._channels:
            results, channel.results = channel.results, None
            if results is None:
                continue
            try:
                results.finish()
                if results.voices is not None:
                    results.voices.destroy()
            except Exception as exc:   # e.g. the context went away first
                self.get_logger().warning(f'could not close the open sound events: {exc}')
        for publisher in outputs:
            destroy_output(self, publisher)

    def _release(self) -> None:
        """Everything configure and activate made.  Idempotent."""
        self._deactivate()
        release(self._model)
        self._model = self._detector = None
        self._channels = []
        self._speakers = self._vad = self._sounds = None
        self._params = {}

    # ---------------------------------------------------------------- parameters
    def _on_set_parameters(self, params):
        result = parameters.check_set(params)
        if result.successful and self._params:
            for param in params:
                if param.name in RUNTIME:
                    self._params[param.name] = param.value
            names = {param.name for param in params}
            if 'threshold' in names:
                self._rebuild_detector()
            if ('publish_representation' in names and self._params['publish_representation']
                    and self._model.backend == 'onnxruntime'):
                self.get_logger().warning(NO_REPRESENTATION)
        return result

    def _rebuild_detector(self) -> None:
        """A runtime threshold change: the next window is decided with the new thresholds."""
        self._detector = build_detector(self._model.predictor, self.task, self._params['threshold'],
                                        self._params['min_level_db'])
        if self._speakers is not None:
            self._speakers.set_threshold(self._params['threshold'])
        for channel in self._channels:
            if channel.results is not None:
                channel.results.set_detector(self._detector, self._background())

    # ---------------------------------------------------------------- diagnostics
    def diagnostics_values(self, channel: AudioChannel | None = None) -> dict[str, str]:
        """The key/values of one stream's status (the first stream's by default)."""
        return (channel or self._channels[0]).diagnostics_values(
            self.model_name, self.task, self.device_text, self._model.backend, AUDIO.description,
            len(self._channels) > 1, None if self._speakers is None else self._speakers.database)

    def diagnostics_status(self, channel: AudioChannel | None = None):
        """→ one stream's diagnostic_msgs/DiagnosticStatus, named ``degram_node: <fully qualified
        name>`` (``/<stream>`` appended with several streams) whatever the node is called
        (config/diagnostic_analyzers.yaml groups by it)."""
        c = channel or self._channels[0]
        return c.diagnostics_status(self.get_fully_qualified_name(), self.diagnostics_values(c), self.device_text)

    def _publish_diagnostics(self) -> None:
        if not self._outputs:
            return
        array = DiagnosticArray(status=[self.diagnostics_status(c) for c in self._channels])
        array.header.stamp = self.get_clock().now().to_msg()
        try:
            self._diag_pub.publish(array)
        except Exception:
            if self._outputs:   # only a publish racing the teardown is not an error
                raise

    # ---------------------------------------------------------------- teardown
    def stop(self) -> None:
        """Stop listening and inferring now (the executable calls this before destroy_node)."""
        self._deactivate()

    def destroy_node(self):
        try:
            self.trigger_shutdown()   # → on_shutdown from unconfigured, inactive or active
        except Exception:   # finalized already, or in the middle of a transition
            pass
        self._release()
        return super().destroy_node()


def _started() -> DegramNode:
    node = DegramNode()
    node.autostart()
    return node


def main(args=None) -> int:
    """``degram_node``: the node, configured and activated when ``autostart`` is true, spun until a
    signal; → the exit code (1 with one fatal line when it cannot start)."""
    return shutdown.run('degram_node', _started, (StartupError,), args=args)


if __name__ == '__main__':
    sys.exit(main())
