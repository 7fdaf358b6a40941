# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""ROS4HRI (REP-155) voices, when ``hri_msgs`` is importable and ``publish_hri_voices`` is true:

- ``/humans/voices/tracked`` (``hri_msgs/IdsList``, every window): the voice being heard, one id
  per continuous stretch of speech (a window without speech ends it);
- ``/humans/voices/<id>/is_speaking`` (``std_msgs/Bool``): true while the voice speaks, false once
  when it stops;
- ``/humans/candidate_matches`` (``hri_msgs/IdsMatch``): voice → person for windows whose speaker
  is enrolled, with the calibrated confidence; the person id is the enrolled name made a valid ROS
  name (lower case, other characters → ``_``).
"""
from __future__ import annotations

import importlib.util
import re
import uuid

from std_msgs.msg import Bool

from degram_ros.outputs import destroy_output, output_publisher
from degram_ros.qos import RESULTS_DEPTH


def hri_msgs_available() -> bool:
    return importlib.util.find_spec('hri_msgs') is not None


def person_id(name: str) -> str:
    """An enrolled name → a REP-155 person id usable in topic names."""
    text = re.sub(r'[^a-z0-9_]', '_', name.strip().lower()) or 'person'
    return text if text[0].isalpha() else f'p_{text}'


class Rep155Voices:
    def __init__(self, node):
        from hri_msgs.msg import IdsList, IdsMatch

        self._node, self._IdsList, self._IdsMatch = node, IdsList, IdsMatch
        self.tracked_pub = output_publisher(node, IdsList, '/humans/voices/tracked', RESULTS_DEPTH)
        self.matches_pub = output_publisher(node, IdsMatch, '/humans/candidate_matches', RESULTS_DEPTH)
        self.voice: str | None = None
        self._speaking = None

    def update(self, speech: bool, match, stamp, frame_id: str) -> None:
        """One window: ``speech`` = it passed the voice gate; ``match`` = its SpeakerMatch or None."""
        if speech and self.voice is None:
            self.voice = 'v' + uuid.uuid4().hex[:5]   # a ROS name token: never a leading digit
            # made while active (a lifecycle publisher would start disabled): a plain one
            self._speaking = self._node.create_publisher(Bool, f'/humans/voices/{self.voice}/is_speaking',
                                                         RESULTS_DEPTH)
        if self.voice is not None:
            self._speaking.publish(Bool(data=bool(speech)))
        if not speech:
            self._end()
        tracked = self._IdsList(ids=[self.voice] if self.voice else [])
        tracked.header.stamp, tracked.header.frame_id = stamp, frame_id
        self.tracked_pub.publish(tracked)
        if speech and match is not None and match.known:
            M = self._IdsMatch
            self.matches_pub.publish(M(id1=self.voice, id1_type=M.VOICE, id2=person_id(match.speaker),
                                       id2_type=M.PERSON, confidence=float(match.confidence)))

    def _end(self) -> None:
        if self._speaking is not None:
            self._node.destroy_publisher(self._speaking)
        self.voice, self._speaking = None, None

    @property
    def publishers(self) -> list:
        return [self.tracked_pub, self.matches_pub] + ([self._speaking] if self._speaking is not None else [])

    def destroy(self) -> None:
        if self.voice is not None:
            self._speaking.publish(Bool(data=False))
        self._end()
        for pub in (self.tracked_pub, self.matches_pub):
            destroy_output(self._node, pub)
