# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""tools/ablation.py: every task trains from its own recipe with only the front-end, fold and
seed changed (the ESC-10 rows once trained from the ESC-50 detector's config by mistake)."""
import importlib.util
from pathlib import Path

import pytest

TOOL = Path(__file__).resolve().parents[2] / 'tools' / 'ablation.py'


@pytest.fixture(scope='module')
def ablation():
    spec = importlib.util.spec_from_file_location('ablation_tool', TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def configs(ablation, tmp_path, *argv):
    args = ablation.parse_args(['--output', str(tmp_path), *argv])
    return {run['name']: ablation.run_config(run, args, tmp_path) for run in ablation.plan(args)}


def test_plan_covers_front_ends_folds_and_seeds(ablation, tmp_path):
    args = ablation.parse_args(['--tasks', 'esc10,esc50,asc', '--folds', '1,4', '--seeds', '0,1'])
    names = [run['name'] for run in ablation.plan(args)]
    assert len(names) == len(set(names)) == 4 * (2 * 2 + 1 * 2 + 1 * 2)
    assert 'esc50_spectrogram_val4_s1' in names and 'esc10_degram_val1_s0' in names
    assert 'asc_sincgram_val8_s0' in names
    with pytest.raises(SystemExit, match='unknown task'):
        ablation.plan(ablation.parse_args(['--tasks', 'esc5']))


def test_esc50_rows_share_one_clean_softmax_recipe(ablation, tmp_path):
    cfgs = configs(ablation, tmp_path, '--tasks', 'esc50', '--max-epochs', '3', '--set', 'train.lr=5e-4')
    assert sorted(cfgs) == [f'esc50_{fe}_val4_s0' for fe in sorted(ablation.FRONTENDS)]
    for name, cfg in cfgs.items():
        assert cfg['model']['frontend'] == name.split('_')[1]
        assert (cfg['data']['spec'], cfg['data']['validation']) == ('esc50', 4)
        assert cfg['train']['loss'] == 'ce' and cfg['train']['monitor'] == 'val_top1'
        assert cfg['data']['negatives'] is None and cfg['data']['noise'] is None
        assert cfg['data']['negative_prob'] == 0 and cfg['data']['gain_db_min'] == 0
        assert cfg['train']['init_trunk_from'] is None
        assert cfg['data']['crop_min'] == cfg['data']['crop_max'] == 2.0   # the shipped model's window
        assert cfg['train']['max_epochs'] == 3 and cfg['train']['lr'] == 5e-4
        assert cfg['output'] == str(tmp_path / 'runs') and cfg['name'] == name
    # everything but the front-end is the same recipe
    strip = [{**cfg, 'name': None, 'model': {**cfg['model'], 'frontend': None}} for cfg in cfgs.values()]
    assert all(c == strip[0] for c in strip)


def test_esc10_rows_train_the_ten_class_recipe(ablation, tmp_path):
    cfg = configs(ablation, tmp_path, '--tasks', 'esc10', '--folds', '2', '--frontends', 'degram')
    (cfg,) = cfg.values()
    assert (cfg['data']['spec'], cfg['data']['validation']) == ('esc10', 2)
    assert cfg['train']['loss'] == 'ce' and not cfg['data']['negatives']
    assert (cfg['data']['crop_min'], cfg['data']['crop_max']) == (4.0, 6.0)


def test_esc50_noise_is_real_room_recordings_not_an_esc50_class(ablation, tmp_path):
    root = tmp_path / 'data'
    (root / 'speech_commands_noise').mkdir(parents=True)
    args = ablation.parse_args(['--data-root', str(root)])
    names = [Path(p).name for p in ablation.noise_sources('esc50', args)]
    assert names == ['doing_the_dishes.flac', 'exercise_bike.flac', 'running_tap.flac']
    assert 'dude_miaowing.flac' not in names   # a cat: an ESC-50 class
