# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The node's /diagnostics report: key/values and the DiagnosticStatus built from its counters."""
from __future__ import annotations

import time

import numpy as np

NO_AUDIO_S = 3.0
#: the counters whose growth turns the status to WARN
BAD_KEYS = ('windows_dropped', 'ragged_messages', 'nonfinite_messages', 'empty_messages',
            'oversize_messages', 'backwards_stamps', 'decode_errors', 'inference_errors',
            'duplicate_messages', 'clipped_messages', 'receive_gaps', 'format_changes',
            'waiting_for_audio_info')
FORMAT_KINDS = ('mp3', 'unknown_format', 'bad_format', 'unknown_coding')


def percentile(values, q: float) -> float:
    values = list(values)
    if not values:
        return float('nan')
    return float(np.percentile(np.asarray(values, dtype=np.float64), q))


class DiagnosticsReport:
    """Rates between reports and the WARN-on-growth memory of one configured node."""

    def __init__(self):
        self._prev = (time.monotonic(), 0, 0)
        self._rates = (0.0, 0.0)
        self._prev_bad = 0

    def values(self, stream, counts, latencies, model: str, task: str, device: str,
               backend: str = '') -> dict[str, str]:
        c = stream.counters
        now = time.monotonic()
        t0, frames0, msgs0 = self._prev
        dt = max(now - t0, 1e-6)
        if dt >= 0.5:
            self._rates = ((c.frames_in - frames0) / dt, (c.messages - msgs0) / dt)
            self._prev = (now, c.frames_in, c.messages)
        lat = list(latencies)
        k = counts
        return {
            'model': model,
            'task': task,
            'device': device,
            'backend': backend,
            'input_format': f'{stream.sample_rate} Hz, {stream.channels} ch, {stream.sample_format}',
            'input_rate_hz': f'{self._rates[0]:.1f}',
            'input_messages_per_s': f'{self._rates[1]:.2f}',
            'messages_received': str(c.messages + sum(k[x] for x in FORMAT_KINDS)),
            'windows_processed': str(k['windows_processed']),
            'windows_dropped': str(k['dropped_windows']),
            'windows_late': str(k['late_windows']),
            'inference_latency_mean_ms': f'{1e3 * float(np.mean(lat)):.1f}' if lat else 'n/a',
            'inference_latency_p95_ms': f'{1e3 * percentile(lat, 95):.1f}' if lat else 'n/a',
            'inference_errors': str(k['inference_errors']),
            'mp3_messages': str(k['mp3']),
            'unknown_format_messages': str(k['unknown_format'] + k['bad_format']
                                           + k['unknown_coding']),
            'decode_errors': str(k['decode_errors']),
            'ragged_messages': str(c.ragged),
            'nonfinite_messages': str(c.nonfinite),
            'empty_messages': str(c.empty),
            'oversize_messages': str(c.oversize),
            'backwards_stamps': str(c.backwards),
            'stamp_gaps': str(c.discontinuity),
            'stamp_reanchors': str(c.reanchors),
            'duplicate_messages': str(c.duplicates),
            'clipped_messages': str(c.clipped),
            'receive_gaps': str(c.receive_gaps),
            'format_changes': str(c.format_changes),
            'stream_resets': str(c.resets),
            # model-rate samples: received = windowed + discarded + buffered (not yet in a window)
            'received_samples': str(c.samples),
            'windowed_samples': str(c.windowed_samples),
            'buffered_samples': str(stream.unused_samples),
            # every buffered sample no window used, by the reason of the reset
            'discarded_samples': str(sum(c.discarded_samples.values())),
            **{f'discarded_samples_{reason}': str(n) for reason, n in sorted(c.discarded_samples.items())},
        }

    def status(self, name: str, values: dict[str, str], device: str, format_error,
               last_audio: float | None):
        """→ diagnostic_msgs/DiagnosticStatus: ERROR while the input format is unusable, WARN on a
        CPU fallback, no audio for NO_AUDIO_S or growing bad-input counters, else OK."""
        from diagnostic_msgs.msg import DiagnosticStatus, KeyValue

        status = DiagnosticStatus(name=name, hardware_id=device)
        problems = []
        if format_error is not None:
            status.level = DiagnosticStatus.ERROR
            problems.append(str(format_error))
        else:
            status.level = DiagnosticStatus.OK
            if 'fallback' in device:
                problems.append(device)
            if last_audio is None or time.monotonic() - last_audio > NO_AUDIO_S:
                problems.append('no audio received')
            bad = sum(int(values[key]) for key in BAD_KEYS)
            if bad > self._prev_bad:
                problems.append('bad input or dropped windows since the last report')
            self._prev_bad = bad
            if problems:
                status.level = DiagnosticStatus.WARN
        status.message = '; '.join(problems) if problems else 'running'
        status.values = [KeyValue(key=k, value=v) for k, v in values.items()]
        return status
