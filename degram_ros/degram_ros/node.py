"""``degram_node``: sound-event / speaker recognition on a ROS 2 audio stream, a lifecycle node.

Subscribes to audio_common_msgs audio (``audio`` or ``audio_stamped``) and ``audio_info``,
re-chunks it into sliding windows (:mod:`degram.streaming`), runs the DEGram model on a
worker thread and publishes one ``degram_msgs/SoundEvent`` or ``degram_msgs/SpeakerId`` per hop,
a latched ``degram_msgs/ModelInfo``, optionally the learned representation as an image, and
``/diagnostics`` at 1 Hz.  The contract is docs/ros_interface.md.

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
from rclpy.qos import (DurabilityPolicy, HistoryPolicy, QoSProfile, ReliabilityPolicy,
                       qos_profile_sensor_data)
from sensor_msgs.msg import Image

from degram.streaming import AudioStream
from degram_ros import parameters, shutdown
from degram_ros.audio_input import AudioInput, ThrottledLog
from degram_ros.conversions import image_message, model_info_message, result_message, to_time
from degram_ros.diagnostics import DiagnosticsReport
from degram_ros.model import load_model, model_name, release, resolve_device  # noqa: F401
from degram_ros.parameters import PARAMETERS, RUNTIME, StartupError  # noqa: F401
from degram_ros.worker import InferenceWorker, LatestSlot

try:  # the message packages are only needed once the node is built
    from audio_common_msgs.msg import AudioData, AudioDataStamped, AudioInfo
    from degram_msgs.msg import ModelInfo, SoundEvent, SpeakerId
except ImportError as _exc:  # pragma: no cover - reported by configure
    _MSG_IMPORT_ERROR: ImportError | None = _exc
else:
    _MSG_IMPORT_ERROR = None

LATCHED = QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE,
                     durability=DurabilityPolicy.TRANSIENT_LOCAL)
# The sensor-data profile (best effort: matches reliable and best-effort publishers) with a deeper
# queue: its depth of 5 loses chunks whenever a burst (bag replay, a busy executor) outruns the
# callback, and every lost chunk resets the window buffer.
AUDIO_QOS = QoSProfile(history=HistoryPolicy.KEEP_LAST, depth=100,
                       reliability=qos_profile_sensor_data.reliability,
                       durability=qos_profile_sensor_data.durability)
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
        self._model = self.stream = self._input = self._worker = None
        self._inputs: list = []            # (destroy function, entity) made by activate
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
            raise StartupError(f'message packages missing ({_MSG_IMPORT_ERROR}); build and source '
                               'degram_msgs and audio_common_msgs')
        if self._declare_problems:
            raise StartupError(self._declare_problems[0])
        p = {name: self.get_parameter(name).value for name in PARAMETERS}
        parameters.validate(p)
        self.get_logger().info(f"loading model '{model_name(p)}' (device {p['device']})")
        m = self._model = load_model(p, self.get_logger())
        from degram.inference import top_k

        self._top_k = top_k
        self.task, self.labels, self.model_rate = m.task, m.labels, m.sample_rate
        self.model_name, self.device_text, self.multi_label = m.name, m.device_text, m.multi_label
        self.stream = AudioStream(
            m.sample_rate, p['window_length'], p['hop_length'], sample_rate=p['sample_rate'],
            channels=p['channels'], sample_format=p['sample_format'], channel=p['channel'],
            max_message_length=p['max_message_length'])
        self._input = AudioInput(self.stream, self._counts, self.get_logger(), self.get_clock(),
                                 m.sample_rate)
        self._diagnostics = DiagnosticsReport()
        self._params = p

    def _activate(self) -> None:
        p = self._params
        speaker = self.task == 'speaker_id'
        result_type, result_topic = (SpeakerId, 'speaker_id') if speaker else (SoundEvent, 'sound_event')
        self._result_pub = self.create_publisher(result_type, result_topic, 10)
        self._info_pub = self.create_publisher(ModelInfo, 'model_info', LATCHED)
        self._image_pub = self.create_publisher(Image, 'representation', 1)
        self._diag_pub = self.create_publisher(DiagnosticArray, '/diagnostics', 10)
        self._outputs = [self._result_pub, self._info_pub, self._image_pub, self._diag_pub]
        self._worker = InferenceWorker(
            self._infer, self._counts, self._latencies, self.stream.hop_length,
            lambda exc: self._log('inference', 'error', f'inference failed: {exc}'))
        self._slot = self._input.slot = self._worker.slot
        self._worker.start()
        if p['stamped']:
            audio = self.create_subscription(AudioDataStamped, 'audio_stamped',
                                             self._input.on_audio_stamped, AUDIO_QOS)
        else:
            audio = self.create_subscription(AudioData, 'audio', self._input.on_audio, AUDIO_QOS)
        info = self.create_subscription(AudioInfo, 'audio_info', self._input.on_info, LATCHED)
        timer = self.create_timer(1.0, self._publish_diagnostics)
        self._inputs = [(self.destroy_subscription, audio), (self.destroy_subscription, info),
                        (self.destroy_timer, timer)]
        self._info_pub.publish(model_info_message(
            self._model, self._model.ckpt.model.frontend_name, self._model.ckpt.model.backbone_name,
            self.stream.window_length, self.stream.hop_length, self.get_clock().now().to_msg()))
        self.get_logger().info(
            f"ready: model '{self.model_name}' ({self.task}, {len(self.labels)} classes, "
            f'{self.model_rate} Hz) on {self.device_text}; window {p["window_length"]} s, hop '
            f'{p["hop_length"]} s; listening on {audio.topic_name} -> {self._result_pub.topic_name}')

    def _deactivate(self) -> None:
        """Inputs first, then the inference thread (its window in flight still publishes), then
        the publishers.  Idempotent."""
        inputs, outputs = self._inputs, self._outputs
        self._inputs, self._outputs = [], []
        for destroy, entity in inputs:
            destroy(entity)
        if self._input is not None:
            self._input.slot = None
        if self._worker is not None:
            self._worker.stop()
            self._worker = None
        for publisher in outputs:
            self.destroy_publisher(publisher)

    def _release(self) -> None:
        """Everything configure and activate made.  Idempotent."""
        self._deactivate()
        release(self._model)
        self._model = self.stream = self._input = None
        self._params = {}

    # ---------------------------------------------------------------- parameters
    def _on_set_parameters(self, params):
        result = parameters.check_set(params)
        if result.successful and self._params:
            for param in params:
                if param.name in RUNTIME:
                    self._params[param.name] = param.value
        return result

    @property
    def _format_error(self):
        return None if self._input is None else self._input.format_error

    # ---------------------------------------------------------------- inference (worker thread)
    def _infer(self, window) -> None:
        p, ckpt = self._params, self._model.ckpt
        # one pass through the model: the representation and the embedding it computes on the way
        # are what the optional image and embedding outputs publish (eval mode: no SpecAugment)
        output = ckpt.infer(window.samples[None])
        probs = ckpt.scores(output.logits)[0].double().cpu().numpy()
        stamp = to_time(window.stamp)
        frame_id = p['frame_id'] or self._input.frame_id
        embedding = None
        if self.task == 'speaker_id' and p['publish_embedding']:
            embedding = output.embedding.reshape(-1).float().cpu().numpy()
        self._result_pub.publish(result_message(
            self.task, self._top_k(probs, p['top_k']), self.labels, p['threshold'], stamp,
            frame_id, self.stream.window_length, embedding))
        if p['publish_representation']:
            rep = output.representation[0].float().cpu().numpy()
            self._image_pub.publish(image_message(rep, p['representation_encoding'], stamp,
                                                  frame_id))

    # ---------------------------------------------------------------- diagnostics
    def diagnostics_values(self) -> dict[str, str]:
        return self._diagnostics.values(self.stream, self._counts, self._latencies,
                                        self.model_name, self.task, self.device_text)

    def _publish_diagnostics(self) -> None:
        if not self._outputs:
            return
        status = self._diagnostics.status(
            f'degram_node: {self.get_fully_qualified_name()}', self.diagnostics_values(),
            self.device_text, self._input.format_error, self._input.last_audio)
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
