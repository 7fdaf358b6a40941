"""``degram_node``: sound-event / speaker recognition on a ROS 2 audio stream.

Subscribes to audio_common_msgs audio (``audio`` or ``audio_stamped``) and ``audio_info``,
re-chunks it into sliding windows (:mod:`degram.streaming`), runs the DEGram model on a
worker thread and publishes one ``degram_msgs/SoundEvent`` or ``degram_msgs/SpeakerId`` per hop,
a latched ``degram_msgs/ModelInfo``, optionally the learned representation as an image, and
``/diagnostics`` at 1 Hz.  The contract is docs/ros_interface.md.
"""
from __future__ import annotations

import collections
import re
import sys
import threading
import time

import numpy as np
import rclpy
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus, KeyValue
from rcl_interfaces.msg import (FloatingPointRange, IntegerRange, ParameterDescriptor,
                                SetParametersResult)
from rclpy.exceptions import ParameterException
from rclpy.executors import ExternalShutdownException, SingleThreadedExecutor
from rclpy.node import Node
from rclpy.qos import (DurabilityPolicy, HistoryPolicy, QoSProfile, ReliabilityPolicy,
                       qos_profile_sensor_data)
from sensor_msgs.msg import Image

from degram.inference import top_k
from degram.streaming import (PCM_CODINGS, AudioStream, InputFormatError, ReceiveClockStamper, frame_bytes,
                              normalize_sample_format)
from degram_ros.conversions import representation_image, stamp_to_seconds, to_duration, to_time
from degram_ros.diagnostics import percentile
from degram_ros.worker import LatestSlot

try:  # the message packages are only needed once the node is built
    from audio_common_msgs.msg import AudioData, AudioDataStamped, AudioInfo
    from degram_msgs.msg import ClassScore, ModelInfo, SoundEvent, SpeakerId
except ImportError as _exc:  # pragma: no cover - reported by main()
    _MSG_IMPORT_ERROR: ImportError | None = _exc
else:
    _MSG_IMPORT_ERROR = None

TASKS = ('sound_event', 'speaker_id')
DEVICE_RE = re.compile(r'^(auto|cpu|cuda(:\d+)?)$')
REPRESENTATION_ENCODINGS = ('mono8', '32FC1')
THROTTLE_S = 5.0
LATCHED = QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE,
                     durability=DurabilityPolicy.TRANSIENT_LOCAL)
# The sensor-data profile (best effort: matches reliable and best-effort publishers) with a deeper
# queue: its depth of 5 loses chunks whenever a burst (bag replay, a busy executor) outruns the
# callback, and every lost chunk resets the window buffer.
AUDIO_QOS = QoSProfile(history=HistoryPolicy.KEEP_LAST, depth=100,
                       reliability=qos_profile_sensor_data.reliability,
                       durability=qos_profile_sensor_data.durability)


class StartupError(RuntimeError):
    """A configuration or model problem that stops the node at start-up (one clear message)."""


def _float_range(lo, hi, step=0.0):
    return [FloatingPointRange(from_value=float(lo), to_value=float(hi), step=float(step))]


def _int_range(lo, hi, step=1):
    return [IntegerRange(from_value=int(lo), to_value=int(hi), step=int(step))]


#: name → (default, description, extra descriptor fields); read_only unless in RUNTIME
PARAMETERS = {
    'model_path': ('', "checkpoint file, or a shipped model name ('sound_event', 'speaker_id', "
                       "'keyword'); empty = the shipped model for task", {}),
    'task': ('', "'sound_event' or 'speaker_id'; empty = the checkpoint's task", {}),
    'device': ('auto', "'auto', 'cpu', 'cuda' or 'cuda:N'; an unavailable GPU falls back to CPU",
               {}),
    'window_length': (1.0, 'seconds of audio per inference',
                      {'floating_point_range': _float_range(0.05, 60.0)}),
    'hop_length': (0.5, 'seconds between inferences (<= window_length)',
                   {'floating_point_range': _float_range(0.01, 60.0)}),
    'top_k': (5, 'scores per message (runtime-changeable)',
              {'integer_range': _int_range(1, 10000)}),
    'threshold': (0.5, 'detection / known-speaker threshold in [0, 1] (runtime-changeable)',
                  {'floating_point_range': _float_range(0.0, 1.0)}),
    'stamped': (False, 'subscribe to AudioDataStamped on audio_stamped instead of AudioData on '
                       'audio', {}),
    'sample_rate': (16000, 'input sample rate [Hz] until an AudioInfo arrives',
                    {'integer_range': _int_range(1, 768000)}),
    'channels': (1, 'input channels until an AudioInfo arrives',
                 {'integer_range': _int_range(1, 255)}),
    'sample_format': ('S16LE', 'input sample format until an AudioInfo arrives: S16LE, S32LE, '
                               'F32LE, S24LE, U8, S8, F64LE', {}),
    'channel': (-1, 'input channel to use; -1 = average all channels',
                {'integer_range': _int_range(-1, 254)}),
    'publish_representation': (False, 'publish the learned representation of each window as a '
                                      'sensor_msgs/Image on representation', {}),
    'representation_encoding': ('mono8', "image encoding of representation: 'mono8' "
                                         "(min-max normalised) or '32FC1'", {}),
    'publish_embedding': (False, 'fill SpeakerId.embedding with the penultimate embedding', {}),
    'frame_id': ('', "header.frame_id of results; empty = the audio's frame (stamped input)",
                 {}),
    'max_message_length': (10.0, 'seconds: longer audio messages keep only their newest part',
                           {'floating_point_range': _float_range(0.1, 3600.0)}),
    'num_threads': (0, 'torch CPU threads for inference; 0 = torch default',
                    {'integer_range': _int_range(0, 256)}),
}
RUNTIME = ('top_k', 'threshold', 'publish_representation', 'publish_embedding')


def resolve_device(spec: str) -> tuple[str, str]:
    """'auto'|'cpu'|'cuda'|'cuda:N' → (torch device string, human description with any
    fallback note)."""
    import torch

    spec = spec.strip().lower()
    cuda = torch.cuda.is_available()
    if spec == 'auto':
        dev = 'cuda:0' if cuda else 'cpu'
        return dev, dev
    if spec == 'cpu':
        return 'cpu', 'cpu'
    index = int(spec.split(':')[1]) if ':' in spec else 0
    if not cuda:
        return 'cpu', f'cpu (fallback: {spec} requested but CUDA is not available)'
    if index >= torch.cuda.device_count():
        return 'cpu', (f'cpu (fallback: {spec} requested but only '
                       f'{torch.cuda.device_count()} CUDA device(s))')
    return f'cuda:{index}', f'cuda:{index}'


class DegramNode(Node):
    """The ``degram_node``; raises :class:`StartupError` from the constructor on bad config."""

    def __init__(self, node_name: str = 'degram_node', **kwargs):
        super().__init__(node_name, **kwargs)
        self._worker = None
        self._slot = LatestSlot()
        try:
            self._setup()
        except Exception:
            self._slot.close()
            self.destroy_node()
            raise

    # ---------------------------------------------------------------- set-up
    def _setup(self) -> None:
        if _MSG_IMPORT_ERROR is not None:
            raise StartupError(f'message packages missing ({_MSG_IMPORT_ERROR}); build and source '
                               'degram_msgs and audio_common_msgs')
        self._declare_parameters()
        p = self._params = {name: self.get_parameter(name).value for name in PARAMETERS}
        self._validate(p)
        self._load_model(p)
        self._init_stream(p)
        self._last_log: dict[str, float] = {}
        self._counts = collections.Counter()
        self._latencies: collections.deque = collections.deque(maxlen=200)
        self._frame_id = ''
        self._stamper = ReceiveClockStamper()
        self._last_audio_wall: float | None = None
        self._diag_prev = (time.monotonic(), 0, 0)
        self._diag_rates = (0.0, 0.0)

        result_topic = 'speaker_id' if self.task == 'speaker_id' else 'sound_event'
        result_type = SpeakerId if self.task == 'speaker_id' else SoundEvent
        self._result_pub = self.create_publisher(result_type, result_topic, 10)
        self._info_pub = self.create_publisher(ModelInfo, 'model_info', LATCHED)
        self._image_pub = self.create_publisher(Image, 'representation', 1)
        self._diag_pub = self.create_publisher(DiagnosticArray, '/diagnostics', 10)
        if p['stamped']:
            self._audio_sub = self.create_subscription(
                AudioDataStamped, 'audio_stamped', self._on_audio_stamped, AUDIO_QOS)
        else:
            self._audio_sub = self.create_subscription(
                AudioData, 'audio', self._on_audio, AUDIO_QOS)
        self._info_sub = self.create_subscription(AudioInfo, 'audio_info', self._on_info, LATCHED)
        self.add_on_set_parameters_callback(self._on_set_parameters)
        self._publish_model_info()
        self._diag_timer = self.create_timer(1.0, self._publish_diagnostics)
        self._worker = threading.Thread(target=self._work, name='degram_inference', daemon=True)
        self._worker.start()
        self.get_logger().info(
            f"ready: model '{self.model_name}' ({self.task}, {len(self.labels)} classes, "
            f'{self.model_rate} Hz) on {self.device_text}; window {p["window_length"]} s, hop '
            f'{p["hop_length"]} s; listening on '
            f'{self._audio_sub.topic_name} -> {self._result_pub.topic_name}')

    def _declare_parameters(self) -> None:
        for name, (default, description, extra) in PARAMETERS.items():
            descriptor = ParameterDescriptor(
                name=name, description=description, read_only=name not in RUNTIME, **extra)
            try:
                self.declare_parameter(name, default, descriptor)
            except ParameterException as exc:  # out of range / wrong type from a params file
                raise StartupError(f'invalid parameter {name}: {exc}') from None
            except Exception as exc:  # e.g. TypeError from a value of the wrong type
                raise StartupError(f'invalid parameter {name}: {exc}') from None

    @staticmethod
    def _validate(p: dict) -> None:
        if p['task'] not in ('',) + TASKS:
            raise StartupError(f"invalid parameter task: '{p['task']}' (use 'sound_event', "
                               "'speaker_id' or '' for the checkpoint's task)")
        if not DEVICE_RE.match(str(p['device']).strip().lower()):
            raise StartupError(f"invalid parameter device: '{p['device']}' (use auto, cpu, cuda "
                               'or cuda:N)')
        if p['hop_length'] > p['window_length']:
            raise StartupError(f"invalid parameter hop_length: {p['hop_length']} s is longer than "
                               f"window_length {p['window_length']} s")
        try:
            normalize_sample_format(p['sample_format'])
        except InputFormatError as exc:
            raise StartupError(f'invalid parameter sample_format: {exc}') from None
        if p['representation_encoding'] not in REPRESENTATION_ENCODINGS:
            raise StartupError(f"invalid parameter representation_encoding: "
                               f"'{p['representation_encoding']}' (use mono8 or 32FC1)")

    def _load_model(self, p: dict) -> None:
        try:
            import torch

            from degram.inference import CheckpointError, load_checkpoint
        except ImportError as exc:
            raise StartupError(f'cannot import the model library ({exc}); install torch and '
                               'degram_ros') from None
        if p['num_threads'] > 0:
            torch.set_num_threads(int(p['num_threads']))
        device, self.device_text = resolve_device(p['device'])
        if device == 'cpu' and 'fallback' in self.device_text:
            self.get_logger().warning(f'device: {self.device_text}')
        name = p['model_path'].strip() or p['task'] or 'sound_event'
        try:
            ckpt = load_checkpoint(name, device=device)
        except CheckpointError as exc:
            hint = ('' if p['model_path'].strip() else
                    '; set it with the model_path parameter, e.g. '
                    '--ros-args -p model_path:=/path/to/model.pt')
            raise StartupError(f'cannot load model: {exc}{hint}') from None
        except Exception as exc:  # anything else a broken file can raise
            raise StartupError(f"cannot load model '{name}': {type(exc).__name__}: {exc}") from None
        ckpt_task = 'speaker_id' if ckpt.task == 'speaker_id' else 'sound_event'
        if p['task'] and p['task'] != ckpt_task:
            raise StartupError(f"model '{name}' is a {ckpt.task} model but the task parameter is "
                               f"'{p['task']}'")
        self.ckpt = ckpt
        self.task = ckpt_task
        self.labels = list(ckpt.labels)
        self.model_rate = int(ckpt.sample_rate)
        meta = dict(getattr(ckpt, 'metadata', None) or {})
        self.meta = meta
        self.model_name = str(meta.get('name') or name.rsplit('/', 1)[-1].rsplit('.', 1)[0])
        self.multi_label = bool(meta.get('multi_label', False))
        self.device_text = self.device_text if 'fallback' in self.device_text else str(ckpt.device)

    def _init_stream(self, p: dict) -> None:
        self.stream = AudioStream(
            self.model_rate, p['window_length'], p['hop_length'], sample_rate=p['sample_rate'],
            channels=p['channels'], sample_format=p['sample_format'], channel=p['channel'],
            max_message_length=p['max_message_length'])
        self._format_error: InputFormatError | None = None

    # ---------------------------------------------------------------- parameters
    def _on_set_parameters(self, params) -> SetParametersResult:
        for param in params:
            name, value = param.name, param.value
            if name not in PARAMETERS:
                continue
            if name not in RUNTIME:
                return SetParametersResult(
                    successful=False,
                    reason=f'{name} is read-only at run time; restart the node to change it')
            if name == 'threshold' and not (isinstance(value, float) and 0.0 <= value <= 1.0):
                return SetParametersResult(successful=False,
                                           reason=f'threshold must be in [0, 1], got {value}')
            if name == 'top_k' and not (isinstance(value, int) and value >= 1):
                return SetParametersResult(successful=False,
                                           reason=f'top_k must be an integer >= 1, got {value}')
            if name in ('publish_representation', 'publish_embedding') and \
                    not isinstance(value, bool):
                return SetParametersResult(successful=False,
                                           reason=f'{name} must be true or false, got {value}')
        for param in params:
            if param.name in RUNTIME:
                self._params[param.name] = param.value
        return SetParametersResult(successful=True)

    # ---------------------------------------------------------------- logging helpers
    def _throttled(self, key: str, level: str, message: str) -> None:
        now = time.monotonic()
        if now - self._last_log.get(key, -1e9) >= THROTTLE_S:
            self._last_log[key] = now
            # one call site per severity: rclpy refuses to change a call site's severity
            if level == 'error':
                self.get_logger().error(message)
            elif level == 'warning':
                self.get_logger().warning(message)
            else:
                self.get_logger().info(message)

    # ---------------------------------------------------------------- input
    def _on_info(self, msg) -> None:
        coding = msg.coding_format.strip().lower()
        try:
            if coding == 'mp3':
                raise InputFormatError('mp3', 'the audio is MP3-coded (coding_format mp3); '
                                              'degram_node needs PCM: start audio_capture with '
                                              'format:=wave')
            if coding not in PCM_CODINGS:
                raise InputFormatError('unknown_coding', f"unsupported coding_format "
                                                         f"'{msg.coding_format}' (need wave/PCM)")
            self.stream.set_format(msg.sample_rate, msg.channels, msg.sample_format)
        except InputFormatError as exc:
            self._format_error = exc
            self.get_logger().error(f'audio_info: {exc}; audio is ignored until a usable '
                                    'AudioInfo arrives')
            return
        if self._format_error is not None:
            self.get_logger().info('audio_info: usable format again, resuming')
        self._format_error = None
        self._stamper.reset()
        self.get_logger().info(
            f'audio_info: {msg.sample_rate} Hz, {msg.channels} ch, {self.stream.sample_format}'
            + ('' if msg.sample_rate == self.model_rate else
               f' (resampled to {self.model_rate} Hz)'))

    def _on_audio(self, msg) -> None:
        self._handle(msg.data, None, '')

    def _on_audio_stamped(self, msg) -> None:
        stamp = stamp_to_seconds(msg.header.stamp)
        self._handle(msg.audio.data, stamp if stamp > 0 else None, msg.header.frame_id)

    def _handle(self, data, stamp: float | None, frame_id: str) -> None:
        try:
            self._handle_audio(data, stamp, frame_id)
        except Exception as exc:  # never let one message take the node down
            self._counts['decode_errors'] += 1
            self._throttled('handle', 'error', f'cannot use audio message: {exc}')

    def _handle_audio(self, data, stamp: float | None, frame_id: str) -> None:
        self._last_audio_wall = time.monotonic()
        if self._format_error is not None:
            kind = self._format_error.kind
            self._counts[kind] += 1
            self._throttled(kind, 'error', f'ignoring audio: {self._format_error} '
                                           f'({self._counts[kind]} messages so far)')
            return
        if stamp is None:
            nbytes = len(data)
            fb = frame_bytes(self.stream.sample_format, self.stream.channels)
            duration = (nbytes // fb) / self.stream.sample_rate
            now = self.get_clock().now().nanoseconds * 1e-9
            stamp = self._stamper(now, duration)
            contiguous = True
        else:
            contiguous = False
        self._frame_id = frame_id
        try:
            windows, events = self.stream.push(data, stamp, contiguous_clock=contiguous)
        except Exception as exc:  # never let one message take the node down
            self._counts['decode_errors'] += 1
            self._throttled('decode', 'error', f'cannot decode audio message: {exc}')
            return
        for event in events:
            self._report_event(event)
        for window in windows:
            if self._slot.put(window):
                self._counts['dropped_windows'] += 1
                self._throttled('dropped', 'warning',
                                'inference is slower than the hop: dropping stale windows '
                                f"({self._counts['dropped_windows']} so far)")

    _EVENT_TEXT = {
        'ragged': ('warning', 'audio message size is not a whole number of frames: dropped the '
                              'trailing partial frame'),
        'empty': ('warning', 'empty audio message ignored'),
        'nonfinite': ('warning', 'NaN/Inf samples in audio replaced by 0'),
        'oversize': ('warning', 'oversized audio message: kept only its newest window'),
        'backwards': ('warning', 'audio timestamps went backwards: buffer reset'),
        'discontinuity': ('warning', 'gap in audio timestamps (lost messages?): buffer reset'),
    }

    def _report_event(self, event: str) -> None:
        level, text = self._EVENT_TEXT.get(event, ('warning', event))
        count = getattr(self.stream.counters, event, 0)
        self._throttled(event, level, f'{text} ({count} so far)')

    # ---------------------------------------------------------------- inference
    def _work(self) -> None:
        while not self._slot.closed:
            window = self._slot.get(timeout=0.2)
            if window is None:
                continue
            start = time.monotonic()
            try:
                self._infer(window)
            except Exception as exc:  # keep serving
                self._counts['inference_errors'] += 1
                self._throttled('inference', 'error', f'inference failed: {exc}')
                continue
            elapsed = time.monotonic() - start
            self._latencies.append(elapsed)
            self._counts['windows_processed'] += 1
            if elapsed > self.stream.hop_length:
                self._counts['late_windows'] += 1

    def _infer(self, window) -> None:
        p = self._params
        # one pass through the model: the representation and the embedding it computes on the way
        # are what the optional image and embedding outputs publish (eval mode: no SpecAugment)
        output = self.ckpt.infer(window.samples[None])
        rep, emb = output.representation, output.embedding
        probs = self.ckpt.scores(output.logits)
        probs = probs[0].double().cpu().numpy()
        ranked = top_k(probs, p['top_k'])
        scores = [ClassScore(label=self._label(i), class_id=i, score=float(s)) for i, s in ranked]
        best_id, best = ranked[0]
        header_stamp = to_time(window.stamp)
        frame_id = p['frame_id'] or self._frame_id
        if self.task == 'speaker_id':
            msg = SpeakerId()
            msg.known = bool(best >= p['threshold'])
            msg.speaker = self._label(best_id) if msg.known else 'unknown'
            msg.confidence = float(best)
            msg.candidates = scores
            if p['publish_embedding']:
                msg.embedding = [float(v) for v in emb.reshape(-1).float().cpu().numpy()]
        else:
            msg = SoundEvent()
            msg.label = self._label(best_id)
            msg.confidence = float(best)
            msg.detected = bool(best >= p['threshold'])
            msg.top_k = scores
        msg.header.stamp = header_stamp
        msg.header.frame_id = frame_id
        msg.window = to_duration(self.stream.window_length)
        self._result_pub.publish(msg)
        if p['publish_representation']:
            img, encoding = representation_image(rep[0].float().cpu().numpy(),
                                                 p['representation_encoding'])
            image = Image()
            image.header.stamp = header_stamp
            image.header.frame_id = frame_id
            image.height, image.width = int(img.shape[0]), int(img.shape[1])
            image.encoding = encoding
            image.is_bigendian = 0
            image.step = int(img.strides[0])
            image.data = img.tobytes()
            self._image_pub.publish(image)

    def _label(self, index: int) -> str:
        return self.labels[index] if 0 <= index < len(self.labels) else str(index)

    # ---------------------------------------------------------------- outputs
    def _publish_model_info(self) -> None:
        info = ModelInfo()
        info.header.stamp = self.get_clock().now().to_msg()
        info.name = self.model_name
        info.task = self.task
        info.frontend = self.ckpt.model.frontend_name
        info.backbone = self.ckpt.model.backbone_name
        info.labels = [str(x) for x in self.labels]
        info.sample_rate = self.model_rate
        info.window_length = float(self.stream.window_length)
        info.hop_length = float(self.stream.hop_length)
        info.device = self.device_text
        info.multi_label = self.multi_label
        self._info_pub.publish(info)

    def diagnostics_values(self) -> dict[str, str]:
        c = self.stream.counters
        now = time.monotonic()
        t0, frames0, msgs0 = self._diag_prev
        dt = max(now - t0, 1e-6)
        if dt >= 0.5:
            self._diag_rates = ((c.frames_in - frames0) / dt, (c.messages - msgs0) / dt)
            self._diag_prev = (now, c.frames_in, c.messages)
        lat = list(self._latencies)
        k = self._counts
        fmt = f'{self.stream.sample_rate} Hz, {self.stream.channels} ch, {self.stream.sample_format}'
        return {
            'model': self.model_name,
            'task': self.task,
            'device': self.device_text,
            'input_format': fmt,
            'input_rate_hz': f'{self._diag_rates[0]:.1f}',
            'input_messages_per_s': f'{self._diag_rates[1]:.2f}',
            'messages_received': str(c.messages + sum(k[x] for x in
                                                      ('mp3', 'unknown_format', 'bad_format',
                                                       'unknown_coding'))),
            'windows_processed': str(k['windows_processed']),
            'windows_dropped': str(k['dropped_windows']),
            'windows_late': str(k['late_windows']),
            'inference_latency_mean_ms': f'{1e3 * float(np.mean(lat)):.1f}' if lat else 'n/a',
            'inference_latency_p95_ms': f'{1e3 * percentile(lat, 95):.1f}' if lat else 'n/a',
            'inference_errors': str(k['inference_errors']),
            'mp3_messages': str(k['mp3']),
            'unknown_format_messages': str(k['unknown_format'] + k['bad_format']
                                           + k['unknown_coding']),
            'decode_errors': str(k['decode_errors']),
            'ragged_messages': str(c.ragged),
            'nonfinite_messages': str(c.nonfinite),
            'empty_messages': str(c.empty),
            'oversize_messages': str(c.oversize),
            'backwards_stamps': str(c.backwards),
            'stamp_gaps': str(c.discontinuity),
        }

    def _publish_diagnostics(self) -> None:
        values = self.diagnostics_values()
        status = DiagnosticStatus()
        status.name = f'degram_node: {self.get_fully_qualified_name()}'
        status.hardware_id = self.device_text
        problems = []
        if self._format_error is not None:
            status.level = DiagnosticStatus.ERROR
            problems.append(str(self._format_error))
        else:
            status.level = DiagnosticStatus.OK
            if 'fallback' in self.device_text:
                problems.append(self.device_text)
            if self._last_audio_wall is None or time.monotonic() - self._last_audio_wall > 3.0:
                problems.append('no audio received')
            bad = sum(int(values[k]) for k in ('windows_dropped', 'ragged_messages',
                                                'nonfinite_messages', 'empty_messages',
                                                'oversize_messages', 'backwards_stamps',
                                                'decode_errors', 'inference_errors'))
            prev = getattr(self, '_prev_bad', 0)
            if bad > prev:
                problems.append('bad input or dropped windows since the last report')
            self._prev_bad = bad
            if problems:
                status.level = DiagnosticStatus.WARN
        status.message = '; '.join(problems) if problems else 'running'
        status.values = [KeyValue(key=k, value=v) for k, v in values.items()]
        array = DiagnosticArray()
        array.header.stamp = self.get_clock().now().to_msg()
        array.status = [status]
        self._diag_pub.publish(array)

    # ---------------------------------------------------------------- teardown
    def destroy_node(self):
        self._slot.close()
        if self._worker is not None and self._worker is not threading.current_thread():
            self._worker.join(timeout=5.0)
        return super().destroy_node()


def main(args=None) -> int:
    rclpy.init(args=args)
    logger = rclpy.logging.get_logger('degram_node')
    try:
        node = DegramNode()
    except StartupError as exc:
        logger.fatal(str(exc))
        rclpy.try_shutdown()
        sys.exit(1)
    executor = SingleThreadedExecutor()
    executor.add_node(node)
    try:
        executor.spin()
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    finally:
        node.destroy_node()
        rclpy.try_shutdown()
    return 0


if __name__ == '__main__':
    sys.exit(main())
