"""The guard against a message handed twice to one process, and what it forgets at a rebalance."""

from __future__ import annotations

from faust.types import TP

from agents.stages import OffsetGuard


def test_a_message_handled_already_is_skipped() -> None:
    guard = OffsetGuard()
    assert not guard.seen("t.raw", 0, 5)
    assert guard.seen("t.raw", 0, 5)
    assert guard.seen("t.raw", 0, 3)  # a re-seek to an earlier committed offset
    assert not guard.seen("t.raw", 1, 3)  # another partition
    assert not guard.seen("t.raw", 0, 6)


def test_a_partition_taken_away_by_a_rebalance_is_forgotten() -> None:
    guard = OffsetGuard()
    for offset in range(10):
        guard.seen("t.stage.annotate", 0, offset)
        guard.seen("t.stage.annotate", 1, offset)
    guard.keep_only({TP("t.stage.annotate", 1), TP("t.raw", 0)})
    # partition 1 stayed: its messages up to 9 are still skipped
    assert guard.seen("t.stage.annotate", 1, 9)
    # partition 0 went away and came back: what this process did with it may have been undone
    # (exactly_once aborts the open transaction) or redone elsewhere, so its messages are new work
    assert not guard.seen("t.stage.annotate", 0, 4)
