# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The audio subscription of ``degram_node`` with the reliability the ``audio_qos`` parameter asks
for.

``auto`` matches the publishers: the reader is created once the topic has a publisher, reliable
when every publisher is reliable (large messages from a reliable publisher rarely reach a
best-effort reader whole), best effort otherwise (it matches both kinds).  Deciding before the
first message, instead of subscribing best effort and switching once a reliable publisher shows
up, matters: a switch destroys the reader while audio flows and loses the messages in between.
A later change of the publishers' kind still switches the reader; each switch is counted
(``audio_qos_switches``) and logged.
"""
from __future__ import annotations

import time

from degram_ros.qos import audio_qos, choose_reliability

#: how often an established auto reader looks at the publishers again
RECHECK_S = 2.0
#: how often the publishers are looked for while auto waits for the first one (the timer period)
POLL_S = 0.2


class AudioSubscription:
    """One audio topic's reader.  ``poll()`` (a timer, every POLL_S, only for ``auto``) creates
    or switches it; ``destroy()`` removes it."""

    def __init__(self, node, msg_type, topic: str, callback, mode: str, counts):
        self._node, self._type, self._callback = node, msg_type, callback
        self.mode, self._counts = mode, counts
        self.topic_name = node.resolve_topic_name(topic)
        self.subscription = None
        self.reliability = ''            # of the current reader; '' while there is none
        self._checked = -1e9
        if mode != 'auto':
            self._subscribe(mode)
        else:
            self.poll()

    def _publishers(self) -> list:
        return self._node.get_publishers_info_by_topic(self.topic_name)

    def _subscribe(self, reliability: str) -> None:
        # named first: a publisher can match the new reader before create_subscription returns
        self.reliability = reliability
        try:
            self.subscription = self._node.create_subscription(
                self._type, self.topic_name, self._callback, audio_qos(reliability))
        except Exception:
            self.subscription, self.reliability = None, ''
            raise

    def poll(self) -> None:
        """auto: the first publisher decides the reader; afterwards every RECHECK_S a change of
        the publishers' kind switches it (the messages in flight during the switch are lost)."""
        if self.mode != 'auto':
            return
        now = time.monotonic()
        if self.subscription is not None and now - self._checked < RECHECK_S:
            return
        self._checked = now
        publishers = self._publishers()
        if not publishers:
            return      # keep the reader (if any) until a publisher says what it offers
        wanted = choose_reliability('auto', publishers)
        if wanted == self.reliability:
            return
        if self.subscription is not None:
            self._node.destroy_subscription(self.subscription)
            self._counts['audio_qos_switches'] += 1
            self._node.get_logger().info(
                f'audio_qos auto: the publishers of {self.topic_name} changed; now a {wanted} reader')
        self._subscribe(wanted)

    def describe(self) -> str:
        """The reader and what the publishers offer (diagnostics)."""
        publishers = self._publishers()
        kinds = sorted({p.qos_profile.reliability.name.lower() for p in publishers})
        offered = f"{len(publishers)} publisher(s){': ' + ', '.join(kinds) if kinds else ''}"
        if self.subscription is None:
            return f'waiting for a publisher on {self.topic_name} (audio_qos {self.mode}); {offered}'
        return f'{self.reliability} reader (audio_qos {self.mode}); {offered}'

    def destroy(self) -> None:
        if self.subscription is not None:
            self._node.destroy_subscription(self.subscription)
            self.subscription = None
            self.reliability = ''
