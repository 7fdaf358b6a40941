"""The shipped default models load by name and recognise real clips they were not trained on."""
from pathlib import Path

import numpy as np
import pytest

from degram import load_checkpoint
from degram.audio import load_audio
from degram.inference import PRETRAINED

DATA = Path(__file__).resolve().parents[2].parent / 'shared' / 'data'
pytestmark = pytest.mark.skipif(not DATA.is_dir(), reason='shared data folder ../shared/data is absent')


def _accuracy(checkpoint, clips, labels):
    hits = 0
    for clip, label in zip(clips, labels):
        samples, rate = load_audio(clip)
        hits += checkpoint.labels[int(np.argmax(checkpoint.predict(samples, rate)))] == label
    return hits / len(clips)


def test_shipped_files_are_small_and_fp16():
    for name in ('speaker_id', 'sound_event', 'keyword'):
        path = PRETRAINED.get(name).file
        assert path.is_file(), f'{path} is not installed'
        assert path.stat().st_size < 25e6


def test_speaker_id_recognises_held_out_repetitions():
    checkpoint = load_checkpoint('speaker_id')
    assert checkpoint.task == 'speaker_id' and len(checkpoint.labels) == 30
    assert checkpoint.labels[6] == '00000007'
    speakers = [f'{i:08d}' for i in range(1, 31, 3)]              # 10 speakers
    audio = DATA / 'arabic_speech_commands' / 'audio'
    clips = [audio / keyword / f'{speaker}_08.flac'                # repetition 8: validation only
             for speaker, keyword in zip(speakers, ['stop', 'yes', 'left', 'up', 'move'] * 2)]
    assert _accuracy(checkpoint, clips, speakers) >= 0.9


def test_sound_event_recognises_the_held_out_fold():
    checkpoint = load_checkpoint('sound_event')
    assert checkpoint.task == 'sound_event' and 'dog_bark' in checkpoint.labels
    audio = DATA / 'esc10' / 'audio'
    clips = [sorted((audio / label).glob('4-*.ogg'))[0] for label in checkpoint.labels]  # fold 4
    assert _accuracy(checkpoint, clips, checkpoint.labels) >= 0.7


def test_keyword_recognises_commands_of_unseen_speakers():
    checkpoint = load_checkpoint('keyword')
    assert checkpoint.task == 'sound_event' and checkpoint.name == 'keyword'
    assert sorted(checkpoint.labels) == ['backward', 'down', 'forward', 'left', 'move', 'no', 'right',
                                         'rotate', 'start', 'stop', 'up', 'yes']
    audio = DATA / 'arabic_speech_commands' / 'audio'
    clips = [audio / keyword / f'000000{26 + i % 5}_01.flac'          # speakers 26-30: validation only
             for i, keyword in enumerate(checkpoint.labels)]
    assert _accuracy(checkpoint, clips, checkpoint.labels) >= 0.9
