"""The guard against a message handed twice to one process, and what it forgets at a rebalance."""

from __future__ import annotations

from faust.types import TP

from agents.faust_ext import offsets
from agents.faust_ext.offsets import OffsetGuard


def test_a_message_handled_already_is_skipped() -> None:
    guard = OffsetGuard()
    for offset in (3, 4, 5):
        assert not guard.seen("t.raw", 0, offset)
    assert guard.seen("t.raw", 0, 5)
    assert guard.seen("t.raw", 0, 3)  # a seek back to the committed offset delivers 3, 4, 5 again
    assert not guard.seen("t.raw", 1, 3)  # another partition
    assert not guard.seen("t.raw", 0, 6)


def test_a_message_dropped_and_delivered_again_after_later_ones_is_new_work() -> None:
    """Faust cleared offset 1 from a stream's queue, the agent handled 2 and 3, then a seek delivered
    1, 2, 3 again: 1 is handled, 2 and 3 are skipped."""
    guard = OffsetGuard()
    assert not guard.seen("t.raw", 0, 2)
    assert not guard.seen("t.raw", 0, 3)
    assert [guard.seen("t.raw", 0, o) for o in (1, 2, 3)] == [False, True, True]


def test_offsets_below_the_committed_offset_are_forgotten() -> None:
    committed: dict[TP, int | None] = {TP("t.raw", 0): 0, TP("t.raw", 1): None}
    guard = OffsetGuard(lambda: committed)
    for offset in range(100):
        guard.seen("t.raw", 0, offset)
        guard.seen("t.raw", 1, offset)
    committed[TP("t.raw", 0)] = 90
    guard.prune()
    assert guard.handled[("t.raw", 0)] == set(range(90, 100))
    assert len(guard.handled[("t.raw", 1)]) == 100  # nothing committed there yet: all kept
    assert guard.seen("t.raw", 0, 95)


def test_the_guard_prunes_itself_as_it_goes() -> None:
    committed: dict[TP, int | None] = {TP("t.raw", 0): 0}
    guard = OffsetGuard(lambda: committed)
    for offset in range(5 * offsets.PRUNE_EVERY):
        guard.seen("t.raw", 0, offset)
        committed[TP("t.raw", 0)] = max(0, offset - 100)  # commits trail the handling
    assert len(guard.handled[("t.raw", 0)]) <= offsets.PRUNE_EVERY + 100


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
