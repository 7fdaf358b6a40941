# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""degram_node as a lifecycle node, driven through the real lifecycle_msgs services
(``<node>/get_state``, ``<node>/change_state``) as ``ros2 lifecycle`` and lifecycle managers do."""
from __future__ import annotations

import itertools

import pytest

from conftest import error_lines

pytestmark = pytest.mark.usefixtures('ros_required')

_ns = itertools.count()


@pytest.fixture(scope='module')
def model(tmp_path_factory):
    from degram import build_model, save_checkpoint

    net = build_model('spectrogram', 'resnet18', num_classes=3, sample_rate=16000, width=8)
    return save_checkpoint(net, tmp_path_factory.mktemp('lifecycle') / 'tiny.pt',
                           labels=['a', 'b', 'c'], task='sound_event', name='tiny')


def _state(ros, node_path: str) -> str:
    from lifecycle_msgs.srv import GetState

    return ros.call(GetState, f'{node_path}/get_state').current_state.label


def _change(ros, node_path: str, transition: int) -> bool:
    from lifecycle_msgs.msg import Transition
    from lifecycle_msgs.srv import ChangeState

    request = ChangeState.Request(transition=Transition(id=transition))
    return ros.call(ChangeState, f'{node_path}/change_state', request).success


def _waiting_node(ros, **params):
    from degram_ros.node import DegramNode

    ns = f'/lc{next(_ns)}'
    node = ros.add(DegramNode, 'degram_node', namespace=ns,
                   params={'device': 'cpu', 'stamped': True, 'autostart': False, **params})
    return node, ns, f'{ns}/degram_node'


def test_lifecycle_transitions_gate_the_results(ros, model):
    from lifecycle_msgs.msg import Transition

    from degram_msgs.msg import ModelInfo, SoundEvent

    from harness import LATCHED, AudioSource, tone

    node, ns, path = _waiting_node(ros, model_path=str(model))
    events = ros.collect(SoundEvent, f'{ns}/sound_event')
    infos = ros.collect(ModelInfo, f'{ns}/model_info', LATCHED)
    src = AudioSource(ros, ns)
    topic = f'{ns}/sound_event'

    def publishers() -> int:
        return ros.client.count_publishers(topic)

    def play(start: float) -> None:
        """1.5 s, each message taken before the next; then every window's result received."""
        windows, results = node.stream.counters.windows, len(events)
        src.stream_lockstep(node, tone(1.5, 16000), 16000, chunk=0.1, start=start)
        new = node.stream.counters.windows - windows
        assert new == 2 and ros.wait_for(lambda: len(events) == results + new)

    assert _state(ros, path) == 'unconfigured'
    assert node.model is None and publishers() == 0
    assert _change(ros, path, Transition.TRANSITION_CONFIGURE)
    assert _state(ros, path) == 'inactive'
    assert node.model is not None and node.model_name == 'tiny'
    # inactive: the model is loaded but nothing listens or publishes
    assert publishers() == 0 and src.pub_stamped.get_subscription_count() == 0
    assert _change(ros, path, Transition.TRANSITION_ACTIVATE)
    assert _state(ros, path) == 'active'
    assert src.wait_connected(stamped=True)
    assert ros.wait_for(lambda: len(infos) >= 1) and infos.items[-1].name == 'tiny'
    play(10.0)
    assert _change(ros, path, Transition.TRANSITION_DEACTIVATE)
    assert _state(ros, path) == 'inactive'
    assert ros.wait_for(lambda: publishers() == 0 and src.pub_stamped.get_subscription_count() == 0)
    assert not node.inferring
    before, handled = len(events), node.channel.input.handled
    src.stream(tone(1.5, 16000), 16000, chunk=0.1, start=20.0, pause=0)   # to nobody: no reader, no result publisher
    assert len(events) == before and node.channel.input.handled == handled
    # active again: results again, on the same configuration
    assert _change(ros, path, Transition.TRANSITION_ACTIVATE)
    assert src.wait_connected(stamped=True)
    play(30.0)
    assert _change(ros, path, Transition.TRANSITION_DEACTIVATE)
    assert _change(ros, path, Transition.TRANSITION_CLEANUP)
    assert _state(ros, path) == 'unconfigured'
    assert node.model is None and node.stream is None
    # not a transition of this state: refused, the state stays
    assert not _change(ros, path, Transition.TRANSITION_ACTIVATE)
    assert _state(ros, path) == 'unconfigured'
    ros.remove(node)


def test_outputs_are_lifecycle_publishers_activated_with_the_node(ros, model):
    from lifecycle_msgs.msg import Transition
    from rclpy.lifecycle import LifecyclePublisher

    node, ns, path = _waiting_node(ros, model_path=str(model), publish_representation=True)
    assert _change(ros, path, Transition.TRANSITION_CONFIGURE)
    assert node.channel.results is None   # inactive: no output publishers at all
    assert _change(ros, path, Transition.TRANSITION_ACTIVATE)
    publishers = node.channel.results.publishers
    assert len(publishers) >= 4    # sound_event, sound_event_segments, model_info, representation
    assert all(isinstance(p, LifecyclePublisher) and p.is_activated for p in publishers)
    assert _change(ros, path, Transition.TRANSITION_DEACTIVATE)
    assert node.channel.results is None   # the segments closed, then the publishers destroyed
    assert ros.wait_for(lambda: ros.client.count_publishers(f'{ns}/sound_event') == 0)
    ros.remove(node)


def test_shutdown_from_active_stops_everything(ros, model):
    from lifecycle_msgs.msg import Transition

    node, ns, path = _waiting_node(ros, model_path=str(model))
    assert _change(ros, path, Transition.TRANSITION_CONFIGURE)
    assert _change(ros, path, Transition.TRANSITION_ACTIVATE)
    assert ros.wait_for(lambda: ros.client.count_publishers(f'{ns}/sound_event') == 1)
    assert _change(ros, path, Transition.TRANSITION_ACTIVE_SHUTDOWN)
    assert _state(ros, path) == 'finalized'
    assert not node.inferring and node.model is None
    assert ros.wait_for(lambda: ros.client.count_publishers(f'{ns}/sound_event') == 0)
    ros.remove(node)


def test_configure_failure_reports_one_line_and_stays_unconfigured(ros, tmp_path, capfd):
    from lifecycle_msgs.msg import Transition

    missing = tmp_path / 'nope.pt'
    node, _, path = _waiting_node(ros, model_path=str(missing))
    capfd.readouterr()
    assert not _change(ros, path, Transition.TRANSITION_CONFIGURE)
    assert _state(ros, path) == 'unconfigured'
    assert node.model is None
    ros.wait_for(lambda: False, 0.3)   # let the log line out
    output = capfd.readouterr()
    text = output.out + output.err
    problems = error_lines(text)
    assert len(problems) == 1, text
    assert 'cannot load model' in problems[0] and str(missing) in problems[0]
    assert 'Traceback' not in text
    # a lifecycle manager may try again: same answer, still unconfigured
    assert not _change(ros, path, Transition.TRANSITION_CONFIGURE)
    assert _state(ros, path) == 'unconfigured'
    ros.remove(node)


def test_autostart_false_node_answers_parameters_before_configure(ros, model):
    from rcl_interfaces.srv import DescribeParameters, GetParameters

    node, _, path = _waiting_node(ros, model_path=str(model), threshold=0.7)
    values = ros.call(GetParameters, f'{path}/get_parameters',
                      GetParameters.Request(names=['threshold', 'autostart', 'window_length']))
    assert [v.double_value for v in values.values[:1]] == [0.7]
    # window_length 0.0 = the model's recommendation, known once configure has loaded it
    assert values.values[1].bool_value is False and values.values[2].double_value == 0.0
    described = ros.call(DescribeParameters, f'{path}/describe_parameters',
                         DescribeParameters.Request(names=['autostart']))
    assert 'lifecycle manager' in described.descriptors[0].description
    assert described.descriptors[0].read_only
    from lifecycle_msgs.msg import Transition

    assert _change(ros, path, Transition.TRANSITION_CONFIGURE)
    assert node.stream.window_length == 1.0    # the tiny model recommends none: 1.0
    ros.remove(node)
