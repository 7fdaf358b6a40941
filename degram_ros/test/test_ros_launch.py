"""The launch files: byte-compile, and build their LaunchDescription against stand-ins of
launch/launch_ros when those are not installed (they are not on PyPI)."""
from __future__ import annotations

import importlib.util
import py_compile
import sys
import types
from pathlib import Path

import pytest

LAUNCH_DIR = Path(__file__).resolve().parents[1] / 'launch'
FILES = sorted(LAUNCH_DIR.glob('*.launch.py'))


@pytest.mark.parametrize('path', FILES, ids=[p.name for p in FILES])
def test_launch_file_compiles(path):
    py_compile.compile(str(path), doraise=True)


class _Recorder:
    def __init__(self, *args, **kwargs):
        self.args, self.kwargs = args, kwargs


def _stub_modules(monkeypatch):
    names = {
        'launch': ['LaunchDescription'],
        'launch.actions': ['DeclareLaunchArgument', 'IncludeLaunchDescription', 'OpaqueFunction'],
        'launch.conditions': ['IfCondition'],
        'launch.launch_description_sources': ['PythonLaunchDescriptionSource'],
        'launch.substitutions': ['LaunchConfiguration', 'PathJoinSubstitution'],
        'launch_ros': [],
        'launch_ros.actions': ['Node'],
        'launch_ros.substitutions': ['FindPackageShare'],
    }
    for module, classes in names.items():
        mod = types.ModuleType(module)
        for cls in classes:
            setattr(mod, cls, type(cls, (_Recorder,), {}))
        monkeypatch.setitem(sys.modules, module, mod)


@pytest.mark.parametrize('path', FILES, ids=[p.name for p in FILES])
def test_launch_description_declares_the_contract_arguments(path, monkeypatch):
    if importlib.util.find_spec('launch_ros') is None:
        _stub_modules(monkeypatch)
    spec = importlib.util.spec_from_file_location(path.stem.replace('.', '_'), path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    description = module.generate_launch_description()
    entities = description.args[0] if hasattr(description, 'args') else description.entities
    declared = {e.args[0] for e in entities if type(e).__name__ == 'DeclareLaunchArgument'}
    if path.name == 'degram.launch.py':
        assert {'params_file', 'namespace', 'audio_topic', 'model_path', 'device',
                'window_length', 'demo', 'wav_file'} <= declared
    else:
        assert {'wav_file', 'namespace', 'model_path'} <= declared
