# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""Offline annotation of recordings (ROS 2 bags, audio files) through the node's own code:
:class:`~degram.streaming.StreamInput` → :class:`~degram.streaming.AudioStream` →
:class:`~degram.events.WindowAnalyzer` (level gate, thresholds, events)."""
from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .audio import load_audio
from .events import EventTracker, WindowAnalyzer, detector_for
from .progress import Progress
from .streaming import AudioStream, InputFormatError, StreamInput, encode_pcm
from .streaming.bags import AudioMessage, read_audio

WINDOW_COLUMNS = ['stamp', 'level_db', 'silent', 'detected', 'label', 'confidence', 'detections']
EVENT_COLUMNS = ['label', 'class_id', 'onset', 'offset', 'peak']


@dataclass
class Annotation:
    source: str
    model: str
    window_length: float
    hop_length: float
    windows: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    skipped_messages: dict = field(default_factory=dict)   # bad input, by kind (as the node counts it)


class Annotator:
    """One stream's annotation: ``feed(messages)`` then ``finish()``."""

    def __init__(self, predictor, window_length: float, hop_length: float, *, threshold: float | None = None,
                 events: tuple[int, int, int] | None = (2, 3, 2), batch_size: int = 16, sample_rate: int = 16000,
                 channels: int = 1, sample_format: str = 'S16LE', channel: int = -1):
        self.predictor = predictor
        self.stream = AudioStream(predictor.sample_rate, window_length, hop_length, sample_rate=sample_rate,
                                  channels=channels, sample_format=sample_format, channel=channel,
                                  max_message_length=3600.0)
        self.input = StreamInput(self.stream)
        tracker = EventTracker(predictor.labels, window_length, *events) if events else None
        self.analyzer = WindowAnalyzer(predictor, detector_for(predictor, threshold), tracker)
        self.batch_size = batch_size
        self._pending: list = []
        self._last_stamp = 0.0
        self.result = Annotation('', predictor.name, window_length, hop_length)

    def feed(self, messages: Iterable[AudioMessage]) -> None:
        for message in messages:
            if message.info is not None:
                try:
                    self.input.set_info(message.info['sample_rate'], message.info['channels'],
                                        message.info['sample_format'], message.info['coding_format'])
                except InputFormatError:
                    pass   # counted per audio message below, as the node does
                continue
            try:
                windows, _ = self.input.push(message.data, message.stamp, message.receive_time)
            except InputFormatError as exc:
                self.result.skipped_messages[exc.kind] = self.result.skipped_messages.get(exc.kind, 0) + 1
                continue
            self._pending += windows
            if len(self._pending) >= self.batch_size:
                self._flush()

    def finish(self) -> Annotation:
        self._pending += self.stream.end_of_input()
        self._flush()
        end = self._last_stamp + self.stream.window_length
        self.result.events += [_event_row(e) for e in self.analyzer.finish(end)]
        self.result.events.sort(key=lambda row: (row['onset'], row['label']))
        counters = self.stream.counters
        for kind in ('ragged', 'nonfinite', 'empty', 'oversize', 'backwards', 'discontinuity'):
            if getattr(counters, kind):
                self.result.skipped_messages[kind] = getattr(counters, kind)
        return self.result

    def _flush(self) -> None:
        for analysis in self.analyzer.analyse(self._pending):
            self.result.windows.append(_window_row(analysis, self.predictor.labels))
            self.result.events += [_event_row(e) for e in analysis.ended]
            self._last_stamp = analysis.window.stamp
        self._pending = []


def _window_row(analysis, labels) -> dict:
    decision = analysis.decision
    scores = decision.scores
    best = decision.detected[0] if decision.detected else (int(np.argmax(scores)) if scores.size else None)
    return {'stamp': round(analysis.window.stamp, 6), 'level_db': round(decision.level_db, 2),
            'silent': decision.gated, 'detected': bool(decision.detected),
            'label': labels[best] if best is not None else '',
            'confidence': round(float(scores[best]), 6) if best is not None else 0.0,
            'detections': ' '.join(labels[i] for i in decision.detected)}


def _event_row(event) -> dict:
    return {'label': event.label, 'class_id': event.class_id, 'onset': round(event.onset, 6),
            'offset': round(event.offset, 6), 'peak': round(event.peak, 6)}


def file_messages(path: str | Path, chunk_seconds: float = 0.1) -> tuple[list[AudioMessage], float]:
    """An audio file as F32LE messages of ``chunk_seconds`` stamped on its own timeline (like
    wav_publisher's audio_stamped) → (messages, seconds)."""
    samples, rate = load_audio(path)
    step = max(1, int(chunk_seconds * rate))
    info = AudioMessage(0.0, info={'channels': 1, 'sample_rate': rate, 'sample_format': 'F32LE',
                                   'bitrate': 32 * rate, 'coding_format': 'wave'})
    chunks = [AudioMessage(i / rate, encode_pcm(samples[i:i + step], 'F32LE'), i / rate)
              for i in range(0, len(samples), step)]
    return [info, *chunks], len(samples) / rate


def annotate(predictor, source: str | Path, *, topic: str | None = None, window_length: float,
             hop_length: float, threshold: float | None = None, progress: bool = True) -> Annotation:
    """Annotate a bag (``topic`` given) or an audio file."""
    annotator = Annotator(predictor, window_length, hop_length, threshold=threshold)
    if topic is not None:
        messages = list(read_audio(source, topic))
    else:
        messages, _ = file_messages(source)
    bar = Progress(max(1, len(messages) // 100), f'annotating {Path(source).name}', progress)
    for start in range(0, len(messages), 100):
        annotator.feed(messages[start:start + 100])
        bar.update()
    bar.close()
    result = annotator.finish()
    result.source = str(source)
    return result


def write_annotation(result: Annotation, output: str | Path) -> list[Path]:
    """JSON (everything), or CSV: the windows in ``output`` and the events in ``<stem>_events.csv``."""
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    if output.suffix.lower() == '.json':
        output.write_text(json.dumps(result.__dict__, indent=2) + '\n')
        return [output]
    events = output.with_name(output.stem + '_events.csv')
    for path, columns, rows in ((output, WINDOW_COLUMNS, result.windows), (events, EVENT_COLUMNS, result.events)):
        with open(path, 'w', newline='') as fh:
            writer = csv.DictWriter(fh, fieldnames=columns)
            writer.writeheader()
            writer.writerows(rows)
    return [output, events]
