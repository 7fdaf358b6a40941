"""The few-shot protocol: the recipe that leaves 10 ESC-50 classes out (drawn by a fixed seed),
the config key and dataset method that leave classes out, and the episodes of the evaluation."""
from __future__ import annotations

import numpy as np
import pytest

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
