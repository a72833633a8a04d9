"""Embargoes: a provider's "not before" time, honoured by flagging (default) or by holding the record.

`WIRESTREAM_EMBARGO=flag` publishes at once with `embargoed` set (subscribers decide); `hold` keeps each
record whose embargo lies ahead until its time. Held records live in a key-value store with the dedup
store's protocol (`get`/`set`/`delete`/`items`): the worker gives it a Faust table, whose changelog brings
the held records back after a restart or to the worker that takes the partition over. A delay topic was
the other choice; a table wins because records are released by time, not in arrival order (a delay topic
would stall behind its longest embargo or need re-queueing), and a held record is one table entry that is
deleted when released. Release is at least once: a worker that dies between publishing a released record
and deleting its entry publishes it again after recovery (the same id and version: a duplicate downstream).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

EmbargoMode = Literal["flag", "hold"]
EMBARGO_MODES: tuple[EmbargoMode, ...] = ("flag", "hold")
HELD = "held:"  # store key prefix


class KeyValueStore(Protocol):
    def get(self, key: str) -> Any | None: ...

    def set(self, key: str, value: Any) -> None: ...

    def delete(self, key: str) -> None: ...

    def items(self) -> Iterable[tuple[str, Any]]: ...


def embargo_epoch(embargoed: str | None) -> float | None:
    """An ISO 8601 time (with zone; none means UTC) as epoch seconds; None for none or an unreadable one."""
    if not embargoed:
        return None
    try:
        when = datetime.fromisoformat(embargoed.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.timestamp()


def to_hold(record: dict[str, Any], mode: EmbargoMode, now: float) -> float | None:
    """The time to release `record` at when it must be held now, else None (publish at once)."""
    if mode != "hold" or record.get("pubstatus") == "canceled":  # a kill is never held back
        return None
    until = embargo_epoch(record.get("embargoed"))
    return until if until is not None and until > now else None


@dataclass(slots=True)
class EmbargoHold:
    """Held records by id (a later version of the same story replaces the held one)."""

    store: KeyValueStore

    def hold(self, record: dict[str, Any], until: float, target: str) -> None:
        """Keep `record` until `until` (epoch s); `target` names where it goes then (enriched, ...)."""
        self.store.set(f"{HELD}{record['id']}", {"until": until, "target": target, "record": record})

    def due(self, now: float) -> list[tuple[str, dict[str, Any]]]:
        """(target, record) of every held record whose time has come, earliest first; not yet removed:
        call `release` once each is published."""
        ready = [
            value
            for key, value in list(self.store.items())
            if key.startswith(HELD) and float(value["until"]) <= now
        ]
        ready.sort(key=lambda v: float(v["until"]))
        return [(v["target"], v["record"]) for v in ready]

    def release(self, story_id: str) -> None:
        self.store.delete(f"{HELD}{story_id}")

    def held(self) -> int:
        """How many records are held (a gauge for the dashboard)."""
        return sum(1 for key, _ in self.store.items() if key.startswith(HELD))
