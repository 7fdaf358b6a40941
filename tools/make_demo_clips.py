#!/usr/bin/env python3
"""Rebuild the demo clips in degram_ros/degram_ros/assets/demo/ from the shared datasets.

Clips come only from the validation parts of the shipped models (ESC-10 fold 4, ASC repetition 8),
never from the withheld test parts. Writes ATTRIBUTION.md next to them (both datasets are CC BY).
Usage: python tools/make_demo_clips.py [--data-root ../shared/data]
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import soundfile

from degram.audio import load_audio

RATE = 16000
EVENTS = ('dog_bark', 'rooster', 'baby_cry', 'rain')      # first fold-4 clip of each
SPEAKERS = ('00000003', '00000011', '00000024')            # ASC speakers, repetition 08
KEYWORDS = ('stop', 'forward')


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
    soundfile.write(out / 'sound_events.ogg', np.concatenate(events), RATE, format='OGG', subtype='VORBIS')

    speech = []
    for speaker in SPEAKERS:
        for keyword in KEYWORDS:
            clip = args.data_root / 'arabic_speech_commands' / 'audio' / keyword / f'{speaker}_08.flac'
            speech.append(load_audio(clip, RATE)[0])
    soundfile.write(out / 'speakers.flac', np.concatenate(speech), RATE, subtype='PCM_16')

    (out / 'ATTRIBUTION.md').write_text(f"""# Demo clips

Made by `tools/make_demo_clips.py` from the project's shared datasets (validation parts only),
resampled to 16 kHz mono and concatenated.

- `sound_events.ogg` (4 × 5 s: {', '.join(EVENTS)}), from ESC-10 by Karol J. Piczak
  (ESC: Dataset for Environmental Sound Classification, ACM MM 2015), CC BY 3.0; the clips derive
  from Freesound recordings:
{chr(10).join(lines)}
- `speakers.flac` (6 × 1 s: speakers {', '.join(SPEAKERS)}, each saying {' and '.join(KEYWORDS)},
  repetition 08), from the Arabic Speech Commands dataset by Abdulkader Ghandoura et al.,
  CC BY 4.0.
""")
    for path in sorted(out.iterdir()):
        print(f'{path.relative_to(repo)}  {path.stat().st_size / 1024:.0f} KiB')


if __name__ == '__main__':
    main()
