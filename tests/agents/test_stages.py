"""Stage agents' helpers that need no broker."""

from __future__ import annotations

import sys

import pytest

from agents.stages import GIL_SWITCH_INTERVAL, _handover, share_the_gil
from pipeline.records import DeadLetter


def test_a_malformed_handover_is_a_dead_letter_naming_its_message() -> None:
    """CONTRACT.md: every dead letter carries topic, partition and offset."""
    letter = _handover(b"{not json", "wire.stage.annotate", 1, 42)
    assert isinstance(letter, DeadLetter) and letter.error == "invalid_handover"
    assert (letter.topic, letter.partition, letter.offset) == ("wire.stage.annotate", 1, 42)


def test_the_nlp_thread_gets_the_gil_back_sooner_never_later() -> None:
    before = sys.getswitchinterval()
    try:
        sys.setswitchinterval(0.005)  # Python's default
        share_the_gil()
        assert sys.getswitchinterval() == pytest.approx(GIL_SWITCH_INTERVAL, rel=0.01) < 0.005
        share_the_gil(0.01)  # a longer one asked for later leaves the shorter
        assert sys.getswitchinterval() == pytest.approx(GIL_SWITCH_INTERVAL, rel=0.01)
    finally:
        sys.setswitchinterval(before)
