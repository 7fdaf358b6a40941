# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""`degram bench` runs in its tiny configuration and writes well-formed results (no timing checks)."""
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from degram.bench import SECTIONS, TABLE8_MODELS, TARGETS, interleaved
from degram.cli import main
from degram.frontends import FRONTENDS


@pytest.fixture(scope='module')
def quick_run(tmp_path_factory):
    """One --quick run of every section: 0.5 s, 2 runs, width-8 backbones, 1 thread."""
    output = tmp_path_factory.mktemp('bench')
    threads = torch.get_num_threads()
    try:
        code = main(['bench', '--quick', '--threads', '1', '--output-dir', str(output)])
    finally:
        torch.set_num_threads(threads)
    results = json.loads((output / 'bench.json').read_text())
    return code, output, results


def _finite_json(value):
    """Every number in the tree is finite (the JSON writer maps NaN/inf to null)."""
    if isinstance(value, dict):
        return all(_finite_json(v) for v in value.values())
    if isinstance(value, list):
        return all(_finite_json(v) for v in value)
    return not isinstance(value, float) or math.isfinite(value)


def _check_stats(stats):
    assert {'median_ms', 'p95_ms', 'mean_ms', 'min_ms', 'max_ms', 'runs'} <= set(stats)
    assert stats['runs'] == 2 and 0 < stats['min_ms'] <= stats['median_ms'] <= stats['max_ms']


def test_quick_run_writes_json_markdown_and_plot(quick_run):
    code, output, results = quick_run
    assert code == 0
    assert {'config', 'machine', 'sections', 'targets', 'load', 'section_load'} <= set(results)
    assert set(results['sections']) == set(SECTIONS)
    assert not any('error' in section for section in results['sections'].values())
    assert results['config']['quick'] and results['config']['width'] == 8
    assert results['config']['command'].startswith('degram bench ')
    assert {'date', 'torch', 'cpu_model', 'logical_cpus', 'torch_threads'} <= set(results['machine'])
    assert set(results['targets']) == set(TARGETS)
    assert _finite_json(results)
    markdown = (output / 'bench.md').read_text()
    assert '## Latency (Table 8 analogue)' in markdown and '## Targets' in markdown
    png = output / 'latency.png'
    if png.exists():
        assert png.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    else:
        pytest.importorskip('matplotlib')
        pytest.fail('matplotlib imports but latency.png was not written')


def test_table8_has_every_model_ratio_and_profile(quick_run):
    table8 = quick_run[2]['sections']['table8']
    cpu = table8['devices']['cpu']
    assert cpu['threads'] == 1 and list(cpu['lengths']) == ['0.5']
    row = cpu['lengths']['0.5']
    for key, *_ in TABLE8_MODELS:
        _check_stats(row[key])
    for ratio in ('ratio_degram_r18_over_spec_r18', 'ratio_degram_r18_over_spec_r34'):
        assert row[ratio] > 0
    assert table8['paper']['xavier_nx_cpu']['lengths']['10']['degram_r18'] == 362
    profile = cpu['profiles']['degram_r18@0.5']
    assert profile['frontend_ms'] > 0 and profile['backbone_ms'] > 0 and profile['top_ops']


def test_other_sections_are_well_formed(quick_run):
    sections = quick_run[2]['sections']
    flops = sections['flops']['rows']
    assert {(r['frontend'], r['backbone']) for r in flops} == {
        (f, b) for f in ('spectrogram', 'sincgram', 'degram') for b in ('resnet18', 'resnet34', 'resnet50')}
    assert all(r['gflops_per_s'] > r['frontend_gflops_per_s'] > 0 for r in flops)
    frontends = sections['frontends']['devices']['cpu']
    assert set(FRONTENDS) <= set(frontends['lengths']['0.5'])
    for stats in frontends['lengths']['0.5'].values():
        _check_stats(stats)
    throughput = sections['throughput']['devices']['cpu']
    assert [r['batch'] for r in throughput] == [1, 2] and all(r['windows_per_s'] > 0 for r in throughput)
    onnx = sections['onnx']
    if 'skipped' not in onnx:
        assert onnx['parity_ok'] and onnx['rows'][0]['max_abs_logit_difference'] < 1e-3
    gpu = sections['gpu']
    assert ('skipped' in gpu) == (not torch.cuda.is_available())


def test_sections_option_and_bad_device(tmp_path, capsys):
    threads = torch.get_num_threads()
    try:
        assert main(['bench', '--quick', '--threads', '1', '--sections', 'flops', '--output-dir',
                     str(tmp_path)]) == 0
    finally:
        torch.set_num_threads(threads)
    results = json.loads((tmp_path / 'bench.json').read_text())
    assert set(results['sections']) == {'flops'}
    assert all(t['measured'] is None for t in results['targets'].values())
    if not torch.cuda.is_available():
        assert main(['bench', '--device', 'cuda', '--output-dir', str(tmp_path / 'x')]) == 2
        assert 'cuda' in capsys.readouterr().err


def test_interleaving_rotates_the_first_contender():
    calls = []
    contenders = {name: (lambda name=name: calls.append(name)) for name in 'abc'}
    times = interleaved(contenders, runs=3, warmup=1, device=torch.device('cpu'))
    assert calls == list('abc') + list('abc') + list('bca') + list('cab')
    assert {name: len(values) for name, values in times.items()} == {'a': 3, 'b': 3, 'c': 3}


def test_module_entry_point_has_help():
    import degram

    package_root = str(Path(degram.__file__).resolve().parents[1])
    env = {**os.environ, 'PYTHONPATH': os.pathsep.join(filter(None, [package_root, os.environ.get('PYTHONPATH')]))}
    proc = subprocess.run([sys.executable, '-m', 'degram.bench', '--help'], capture_output=True, text=True,
                          env=env)
    assert proc.returncode == 0 and '--sections' in proc.stdout
