# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""``degram annotate`` on plain audio files, as the README promises it (issue 18): real ESC-10 clips
from the shared data ($DEGRAM_DATA, else shared/data found upwards) through the shipped
``sound_event`` model; one .csv per file in a folder (windows) with ``<stem>_events.csv`` beside it
(events with onset and offset), or .json with everything for one file. The clips are the ones the
demo's scene is made of (tools/make_demo_clips.py), whose baby and rooster the README says are
detected."""
from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from degram.cli import main
from degram.data.files import find_data_root

DATA = find_data_root()
CLIPS = {'crying_baby': 'esc10/audio/baby_cry/4-167077-A.ogg', 'rooster': 'esc10/audio/rooster/4-164021-A.ogg'}
WINDOW_COLUMNS = ['stamp', 'level_db', 'silent', 'detected', 'label', 'confidence', 'detections']
EVENT_COLUMNS = ['label', 'class_id', 'onset', 'offset', 'peak']


@pytest.fixture(scope='module')
def clips():
    if DATA is None or not all((DATA / rel).is_file() for rel in CLIPS.values()):
        pytest.skip(f'the ESC-10 clips {sorted(CLIPS.values())} are not under the data root '
                    f'({DATA}; set DEGRAM_DATA)')
    from degram import PRETRAINED

    if 'sound_event' not in PRETRAINED or not PRETRAINED.get('sound_event').file.is_file():
        pytest.skip('the shipped sound_event model is not installed')
    return {label: DATA / rel for label, rel in CLIPS.items()}


def _read_csv(path):
    with open(path, newline='') as fh:
        reader = csv.DictReader(fh)
        return reader.fieldnames, list(reader)


def _level_db(samples: np.ndarray) -> float:
    return float(10 * np.log10(np.mean(samples.astype(np.float64) ** 2) + 1e-20))


@pytest.fixture(scope='module')
def folder_output(clips, tmp_path_factory):
    out = tmp_path_factory.mktemp('annotate') / 'results'
    args = ['annotate', *map(str, clips.values()), '--model', 'sound_event', '--device', 'cpu', '-o', str(out),
            '--no-progress']
    assert main(args) == 0
    return out


def test_several_files_give_a_windows_csv_and_an_events_csv_each_in_the_folder(clips, folder_output):
    from degram.audio import load_audio

    assert sorted(p.name for p in folder_output.iterdir()) == sorted(
        f'{path.stem}{suffix}.csv' for path in clips.values() for suffix in ('', '_events'))
    for label, path in clips.items():
        columns, windows = _read_csv(folder_output / f'{path.stem}.csv')
        assert columns == WINDOW_COLUMNS
        # the model's 2 s windows every 0.5 s, stamped from the file's start, up to the file's end
        # (44.1 kHz files: the resampler's delay is drained at the end, so the last window is there)
        audio, rate = load_audio(path, 16000)
        stamps = [float(w['stamp']) for w in windows]
        assert len(stamps) == (len(audio) - 2 * rate) // (rate // 2) + 1
        assert stamps == pytest.approx(0.5 * np.arange(len(stamps)))
        for w, stamp in zip(windows, stamps):
            # the window's RMS level in dBFS (soxr here, the streaming resampler there: within 0.5 dB)
            start = int(round(stamp * rate))
            assert float(w['level_db']) == pytest.approx(_level_db(audio[start:start + 2 * rate]), abs=0.5)
            assert w['silent'] == 'False'                       # loud clips: nothing below the -65 dBFS gate
            detections = w['detections'].split()
            assert (w['detected'] == 'True') == bool(detections)
            if detections:                                      # the label is the best detection
                assert w['label'] == detections[0]
            assert 0.0 <= float(w['confidence']) <= 1.0
        columns, events = _read_csv(folder_output / f'{path.stem}_events.csv')
        assert columns == EVENT_COLUMNS
        ours = [e for e in events if e['label'] == label]
        assert ours, f'no {label} event in {path.name}: {events}'
        for event in events:
            onset, offset = float(event['onset']), float(event['offset'])
            assert 0.0 <= onset < offset <= stamps[-1] + 2.0     # ended within the clip
            # the peak is the best score of the class over the event's windows
            inside = [float(w['confidence']) for w, s in zip(windows, stamps)
                      if onset <= s < offset and w['label'] == event['label']]
            assert inside and float(event['peak']) == pytest.approx(max(inside), abs=1e-5)
        assert any(float(w['confidence']) >= 0.3 and w['label'] == label for w in windows)


def test_one_file_to_json_holds_the_same_windows_and_events_as_its_csv(clips, folder_output, tmp_path):
    path = clips['rooster']
    out = tmp_path / 'rooster.json'
    assert main(['annotate', str(path), '--model', 'sound_event', '--device', 'cpu', '-o', str(out),
                 '--no-progress']) == 0
    result = json.loads(out.read_text())
    assert {'source', 'model', 'window_length', 'hop_length', 'windows', 'events'} <= set(result)
    assert (result['source'], result['model']) == (str(path), 'sound_event')
    assert (result['window_length'], result['hop_length']) == (2.0, 0.5)
    _, windows = _read_csv(folder_output / f'{path.stem}.csv')
    assert [(w['stamp'], w['label'], w['detected']) for w in result['windows']] == [
        (float(w['stamp']), w['label'], w['detected'] == 'True') for w in windows]
    _, events = _read_csv(folder_output / f'{path.stem}_events.csv')
    assert [(e['label'], e['onset'], e['offset']) for e in result['events']] == [
        (e['label'], float(e['onset']), float(e['offset'])) for e in events]
