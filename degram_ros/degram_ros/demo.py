"""Demo without a microphone and without ``ros2 launch``: wav_publisher plays a clip into
degram_node, both in this process on one executor, and every result is printed as a line::

    t=1.50s  dog_bark 0.91   (rain 0.05, siren 0.02)

    python -m degram_ros.demo [--clip FILE] [--model PATH_OR_NAME] [--device auto] [--rate 1.0]

Without --clip it plays the bundled clips (BUNDLED_DEMO_DIR), each through the shipped model it
was made for (SCENES); if they are missing, the first shared ESC-10 dog-bark clip
($DEGRAM_SHARED_DATA or ../shared/data next to the repository), else a generated tone.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
from pathlib import Path

import numpy as np

#: attributed tiny demo clips shipped with the package (WAV/FLAC/Ogg); the demo plays the first
BUNDLED_DEMO_DIR = Path(__file__).resolve().parent / 'assets' / 'demo'
AUDIO_SUFFIXES = ('.wav', '.flac', '.ogg')


def _shared_data_dirs() -> list[Path]:
    dirs = []
    if os.environ.get('DEGRAM_SHARED_DATA'):
        dirs.append(Path(os.environ['DEGRAM_SHARED_DATA']))
    here = Path(__file__).resolve()
    dirs += [here.parents[3] / 'shared' / 'data', Path.cwd().parent / 'shared' / 'data']
    return dirs


def find_clip() -> tuple[Path, str]:
    """→ (path, where it came from)."""
    if BUNDLED_DEMO_DIR.is_dir():
        clips = sorted(p for p in BUNDLED_DEMO_DIR.iterdir() if p.suffix.lower() in AUDIO_SUFFIXES)
        if clips:
            return clips[0], 'bundled demo clip'
    for root in _shared_data_dirs():
        for pattern in ('esc10/audio/dog_bark/*.ogg', 'esc10/audio/*/*.ogg',
                        'fsdd/recordings/*.wav'):
            clips = sorted(root.glob(pattern))
            if clips:
                return clips[0], f'shared data ({root})'
    import soundfile

    rate = 16000
    t = np.arange(rate * 3) / rate
    signal = 0.3 * np.sin(2 * np.pi * 440 * t) * (np.sin(2 * np.pi * 1.0 * t) > 0)
    path = Path(tempfile.gettempdir()) / 'degram_demo_tone.wav'
    soundfile.write(str(path), signal.astype(np.float32), rate)
    return path, 'generated tone (no bundled or shared clip found)'


def format_result(msg, t0: float) -> str:
    stamp = msg.header.stamp.sec + msg.header.stamp.nanosec * 1e-9
    scores = list(getattr(msg, 'top_k', None) or getattr(msg, 'candidates', []))
    best = getattr(msg, 'label', None) or getattr(msg, 'speaker', '?')
    others = ', '.join(f'{s.label} {s.score:.2f}' for s in scores[1:3])
    mark = '*' if getattr(msg, 'detected', getattr(msg, 'known', False)) else ' '
    if getattr(msg, 'silent', False):
        return f't={stamp - t0:5.2f}s   (silent, {msg.level_db:.0f} dBFS)'
    return (f't={stamp - t0:5.2f}s {mark} {best:<16s} {msg.confidence:.2f}'
            + (f'   ({others})' if others else ''))


#: the default demo: each bundled clip through the shipped model it was made for. The sound-event
#: model was trained on 4-6 s crops, so it listens to 3 s windows; speakers need only 1 s.
SCENES = (
    ('sound_events.ogg', 'sound_event', 3.0, 1.0),
    ('speakers.flac', 'speaker_id', 1.0, 0.5),
)


def play(ros, clip: Path, model: str, task: str, device: str, rate: float, window: float,
         hop: float) -> int:
    """Stream ``clip`` into a fresh degram_node and print every result; → number of results."""
    from degram_msgs.msg import SoundEvent, SpeakerId

    from degram_ros.node import DegramNode
    from degram_ros.wav_publisher import WavPublisher

    node = ros.add(DegramNode, 'degram_node', params={
        'model_path': model, 'task': task, 'device': device, 'stamped': True,
        'window_length': window, 'hop_length': hop, 'top_k': 3})
    topic, kind = ('speaker_id', SpeakerId) if node.task == 'speaker_id' else ('sound_event', SoundEvent)
    start: list[float] = []
    count = [0]

    def show(msg):
        if not start:
            start.append(msg.header.stamp.sec + msg.header.stamp.nanosec * 1e-9)
        count[0] += 1
        print(format_result(msg, start[0]), flush=True)

    subscription = ros.client.create_subscription(kind, topic, show, 10)
    player = ros.add(WavPublisher, 'wav_publisher', params={
        'files': [str(clip)], 'rate': rate, 'chunk_length': 0.1, 'loop': False})
    print(f"\n{clip.name} -> model '{node.model_name}' ({node.task}) on {node.device_text}; "
          f'window {node.stream.window_length} s, hop {node.stream.hop_length} s; '
          '* = above threshold', flush=True)
    try:
        player.run()
        threading.Event().wait(1.0 + node.stream.window_length)   # let the last windows come through
    finally:
        ros.client.destroy_subscription(subscription)
        ros.remove(player)
        ros.remove(node)
    print(f'{count[0]} results', flush=True)
    return count[0]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--clip', help='audio file to play (WAV/FLAC/Ogg); default: the bundled '
                        'clips, each through its shipped model')
    parser.add_argument('--model', default='', help="checkpoint or shipped model name "
                                                    "(default: the shipped model for --task)")
    parser.add_argument('--task', default='', choices=['', 'sound_event', 'speaker_id'])
    parser.add_argument('--device', default='auto')
    parser.add_argument('--rate', type=float, default=1.0, help='playback speed (1 = real time)')
    parser.add_argument('--window', type=float, default=0.0,
                        help="seconds per window (with --clip); 0 = the model's recommendation")
    parser.add_argument('--hop', type=float, default=0.0,
                        help="seconds between windows (with --clip); 0 = the model's recommendation")
    args = parser.parse_args(argv)

    from degram_ros.node import StartupError
    from degram_ros.harness import RosHarness
    from degram_ros.wav_publisher import WavPublisherError

    if args.clip:
        scenes = [(Path(args.clip), args.model, args.task, args.window, args.hop)]
        print(f'demo clip: {args.clip} [command line]', flush=True)
    elif all((BUNDLED_DEMO_DIR / name).is_file() for name, *_ in SCENES):
        scenes = [(BUNDLED_DEMO_DIR / name, model, '', window, hop) for name, model, window, hop in SCENES]
        print(f'demo clips: {BUNDLED_DEMO_DIR} (see ATTRIBUTION.md there)', flush=True)
    else:
        clip, origin = find_clip()
        scenes = [(clip, args.model, args.task, args.window, args.hop)]
        print(f'demo clip: {clip} [{origin}]', flush=True)
    ros = RosHarness()
    try:
        for clip, model, task, window, hop in scenes:
            try:
                if not play(ros, clip, model, task, args.device, args.rate, window, hop):
                    return 1
            except StartupError as exc:
                print(f'degram_node cannot start: {exc}', file=sys.stderr)
                return 1
            except WavPublisherError as exc:
                print(f'wav_publisher cannot start: {exc}', file=sys.stderr)
                return 1
    except KeyboardInterrupt:
        pass
    finally:
        ros.close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
