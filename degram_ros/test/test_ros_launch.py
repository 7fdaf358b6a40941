# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The launch files: byte-compile, and build their LaunchDescription against stand-ins of
launch/launch_ros when those are not installed (they are not on PyPI).

The stand-ins record their arguments and can perform the substitutions (launch configurations,
path joins, the package share = this source package), so the tests see what each Node action
would receive for given launch arguments, as ``ros2 launch`` would pass it on."""
from __future__ import annotations

import importlib.util
import os
import py_compile
import sys
import types
from pathlib import Path

import pytest
import yaml

PACKAGE_DIR = Path(__file__).resolve().parents[1]
LAUNCH_DIR = PACKAGE_DIR / 'launch'
FILES = sorted(LAUNCH_DIR.glob('*.launch.py'))


@pytest.mark.parametrize('path', FILES, ids=[p.name for p in FILES])
def test_launch_file_compiles(path):
    py_compile.compile(str(path), doraise=True)


class _Recorder:
    def __init__(self, *args, **kwargs):
        self.args, self.kwargs = args, kwargs

    def perform(self, context):
        return _perform(self, context)


def _perform(value, context):
    """A stand-in substitution (or a list of them, or a string) → its text."""
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return ''.join(_perform(v, context) for v in value)
    kind = type(value).__name__
    if kind == 'LaunchConfiguration':
        return context.launch_configurations[value.args[0]]
    if kind == 'PathJoinSubstitution':
        return os.path.join(*[_perform(part, context) for part in value.args[0]])
    if kind == 'FindPackageShare':
        assert value.args[0] == 'degram_ros'
        return str(PACKAGE_DIR)   # holds config/ and launch/ as the installed share does
    raise AssertionError(f'no stand-in for {kind}')


def _stub_modules(monkeypatch):
    names = {
        'launch': ['LaunchDescription'],
        'launch.actions': ['DeclareLaunchArgument', 'EmitEvent', 'IncludeLaunchDescription', 'OpaqueFunction',
                           'RegisterEventHandler'],
        'launch.conditions': ['IfCondition'],
        'launch.events': ['matches_action'],
        'launch.launch_description_sources': ['PythonLaunchDescriptionSource'],
        'launch.substitutions': ['LaunchConfiguration', 'PathJoinSubstitution'],
        'launch_ros': [],
        'launch_ros.actions': ['LifecycleNode', 'Node'],
        'launch_ros.event_handlers': ['OnStateTransition'],
        'launch_ros.events': [],
        'launch_ros.events.lifecycle': ['ChangeState'],
        'launch_ros.substitutions': ['FindPackageShare'],
    }
    for module, classes in names.items():
        mod = types.ModuleType(module)
        for cls in classes:
            setattr(mod, cls, type(cls, (_Recorder,), {}))
        monkeypatch.setitem(sys.modules, module, mod)
    try:
        import lifecycle_msgs.msg  # noqa: F401
    except ImportError:   # no ROS at all (test_without_ros.py): the two transition ids the launch uses
        for module in ('lifecycle_msgs', 'lifecycle_msgs.msg'):
            monkeypatch.setitem(sys.modules, module, types.ModuleType(module))
        transition = type('Transition', (), {'TRANSITION_CONFIGURE': 1, 'TRANSITION_ACTIVATE': 3})
        monkeypatch.setattr(sys.modules['lifecycle_msgs.msg'], 'Transition', transition, raising=False)


def _entities(path):
    spec = importlib.util.spec_from_file_location(path.stem.replace('.', '_'), path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    description = module.generate_launch_description()
    return description.args[0] if hasattr(description, 'args') else description.entities


@pytest.fixture
def stand_ins(monkeypatch):
    if importlib.util.find_spec('launch_ros') is not None:
        pytest.skip('launch_ros is installed: the stand-ins would shadow it')
    _stub_modules(monkeypatch)


@pytest.mark.parametrize('path', FILES, ids=[p.name for p in FILES])
def test_launch_description_declares_the_contract_arguments(path, monkeypatch):
    if importlib.util.find_spec('launch_ros') is None:
        _stub_modules(monkeypatch)
    entities = _entities(path)
    declared = {e.args[0] for e in entities if type(e).__name__ == 'DeclareLaunchArgument'}
    if path.name == 'degram.launch.py':
        assert {'params_file', 'namespace', 'audio_topic', 'model_path', 'device',
                'window_length', 'demo', 'wav_file'} <= declared
    else:
        assert {'wav_file', 'namespace', 'model_path'} <= declared


class _Context:
    def __init__(self):
        self.launch_configurations: dict[str, str] = {}


def _transition(event_action) -> tuple[object, int]:
    """An EmitEvent(ChangeState(...)) → (the node action it targets, the transition id)."""
    assert type(event_action).__name__ == 'EmitEvent'
    change = event_action.kwargs['event']
    assert type(change).__name__ == 'ChangeState'
    return change.kwargs['lifecycle_node_matcher'].args[0], change.kwargs['transition_id']


def _launch(path: Path, arguments: dict[str, str]) -> list[dict]:
    """The Node actions ``ros2 launch`` would run for ``arguments`` (with included files), their
    arguments performed: [{'executable', 'name', 'namespace', 'remappings', 'parameters', 'kind',
    'transitions'}]; ``transitions``: the lifecycle transitions the launch emits for the node,
    ('start', id) at once or (('configuring', 'inactive'), id) on that state change."""
    context = _Context()
    nodes: list[dict] = []
    actions: dict[int, dict] = {}    # id(node action) → its entry in nodes
    pending = list(_entities(path))
    while pending:
        entity = pending.pop(0)
        kind = type(entity).__name__
        condition = entity.kwargs.get('condition')
        if condition is not None and _perform(condition.args[0], context).lower() != 'true':
            continue
        if kind == 'DeclareLaunchArgument':
            name = entity.args[0]
            if name not in arguments and 'default_value' not in entity.kwargs:
                raise AssertionError(f'{path.name}: required argument {name} not given')
            context.launch_configurations[name] = arguments.get(name) if name in arguments else \
                _perform(entity.kwargs['default_value'], context)
        elif kind == 'OpaqueFunction':
            pending = list(entity.kwargs['function'](context)) + pending
        elif kind == 'IncludeLaunchDescription':
            included = Path(_perform(entity.args[0].args[0], context))
            assert included.is_file(), included
            passed = {k: _perform(v, context) for k, v in entity.kwargs['launch_arguments']}
            nodes += _launch(included, passed)
        elif kind == 'EmitEvent':
            target, transition = _transition(entity)
            actions[id(target)]['transitions'].append(('start', transition))
        elif kind == 'RegisterEventHandler':
            handler = entity.args[0]
            assert type(handler).__name__ == 'OnStateTransition'
            h = handler.kwargs
            for emitted in h['entities']:
                target, transition = _transition(emitted)
                assert target is h['target_lifecycle_node']
                actions[id(target)]['transitions'].append(((h.get('start_state'), h['goal_state']), transition))
        elif kind in ('Node', 'LifecycleNode'):
            k = entity.kwargs
            parameters = [{name: value if isinstance(value, (bool, int, float)) else
                           _perform(value, context) for name, value in p.items()}
                          if isinstance(p, dict) else _perform(p, context)
                          for p in k.get('parameters', [])]
            nodes.append({'executable': k['executable'], 'name': k.get('name'),
                          'namespace': _perform(k.get('namespace', ''), context),
                          'remappings': [(a, _perform(b, context)) for a, b in k.get('remappings', [])],
                          'parameters': parameters, 'kind': kind, 'transitions': []})
            actions[id(entity)] = nodes[-1]
    return nodes


def _one(nodes, executable):
    found = [n for n in nodes if n['executable'] == executable]
    assert len(found) == 1, nodes
    return found[0]


def _file_parameters(path: str) -> dict:
    return yaml.safe_load(Path(path).read_text())['/**']['ros__parameters']


def test_degram_launch_passes_every_argument_to_the_node(stand_ins):
    arguments = {
        'params_file': '/robot/degram.yaml', 'namespace': 'robot1', 'audio_topic': '/audio/audio',
        'audio_stamped_topic': '/audio/audio_stamped', 'audio_info_topic': '/audio/audio_info',
        'model_path': '/models/m.pt', 'device': 'cuda', 'window_length': '2.0',
        'hop_length': '0.25', 'task': 'speaker_id', 'demo': 'true', 'wav_file': '/clips/c.wav'}
    nodes = _launch(LAUNCH_DIR / 'degram.launch.py', arguments)
    node = _one(nodes, 'degram_node')
    assert node['name'] == 'degram_node' and node['namespace'] == 'robot1'
    assert sorted(node['remappings']) == [('audio', '/audio/audio'),
                                          ('audio_info', '/audio/audio_info'),
                                          ('audio_stamped', '/audio/audio_stamped')]
    assert node['parameters'] == ['/robot/degram.yaml', {
        'model_path': '/models/m.pt', 'device': 'cuda', 'window_length': 2.0, 'hop_length': 0.25,
        'task': 'speaker_id'}, {'autostart': False}]
    # demo:=true includes demo.launch.py for wav_publisher only, in the same namespace
    player = _one(nodes, 'wav_publisher')
    assert player['namespace'] == 'robot1'
    assert player['parameters'][0]['file'] == '/clips/c.wav' and player['parameters'][0]['loop'] is True


def test_degram_launch_defaults_keep_the_file_values(stand_ins):
    nodes = _launch(LAUNCH_DIR / 'degram.launch.py', {})
    node = _one(nodes, 'degram_node')
    assert [n['executable'] for n in nodes] == ['degram_node']   # demo:=false: no wav_publisher
    params_file, overrides, lifecycle = node['parameters']
    assert Path(params_file) == PACKAGE_DIR / 'config' / 'degram.yaml' and Path(params_file).is_file()
    assert overrides == {}    # empty arguments: the file's values stand
    assert lifecycle == {'autostart': False}   # the launch drives the lifecycle, not the node
    assert node['namespace'] == ''
    assert sorted(node['remappings']) == [('audio', 'audio'), ('audio_info', 'audio_info'),
                                          ('audio_stamped', 'audio_stamped')]


@pytest.mark.parametrize('task', ['sound_event', 'speaker_id'])
def test_demo_launch_uses_the_parameter_file_of_its_model(stand_ins, task):
    from degram_ros.demo import SCENES

    arguments = {'wav_file': '/clips/c.wav'} if task == 'sound_event' else {
        'wav_file': '/clips/c.wav', 'task': task}
    nodes = _launch(LAUNCH_DIR / 'demo.launch.py', arguments)
    node = _one(nodes, 'degram_node')
    params_file, overrides = node['parameters']
    assert Path(params_file) == PACKAGE_DIR / 'config' / f'{task}.yaml'
    assert overrides['model_path'] == task and overrides['stamped'] is True
    values = _file_parameters(params_file)
    assert values['task'] == task
    if task == 'sound_event':
        # the window is the model's own (its training crops, in its metadata), as in the in-process demo
        assert any(model == 'sound_event' for _, model, _ in SCENES)
        assert (values['window_length'], values['hop_length']) == (0.0, 0.0)
    player = _one(nodes, 'wav_publisher')
    assert player['parameters'][0]['file'] == '/clips/c.wav'


def test_demo_launch_custom_params_file_wins(stand_ins):
    nodes = _launch(LAUNCH_DIR / 'demo.launch.py', {'wav_file': '/c.wav', 'params_file': '/p.yaml',
                                                    'model_path': '/m.pt'})
    node = _one(nodes, 'degram_node')
    assert node['parameters'][0] == '/p.yaml' and node['parameters'][1]['model_path'] == '/m.pt'


def test_degram_launch_drives_the_lifecycle_node_configure_then_activate(stand_ins):
    from lifecycle_msgs.msg import Transition

    node = _one(_launch(LAUNCH_DIR / 'degram.launch.py', {}), 'degram_node')
    assert node['kind'] == 'LifecycleNode'
    # configure at start; activate once configure has made it inactive (not after a deactivate)
    assert len(node['transitions']) == 2 and set(node['transitions']) == {
        ('start', Transition.TRANSITION_CONFIGURE), (('configuring', 'inactive'), Transition.TRANSITION_ACTIVATE)}
    # autostart:=false: no transitions, the node waits for a lifecycle manager
    waiting = _one(_launch(LAUNCH_DIR / 'degram.launch.py', {'autostart': 'false'}), 'degram_node')
    assert waiting['kind'] == 'LifecycleNode' and waiting['transitions'] == []
    assert waiting['parameters'][-1] == {'autostart': False}
