# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Demo without a microphone and without ``ros2 launch``: wav_publisher plays a clip into
degram_node, both in this process, and every result is printed as a line::

    t= 1.50s * dog              0.91   (rooster 0.05, crow 0.02)
             > dog started at t= 0.50s (peak 0.91)

    python -m degram_ros.demo [--clip FILE] [--model PATH_OR_NAME] [--device auto] [--rate 1.0]

Without --clip it plays the bundled clips (BUNDLED_DEMO_DIR, attributed there): a scene of sound
events with silence and speech between them through the shipped ``sound_event`` model (one line per
hop, and each event with its start and end; during its second stretch of speech the demo says the
robot itself is speaking, as a TTS node would on ``self_speech_topic``, and those windows are
flagged, not analysed), then the open-set speaker demo: three people are
enrolled through the node's ``~/enroll`` service from their clips, and a conversation of them, a
stranger and pauses goes through the shipped ``speaker_embedding`` model (``unknown`` for the
stranger, nothing during the pauses).  If the bundled clips are missing: the first shared ESC-10
clip ($DEGRAM_DATA or ../shared/data next to the repository), else a generated tone.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import threading
from pathlib import Path

import numpy as np

#: attributed tiny demo clips shipped with the package (WAV/FLAC/Ogg); the demo plays the first
BUNDLED_DEMO_DIR = Path(__file__).resolve().parent / 'assets' / 'demo'
AUDIO_SUFFIXES = ('.wav', '.flac', '.ogg')


def _shared_data_dirs() -> list[Path]:
    from degram.data.files import find_data_root

    root = find_data_root()   # $DEGRAM_DATA, else shared/data found upwards: where the library looks
    dirs = [] if root is None else [root]
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


def format_segment(msg, t0: float) -> str:
    onset = msg.onset.sec + msg.onset.nanosec * 1e-9 - t0
    if msg.state == msg.STARTED:
        return f'         > {msg.label} started at t={onset:5.2f}s (peak {msg.peak_confidence:.2f})'
    offset = msg.offset.sec + msg.offset.nanosec * 1e-9 - t0
    return (f'         < {msg.label} ended: t={onset:5.2f}s .. {offset:5.2f}s '
            f'(peak {msg.peak_confidence:.2f})')


def format_result(msg, t0: float) -> str:
    stamp = msg.header.stamp.sec + msg.header.stamp.nanosec * 1e-9
    scores = list(getattr(msg, 'top_k', None) or getattr(msg, 'candidates', []))
    best = getattr(msg, 'label', None) or getattr(msg, 'speaker', '?')
    # the runners-up; for an 'unknown' speaker the best candidates themselves
    shown = scores[:2] if getattr(msg, 'speaker', '') == 'unknown' else scores[1:3]
    others = ', '.join(f'{s.label} {s.score:.2f}' for s in shown)
    mark = '*' if getattr(msg, 'detected', getattr(msg, 'known', False)) else ' '
    if getattr(msg, 'self_speech', False):
        return f't={stamp - t0:5.2f}s   (the robot is speaking: not analysed)'
    if getattr(msg, 'silent', False):
        return f't={stamp - t0:5.2f}s   (silent, {msg.level_db:.0f} dBFS)'
    return (f't={stamp - t0:5.2f}s {mark} {best:<16s} {msg.confidence:.2f}'
            + (f'   ({others})' if others else ''))


#: the default demo: (clip, shipped model, people to enrol from enrol_<name>.ogg); each model
#: listens with its own recommended window and hop
SCENES = (
    ('scene.ogg', 'sound_event', ()),
    ('conversation.ogg', 'speaker_embedding', ('amal', 'basim', 'celia')),
)


#: clip → (start, end) seconds into it during which the demo says the robot itself is speaking (a
#: TTS node's Bool on the node's self_speech_topic): those windows are flagged, not analysed
ROBOT_SPEAKS = {'scene.ogg': (19.0, 22.0)}   # the second stretch of speech


def robot_voice(ros, topic: str, span, rate: float) -> list:
    """Timers that publish the TTS node's Bool on ``topic``: true ``span[0]`` seconds of playback
    from now, false at ``span[1]``; → the timers (start them as the playback starts)."""
    from std_msgs.msg import Bool

    publisher = ros.client.create_publisher(Bool, topic, 10)

    def say(speaking: bool) -> None:
        print(f"         [robot {'starts' if speaking else 'stops'} speaking: {topic} {speaking}]", flush=True)
        publisher.publish(Bool(data=speaking))
    return [threading.Timer(t / rate, say, (speaking,)) for t, speaking in zip(span, (True, False))]


def enrol(ros, node, people, clips: Path) -> None:
    """Enrol ``people`` through the node's ~/enroll service, as an operator would."""
    from degram_msgs.srv import Enroll

    service = f'{node.get_fully_qualified_name()}/enroll'
    for name in people:
        answer = ros.call(Enroll, service, Enroll.Request(name=name, files=[str(clips / f'enrol_{name}.ogg')]),
                          timeout=120.0)
        print(f'  ~/enroll {name}: {answer.message}', flush=True)
        if not answer.success:
            raise RuntimeError(answer.message)


def play(ros, clip: Path, model: str, task: str, device: str, rate: float, window: float,
         hop: float, people=(), speaker_db: str = '') -> int:
    """Stream ``clip`` into a fresh degram_node and print every result (and every sound event's
    start and end); → number of results."""
    from degram_msgs.msg import SoundEvent, SoundEventSegment, SpeakerId
    from degram_ros.node import DegramNode
    from degram_ros.wav_publisher import WavPublisher

    params = {'model_path': model, 'task': task, 'device': device, 'stamped': True,
              'window_length': window, 'hop_length': hop, 'top_k': 3}
    if speaker_db:
        params['speaker_db'] = speaker_db
    speaks = ROBOT_SPEAKS.get(clip.name)
    if speaks:
        params['self_speech_topic'] = 'robot_speaking'
    node = ros.add(DegramNode, 'degram_node', params=params)
    topic, kind = ('speaker_id', SpeakerId) if node.task == 'speaker_id' else ('sound_event', SoundEvent)
    start: list[float] = []
    count = [0]
    lock = threading.Lock()

    def t0(stamp) -> float:
        if not start:
            start.append(stamp.sec + stamp.nanosec * 1e-9)
        return start[0]

    def show(msg):
        with lock:
            count[0] += 1
            print(format_result(msg, t0(msg.header.stamp)), flush=True)

    def show_segment(msg):
        with lock:
            print(format_segment(msg, t0(msg.header.stamp)), flush=True)

    subscriptions = [ros.client.create_subscription(kind, topic, show, 10)]
    if kind is SoundEvent:
        subscriptions.append(ros.client.create_subscription(SoundEventSegment, 'sound_event_segments',
                                                            show_segment, 10))
    print(f"\n{clip.name} -> model '{node.model_name}' ({node.task}) on {node.device_text}; "
          f'window {node.stream.window_length} s, hop {node.stream.hop_length} s', flush=True)
    if people:
        enrol(ros, node, people, clip.parent)
    print('* = detected / known; > event started, < event ended; '
          + ('windows without speech give no line' if node.task == 'speaker_id' else 'silent = below the level gate'),
          flush=True)
    player = ros.add(WavPublisher, 'wav_publisher', params={
        'files': [str(clip)], 'rate': rate, 'chunk_length': 0.1, 'loop': False})
    timers = robot_voice(ros, 'robot_speaking', speaks, rate) if speaks else []
    try:
        for timer in timers:
            timer.start()
        player.run()
        threading.Event().wait(1.0 + node.stream.window_length)   # let the last windows come through
    finally:
        for timer in timers:
            timer.cancel()
        ros.remove(player)
        ros.remove(node)   # deactivates: open events end
        threading.Event().wait(0.3)
        for subscription in subscriptions:
            ros.client.destroy_subscription(subscription)
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

    from degram_ros.in_process import InProcess
    from degram_ros.node import StartupError
    from degram_ros.wav_publisher import WavPublisherError

    if args.clip:
        scenes = [(Path(args.clip), args.model, args.task, args.window, args.hop, ())]
        print(f'demo clip: {args.clip} [command line]', flush=True)
    elif all((BUNDLED_DEMO_DIR / name).is_file() for name, *_ in SCENES):
        scenes = [(BUNDLED_DEMO_DIR / name, model, '', 0.0, 0.0, people) for name, model, people in SCENES]
        print(f'demo clips: {BUNDLED_DEMO_DIR} (see ATTRIBUTION.md there)', flush=True)
    else:
        clip, origin = find_clip()
        scenes = [(clip, args.model, args.task, args.window, args.hop, ())]
        print(f'demo clip: {clip} [{origin}]', flush=True)
    ros = InProcess()
    workdir = tempfile.TemporaryDirectory()   # the demo's speaker database
    try:
        for clip, model, task, window, hop, people in scenes:
            try:
                if not play(ros, clip, model, task, args.device, args.rate, window, hop, people,
                            str(Path(workdir.name) / 'speakers.json')):
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
        workdir.cleanup()
    return 0


if __name__ == '__main__':
    sys.exit(main())
