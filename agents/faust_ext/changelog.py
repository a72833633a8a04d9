"""Wait at shutdown for table (changelog) writes still queued in Faust's producer buffer.

Upstream behaviour: Faust's own flush at stop (`App._producer_flush`, faust-streaming 0.15.3) gives up as
soon as one send takes over 0.1 s, and the producer then stops with the write still queued (the loss
faust-streaming/faust#273 closed for commits, by flushing the producer first, but not for stop). The
first send to a changelog topic fetches its metadata, slow on a loaded machine, while the input offset
it belongs to is committed: the state would be lost (seen once in the restart test). Waiting here,
before Faust flushes and stops its producer, closes that gap.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import faust

CHANGELOG_DRAIN_SECONDS = 15.0  # longest wait at shutdown for table writes still in Faust's buffer


def drain_changelog_on_stop(app: faust.App) -> None:
    """At shutdown, wait until table writes still queued in Faust's producer buffer are handed to the Kafka
    producer, which then flushes them."""

    async def drain(sender: Any, *args: Any, signal: Any, **kwargs: Any) -> None:
        buffer = app.producer.buffer
        deadline = time.monotonic() + CHANGELOG_DRAIN_SECONDS
        quiet = 0
        while quiet < 3 and time.monotonic() < deadline:  # empty on three looks in a row: none in flight
            quiet = quiet + 1 if buffer.size == 0 else 0
            await asyncio.sleep(0.05)

    # mode types receivers as returning None or Awaitable[None]; mypy does not match a coroutine function
    app.on_before_shutdown.connect(drain)  # type: ignore[arg-type]
