"""Stage agents' helpers that need no broker."""

from __future__ import annotations

from agents.stages import _handover
from pipeline.records import DeadLetter


def test_a_malformed_handover_is_a_dead_letter_naming_its_message() -> None:
    """CONTRACT.md: every dead letter carries topic, partition and offset."""
    letter = _handover(b"{not json", "wire.stage.annotate", 1, 42)
    assert isinstance(letter, DeadLetter) and letter.error == "invalid_handover"
    assert (letter.topic, letter.partition, letter.offset) == ("wire.stage.annotate", 1, 42)
