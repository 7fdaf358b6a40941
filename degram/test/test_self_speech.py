# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""The self-speech gate: windows that overlap the robot's own speech (or its release) are held back,
no others."""
import math

import pytest

from degram.streaming.self_speech import SelfSpeechGate


def test_windows_overlapping_speech_or_its_release_are_held_back_and_no_others():
    gate = SelfSpeechGate(release=0.5)
    gate.update(True, 10.0)
    gate.update(False, 12.0)                     # speech 10-12 s, release until 12.5 s
    assert gate.overlaps(9.0, 10.5) and gate.overlaps(11.0, 12.0) and gate.overlaps(12.2, 13.0)
    assert not gate.overlaps(8.0, 10.0)          # ends as the robot starts: [start, end)
    assert not gate.overlaps(12.5, 14.0)         # starts as the release ends
    assert not gate.speaking and gate.transitions == 2


def test_an_open_interval_holds_back_every_later_window_until_false():
    gate = SelfSpeechGate(release=0.0)
    gate.update(True, 5.0)
    assert gate.speaking and gate.overlaps(100.0, 101.0) and not gate.overlaps(4.0, 5.0)
    gate.update(True, 6.0)                       # a repeated True changes nothing
    gate.update(False, 7.0)
    gate.update(False, 8.0)                      # nor a repeated False
    assert gate.transitions == 2 and not gate.overlaps(7.0, 9.0) and gate.overlaps(6.5, 7.5)


def test_several_utterances_and_a_window_spanning_the_gap_between_them():
    gate = SelfSpeechGate(release=0.25)
    for start, stop in ((1.0, 2.0), (4.0, 5.0)):
        gate.update(True, start)
        gate.update(False, stop)
    assert not gate.overlaps(2.25, 4.0) and gate.overlaps(2.0, 4.5) and gate.overlaps(5.0, 5.2)


def test_old_intervals_are_forgotten_after_the_memory():
    gate = SelfSpeechGate(release=0.0, memory=10.0)
    gate.update(True, 0.0)
    gate.update(False, 1.0)
    gate.update(True, 20.0)
    assert not gate.overlaps(0.0, 1.0)           # forgotten: older than 10 s before the last update
    assert gate.overlaps(21.0, 22.0)


@pytest.mark.parametrize('bad', [-0.1, math.nan, math.inf])
def test_bad_release_or_stamps_are_errors(bad):
    with pytest.raises(ValueError, match='release'):
        SelfSpeechGate(release=bad)
    with pytest.raises(ValueError, match='stamp'):
        SelfSpeechGate().update(True, math.nan)
