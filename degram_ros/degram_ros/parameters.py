# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The parameters of ``degram_node`` in one table, and everything derived from it: the
ParameterDescriptors (description, range, read-only), the start-up validation and the run-time
check of ``add_on_set_parameters_callback``.

Only the ``runtime`` parameters change while the node runs; the others are read when the node is
configured (lifecycle ``configure``), so changing them needs a restart.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

from rcl_interfaces.msg import FloatingPointRange, IntegerRange, ParameterDescriptor, SetParametersResult

from degram.inference.metadata import ModelMetadata
from degram.streaming import InputFormatError, normalize_sample_format

TASKS = ('sound_event', 'speaker_id')
DEVICE_RE = re.compile(r'^(auto|cpu|cuda(:\d+)?)$')
REPRESENTATION_ENCODINGS = ('mono8', '32FC1')
BACKENDS = ('torch', 'onnxruntime')


class StartupError(RuntimeError):
    """A configuration or model problem that stops the node at start-up (one clear message)."""


@dataclass(frozen=True)
class Rule:
    default: Any
    description: str
    range: tuple | None = None          # inclusive (low, high) for numbers
    runtime: bool = False               # changeable while the node runs
    check: Callable[[Any], str | None] | None = None   # → why the value is invalid, or None


def _task(value):
    if value not in ('',) + TASKS:
        return f"'{value}' (use 'sound_event', 'speaker_id' or '' for the checkpoint's task)"


def _device(value):
    if not DEVICE_RE.match(str(value).strip().lower()):
        return f"'{value}' (use auto, cpu, cuda or cuda:N)"


def _sample_format(value):
    try:
        normalize_sample_format(value)
    except InputFormatError as exc:
        return str(exc)


STREAM_NAME_RE = re.compile(r'^[A-Za-z][A-Za-z0-9_]*$')


def _streams(value):
    names = [v for v in value if v]
    bad = [v for v in names if not STREAM_NAME_RE.match(v)]
    if bad:
        return f'{bad[0][:64]!r} is not a valid stream name (a letter, then letters, digits or _)'
    if len(set(names)) != len(names):
        return f'stream names must be unique, got {names}'


def stream_names(values: dict) -> list[str]:
    """The streams of the node: the names given, or [''] = one stream on the node's own topics."""
    return [v for v in values['streams'] if v] or ['']


def _audio_qos(value):
    if value not in ('auto', 'reliable', 'best_effort'):
        return f"'{value}' (use auto, reliable or best_effort)"


def _backend(value):
    if value not in BACKENDS:
        return f"'{value}' (use torch or onnxruntime)"


def _at_least(low: float):
    def check(value):
        if 0 < value < low:
            return f"{value} s is too short (0 = the model's value, else at least {low} s)"
    return check


def _threshold(value):
    if value != -1.0 and not 0.0 <= value <= 1.0:
        return f"{value} (use a value in [0, 1], or -1 for the model's thresholds)"


def _encoding(value):
    if value not in REPRESENTATION_ENCODINGS:
        return f"'{value}' (use mono8 or 32FC1)"


#: every parameter of degram_node: name → rule
PARAMETERS: dict[str, Rule] = {
    'model_path': Rule('', "checkpoint file, or a shipped model name ('sound_event', 'speaker_id', "
                           "'keyword'); empty = the shipped model for task"),
    'task': Rule('', "'sound_event' or 'speaker_id'; empty = the checkpoint's task", check=_task),
    'device': Rule('auto', "'auto', 'cpu', 'cuda' or 'cuda:N'; an unavailable GPU falls back to "
                           'CPU', check=_device),
    'backend': Rule('torch', "inference backend: 'torch' or 'onnxruntime' (a .pt is exported to ONNX once, "
                             "cached); an .onnx model_path selects onnxruntime unless backend is set to "
                             "torch", check=_backend),
    'window_length': Rule(0.0, "seconds of audio per inference; 0 = the model's recommended window (its "
                               'metadata, else 1.0)', (0.0, 60.0), check=_at_least(0.05)),
    'hop_length': Rule(0.0, "seconds between inferences (<= window_length); 0 = the model's recommended "
                            'hop (its metadata, else 0.5), at most the window', (0.0, 60.0),
                       check=_at_least(0.01)),
    'top_k': Rule(5, 'scores per message (runtime-changeable)', (1, 10000), runtime=True),
    'threshold': Rule(-1.0, "detection / known-speaker threshold in [0, 1] for every class; -1 = the "
                            "model's calibrated per-class thresholds (0.5 when it has none; speaker_id: "
                            '0.5) (runtime-changeable)', (-1.0, 1.0), runtime=True, check=_threshold),
    'min_level_db': Rule(-1000.0, "level gate, dBFS RMS: quieter windows are published as silent, not "
                                  "scored; -1000 = the model's gate (none when it has none); below -200 "
                                  '= no gate', (-1000.0, 0.0)),
    'event_k': Rule(2, 'sound events start when their class is detected in event_k of the last '
                       'event_n windows', (1, 1000)),
    'event_n': Rule(3, 'window count of the k-of-n event onset rule (>= event_k)', (1, 1000)),
    'event_release': Rule(2, 'sound events end after event_release windows without their class',
                          (1, 1000)),
    'streams': Rule([''], "names of the audio streams one node serves: for each name s, audio on s/audio "
                          "(s/audio_stamped), s/audio_info -> results on s/sound_event (s/speaker_id) ...; "
                          "[''] or [] = one stream on audio, sound_event ...", check=_streams),
    'stamped': Rule(False, 'subscribe to AudioDataStamped on audio_stamped instead of AudioData on '
                           'audio'),
    'audio_qos': Rule('auto', "reliability of the audio subscription: 'auto' (subscribe once a publisher "
                              "appears, reliable when all are reliable, else best effort; re-checked every "
                              "2 s), 'reliable' or 'best_effort'", check=_audio_qos),
    'require_audio_info': Rule(False, 'ignore audio (counted, diagnostics WARN) until an AudioInfo '
                                      'arrives, instead of assuming the format parameters'),
    'sample_rate': Rule(16000, 'input sample rate [Hz] until an AudioInfo arrives', (1, 768000)),
    'channels': Rule(1, 'input channels until an AudioInfo arrives', (1, 255)),
    'sample_format': Rule('S16LE', 'input sample format until an AudioInfo arrives: S16LE, S32LE, '
                                   'F32LE, S24LE, U8, S8, F64LE', check=_sample_format),
    'channel': Rule(-1, 'input channel to use; -1 = average all channels', (-1, 254)),
    'publish_representation': Rule(False, 'publish the learned representation of each window as a '
                                          'sensor_msgs/Image on representation (runtime-changeable)',
                                   runtime=True),
    'representation_encoding': Rule('mono8', "image encoding of representation: 'mono8' "
                                             "(min-max normalised) or '32FC1'", check=_encoding),
    'publish_embedding': Rule(False, 'fill SpeakerId.embedding with the penultimate embedding '
                                     '(runtime-changeable)', runtime=True),
    'speaker_db': Rule('', 'speaker database file of a speaker-embedding model (created when absent); empty '
                           '= $ROS_HOME/degram/speakers.json (~/.ros/degram/speakers.json)'),
    'min_speech_ratio': Rule(-1.0, 'voice gate: windows with a smaller share of speech (voice activity '
                                   "detection) give no result and are counted; -1 = the model's "
                                   '(metadata min_speech_ratio, else 0); 0 = no gate', (-1.0, 1.0)),
    'publish_hri_voices': Rule(True, 'speaker-embedding model: also publish ROS4HRI voices (/humans/voices/'
                                     '..., /humans/candidate_matches) when hri_msgs is installed'),
    'publish_vision_msgs': Rule(True, 'also publish vision_msgs/LabelInfo (label_info, latched) and '
                                      'vision_msgs/Classification (classification, the detections of each '
                                      'window) when vision_msgs is installed'),
    'self_speech_topic': Rule('', "std_msgs/Bool topic of the robot's own speech (true while it speaks, as "
                                  'text-to-speech nodes publish): windows that overlap it give no speaker or '
                                  'sound event, only a message marked self_speech; empty = off'),
    'self_speech_release': Rule(0.3, "seconds after the robot's speech ends that still count as its speech "
                                     '(reverberation, a late false)', (0.0, 10.0)),
    'frame_id': Rule('', "header.frame_id of results; empty = the audio's frame (stamped input)"),
    'stamp_tolerance': Rule(0.1, 'seconds a stamp may disagree with the sample count before the capture-time '
                                 'estimate re-anchors to it (never a buffer reset); capture drivers jitter and '
                                 'burst by tens of ms. A stamp later by more than max(0.2 s, this) is a gap, '
                                 'one earlier than the previous message by more than this a restart: both reset',
                            (0.001, 10.0)),
    'max_message_length': Rule(10.0, 'seconds: longer audio messages keep only their newest part',
                               (0.1, 3600.0)),
    'num_threads': Rule(0, 'CPU threads for inference (torch, and ONNX Runtime intra-op); 0 = the '
                           'default', (0, 256)),
    'autostart': Rule(True, 'configure and activate at start; false = stay unconfigured until a '
                            'lifecycle manager changes the state'),
}
RUNTIME = tuple(name for name, rule in PARAMETERS.items() if rule.runtime)


def descriptor(name: str) -> ParameterDescriptor:
    rule = PARAMETERS[name]
    d = ParameterDescriptor(name=name, description=rule.description, read_only=not rule.runtime)
    if rule.range is not None:
        lo, hi = rule.range
        if isinstance(rule.default, float):
            d.floating_point_range = [FloatingPointRange(from_value=float(lo), to_value=float(hi),
                                                         step=0.0)]
        else:
            d.integer_range = [IntegerRange(from_value=int(lo), to_value=int(hi), step=1)]
    return d


def declare(node) -> list[str]:
    """Declare every parameter on ``node``; → the problems of overrides that could not be
    applied (those parameters keep their default and the problem stops ``configure``)."""
    problems = []
    for name, rule in PARAMETERS.items():
        try:
            node.declare_parameter(name, rule.default, descriptor(name))
        except Exception as exc:  # out of range / wrong type from the command line or a params file
            problems.append(f'invalid parameter {name}: {exc}')
            node.declare_parameter(name, rule.default, descriptor(name), ignore_override=True)
    return problems


def problem(name: str, value) -> str | None:
    """Why ``value`` is not valid for parameter ``name`` (type, range, the rule's own check)."""
    rule = PARAMETERS[name]
    if type(value) is not type(rule.default):
        return f'{name} must be of type {type(rule.default).__name__}, got {value!r}'
    if rule.range is not None and not rule.range[0] <= value <= rule.range[1]:
        return f'{name} must be in [{rule.range[0]}, {rule.range[1]}], got {value}'
    reason = rule.check(value) if rule.check is not None else None
    return None if reason is None else f'{name}: {reason}'


def validate(values: dict) -> None:
    """Start-up validation of all values; raises :class:`StartupError` naming the parameter."""
    for name in PARAMETERS:
        reason = problem(name, values[name])
        if reason is not None:
            raise StartupError(f'invalid parameter {reason}')
    if values['window_length'] and values['hop_length']:   # both explicit: no need for the model
        window_and_hop(values, {})
    if values['event_k'] > values['event_n']:
        raise StartupError(f"invalid parameter event_k: {values['event_k']} is more than event_n "
                           f"{values['event_n']}")


def window_and_hop(values: dict, metadata) -> tuple[float, float]:
    """The window and hop in seconds once the model is loaded: the parameters, or where they are
    0 the model's recommendation (:meth:`degram.inference.ModelMetadata.window_and_hop`: metadata
    ``window_length`` / ``hop_length``, else 1.0 / 0.5; a recommended hop is at most the window);
    raises :class:`StartupError` when the hop is longer than the window. ``metadata``: the
    model's :class:`~degram.inference.ModelMetadata` (or the dict it is made from)."""
    window, hop = ModelMetadata.from_dict(metadata).window_and_hop(values['window_length'], values['hop_length'])
    if hop > window:
        raise StartupError(f"invalid parameter hop_length: {hop} s is longer than "
                           f"window_length {window} s")
    if float(values['max_message_length']) < window:
        raise StartupError(f"invalid parameter max_message_length: {values['max_message_length']} s is "
                           f'shorter than the window ({window} s): no window could ever fill')
    return window, hop


def check_set(params) -> SetParametersResult:
    """The run-time check (``add_on_set_parameters_callback``): only runtime parameters change.

    rclpy applies the descriptors (read-only, ranges, types) before this is called, so its own
    reasons are the ones ``ros2 param set`` shows for those; this backs them up."""
    for param in params:
        if param.name not in PARAMETERS:
            continue
        if not PARAMETERS[param.name].runtime:
            return SetParametersResult(successful=False, reason=(
                f'{param.name} is read-only at run time; restart the node to change it'))
        reason = problem(param.name, param.value)
        if reason is not None:
            return SetParametersResult(successful=False, reason=reason)
    return SetParametersResult(successful=True)
