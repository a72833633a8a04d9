"""The embargo agent (WIRESTREAM_EMBARGO=hold): records kept in a Faust table until their time.

    publish (any hop) --hold note--> wire.stage.embargo --embargo--> table `embargo` (changelogged)
    timer (every EMBARGO_EVERY s) --release note--> wire.stage.embargo --embargo--> wire.enriched / duplicates

A record whose embargo lies ahead is not sent to its output topic: `Hop.publish` sends a hold note keyed by
the story id to `<prefix>.stage.embargo`, and this agent stores it in the `embargo` table (a Faust table may
only be written while handling a message: both the hold and the release are messages). The timer reads
the held records of this worker's partitions and, for each one due, sends a release note with the same key,
so it reaches the same partition and owner; the agent then publishes the record and deletes the entry.
The table's changelog brings held records back after a restart or on the worker that takes a partition
over (see pipeline/embargo.py for why a table and not a delay topic). Release is at least once; the
timer sends outside any consumed message's transaction, hence at_least_once only (settings refuse hold
with exactly_once).
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import faust

from agents.outputs import Sent
from agents.stages import Hop, TableStore, handled_already, where
from agents.topics import encode, key_of
from pipeline.embargo import HELD, EmbargoHold
from pipeline.records import DeadLetter

log = logging.getLogger(__name__)
EMBARGO_EVERY = 5.0  # seconds between looks for records whose time has come
RENOTE_AFTER = 30.0  # a release note not yet handled is sent again after this long


def embargo_table(app: faust.App) -> faust.types.TableT:
    """Held records by `held:<id>`: partitioned like the stage.embargo topic (keyed by id)."""
    return app.Table("embargo", default=None, key_type=str, value_type=None)


def _note(value: bytes | None, event: faust.EventT) -> dict[str, Any] | DeadLetter:
    try:
        note = json.loads(value or b"")
        if not isinstance(note, dict) or not ("hold" in note or "release" in note):
            raise ValueError("neither a hold nor a release note")
        return note
    except Exception as exc:
        detail = f"{type(exc).__name__}: {exc}"
        return DeadLetter.of("invalid_handover", detail, "embargo", value or b"", **where(event))


def embargo_agent(hop: Hop) -> faust.types.AgentT:
    """wire.stage.embargo -> hold in the table, or publish a due record and forget it."""
    table = embargo_table(hop.app)
    held = EmbargoHold(TableStore(table))
    noted: dict[str, float] = {}  # release notes sent and not handled yet, by id

    async def release(story_id: str, origin: dict[str, Any]) -> list[Sent]:
        noted.pop(story_id, None)
        entry = table.get(f"{HELD}{story_id}")
        if entry is None or float(entry["until"]) > time.time():
            return []  # released already (a note sent twice), or replaced by a later hold
        duplicate = entry["target"] == "duplicates"
        sent = await hop.emit(entry["record"], duplicate=duplicate, origin=origin, stage="embargo")
        held.release(story_id)
        log.info("embargo: released %s", story_id)
        return sent

    @hop.app.agent(hop.topics.stage_embargo, name=hop.name("embargo"))
    async def embargo(stream: faust.StreamT) -> None:
        guard = hop.guard("embargo")
        async for event in stream.events():
            if await handled_already(stream, event, guard):
                continue
            note = _note(event.value, event)
            async with hop.gate.handling():
                sent: list[Sent] = []
                if isinstance(note, DeadLetter):
                    sent.append(await hop.dead(note, "embargo"))
                elif "hold" in note:
                    hold = note["hold"]
                    held.hold(hold["record"], float(hold["until"]), str(hold.get("target", "enriched")))
                else:
                    sent = await release(str(note["release"]), where(event))
                if not await hop.outputs.settle(sent):
                    return  # the worker stops; this note is not acked, so not committed
                await stream.ack(event)
            hop.metrics.embargo_held.labels("all").set(held.held())

    @hop.app.timer(EMBARGO_EVERY)
    async def release_due() -> None:
        now = time.time()
        for _, record in held.due(now):
            story_id = str(record["id"])
            if now - noted.get(story_id, 0.0) < RENOTE_AFTER:
                continue
            noted[story_id] = now
            await hop.topics.stage_embargo.send(key=key_of(story_id), value=encode({"release": story_id}))

    return embargo
