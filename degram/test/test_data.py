# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Datasets: shared-data indexing and leak-free splits, CSV / class-folder readers, cropping,
balanced epochs and noise mixing."""
import re
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from degram import data as D
from degram.data.files import find_data_root

DATA = find_data_root() or Path('shared', 'data')   # $DEGRAM_DATA, else shared/data found upwards, as the library
needs_data = pytest.mark.skipif(not DATA.is_dir(), reason=f'no data root at {DATA} (set DEGRAM_DATA)')


def _tone(path, seconds=0.5, rate=16000, freq=440.0, channels=1):
    t = np.arange(int(seconds * rate)) / rate
    x = 0.3 * np.sin(2 * np.pi * freq * t).astype(np.float32)
    if channels > 1:
        x = np.stack([x] * channels, axis=1)
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(str(path), x, rate)
    return path


# --- the shared datasets --------------------------------------------------------------------
@needs_data
def test_esc10_folds_do_not_leak():
    ds = D.open_dataset('esc10', DATA)
    assert len(ds) == 320 and ds.num_classes == 10 and 'rain' in ds.labels
    for fold in (1, 2, 3, 4):
        tr, va = ds.split(fold)
        def fold_of(i):
            return int(Path(ds.path(i)).name.split('-')[0])
        assert {fold_of(i) for i in va} == {fold}
        assert fold not in {fold_of(i) for i in tr}
        assert len(tr) + len(va) == 320 and len(va) == 80
        assert (ds.class_counts(va) == 8).all()
    tr, va = ds.split()  # default: fold 4
    assert {Path(ds.path(i)).name[0] for i in va} == {'4'}


@needs_data
def test_asc_speaker_splits_by_repetition():
    ds = D.open_dataset('asc:speaker', DATA)
    assert len(ds) == 2880 and ds.num_classes == 30
    tr, va = ds.split(8)
    def rep(i):
        return int(re.search(r'_(\d+)\.flac$', ds.path(i)).group(1))
    assert {rep(i) for i in va} == {8}
    assert {rep(i) for i in tr} == set(range(1, 8))
    # the label is the speaker of the file name, and every speaker is in both parts
    assert all(ds.labels[ds.targets[i]] == Path(ds.path(i)).stem.split('_')[0] for i in range(0, 2880, 97))
    assert (ds.class_counts(va) == 12).all() and (ds.class_counts(tr) == 84).all()
    assert np.array_equal(ds.split()[1], va)


@needs_data
def test_asc_keyword_split_is_speaker_disjoint():
    ds = D.open_dataset('asc:keyword', DATA)
    assert ds.num_classes == 12 and 'forward' in ds.labels
    tr, va = ds.split()  # default: speakers 25-30
    def speaker(i):
        return Path(ds.path(i)).stem.split('_')[0]
    val_speakers, train_speakers = {speaker(i) for i in va}, {speaker(i) for i in tr}
    assert not val_speakers & train_speakers
    assert len(val_speakers) == 6 and len(train_speakers) == 24
    assert all(ds.labels[ds.targets[i]] == Path(ds.path(i)).parent.name for i in range(0, 2880, 101))
    tr2, va2 = ds.split(0.2, seed=1)
    assert not {speaker(i) for i in va2} & {speaker(i) for i in tr2}


@needs_data
@pytest.mark.parametrize('choice,classes', [('digit', 10), ('speaker', 6)])
def test_fsdd_splits_by_index(choice, classes):
    ds = D.open_dataset(f'fsdd:{choice}', DATA)
    assert len(ds) == 2700 and ds.num_classes == classes
    tr, va = ds.split('5-9')
    def index(i):
        return int(Path(ds.path(i)).stem.split('_')[2])
    assert {index(i) for i in va} == set(range(5, 10))
    assert min(index(i) for i in tr) == 10
    part = 0 if choice == 'digit' else 1
    assert all(ds.labels[ds.targets[i]] == Path(ds.path(i)).stem.split('_')[part] for i in range(0, 2700, 37))


@needs_data
def test_loading_resamples_and_caches():
    ds = D.open_dataset('esc10', DATA, sample_rate=16000)
    i = 0
    info = sf.info(ds.path(i))
    wave = ds.load(i)
    assert wave.dtype == np.float32 and wave.ndim == 1
    assert abs(wave.size - info.frames * 16000 / info.samplerate) <= 2
    assert ds.load(i) is wave  # cached
    assert np.abs(wave).max() <= 1.0


def test_data_root_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv('DEGRAM_DATA', str(tmp_path))
    assert D.find_data_root() == tmp_path
    assert D.find_data_root(tmp_path / 'x') == tmp_path / 'x'
    with pytest.raises(D.DatasetError, match='does not exist'):
        D.open_dataset('esc10')


def test_unknown_specs_fail_clearly(tmp_path):
    with pytest.raises(D.DatasetError, match='unknown dataset'):
        D.open_dataset(str(tmp_path / 'nowhere'))
    with pytest.raises(D.DatasetError, match='label must be one of'):
        D.open_dataset('asc:colour', tmp_path)


# --- CSV manifests and class folders ------------------------------------------------------
def test_csv_manifest_with_split_column(tmp_path):
    for n in range(6):
        _tone(tmp_path / 'clips' / f'c{n}.wav', freq=200 + 100 * n)
    rows = ['path,label,split', 'clips/c0.wav,cat,train', 'clips/c1.wav,dog,train', 'clips/c2.wav,cat,val',
            'clips/c3.wav,dog,valid', f'{tmp_path / "clips" / "c4.wav"},cat,test', 'clips/c5.wav,dog,train']
    manifest = tmp_path / 'sub' / '..' / 'list.csv'
    (tmp_path / 'sub').mkdir()
    manifest.write_text('\n'.join(rows) + '\n')
    ds = D.open_dataset(str(manifest))
    assert ds.labels == ['cat', 'dog'] and len(ds) == 6
    tr, va = ds.split()
    def names(idx):
        return sorted(Path(ds.path(i)).name for i in idx)
    assert names(tr) == ['c0.wav', 'c1.wav', 'c5.wav']
    assert names(va) == ['c2.wav', 'c3.wav']  # 'val' and 'valid' both validate; 'test' is left out
    assert ds.load(0).shape == (8000,)


def test_csv_manifest_with_fold_column_and_errors(tmp_path):
    for n in range(4):
        _tone(tmp_path / f'a{n}.wav', rate=8000)
    (tmp_path / 'm.csv').write_text('path,label,fold\na0.wav,x,1\na1.wav,y,1\na2.wav,x,2\na3.wav,y,2\n')
    ds = D.open_dataset(str(tmp_path / 'm.csv'), sample_rate=16000)
    tr, va = ds.split()  # the last fold validates
    assert sorted(ds.groups[va]) == ['2', '2'] and sorted(ds.groups[tr]) == ['1', '1']
    assert ds.load(0).shape == (8000,)  # 0.5 s at 8 kHz resampled to 16 kHz
    tr, va = ds.split(1)
    assert set(ds.groups[va]) == {'1'}
    with pytest.raises(D.DatasetError, match='not found'):
        ds.split(3)
    (tmp_path / 'bad.csv').write_text('file,class\na0.wav,x\n')
    with pytest.raises(D.DatasetError, match='path,label'):
        D.open_dataset(str(tmp_path / 'bad.csv'))
    (tmp_path / 'missing.csv').write_text('path,label\nnope.wav,x\n')
    with pytest.raises(D.DatasetError, match='does not exist'):
        D.open_dataset(str(tmp_path / 'missing.csv'))


def test_class_folder_reader(tmp_path):
    for lab in ('bark', 'meow', 'moo'):
        for n in range(5):
            _tone(tmp_path / lab / f'{n % 2 + 1}-{lab}{n}.wav', channels=2 if n == 0 else 1)
    (tmp_path / 'bark' / 'notes.txt').write_text('not audio')
    ds = D.open_dataset(str(tmp_path))
    assert ds.labels == ['bark', 'meow', 'moo'] and len(ds) == 15
    assert ds.load(0).ndim == 1  # stereo file down-mixed
    tr, va = ds.split(0.4, seed=0)
    assert not set(tr) & set(va) and len(tr) + len(va) == 15
    assert (ds.class_counts(va) == 2).all()  # stratified: 40 % of each class
    # groups from the file name: fold prefix 1 or 2
    ds = D.open_dataset(str(tmp_path), group_regex=r'^(\d)-')
    tr, va = ds.split(2)
    assert {Path(ds.path(i)).name[0] for i in va} == {'2'}
    assert {Path(ds.path(i)).name[0] for i in tr} == {'1'}


def test_parse_groups():
    assert D.parse_groups('5-9') == {'5', '6', '7', '8', '9'}
    assert D.parse_groups('08') == {'8'}
    assert D.parse_groups([4, '1-2']) == {'1', '2', '4'}
    assert D.parse_groups(0.25) == 0.25 and D.parse_groups('0.25') == 0.25
    assert D.parse_groups('none') == set() and D.parse_groups(None) is None
    assert D.parse_groups('val') == {'val'}
    with pytest.raises(D.DatasetError):
        D.parse_groups(1.5)


# --- training helpers ----------------------------------------------------------------------
def test_crop_or_tile():
    rng = np.random.default_rng(0)
    short = np.arange(1, 4, dtype=np.float32)  # 3 samples
    assert D.crop_or_tile(short, 8).tolist() == [1, 2, 3, 1, 2, 3, 1, 2]
    long = np.arange(100, dtype=np.float32)
    offsets = set()
    for _ in range(50):
        c = D.crop_or_tile(long, 10, rng)
        assert c.shape == (10,) and np.array_equal(np.diff(c), np.ones(9))  # one contiguous cut
        assert 0 <= c[0] <= 90
        offsets.add(int(c[0]))
    assert len(offsets) > 5  # the offset is random
    assert D.crop_or_tile(long, 100, rng).tolist() == long.tolist()
    assert D.crop_or_tile(long, 10).tolist() == list(range(10))  # no rng: offset 0
    batch = D.make_batch([short, long], 16, rng)
    assert batch.shape == (2, 16) and batch.dtype == np.float32


def test_balanced_indices_undersample_without_replacement():
    targets = np.array([0] * 10 + [1] * 3 + [2] * 6)
    seen = set()
    for seed in range(5):
        idx = D.balanced_indices(targets, np.random.default_rng(seed))
        assert len(idx) == 9 and len(set(idx.tolist())) == 9  # no repeats
        assert np.bincount(targets[idx]).tolist() == [3, 3, 3]
        assert sorted(i for i in idx if targets[i] == 1) == [10, 11, 12]  # the rarest class: all of it
        seen |= set(idx.tolist())
    assert len(seen & set(range(10))) > 3  # different majority-class items across epochs


def test_mix_at_snr_and_noise_bank(tmp_path):
    rng = np.random.default_rng(0)
    signal = (0.1 * rng.standard_normal(16000)).astype(np.float32)
    noise = (0.05 * rng.standard_normal(16000)).astype(np.float32)
    for snr in (10.0, 0.0, -5.0):
        mix = D.mix_at_snr(signal, noise, snr)
        added = mix - signal
        measured = 10 * np.log10(np.mean(signal.astype(np.float64) ** 2) / np.mean(added.astype(np.float64) ** 2))
        assert measured == pytest.approx(snr, abs=1e-3)
    assert np.array_equal(D.mix_at_snr(np.zeros(10, np.float32), np.ones(10, np.float32), 0), np.zeros(10))
    _tone(tmp_path / 'n' / 'hum.wav', seconds=0.3, rate=22050, freq=50)
    _tone(tmp_path / 'n' / 'deep' / 'buzz.flac', seconds=0.2, rate=8000, freq=300)
    bank = D.NoiseBank(tmp_path / 'n', 16000)
    assert len(bank) == 2
    seg = bank.sample(40000, np.random.default_rng(1))  # longer than any clip: concatenated
    assert seg.shape == (40000,) and np.std(seg) > 0.1 and np.std(seg[-8000:]) > 0.1  # no zero padding
    a = bank.mix(signal, 5.0, np.random.default_rng(7))
    b = bank.mix(signal, 5.0, np.random.default_rng(7))
    assert np.array_equal(a, b) and not np.array_equal(a, signal)
    with pytest.raises(D.DatasetError):
        D.NoiseBank(tmp_path / 'empty_nothing', 16000)


def test_noise_sources_take_globs_relative_to_the_data_root(tmp_path):
    import soundfile

    from degram.data import NoiseBank, list_audio_files

    for name in ('1-a.wav', '2-b.wav', '4-c.wav'):
        (tmp_path / 'rain').mkdir(exist_ok=True)
        soundfile.write(tmp_path / 'rain' / name, np.zeros(160, np.float32), 16000)
    picked = list_audio_files('rain/[12]-*.wav', root=tmp_path)
    assert [p.name for p in picked] == ['1-a.wav', '2-b.wav']
    assert len(NoiseBank(['rain/4-*.wav'], 16000, root=tmp_path)) == 1
    assert len(list_audio_files(tmp_path / 'rain')) == 3
