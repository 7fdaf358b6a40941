# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""ModelMetadata: the one typed owner of what a model file says (degram/inference/metadata.py)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from degram.inference import PRETRAINED, load_checkpoint, read_payload
from degram.inference.metadata import DEFAULT_HOP, DEFAULT_WINDOW, MetadataError, ModelMetadata

ROOT = Path(__file__).resolve().parents[2]
#: a raw read of the metadata dict: ``metadata.get(``, ``metadata[``, ``meta.get(``, ``meta[``
RAW_READ = re.compile(r'\bmeta(data)?\s*(\.get\(|\[)')


def test_no_raw_metadata_read_outside_its_module():
    sources = [p for folder in ('degram/degram', 'degram_ros/degram_ros', 'degram_ros/launch', 'tools')
               for p in sorted((ROOT / folder).rglob('*.py'))]
    assert len(sources) > 50
    owner = ROOT / 'degram/degram/inference/metadata.py'
    raw = [f'{p.relative_to(ROOT)}:{n}: {line.strip()}' for p in sources if p != owner
           for n, line in enumerate(p.read_text().splitlines(), 1) if RAW_READ.search(line)]
    assert not raw, 'read the metadata through degram.inference.ModelMetadata:\n' + '\n'.join(raw)


def test_the_guard_sees_a_raw_read():
    assert RAW_READ.search("    window = float(ckpt.metadata.get('window_length') or 1.0)")
    assert RAW_READ.search("    gate = meta['min_level_db']")
    assert not RAW_READ.search("    window = ckpt.metadata.window_length")


@pytest.mark.parametrize('name', PRETRAINED.names())
def test_every_shipped_model_round_trips(name):
    stored = read_payload(PRETRAINED.get(name).file)['metadata']
    meta = ModelMetadata.from_dict(stored)
    assert meta.name == name and ModelMetadata.from_dict(meta.to_dict()) == meta
    # the same meaning: what the file states comes back (a stated default may be left out)
    assert {k: v for k, v in stored.items() if v not in (False, None)} == \
        {k: v for k, v in meta.to_dict().items() if v not in (False, None)}
    assert load_checkpoint(name).metadata == meta


def test_an_older_file_loads_with_the_defaults_and_keeps_unknown_keys():
    meta = ModelMetadata.from_dict({'name': 'old', 'metrics': {'top1': 0.5}, 'from_the_future': [1, 2]})
    assert (meta.multi_label, meta.thresholds, meta.min_level_db, meta.embedding_model) == (False, None, None, False)
    assert meta.window_and_hop() == (DEFAULT_WINDOW, DEFAULT_HOP) == (1.0, 0.5)
    assert meta.extra == {'from_the_future': [1, 2]} and meta.to_dict()['from_the_future'] == [1, 2]
    assert ModelMetadata.from_dict(None) == ModelMetadata.from_dict({}) == ModelMetadata()
    # the read-only mapping view of the stored dict, for code written against it
    assert meta['name'] == 'old' and meta.get('thresholds') is None and dict(meta) == meta.to_dict()


def test_window_and_hop_keep_the_hop_within_the_window():
    meta = ModelMetadata(window_length=2.0, hop_length=0.5)
    assert meta.window_and_hop() == (2.0, 0.5)
    assert meta.window_and_hop(window=0.3) == (0.3, 0.3)             # the recommended hop, capped
    assert meta.window_and_hop(window=3.0, hop=1.5) == (3.0, 1.5)
    assert ModelMetadata(hop_length=2.0).window_and_hop() == (1.0, 1.0)
    assert ModelMetadata().window_and_hop(default_window=2.0) == (2.0, 0.5)


@pytest.mark.parametrize('key, value', [
    ('window_length', 'two'), ('hop_length', -1.0), ('speaker_threshold', 3.0), ('speaker_score_scale', 0),
    ('thresholds', ['a']), ('multi_label', 'yes'), ('config', [1]), ('epoch', 1.5), ('labels', [1, 2]),
    ('speaker_cohort', [0.1, 0.2]), ('min_level_db', float('nan'))])
def test_a_wrong_type_names_the_key(key, value):
    with pytest.raises(MetadataError, match=key):
        ModelMetadata.from_dict({key: value})


def test_negatives_come_from_the_training_config_when_they_were_used():
    used = {'data': {'negatives': ['speech', 'room'], 'negative_prob': 0.3}}
    assert ModelMetadata(config=used).negatives == ['speech', 'room']
    assert ModelMetadata(config={'data': {'negatives': 'speech', 'negative_prob': 0}}).negatives == []
    assert ModelMetadata(config={'data': {'negatives': 'speech', 'negative_prob': 1}}).negatives == ['speech']
    assert ModelMetadata().negatives == []


def test_replace_checks_the_new_values():
    meta = ModelMetadata(name='a').replace(thresholds=[0.5, 0.25], speaker_cohort=[[0.0, 1.0]])
    assert meta.thresholds == [0.5, 0.25] and meta.calibrated and meta.speaker_cohort == [[0.0, 1.0]]
    with pytest.raises(MetadataError, match='min_speech_ratio'):
        meta.replace(min_speech_ratio='most')


def test_a_checkpoint_with_broken_metadata_is_a_checkpoint_error(tmp_path):
    import torch

    import degram

    model = degram.build_model('spectrogram', 'resnet18', num_classes=2, width=8)
    path = degram.save_checkpoint(model, tmp_path / 'm.pt', labels=['a', 'b'], task='sound_event')
    payload = torch.load(path, weights_only=True)
    payload['metadata'] = {'window_length': 'long'}
    torch.save(payload, path)
    with pytest.raises(degram.CheckpointError, match=r'm\.pt: metadata window_length'):
        degram.load_checkpoint(path)
    with pytest.raises(MetadataError, match='hop_length'):   # and it is never written
        degram.save_checkpoint(model, tmp_path / 'n.pt', labels=['a', 'b'], task='sound_event', hop_length='x')
