# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The one parameter table and what is derived from it (descriptors, start-up validation, the
run-time check), and the inference thread's stop (no middleware needed)."""
from __future__ import annotations

import collections
import threading
from pathlib import Path

import pytest
import yaml

pytest.importorskip('rclpy', reason='rclpy is not importable: source a ROS 2 installation (conftest.py)')

from degram_ros.parameters import PARAMETERS, RUNTIME, StartupError, check_set, descriptor, validate, window_and_hop
from degram_ros.worker import InferenceWorker

CONFIG = Path(__file__).resolve().parents[1] / 'config'


class _Param:
    def __init__(self, name, value):
        self.name, self.value = name, value


def _defaults():
    return {name: rule.default for name, rule in PARAMETERS.items()}


def test_descriptors_come_from_the_table():
    assert set(RUNTIME) == {'top_k', 'threshold', 'publish_representation', 'publish_embedding'}
    for name, rule in PARAMETERS.items():
        d = descriptor(name)
        assert d.name == name and d.description == rule.description
        assert d.read_only == (name not in RUNTIME)
        if rule.range is None:
            assert not d.floating_point_range and not d.integer_range
        elif isinstance(rule.default, float):
            assert (d.floating_point_range[0].from_value, d.floating_point_range[0].to_value) == rule.range
        else:
            assert (d.integer_range[0].from_value, d.integer_range[0].to_value) == rule.range
    assert PARAMETERS['autostart'].default is True


@pytest.mark.parametrize('name, value', [
    ('task', 'keyword_spotting'), ('device', 'gpu'), ('sample_format', 'MP3'),
    ('representation_encoding', 'rgb8'), ('threshold', 1.5), ('top_k', 0), ('window_length', 0.01),
    ('channels', 1.5), ('stamped', 'yes'), ('threshold', -0.5), ('hop_length', 0.005),
    ('backend', 'tensorrt'), ('min_level_db', 3.0), ('event_k', 0), ('event_k', 4)])
def test_startup_validation_names_the_parameter(name, value):
    validate(_defaults())
    with pytest.raises(StartupError, match=f'invalid parameter {name}'):
        validate(dict(_defaults(), **{name: value}))


def test_hop_longer_than_window_is_refused():
    with pytest.raises(StartupError, match='hop_length.*longer than window_length'):
        validate(dict(_defaults(), window_length=0.5, hop_length=1.0))
    # with the model's window the check waits for the model's metadata
    validate(dict(_defaults(), hop_length=3.0))
    with pytest.raises(StartupError, match='hop_length: 3.0 s is longer than window_length 2.0 s'):
        window_and_hop(dict(_defaults(), hop_length=3.0), {'window_length': 2.0})


def test_window_and_hop_default_to_the_model():
    d = _defaults()
    assert (d['window_length'], d['hop_length'], d['threshold'], d['min_level_db']) == (0.0, 0.0, -1.0, -1000.0)
    assert window_and_hop(d, {}) == (1.0, 0.5)
    assert window_and_hop(d, {'window_length': 2.0, 'hop_length': 0.25}) == (2.0, 0.25)
    assert window_and_hop(d, {'window_length': None, 'hop_length': None}) == (1.0, 0.5)
    assert window_and_hop(dict(d, window_length=3.0), {'window_length': 2.0}) == (3.0, 0.5)
    assert window_and_hop(dict(d, window_length=0.2), {'hop_length': 0.5}) == (0.2, 0.2)   # capped
    assert window_and_hop(dict(d, hop_length=1.0), {'window_length': 2.0, 'hop_length': 0.25}) == (2.0, 1.0)


def test_runtime_check():
    assert check_set([_Param('threshold', 0.9), _Param('top_k', 1)]).successful
    assert check_set([_Param('use_sim_time', True)]).successful          # not ours
    result = check_set([_Param('window_length', 2.0)])
    assert not result.successful and 'read-only' in result.reason
    result = check_set([_Param('threshold', 1.5)])
    assert not result.successful and 'threshold' in result.reason
    assert check_set([_Param('threshold', -1.0)]).successful             # the model's thresholds
    result = check_set([_Param('threshold', -0.5)])
    assert not result.successful and 'threshold' in result.reason and '-1' in result.reason
    for name in ('min_level_db', 'event_k', 'backend'):
        result = check_set([_Param(name, PARAMETERS[name].default)])
        assert not result.successful and 'read-only' in result.reason
    result = check_set([_Param('publish_embedding', 1)])
    assert not result.successful and 'publish_embedding' in result.reason


def test_config_files_use_only_declared_parameters_with_valid_values():
    files = [p for p in sorted(CONFIG.glob('*.yaml')) if p.name != 'diagnostic_analyzers.yaml']  # not a node's
    assert {'degram.yaml', 'sound_event.yaml', 'speaker_id.yaml'} <= {p.name for p in files}
    for path in files:
        values = yaml.safe_load(path.read_text())['/**']['ros__parameters']
        assert set(values) <= set(PARAMETERS), path.name
        validate(dict(_defaults(), **values))
        window_and_hop(dict(_defaults(), **values), {})


def test_worker_stop_finishes_the_window_in_flight_and_stays_quiet():
    counts, errors, done = collections.Counter(), [], []
    release = threading.Event()

    def process(batch):
        [(_, window)] = batch
        if window == 'boom':
            raise RuntimeError('broken window')
        release.wait(5.0)
        done.append(window)
        if window == 'last':
            raise RuntimeError('publisher gone')   # e.g. a publish racing the teardown

    latencies = collections.deque()
    worker = InferenceWorker(process, hop_length=1.0, on_error=errors.append,
                             account=lambda key: (counts, latencies))
    worker.start()
    worker.slot.put('boom')
    assert _wait(lambda: counts['inference_errors'] == 1)
    assert [str(e) for e in errors] == ['broken window']
    worker.slot.put('last')
    assert _wait(lambda: worker.slot.pending == 0)   # taken, in flight
    stopper = threading.Thread(target=worker.stop)
    stopper.start()
    release.set()
    stopper.join(5.0)
    assert worker.stop() and done == ['last']
    assert counts['inference_errors'] == 1 and len(errors) == 1    # the racing one: not an error


def _wait(predicate, timeout=5.0):
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not predicate():
        time.sleep(0.01)
    return predicate()


def test_worker_batches_the_newest_window_of_every_stream_and_counts_per_stream():
    counts = {key: collections.Counter() for key in 'ab'}
    latencies = {key: collections.deque() for key in 'ab'}
    batches, gate = [], threading.Event()

    def process(batch):
        gate.wait(5.0)
        batches.append(sorted(batch))

    worker = InferenceWorker(process, hop_length=1.0, on_error=print, account=lambda key: (counts[key], latencies[key]))
    assert worker.slot.put('a1', 'a') is False
    assert worker.slot.put('a2', 'a') is True          # a1 was stale: dropped, a2 kept
    assert worker.slot.put('b1', 'b') is False
    worker.start()
    gate.set()
    assert _wait(lambda: counts['a']['windows_processed'] == 1 and counts['b']['windows_processed'] == 1)
    assert batches == [[('a', 'a2'), ('b', 'b1')]]     # one batch, one window per stream
    assert len(latencies['a']) == len(latencies['b']) == 1
    worker.stop()
