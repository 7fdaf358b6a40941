# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The public, read-only view of :class:`degram_ros.node.DegramNode`'s state, for tests, the demo
and the benchmark; the contract for everyone else is the topics, services and parameters."""
from __future__ import annotations

import collections

from degram_ros.channel import AudioChannel


class NodeView:
    """Mixed into the node: read-only properties over its private state."""

    @property
    def channels(self) -> tuple[AudioChannel, ...]:
        """The streams, in the order of the ``streams`` parameter (empty until configured): each
        with its ``name``, ``stream`` (buffer, counters), ``input`` (format, stamps, ``frame_id``,
        ``handled``), ``counts``, ``audio`` (subscription, QoS; None while inactive), ``results``
        (publishers; None while inactive) and ``format_error``."""
        return tuple(self._channels)

    @property
    def channel(self) -> AudioChannel | None:
        """The first stream (the only one without the ``streams`` parameter), None until configured."""
        return self._channels[0] if self._channels else None

    @property
    def stream(self):
        """The first stream's :class:`degram.streaming.AudioStream`, None until configured."""
        return self._channels[0].stream if self._channels else None

    @property
    def counts(self) -> collections.Counter:
        """The first stream's counters (diagnostics' source; before configure, the node's own)."""
        return self._channels[0].counts if self._channels else self._unconfigured_counts

    @property
    def model(self):
        """The :class:`degram_ros.model.LoadedModel` (predictor, backend, metadata), None when unconfigured."""
        return self._model

    @property
    def detector(self):
        """The :class:`degram.events.WindowDetector` deciding the windows now, None when unconfigured."""
        return self._detector

    @property
    def parameter_values(self) -> dict:
        """A copy of the parameter values in use (runtime changes included), {} when unconfigured."""
        return dict(self._params)

    @property
    def inferring(self) -> bool:
        """Whether the inference thread of an activation exists (active)."""
        return self._worker is not None

    @property
    def speaker_database(self):
        """The enrolled speakers of a speaker-embedding model (:class:`degram.speaker.SpeakerDatabase`), else None."""
        return None if self._speakers is None else self._speakers.database

    @property
    def speaker_services(self):
        """The enrol/forget/list services while active with a speaker-embedding model, else None."""
        return self._speaker_services

    @property
    def executor_threads(self) -> int:
        """Executor threads the executable spins this node with: 2 with speaker services (a stream
        enrolment waits in its service while audio goes on), else 1."""
        return 2 if self._speakers is not None else 1

    def pending_windows(self) -> int:
        """Windows handed to the inference thread and not yet taken."""
        return self._slot.pending
