# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""tools/own_env.sh (sourced by tools/setup.sh and tools/env.sh): a shell that had sourced another
checkout's environment loses that checkout's paths, and nothing else."""
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / 'tools' / 'own_env.sh'
VARIABLES = ('PATH', 'PYTHONPATH', 'AMENT_PREFIX_PATH', 'CMAKE_PREFIX_PATH', 'VIRTUAL_ENV', 'DEGRAM_REPO')

pytestmark = pytest.mark.skipif(shutil.which('bash') is None, reason='bash is needed')


def _sourced(env: dict, own: str) -> dict:
    """The variables after ``DEGRAM_OWN_REPO=own source tools/own_env.sh`` under ``set -u``."""
    show = '; '.join(f'echo "{v}=${{{v}-<unset>}}"' for v in VARIABLES)
    script = f'set -euo pipefail; DEGRAM_OWN_REPO="{own}" source "{SCRIPT}"; {show}'
    done = subprocess.run(['bash', '-c', script], env=env, capture_output=True, text=True, check=True)
    return dict(line.split('=', 1) for line in done.stdout.splitlines()) | {'stderr': done.stderr}


def test_another_checkouts_paths_are_dropped_and_the_rest_kept():
    other, own = '/work/other-checkout', '/work/this-checkout'
    env = {'PATH': f'{other}/.venv/bin:/usr/bin:/bin', 'DEGRAM_REPO': other,
           'PYTHONPATH': f'{other}/install/degram/lib/python3.11/site-packages:/opt/ros/humble/lib/python3.10',
           'AMENT_PREFIX_PATH': f'{other}/.ws/underlay/audio_common_msgs:{other}-2/x:{other}',
           'CMAKE_PREFIX_PATH': f'{other}/.venv', 'VIRTUAL_ENV': f'{other}/.venv'}
    after = _sourced(env, own)
    assert after['PATH'] == '/usr/bin:/bin'
    assert after['PYTHONPATH'] == '/opt/ros/humble/lib/python3.10'
    assert after['AMENT_PREFIX_PATH'] == f'{other}-2/x'           # a sibling folder is not inside it
    assert after['CMAKE_PREFIX_PATH'] == '<unset>' and after['VIRTUAL_ENV'] == '<unset>'
    assert after['DEGRAM_REPO'] == own and other in after['stderr']


@pytest.mark.parametrize('degram_repo', [None, '/work/this-checkout'])
def test_the_own_checkout_or_a_fresh_shell_is_left_alone(degram_repo):
    own = '/work/this-checkout'
    env = {'PATH': f'{own}/.venv/bin:/usr/bin:/bin', 'PYTHONPATH': f'{own}/install/x'}
    if degram_repo:
        env['DEGRAM_REPO'] = degram_repo
    after = _sourced(env, own)
    assert after['PATH'] == env['PATH'] and after['PYTHONPATH'] == env['PYTHONPATH']
    assert after['DEGRAM_REPO'] == (degram_repo or '<unset>') and after['stderr'] == ''


def test_setup_and_env_source_it_first():
    for name in ('setup.sh', 'env.sh'):
        text = (REPO / 'tools' / name).read_text()
        assert 'source "$' in text and 'tools/own_env.sh"' in text
        assert text.index('own_env.sh') < text.index('/bin/activate"'), name   # before any venv
