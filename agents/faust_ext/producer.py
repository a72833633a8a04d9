"""Sends that do not pass through the event loop three extra times each.

Upstream behaviour (faust-streaming 0.15.3 with mode-streaming's `stampede`; no upstream issue found that
names it): every `Topic.send` and every table changelog write asks `App.maybe_start_producer` for the
producer, and that method is wrapped in mode's `@stampede`, whose `__call__` runs `await asyncio.sleep(0)`
three times per call, started producer or not.
Each of those yields to the event loop, which then polls its selector and runs every other ready task:
in a dedup worker draining a backlog, about nine loop iterations per story (18,000 `epoll_wait` calls in
4 s at ~500 stories/s), for two sends (the hand-over and the changelog record).

`skip_stampede_once_started` keeps Faust's own method (and its stampede) for the start, and answers at
once afterwards with what Faust's method returns then: the transaction manager under exactly_once, else
the started producer.
"""

from __future__ import annotations

from typing import Any

import faust


def skip_stampede_once_started(app: faust.App) -> None:
    """Replace `app.maybe_start_producer` by one that returns without yielding once the producer runs."""
    stamped = app.maybe_start_producer

    async def maybe_start_producer() -> Any:
        if app.in_transaction:  # Faust's method returns this, started or not (exactly_once)
            return app.consumer.transactions
        producer = app.producer
        if producer.started:
            return producer
        return await stamped()  # the first call(s): started once, concurrent callers wait for it

    app.maybe_start_producer = maybe_start_producer  # type: ignore[method-assign]
