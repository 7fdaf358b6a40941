"""``degram_node``: sound-event / speaker recognition on a ROS 2 audio stream, a lifecycle node.

Subscribes to audio_common_msgs audio (``audio`` or ``audio_stamped``) and ``audio_info``,
re-chunks it into sliding windows (:class:`degram.streaming.StreamInput`), decides each window
on a worker thread with :class:`degram.events.WindowAnalyzer` (level gate, thresholds, k-of-n
events: the path of ``degram annotate``) and publishes one ``degram_msgs/SoundEvent`` or
``degram_msgs/SpeakerId`` per hop, a ``degram_msgs/SoundEventSegment`` when a sound event starts
or ends, a latched ``degram_msgs/ModelInfo``, optionally the learned representation as an image,
and ``/diagnostics`` at 1 Hz.  The contract is the README (Topics, Parameters, Lifecycle).

Lifecycle: configure = read and validate the parameters (:mod:`degram_ros.parameters`) and load
the model; activate = subscriptions, publishers, the diagnostics timer and the inference thread;
deactivate tears those down (the window in flight is finished first); cleanup releases the model.
With ``autostart`` (default) the constructor configures and activates, raising
:class:`StartupError` with one clear message on failure; without it the node waits for a
lifecycle manager (``<node>/change_state``).
"""
from __future__ import annotations

import collections
import sys

from diagnostic_msgs.msg import DiagnosticArray
from rclpy.lifecycle import LifecycleNode, State, TransitionCallbackReturn

from degram.streaming import AudioStream
from degram_ros import parameters, shutdown
from degram_ros.audio_flavour import MGONZS13, detect_flavour
from degram_ros.audio_input import AudioInput, ThrottledLog
from degram_ros.detection import background_text, build_detector
from degram_ros.diagnostics import DiagnosticsReport
from degram_ros.model import load_model, model_name, release
from degram_ros.parameters import PARAMETERS, RUNTIME, StartupError  # noqa: F401
from degram_ros.audio_subscription import POLL_S, AudioSubscription
from degram_ros.qos import AUDIO_QOS, LATCHED, VOLATILE_INFO  # noqa: F401
from degram_ros.results import ResultPublisher
from degram_ros.speakers import (SpeakerServices, is_embedding_model, open_speaker_mode, speech_ratio_of,
                                 voice_detector)
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


class DegramNode(LifecycleNode):
    """The ``degram_node``; with ``autostart`` raises :class:`StartupError` from the constructor
    on bad config."""

    def __init__(self, node_name: str = 'degram_node', **kwargs):
        super().__init__(node_name, **kwargs)
        self._counts = collections.Counter()
        self._latencies: collections.deque = collections.deque(maxlen=200)
        self._log = ThrottledLog(self.get_logger())
        self._slot = _closed_slot()
        self._model = self.stream = self._input = self._worker = self._results = None
        self._detector = None
        self._speakers = self._speaker_services = None    # speaker-embedding model: SpeakerMode, SpeakerServices
        self._vad, self._min_speech_ratio = None, 0.0
        self._inputs: list = []            # (destroy function, entity) made by activate
        self._audio: AudioSubscription | None = None   # made by activate
        self._outputs: list = []           # publishers made by activate
        self._params: dict = {}
        self._failure = ''
        self._autostarting = False
        self._declare_problems = parameters.declare(self)
        self.add_on_set_parameters_callback(self._on_set_parameters)
        if self.get_parameter('autostart').value:
            self._autostart()
        else:
            self.get_logger().info('autostart is false: unconfigured, waiting for a lifecycle '
                                   'manager (configure, then activate)')

    def _autostart(self) -> None:
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
        """One clear line (raised by the constructor instead when autostarting), FAILURE."""
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
            self._activate()
        except Exception as exc:
            self._deactivate()
            return self._fail(f'cannot activate: {type(exc).__name__}: {exc}')
        return SUCCESS

    def on_deactivate(self, state: State) -> TransitionCallbackReturn:
        self._deactivate()
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
        window, hop = parameters.window_and_hop(p, m.meta)
        self.task, self.labels, self.model_rate = m.task, m.labels, m.sample_rate
        self.model_name, self.device_text, self.multi_label = m.name, m.device_text, m.multi_label
        try:
            self._detector = build_detector(m.predictor, m.task, p['threshold'], p['min_level_db'])
        except ValueError as exc:   # e.g. calibrated thresholds that do not fit the labels
            raise StartupError(f"cannot use model '{m.name}': {exc}") from None
        self.stream = AudioStream(
            m.sample_rate, window, hop, sample_rate=p['sample_rate'],
            channels=p['channels'], sample_format=p['sample_format'], channel=p['channel'],
            max_message_length=p['max_message_length'])
        self._input = AudioInput(self.stream, self._counts, self.get_logger(), self.get_clock(),
                                 m.sample_rate, require_info=p['require_audio_info'])
        self._configure_voice(m, p)
        self._diagnostics = DiagnosticsReport()
        self._params = p
        if p['publish_representation'] and m.backend == 'onnxruntime':
            self.get_logger().warning(NO_REPRESENTATION)

    def _configure_voice(self, m, p: dict) -> None:
        """A speaker-embedding model: the enrolled people (open set) with its voice gate; any other
        model: the voice gate when min_speech_ratio (or the model's metadata) asks for one."""
        try:
            if m.task == 'speaker_id' and is_embedding_model(m.predictor):
                self._speakers = open_speaker_mode(m.predictor, p, self.get_logger())
                self._vad, self._min_speech_ratio = self._speakers.vad, self._speakers.analyzer.min_speech_ratio
            else:
                self._min_speech_ratio = speech_ratio_of(m.predictor, p)
                self._vad = voice_detector(self._min_speech_ratio)
        except StartupError:
            raise
        except Exception as exc:   # e.g. silero-vad missing
            raise StartupError(f'cannot set up the voice gate / speaker database: {exc}') from None

    def _explicit(self, name: str) -> bool:
        """Whether parameter ``name`` was given (command line, params file, overrides) rather than
        left at its default."""
        return name in getattr(self, '_parameter_overrides', {})

    def _background(self) -> str:
        return background_text(self._model.predictor, self.task, self._detector,
                               self._params['threshold'])

    def _activate(self) -> None:
        p = self._params
        self._diag_pub = self.create_publisher(DiagnosticArray, '/diagnostics', 10)
        self._outputs = [self._diag_pub]
        self._results = ResultPublisher(self, self._model, self._detector, self._background(),
                                        self.stream, p, lambda: self._input.frame_id, self._counts,
                                        self._speakers, self._vad, self._min_speech_ratio)
        self._outputs += self._results.publishers
        if self._speakers is not None:
            self._speaker_services = self._results.services = SpeakerServices(
                self, self._model.predictor, self._speakers.database, self._speakers.vad,
                self.stream.hop_length, self.stream.window_length, self._results.publish_info)
        self._worker = InferenceWorker(
            self._results.process, self._counts, self._latencies, self.stream.hop_length,
            lambda exc: self._log('inference', 'error', f'inference failed: {exc}'))
        self._slot = self._input.slot = self._worker.slot
        self._worker.start()
        audio = self._audio = AudioSubscription(self, *self._audio_topic(), p['audio_qos'], self._counts)
        # latched AudioInfo, and the volatile kind (audio_capture before 0.4) that a
        # transient-local reader never matches; an identical re-send changes nothing.  (The
        # mgonzs13 flavour has no AudioInfo topic: every message carries its format.)
        infos = [] if AUDIO.info is None else [
            self.create_subscription(AUDIO.info, 'audio_info', self._input.on_info, qos)
            for qos in (LATCHED, VOLATILE_INFO)]
        timer = self.create_timer(1.0, self._publish_diagnostics)
        self._inputs = [(self.destroy_subscription, info) for info in infos] + [(self.destroy_timer, timer)]
        if p['audio_qos'] == 'auto':
            self._inputs.append((self.destroy_timer, self.create_timer(POLL_S, audio.poll)))
        self._results.publish_info()
        self.get_logger().info(
            f"ready: model '{self.model_name}' ({self.task}, {len(self.labels)} classes, "
            f'{self.model_rate} Hz) on {self.device_text}; window {self.stream.window_length} s, '
            f'hop {self.stream.hop_length} s; listening on {audio.topic_name} -> '
            f'{self._results.result_pub.topic_name}')

    # ---------------------------------------------------------------- audio subscription
    def _audio_topic(self) -> tuple[type, str, object]:
        if AUDIO.name == MGONZS13:   # always stamped, on `audio`
            return AUDIO.stamped, 'audio', self._input.on_audio_portaudio
        if self._params['stamped']:
            return AUDIO.stamped, 'audio_stamped', self._input.on_audio_stamped
        return AUDIO.plain, 'audio', self._input.on_audio

    def _deactivate(self) -> None:
        """Inputs first, then the inference thread (its window in flight still publishes), the
        open sound events (an ENDED segment each), then the publishers.  Idempotent."""
        inputs, outputs, results = self._inputs, self._outputs, self._results
        self._inputs, self._outputs, self._results = [], [], None
        for destroy, entity in inputs:
            destroy(entity)
        if self._speaker_services is not None:
            self._speaker_services.destroy()
            self._speaker_services = None
        if self._audio is not None:
            self._audio.destroy()
            self._audio = None
        if self._input is not None:
            self._input.slot = None
        if self._worker is not None:
            self._worker.stop()
            self._worker = None
        if results is not None:
            try:
                results.finish()
            except Exception as exc:   # e.g. the context went away first
                self.get_logger().warning(f'could not close the open sound events: {exc}')
        for publisher in outputs:
            self.destroy_publisher(publisher)

    def _release(self) -> None:
        """Everything configure and activate made.  Idempotent."""
        self._deactivate()
        release(self._model)
        self._model = self.stream = self._input = self._detector = None
        self._speakers = self._vad = None
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
            threshold = self._params['threshold']
            self._speakers.analyzer.threshold = threshold if threshold >= 0 else self._speakers.threshold
        results = self._results
        if results is not None:
            results.set_detector(self._detector, self._background())

    @property
    def _format_error(self):
        return None if self._input is None else self._input.format_error

    # ---------------------------------------------------------------- diagnostics
    def diagnostics_values(self) -> dict[str, str]:
        values = self._diagnostics.values(self.stream, self._counts, self._latencies,
                                          self.model_name, self.task, self.device_text,
                                          self._model.backend)
        values['audio_qos'] = self._audio_qos_text()
        values['waiting_for_audio_info'] = str(self._counts['waiting_for_audio_info'])
        values['audio_qos_switches'] = str(self._counts['audio_qos_switches'])
        values['audio_msgs'] = AUDIO.description
        values['windows_without_speech'] = str(self._counts['windows_without_speech'])
        if self._speakers is not None:
            values['enrolled_speakers'] = str(len(self._speakers.database))
            values['speaker_database'] = str(self._speakers.database.path)
        return values

    def _audio_qos_text(self) -> str:
        return 'not subscribed' if self._audio is None else self._audio.describe()

    def diagnostics_status(self):
        """→ this node's diagnostic_msgs/DiagnosticStatus, named ``degram_node: <fully qualified
        name>`` whatever the node is called (config/diagnostic_analyzers.yaml groups by it)."""
        return self._diagnostics.status(
            f'degram_node: {self.get_fully_qualified_name()}', self.diagnostics_values(),
            self.device_text, self._input.format_error, self._input.last_audio)

    def _publish_diagnostics(self) -> None:
        if not self._outputs:
            return
        status = self.diagnostics_status()
        array = DiagnosticArray(status=[status])
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


def main(args=None) -> int:
    return shutdown.run('degram_node', DegramNode, (StartupError,), args=args)


if __name__ == '__main__':
    sys.exit(main())
