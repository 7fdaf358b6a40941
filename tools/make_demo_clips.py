#!/usr/bin/env python3
# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Rebuild the demo clips in degram_ros/degram_ros/assets/demo/ from the shared datasets.

Clips come only from the shared folds/parts (ESC-10 fold 4, Arabic Speech Commands), never from the
withheld test parts, and only from CC BY datasets (ESC-50's other classes are CC BY-NC and
speechocean762 asks not to be copied). Writes ATTRIBUTION.md next to them.

- scene.ogg: events with silence and speech between them (the sound-event demo);
- enrol_<name>.ogg (3 people, 8 commands each, repetitions 1-2) and conversation.ogg (those 3
  people, a stranger and silence; repetition 8): the open-set speaker demo.
Usage: python tools/make_demo_clips.py [--data-root ../shared/data]
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import soundfile

from degram.audio import load_audio

RATE = 16000
EVENTS = ('dog_bark', 'rooster', 'baby_cry')      # first fold-4 clip of each
SPEAKERS = ('00000003', '00000011')                       # the scene's talkers, repetition 08
#: the speaker demo: enrolled people (ASC speaker → demo name) and a stranger who is never enrolled
PEOPLE = {'00000003': 'amal', '00000011': 'basim', '00000024': 'celia'}
STRANGER = '00000017'
ENROL_COMMANDS = ('stop', 'forward', 'backward', 'left', 'move', 'rotate', 'start', 'no')
TALK = ('right', 'up', 'down', 'yes')


def main() -> None:
    repo = Path(__file__).resolve().parents[1]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--data-root', type=Path, default=repo.parent / 'shared' / 'data')
    args = parser.parse_args()
    out = repo / 'degram_ros' / 'degram_ros' / 'assets' / 'demo'
    out.mkdir(parents=True, exist_ok=True)
    credits = (args.data_root / 'esc10' / 'CREDITS.txt').read_text().splitlines()

    events, lines = [], []
    for label in EVENTS:
        clip = sorted((args.data_root / 'esc10' / 'audio' / label).glob('4-*.ogg'))[0]
        events.append(load_audio(clip, RATE)[0])
        credit = next(line for line in credits if f'[{clip.name}]' in line)
        lines.append(f'  - {label}: ESC-10 `{clip.name}`{credit.split(":", 1)[1]}')

    def asc(speaker: str, command: str, repetition: str) -> np.ndarray:
        path = args.data_root / 'arabic_speech_commands' / 'audio' / command / f'{speaker}_{repetition}.flac'
        return load_audio(path, RATE)[0]

    def silence(seconds: float) -> np.ndarray:
        return np.zeros(int(seconds * RATE), np.float32)

    def ogg(name: str, samples: np.ndarray) -> None:
        soundfile.write(out / name, samples, RATE, format='OGG', subtype='VORBIS')

    # events with silence and speech between them
    talk = np.concatenate([asc(SPEAKERS[0], c, '08') for c in TALK[:3]])
    ogg('scene.ogg', np.concatenate([events[0], silence(3.0), talk, events[2], silence(3.0),
                                     np.concatenate([asc(SPEAKERS[1], c, '08') for c in TALK[:3]]), events[1]]))
    for speaker, name in PEOPLE.items():
        ogg(f'enrol_{name}.ogg', np.concatenate([asc(speaker, c, r) for r in ('01', '02') for c in ENROL_COMMANDS]))
    turns = [list(PEOPLE)[0], list(PEOPLE)[1], STRANGER, list(PEOPLE)[2], list(PEOPLE)[0]]
    conversation = []
    for k, speaker in enumerate(turns):
        conversation += [asc(speaker, c, '08') for c in TALK] + [silence(2.5 if k == 2 else 1.0)]
    ogg('conversation.ogg', np.concatenate(conversation))

    (out / 'ATTRIBUTION.md').write_text(f"""# Demo clips

Made by `tools/make_demo_clips.py` from the CC BY datasets of the project's shared data,
resampled to 16 kHz mono and concatenated.

- `scene.ogg` (34 s): dog_bark, 3 s of digital silence, speech, baby_cry, 3 s of silence, speech,
  rooster. The events are ESC-10 fold-4 clips, from ESC-10 by Karol J. Piczak (ESC: Dataset for
  Environmental Sound Classification, ACM MM 2015), CC BY 3.0, derived from Freesound recordings:
{chr(10).join(lines)}
  The speech is Arabic Speech Commands (speakers {SPEAKERS[0]} and {SPEAKERS[1]} saying {', '.join(TALK[:3])},
  repetition 08), from the dataset by Abdulkader Ghandoura et al., CC BY 4.0.
- `enrol_<name>.ogg` ({', '.join(f'{n} = speaker {s}' for s, n in PEOPLE.items())}: {', '.join(ENROL_COMMANDS)},
  repetitions 01-02) and `conversation.ogg` (those three and speaker {STRANGER}, who is never
  enrolled, saying {', '.join(TALK)}, repetition 08, with pauses), from the Arabic Speech Commands
  dataset, CC BY 4.0. The names are made up for the demo.
""")
    for path in sorted(out.iterdir()):
        print(f'{path.relative_to(repo)}  {path.stat().st_size / 1024:.0f} KiB')


if __name__ == '__main__':
    main()
