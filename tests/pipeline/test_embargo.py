"""Embargo hold: records kept until their time, in a store that outlives the process."""

from __future__ import annotations

from pipeline.dedup import MemoryStore
from pipeline.embargo import EmbargoHold, embargo_epoch, to_hold

T0 = embargo_epoch("2026-04-12T10:00:00Z")
assert T0 is not None


def record(sid: str, embargoed: str | None, pubstatus: str = "usable") -> dict:
    return {"id": sid, "embargoed": embargoed, "pubstatus": pubstatus, "body": sid}


def test_epoch_reads_zones() -> None:
    assert embargo_epoch("2026-04-12T12:00:00+02:00") == T0
    assert embargo_epoch("2026-04-12T10:00:00") == T0  # no zone: UTC
    assert embargo_epoch(None) is None and embargo_epoch("soon") is None


def test_only_hold_mode_holds_and_never_a_kill_or_a_past_embargo() -> None:
    future = record("a", "2026-04-12T10:00:00Z")
    assert to_hold(future, "hold", T0 - 60) == T0
    assert to_hold(future, "flag", T0 - 60) is None
    assert to_hold(future, "hold", T0 + 1) is None
    assert to_hold(record("k", "2026-04-12T10:00:00Z", "canceled"), "hold", T0 - 60) is None
    assert to_hold(record("n", None), "hold", T0 - 60) is None


def test_held_records_survive_a_new_hold_over_the_same_store_and_release_in_time_order() -> None:
    store = MemoryStore()
    first = EmbargoHold(store)
    first.hold(record("late", "2026-04-12T11:00:00Z"), T0 + 3600, "enriched")
    first.hold(record("early", "2026-04-12T10:00:00Z"), T0, "enriched")
    assert first.due(T0 - 1) == []
    restarted = EmbargoHold(store)  # a restart: the table's changelog gives the store back
    assert restarted.held() == 2
    assert [r["id"] for _, r in restarted.due(T0 + 3600)] == ["early", "late"]
    assert [r["id"] for _, r in restarted.due(T0)] == ["early"]
    restarted.release("early")
    assert [r["id"] for _, r in restarted.due(T0 + 7200)] == ["late"] and restarted.held() == 1
