"""Handling `Stream.take_events` batches one event at a time, as Faust's per-event iteration would.

Faust (faust-streaming 0.15.3) sets the current event only while a stream iterates event by event; a
batch from `take_events` has none, and a table write outside an event raises ("Cannot modify table key
from outside of stream iteration"): the table needs the event to pick its changelog partition (and, in
a transaction, the producer of its source partition). Faust's stream also drops, as it buffers them, the
events of an earlier consumer generation or taken while a rebalance holds the flow; a batch taken just
before a rebalance still holds such events when the agent gets to them.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from contextlib import contextmanager

import faust
from faust import streams as faust_streams


@contextmanager
def as_current(event: faust.EventT) -> Iterator[None]:
    """Make `event` Faust's current event in this task while handling it out of a batch.

    Only the context variable is set, not the stream's `current_event` attribute (`Stream.
    _set_current_event` sets both): take_events' buffering reads that attribute in the background to
    tell which event a value belongs to, and a stale one there made it buffer an old event twice and
    drop the new one (seen: 5 of 3,000 hand-overs lost, 5 others skipped as handled already)."""
    token = faust_streams._current_event.set(weakref.ref(event))
    try:
        yield
    finally:
        faust_streams._current_event.reset(token)


def taken_before_rebalance(app: faust.App, event: faust.EventT) -> bool:
    """Whether a rebalance began after `event` was taken into a batch: its partition may have moved, and
    its ack would not count (see `agents.faust_ext.transactions.Consumer.ack`), so it is left for the
    seek to the committed offsets to deliver again."""
    return event.message.generation_id != app.consumer_generation_id or not app.flow_control.is_active()
