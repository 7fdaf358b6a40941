# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The `degram` tool: help on every subcommand, info, predict, export (ONNX parity), plot."""
import json
from pathlib import Path

import pytest
import torch

from degram import build_model, save_checkpoint
from degram.cli import build_parser, main
from degram.data.files import find_data_root

DATA = find_data_root() or Path('shared', 'data')   # $DEGRAM_DATA, else shared/data found upwards, as the library


@pytest.fixture(scope='module')
def model_file(tmp_path_factory):
    torch.manual_seed(0)
    model = build_model('degram', 'resnet18', num_classes=3)
    return save_checkpoint(model, tmp_path_factory.mktemp('cli') / 'tiny.pt', labels=['a', 'b', 'c'],
                           task='speaker_id', name='tiny')


def test_every_subcommand_has_help(capsys):
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices
    assert {'info', 'predict', 'export', 'plot'} <= set(commands)
    for name in commands:
        with pytest.raises(SystemExit) as done:
            main([name, '--help'])
        assert done.value.code == 0
        assert 'usage: degram ' + name in capsys.readouterr().out


def test_info_reports_parameters_and_flops(model_file, capsys):
    assert main(['info', str(model_file), '--json']) == 0
    info = json.loads(capsys.readouterr().out)
    assert info['task'] == 'speaker_id' and info['labels'] == ['a', 'b', 'c']
    assert info['parameters']['frontend'] == 712  # 2·64 SincGram + 4·64+4 + 4·64+64 MLP + 3+1 conv
    assert 0.3 < info['gflops_per_second'] < 1.0


def test_info_on_a_bad_file_is_one_clear_error(tmp_path, capsys):
    bad = tmp_path / 'bad.pt'
    bad.write_text('not a model')
    assert main(['info', str(bad)]) == 1
    err = capsys.readouterr().err
    assert 'bad.pt' in err and 'Traceback' not in err


@pytest.mark.skipif(not DATA.is_dir(), reason=f'no data root at {DATA} (set DEGRAM_DATA)')
def test_predict_prints_top_k_per_file(model_file, capsys):
    clips = sorted((DATA / 'fsdd' / 'recordings').glob('*_theo_1[0-1].wav'))[:2]
    clips.append(next((DATA / 'esc10' / 'audio' / 'rain').glob('*.ogg')))
    assert main(['predict', str(model_file), *map(str, clips), '-k', '2', '--json']) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line['file'] for line in lines] == list(map(str, clips))
    for line in lines:
        scores = [entry['score'] for entry in line['top_k']]
        assert len(scores) == 2 and scores == sorted(scores, reverse=True)


def test_export_onnx_matches_pytorch(model_file, tmp_path, capsys):
    pytest.importorskip('onnxruntime')
    output = tmp_path / 'tiny.onnx'
    assert main(['export', str(model_file), '--format', 'onnx', '-o', str(output)]) == 0
    assert 'ok' in capsys.readouterr().out
    import onnx

    meta = {p.key: p.value for p in onnx.load(str(output)).metadata_props}
    assert json.loads(meta['labels']) == ['a', 'b', 'c'] and meta['sample_rate'] == '16000'
    from degram.export import check_parity
    from degram.inference import load_checkpoint

    assert check_parity(load_checkpoint(model_file), output, lengths_s=(2.3,)) < 1e-3


def test_plot_writes_a_png(model_file, tmp_path):
    pytest.importorskip('matplotlib')
    output = tmp_path / 'fig.png'
    assert main(['plot', str(model_file), '-o', str(output)]) == 0
    assert output.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'


def test_export_fp16_halves_the_file_and_keeps_the_metadata(model_file, tmp_path, capsys):
    output = tmp_path / 'tiny.fp16.pt'
    assert main(['export', str(model_file), '--format', 'fp16', '-o', str(output), '--name', 'renamed']) == 0
    assert output.stat().st_size < 0.6 * model_file.stat().st_size
    from degram.inference import load_checkpoint

    half = load_checkpoint(output)
    assert half.labels == ['a', 'b', 'c'] and half.task == 'speaker_id' and half.name == 'renamed'


def test_a_subcommand_that_fails_to_import_is_an_error(monkeypatch):
    from degram.cli import COMMANDS

    monkeypatch.setitem(COMMANDS._entries, 'broken', 'degram.cli.no_such_subcommand')
    with pytest.raises(ModuleNotFoundError, match='no_such_subcommand'):
        build_parser()


def test_help_lists_every_shipped_model(capsys):
    from degram.inference import PRETRAINED

    with pytest.raises(SystemExit):
        main(['--help'])
    text = ' '.join(capsys.readouterr().out.split())
    assert len(PRETRAINED.names()) >= 5 and all(name in text for name in PRETRAINED.names())


def test_a_mistyped_model_name_suggests_the_nearest_shipped_one(capsys):
    assert main(['predict', 'sound_evnt', 'clip.wav']) == 1
    assert "did you mean the shipped model 'sound_event'?" in capsys.readouterr().err
