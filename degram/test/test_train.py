# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Training tool and `degram eval`: config handling, a 2-step run that writes a loadable
checkpoint, resuming, and the evaluation JSON / confusion PNG."""
import csv
import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch
import yaml

from degram import build_model, load_checkpoint, save_checkpoint
from degram.cli import main
from degram.data.files import find_data_root
from degram.training import CSV_COLUMNS, ConfigError, apply_overrides, load_config

torch.set_num_threads(1)
LABELS = ['high', 'low', 'mid']


@pytest.fixture(scope='module')
def tiny_data(tmp_path_factory):
    """3 classes × 4 tone clips (0.3-0.7 s, 16 kHz) in a CSV manifest with a val split, and noise."""
    root = tmp_path_factory.mktemp('tiny')
    rng = np.random.default_rng(0)
    rows = ['path,label,split']
    (root / 'clips').mkdir()
    for label, freq in zip(LABELS, (2000.0, 300.0, 900.0)):
        for n in range(4):
            secs = 0.3 + 0.1 * n
            t = np.arange(int(secs * 16000)) / 16000
            x = 0.4 * np.sin(2 * np.pi * freq * t) + 0.01 * rng.standard_normal(t.size)
            sf.write(str(root / 'clips' / f'{label}{n}.wav'), x.astype(np.float32), 16000)
            rows.append(f'clips/{label}{n}.wav,{label},{"val" if n == 3 else "train"}')
    (root / 'tiny.csv').write_text('\n'.join(rows) + '\n')
    (root / 'noise').mkdir()
    sf.write(str(root / 'noise' / 'hiss.wav'), (0.1 * rng.standard_normal(24000)).astype(np.float32), 24000)
    return root


def _config(tiny_data, out):
    cfg = {
        'name': 'tiny', 'task': 'sound_event', 'output': str(out),
        'model': {'frontend': 'degram', 'backbone': 'resnet18', 'sample_rate': 16000},
        'data': {'spec': str(tiny_data / 'tiny.csv'), 'crop_min': 0.5, 'crop_max': 0.5,
                 'noise': str(tiny_data / 'noise'), 'noise_prob': 0.5},
        'train': {'batch_size': 4, 'max_epochs': 1, 'max_steps_per_epoch': 2, 'num_threads': 1,
                  'device': 'cpu', 'progress': False},
    }
    path = out / 'tiny.yaml'
    out.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(cfg))
    return path


def test_overrides_and_validation():
    cfg = load_config('keyword', ['train.lr=1e-3', 'max_epochs=3', 'spec=esc10', 'model.dropout=0.2'])
    assert cfg['train']['lr'] == pytest.approx(1e-3) and cfg['train']['max_epochs'] == 3
    assert cfg['data']['spec'] == 'esc10' and cfg['model']['dropout'] == 0.2
    # what the overrides did not touch stays as keyword.yaml has it
    assert cfg['train']['batch_size'] == 64 and cfg['train']['scheduler'] == 'cosine'
    assert cfg['train']['warmup_epochs'] == 3 and cfg['train']['early_stopping'] is None
    assert cfg['model']['top_db'] == pytest.approx(80.0) and cfg['data']['noise_prob'] == pytest.approx(0.6)
    with pytest.raises(ConfigError, match='unknown key'):
        apply_overrides(cfg, ['nonsense=1'])
    with pytest.raises(ConfigError, match='unknown train option'):
        load_config('speaker_id', ['train.learning_rate=1'])
    with pytest.raises(ConfigError, match='crop_min'):
        load_config('speaker_id', ['data.crop_min=2', 'data.crop_max=1'])
    with pytest.raises(ConfigError, match='task'):
        load_config('speaker_id', ['task=other'])


def test_shipped_configs_follow_the_brief():
    sid, sev, kw = (load_config(n) for n in ('speaker_id', 'sound_event_esc10', 'keyword'))
    for cfg in (sid, sev, kw, load_config('sound_event')):
        assert (cfg['model']['frontend'], cfg['model']['backbone']) == ('degram', 'resnet18')
        assert cfg['model']['sample_rate'] == 16000
    # the robust recipes (issue 17): peak-relative floor, channel augmentation, AdamW 1e-3 on a cosine
    for name in ('speaker_id', 'sound_event_esc10', 'sound_event', 'speaker_embedding', 'keyword'):
        cfg = load_config(name)
        assert cfg['model']['top_db'] == 80.0 and set(cfg['data']['channel']) >= {'room', 'eq', 'lowpass'}, name
        assert (cfg['train']['optimizer'], cfg['train']['lr'], cfg['train']['scheduler']) == \
            ('adamw', pytest.approx(1e-3), 'cosine'), name
        assert cfg['train']['checkpoint'] == 'last' and cfg['train']['early_stopping'] is None, name
        # the evaluation noises stay out of training: ESC fold 4, and for the sound models the running tap
        noise = ' '.join(cfg['data']['noise'] or [])
        assert '/4-' not in noise and ('running_tap' not in noise or name == 'speaker_embedding'), name
    assert (sev['train']['batch_size'], sid['train']['batch_size']) == (32, 64)
    noisy = load_config('speaker_id_noise')   # the recipe of the speaker_id shipped on 2026-11 (stage 2)
    assert noisy['train']['init_from'] and noisy['data']['noise']
    assert all('[123]-' in pattern for pattern in noisy['data']['noise'])  # fold 4 stays for evaluation
    assert (sid['task'], sid['data']['spec'], sid['data']['validation']) == ('speaker_id', 'asc:speaker', 8)
    assert (sev['task'], sev['data']['spec'], sev['data']['validation']) == ('sound_event', 'esc10', 4)
    assert (sev['data']['crop_min'], sev['data']['crop_max']) == (4.0, 6.0)
    assert (kw['task'], kw['name'], kw['data']['spec']) == ('sound_event', 'keyword', 'asc:keyword')
    assert sid['data']['crop_max'] <= 1.0 and kw['data']['crop_max'] <= 1.0


def test_the_shipped_sound_event_recipe_trains_on_the_window_the_node_uses_with_held_apart_negatives():
    cfg = load_config('sound_event')
    assert (cfg['data']['spec'], cfg['data']['validation'], cfg['train']['loss']) == ('esc50', 4, 'bce')
    assert cfg['data']['crop_min'] == cfg['data']['crop_max'] == cfg['inference']['window_length'] == 2.0
    negatives = ' '.join(cfg['data']['negatives'])
    assert 'SPEAKER[0-4]' in negatives and 'theo' not in negatives and 'yweweler' not in negatives
    for held_out in ('SPEAKER[5', '0000002[5', '00000030', 'pink_noise', 'running_tap', 'dude_miaowing'):
        assert held_out not in negatives          # kept for calibration and evaluation


def test_two_step_training_writes_a_loadable_checkpoint_and_resumes(tiny_data, tmp_path, capsys):
    config = _config(tiny_data, tmp_path / 'runs')
    assert main(['train', '--config', str(config)]) == 0
    run = tmp_path / 'runs' / 'tiny'
    assert (run / 'last.pt').is_file() and (run / 'config.yaml').is_file()
    ckpt = load_checkpoint(run / 'best.pt')
    assert ckpt.labels == LABELS and ckpt.task == 'sound_event' and ckpt.sample_rate == 16000
    assert ckpt.metadata['name'] == 'tiny'
    assert ckpt.metadata['metrics']['epoch'] == 1 and 0.0 <= ckpt.metadata['metrics']['top1'] <= 1.0
    assert ckpt.metadata['config']['model']['frontend'] == 'degram'
    assert ckpt.metadata['dataset']['val_clips'] == 3 and ckpt.metadata['dataset']['train_clips'] == 9
    probs = ckpt.predict(np.zeros(8000, np.float32), 16000)
    assert probs.shape == (3,) and probs.sum() == pytest.approx(1.0, abs=1e-5)
    with open(run / 'metrics.csv') as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == CSV_COLUMNS and [r['epoch'] for r in rows] == ['1']
    assert float(rows[0]['lr']) == pytest.approx(3e-4) and 0 <= float(rows[0]['val_top1']) <= 1
    state = torch.load(run / 'last.pt', map_location='cpu', weights_only=False)
    assert state['epoch'] == 1 and state['optimizer']['state']  # Adam moments were saved
    before = {k: v.clone() for k, v in state['model'].items()}

    # --resume continues at epoch 2 from the saved weights (and the CSV keeps epoch 1)
    assert main(['train', '--config', str(config), '--resume', '--max-epochs', '2']) == 0
    assert 'resumed from' in capsys.readouterr().out
    with open(run / 'metrics.csv') as fh:
        assert [r['epoch'] for r in csv.DictReader(fh)] == ['1', '2']
    after = torch.load(run / 'last.pt', map_location='cpu', weights_only=False)
    assert after['epoch'] == 2
    assert any(not torch.equal(before[k], after['model'][k]) for k in before)


def test_init_from_fine_tunes_a_checkpoint_of_the_same_model(tiny_data, tmp_path, capsys):
    config = _config(tiny_data, tmp_path / 'first')
    assert main(['train', '--config', str(config)]) == 0
    start = tmp_path / 'first' / 'tiny' / 'best.pt'
    assert main(['train', '--config', str(config), '--output', str(tmp_path / 'second'),
                 f'train.init_from={start}', 'train.max_steps_per_epoch=1']) == 0
    assert f'weights initialised from {start}' in capsys.readouterr().out
    other = build_model('degram', 'resnet18', num_classes=2)
    save_checkpoint(other, tmp_path / 'other.pt', labels=['a', 'b'], task='sound_event')
    assert main(['train', '--config', str(config), '--output', str(tmp_path / 'third'),
                 f'train.init_from={tmp_path / "other.pt"}']) == 1
    assert 'fine-tuning needs the same model and classes' in capsys.readouterr().err


def test_train_reports_bad_config(tmp_path, capsys):
    bad = tmp_path / 'bad.yaml'
    bad.write_text('data: {spec: esc10}\ntrain: {learning_rate: 1}\n')
    assert main(['train', '--config', str(bad)]) == 1
    assert 'learning_rate' in capsys.readouterr().err


def test_eval_cli_writes_json_and_confusion_png(tiny_data, tmp_path, capsys):
    run = tmp_path / 'runs'
    assert main(['train', '--config', str(_config(tiny_data, run))]) == 0
    model = run / 'tiny' / 'best.pt'
    out = tmp_path / 'report' / 'eval.json'
    assert main(['eval', '--model', str(model), '--data', str(tiny_data / 'tiny.csv'), '--split', 'all',
                 '--output', str(out), '--num-threads', '1']) == 0
    result = json.loads(out.read_text())
    for key in ('top1', 'top5', 'map', 'auc', 'dprime', 'n'):
        assert isinstance(result[key], (int, float)) and not isinstance(result[key], bool), key
    assert result['n'] == 12 and result['top5'] == 1.0 and result['labels'] == LABELS
    assert np.array(result['confusion']).sum() == 12
    png = out.with_name('eval_confusion.png')
    assert png.is_file() and png.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    assert 'top-1' in capsys.readouterr().out

    # the validation split, with noise at a fixed seed: reproducible
    noisy = [tmp_path / f'noisy{n}.json' for n in range(2)]
    for path in noisy:
        assert main(['eval', '--model', str(model), '--data', str(tiny_data / 'tiny.csv'), '--noise',
                     str(tiny_data / 'noise'), '--snr', '0', '--output', str(path), '--no-plot']) == 0
    a, b = (json.loads(p.read_text()) for p in noisy)
    assert a['n'] == 3 and a['noise']['snr_db'] == 0.0 and a['noise']['files'] == 1
    assert a['top1'] == b['top1'] and a['map'] == b['map'] and a['loss'] == b['loss']
    assert a['loss'] != result['loss']
    assert not noisy[0].with_name('noisy0_confusion.png').exists()
    assert main(['eval', '--model', str(model), '--data', str(tiny_data / 'nope.csv')]) == 1


def test_multi_label_training_with_negatives_and_a_new_head_on_an_old_trunk(tiny_data, tmp_path):
    first = main(['train', '--config', str(_config(tiny_data, tmp_path / 'a')), 'train.seed=1'])
    assert first == 0
    trunk = tmp_path / 'a' / 'tiny' / 'best.pt'
    two_labels = tiny_data / 'two.csv'   # beside the clips it lists
    two_labels.write_text('\n'.join(line for line in (tiny_data / 'tiny.csv').read_text().splitlines()
                                    if not line.startswith('clips/mid')) + '\n')
    config = _config(tiny_data, tmp_path / 'b')
    overrides = [f'data.spec={two_labels}', 'train.loss=bce', f'data.negatives={tiny_data / "noise"}',
                 'data.negative_prob=0.5', 'data.silence_prob=0.5', 'data.gain_db_min=-20',
                 f'train.init_trunk_from={trunk}', 'inference.window_length=0.5']
    assert main(['train', '--config', str(config), *overrides]) == 0
    ckpt = load_checkpoint(tmp_path / 'b' / 'tiny' / 'best.pt')
    assert ckpt.labels == ['high', 'low'] and ckpt.multi_label and ckpt.metadata['window_length'] == 0.5
    start = load_checkpoint(trunk)
    torch.testing.assert_close(ckpt.model.state_dict()['frontend.base.filterbank.alpha'],
                               start.model.state_dict()['frontend.base.filterbank.alpha'], atol=0.05, rtol=0)
    scores = ckpt.predict(np.zeros(8000, np.float32), 16000)
    assert scores.shape == (2,) and np.all((scores > 0) & (scores < 1))


def test_negatives_need_the_multi_label_loss():
    with pytest.raises(ConfigError, match='negative_prob > 0 needs data.negatives and train.loss: bce'):
        load_config('sound_event', ['train.loss=ce'])


def test_two_process_ddp_run_under_torchrun_writes_one_run_and_resumes(tiny_data, tmp_path):
    import os
    import subprocess
    import sys

    config = _config(tiny_data, tmp_path)
    env = {**os.environ, 'OMP_NUM_THREADS': '1'}
    command = [sys.executable, '-m', 'torch.distributed.run', '--standalone', '--nproc_per_node', '2',
               '-m', 'degram', 'train', '--config', str(config), 'train.max_steps_per_epoch=4']
    first = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    assert first.returncode == 0, first.stdout + first.stderr
    assert first.stdout.count('epoch 1:') == 1                 # rank 0 alone logs
    second = subprocess.run(command + ['max_epochs=2', '--resume'], capture_output=True, text=True, env=env,
                            timeout=600)
    assert second.returncode == 0, second.stdout + second.stderr
    assert 'resumed from' in second.stdout and second.stdout.count('epoch 2:') == 1
    with open(tmp_path / 'tiny' / 'metrics.csv') as fh:
        assert [row['epoch'] for row in csv.DictReader(fh)] == ['1', '2']
    assert load_checkpoint(tmp_path / 'tiny' / 'best.pt').labels == LABELS


def test_aam_softmax_adds_the_margin_to_the_target_angle_only():
    from degram.training.trainer import aam_softmax_loss

    scale, margin = 30.0, 0.2
    cosine = torch.tensor([[0.8, 0.1, -0.3], [0.2, 0.5, 0.4]])
    targets = torch.tensor([0, 2])
    expected = cosine.clone()
    for row, t in enumerate(targets.tolist()):
        expected[row, t] = float(np.cos(np.arccos(float(cosine[row, t])) + margin))
    want = torch.nn.functional.cross_entropy(scale * expected, targets)
    assert float(aam_softmax_loss(scale * cosine, targets, scale, margin)) == pytest.approx(float(want), rel=1e-5)
    # no margin = plain softmax cross-entropy on the same logits
    assert float(aam_softmax_loss(scale * cosine, targets, scale, 0.0)) == pytest.approx(
        float(torch.nn.functional.cross_entropy(scale * cosine, targets)), rel=1e-5)
    # beyond θ + m > π the target logit keeps falling (linear continuation), never jumps back up
    near_pi = torch.tensor([[-0.999, 0.0]])
    assert float(aam_softmax_loss(scale * near_pi, torch.tensor([0]), scale, margin)) > float(
        torch.nn.functional.cross_entropy(scale * near_pi, torch.tensor([0])))


def test_cosine_head_logits_are_scaled_cosines_and_aam_needs_it(tmp_path):
    model = build_model('spectrogram', 'resnet18', num_classes=3, width=8, head='cosine', scale=10.0)
    embedding = torch.randn(2, model.backbone.embedding_size)
    logits = model.backbone.classify(embedding)
    weight = model.backbone.fc.weight
    expected = 10.0 * torch.nn.functional.normalize(embedding) @ torch.nn.functional.normalize(weight).T
    assert torch.allclose(logits, expected, atol=1e-5) and model.backbone.fc.bias is None
    path = save_checkpoint(model, tmp_path / 'cos.pt', labels=LABELS, task='speaker_id')
    assert load_checkpoint(path).model.backbone.head == 'cosine'       # the head travels in the config
    with pytest.raises(ConfigError, match='head: cosine'):
        load_config('speaker_id', ['train.loss=aam'])


def test_aam_training_run_on_the_tiny_data(tiny_data, tmp_path):
    cfg = _config(tiny_data, tmp_path)
    main(['train', '--config', str(cfg), 'train.loss=aam', 'model.head=cosine', 'task=speaker_id'])
    ckpt = load_checkpoint(tmp_path / 'tiny' / 'best.pt')
    assert ckpt.model.backbone.head == 'cosine' and ckpt.labels == LABELS


DATA = find_data_root() or Path('shared', 'data')   # $DEGRAM_DATA, else shared/data found upwards, as the library


@pytest.mark.skipif(not DATA.is_dir(), reason=f'no data root at {DATA} (set DEGRAM_DATA)')
def test_voices_corpus_keeps_the_development_speakers_out():
    from degram.data import open_dataset
    from degram.data.corpora.voices import development_speakers

    data_root = DATA
    dev = development_speakers(data_root)
    assert len(dev) == 40 and dev == development_speakers(data_root)          # a fixed choice
    dataset = open_dataset('voices', data_root)
    labels = set(dataset.labels)
    assert not labels & {f'so:{s}' for s in dev}
    corpora = [x.split(':')[0] for x in labels]
    assert (corpora.count('so'), corpora.count('asc'), corpora.count('fsdd')) == (160, 30, 6)


def test_statistics_pooling_and_an_embedding_layer_give_signed_embeddings_of_that_size():
    model = build_model('spectrogram', 'resnet18', num_classes=3, width=8, head='cosine', pooling='stats',
                        embedding_dim=16).eval()
    plain = build_model('spectrogram', 'resnet18', num_classes=3, width=8).eval()
    wave = 0.1 * torch.randn(2, 16000)
    with torch.no_grad():
        out, relu_pooled = model.run(wave), plain.run(wave).embedding
    assert out.embedding.shape == (2, 16) and model.backbone.embedding_size == 16
    assert (out.embedding < 0).any() and (relu_pooled >= 0).all()   # the ReLU orthant, and out of it
    with pytest.raises(ValueError, match='pooling'):
        build_model('spectrogram', 'resnet18', num_classes=3, pooling='max')


def test_the_trunk_of_a_mean_pooled_classifier_starts_an_embedding_model(tiny_data, tmp_path):
    cfg = _config(tiny_data, tmp_path)
    main(['train', '--config', str(cfg), '--name', 'plain'])
    main(['train', '--config', str(cfg), '--name', 'emb', 'train.loss=aam', 'model.head=cosine',
          'model.pooling=stats', 'model.embedding_dim=8', 'task=speaker_id',
          f'train.init_trunk_from={tmp_path / "plain" / "best.pt"}'])
    plain, emb = (load_checkpoint(tmp_path / name / 'best.pt').model for name in ('plain', 'emb'))
    assert emb.backbone.embedding_size == 8
    assert set(emb.state_dict()) - set(plain.state_dict()) == {
        f'backbone.project.{k}' for k in ('0.weight', '0.bias', '1.weight', '1.bias', '1.running_mean',
                                          '1.running_var', '1.num_batches_tracked')}


def test_cosine_schedule_validates_every_n_epochs_and_keeps_the_last_epoch(tiny_data, tmp_path):
    overrides = ['train.scheduler=cosine', 'train.warmup_epochs=1', 'train.max_epochs=4', 'train.val_every=3',
                 'train.checkpoint=last', 'train.lr=1e-3', 'data.mixup_alpha=0.4',
                 'data.channel={lowpass: 0.5, eq: 0.5}']
    assert main(['train', '--config', str(_config(tiny_data, tmp_path)), *overrides]) == 0
    with open(tmp_path / 'tiny' / 'metrics.csv') as fh:
        rows = list(csv.DictReader(fh))
    lrs = [float(r['lr']) for r in rows]
    # warm-up to the peak, then a cosine decay to min_lr (0) at the end of epoch 4
    assert lrs == pytest.approx([5e-4, 1e-3, 1e-3 * 0.5 * (1 + np.cos(np.pi / 3)), 1e-3 * 0.25], rel=1e-6)
    assert [bool(r['val_top1']) for r in rows] == [False, False, True, True]   # epochs 3 and 4 (the last)
    ckpt = load_checkpoint(tmp_path / 'tiny' / 'best.pt')
    assert ckpt.metadata['metrics']['epoch'] == 4 and 'top1' in ckpt.metadata['metrics']


def test_change_speed_moves_tempo_and_pitch_together():
    from degram.data import change_speed

    rate = 16000
    tone = np.sin(2 * np.pi * 1000.0 * np.arange(rate) / rate).astype(np.float32)
    for factor in (0.9, 1.1):
        faster = change_speed(tone, factor)
        assert abs(faster.size - rate / factor) <= 2
        peak_hz = np.argmax(np.abs(np.fft.rfft(faster))) * rate / faster.size
        assert abs(peak_hz - 1000.0 * factor) < 5.0
    assert change_speed(tone, 1.0) is tone or np.array_equal(change_speed(tone, 1.0), tone)
    with pytest.raises(ValueError, match='positive'):
        change_speed(tone, 0.0)


def test_speed_perturbation_makes_each_speed_a_class_of_its_own(tiny_data):
    from degram.data import open_dataset
    from degram.training.batches import BatchMaker

    dataset = open_dataset(str(tiny_data / 'tiny.csv'))
    options = dict(load_config(str(_config(tiny_data, tiny_data / 'cfg')))['data'], speed_perturb=[0.8, 1.25],
                   crop_min=0.5, crop_max=0.5, noise_prob=0.0)
    maker = BatchMaker(dataset, options, 16000, multi_label=False)
    rng = np.random.default_rng(0)
    idx = np.arange(len(dataset))
    seen = set()
    for _ in range(20):
        batch, targets, _ = maker.make(idx, rng)
        assert targets.shape == (len(idx),) and np.array_equal(targets % dataset.num_classes, dataset.targets[idx])
        for wave, target, entry in zip(batch, targets, idx):
            speed = (1.0, 0.8, 1.25)[target // dataset.num_classes]
            tone = {'high': 2000.0, 'low': 300.0, 'mid': 900.0}[dataset.labels[dataset.targets[entry]]]
            peak_hz = np.argmax(np.abs(np.fft.rfft(wave))) * 16000 / wave.size
            assert abs(peak_hz - tone * speed) < 0.03 * tone * speed   # the class says the speed it was played at
            seen.add(int(target // dataset.num_classes))
    assert seen == {0, 1, 2}


def test_a_speed_perturbed_run_trains_a_class_per_speed_and_validates_the_recorded_ones(tiny_data, tmp_path,
                                                                                       monkeypatch):
    import degram.training.trainer as trainer

    scored = []
    monkeypatch.setattr(trainer, 'classification_metrics', lambda targets, scores: scored.append(scores.shape)
                        or {'top1': 0.5})
    cfg = _config(tiny_data, tmp_path)
    main(['train', '--config', str(cfg), '--name', 'plain', 'train.loss=aam', 'model.head=cosine',
          'model.pooling=stats', 'model.embedding_dim=8', 'task=speaker_id'])
    assert main(['train', '--config', str(cfg), '--name', 'speed', 'train.loss=aam', 'model.head=cosine',
                 'model.pooling=stats', 'model.embedding_dim=8', 'task=speaker_id', 'data.speed_perturb=[0.9, 1.1]',
                 f'train.init_trunk_from={tmp_path / "plain" / "best.pt"}']) == 0
    plain, speed = (load_checkpoint(tmp_path / name / 'best.pt') for name in ('plain', 'speed'))
    assert speed.labels == LABELS + [f'{x}@speed{s}' for s in ('0.9', '1.1') for x in LABELS]
    assert speed.model.backbone.fc.weight.shape[0] == 9
    assert scored == [(3, 3), (3, 3)]                      # both runs validated on the 3 recorded classes
    # the embedding layer of the same shape came along from the trunk's checkpoint (then one step of training)
    before, after = plain.model.state_dict(), speed.model.state_dict()
    assert torch.equal(before['backbone.project.1.num_batches_tracked'] + 2,
                       after['backbone.project.1.num_batches_tracked'])


@pytest.mark.parametrize('overrides, message', [
    (['data.speed_perturb=[1.0, 1.1]'], 'other than 1.0'),
    (['data.speed_perturb=[0.9, 0.9]'], 'distinct'),
    (['data.speed_perturb=0.9'], 'list'),
    (['data.speed_perturb=[0.9]', 'train.loss=bce'], 'single-label'),
])
def test_speed_perturbation_rejects_what_it_cannot_do(overrides, message):
    with pytest.raises(ConfigError, match=message):
        load_config('speaker_id', overrides)
