# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The few-shot protocol: the recipe that leaves 10 ESC-50 classes out (drawn by a fixed seed),
the config key and dataset method that leave classes out, and the episodes of the evaluation."""
from __future__ import annotations

import numpy as np
import pytest
from test_sounds import tiny_model  # noqa: F401  (the fixture)

from degram.data.dataset import AudioDataset, Entry
from degram.data.files import DatasetError
from degram.training.config import ConfigError, load_config, validate_config

ESC50 = ['airplane', 'breathing', 'brushing_teeth', 'can_opening', 'car_horn', 'cat', 'chainsaw', 'chirping_birds',
         'church_bells', 'clapping', 'clock_alarm', 'clock_tick', 'coughing', 'cow', 'crackling_fire', 'crickets',
         'crow', 'crying_baby', 'dog', 'door_wood_creaks', 'door_wood_knock', 'drinking_sipping', 'engine',
         'fireworks', 'footsteps', 'frog', 'glass_breaking', 'hand_saw', 'helicopter', 'hen', 'insects',
         'keyboard_typing', 'laughing', 'mouse_click', 'pig', 'pouring_water', 'rain', 'rooster', 'sea_waves',
         'sheep', 'siren', 'sneezing', 'snoring', 'thunderstorm', 'toilet_flush', 'train', 'vacuum_cleaner',
         'washing_machine', 'water_drops', 'wind']


def test_fewshot_recipe_leaves_out_the_ten_classes_its_seed_draws():
    config = load_config('sound_event_fewshot')
    drawn = sorted(ESC50[i] for i in np.random.default_rng(20).choice(50, 10, replace=False))
    assert sorted(config['data']['exclude_labels']) == drawn
    assert config['name'] == 'sound_event_fewshot' and config['data']['spec'] == 'esc50'
    base = load_config('sound_event')
    for section in ('model', 'train', 'inference'):
        assert config[section] == base[section]                     # the sound_event recipe otherwise
    assert {k: v for k, v in config['data'].items() if k != 'exclude_labels'} == \
        {k: v for k, v in base['data'].items() if k != 'exclude_labels'}


def test_exclude_labels_is_checked():
    with pytest.raises(ConfigError, match='exclude_labels'):
        validate_config({'data': {'spec': 'esc50', 'exclude_labels': 3}})
    assert validate_config({'data': {'spec': 'esc50', 'exclude_labels': 'dog'}})['data']['exclude_labels'] == 'dog'


def test_dataset_without_labels():
    entries = [Entry(f'{label}{i}.wav', label, str(i % 2 + 1)) for label in ('a', 'b', 'c') for i in range(4)]
    dataset = AudioDataset(entries, labels=None, name='toy')
    left = dataset.without_labels(['b'])
    assert left.labels == ['a', 'c'] and len(left) == 8
    assert left.targets.tolist() == [0] * 4 + [1] * 4
    assert left.cache is dataset.cache
    with pytest.raises(DatasetError, match='not among its labels'):
        dataset.without_labels(['zebra'])
    with pytest.raises(DatasetError, match='no clips'):
        dataset.without_labels(['a', 'b', 'c'])


# ------------------------------------------------------------------------------------------ the protocol
def test_protocol_runs_on_a_tiny_model_and_reports_every_metric(tiny_model, tmp_path, monkeypatch):  # noqa: F811
    import degram
    from degram.data.files import find_data_root
    from degram.sounds import Background
    from degram.sounds.fewshot import evaluate_few_shot, format_few_shot, held_out_classes

    root = find_data_root()
    if root is None or not (root / 'esc50' / 'meta.csv').is_file():
        pytest.skip('the shared data (esc50) is not here')
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path / 'cache'))
    predictor = degram.load_model(str(tiny_model))
    assert held_out_classes(predictor) == []
    with pytest.raises(ValueError, match='at least 2 held-out classes'):
        evaluate_few_shot(predictor)
    background = Background.build(predictor, corpus=False, cache=False)
    options = dict(episodes=3, draws=1, ways=(2,), shots=(1, 2), clips_per_class=4, seed=3, files_per_glob=2,
                   background=background)
    result = evaluate_few_shot(predictor, ['frog', 'cat'], **options)
    assert result['classes'] == ['cat', 'frog'] and result['classes_the_model_was_trained_on'] == []
    assert set(result['accuracy']) == {'2way_1shot', '2way_2shot'}
    assert all(0.0 <= v <= 1.0 for v in result['accuracy'].values())
    det = result['detection']
    assert set(det['recall_per_class']) == {'cat', 'frog'} and det['windows'] > 0 and 0 <= det['recall'] <= 1
    assert set(result['false_detections']) == {'speech', 'room_noise', 'silence', 'known_classes'}
    assert result['false_detections']['speech']['windows'] >= 10 * 1          # 2 files of each of 5 sources
    assert result['false_detections']['known_classes']['windows'] == 0      # labels a, b, c are no ESC-50 classes
    # silence: 4 recordings of 30 s; only the -60 dBFS one passes the -65 dBFS gate: 57 windows of 1 s, hop 0.5
    assert result['false_detections']['silence']['windows'] == 59
    assert result['teach_seconds'] > 0 and result['targets']['10way_5shot']['met'] is None
    text = format_few_shot(result)
    assert '| 2-way 1-shot accuracy |' in text and 'false detections on speech' in text
    again = evaluate_few_shot(predictor, ['frog', 'cat'], **options)
    assert again['accuracy'] == result['accuracy'] and again['detection'] == result['detection']   # seeded
