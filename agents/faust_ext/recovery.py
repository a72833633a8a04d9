"""Table recovery that does not drop what the agents were given while it resumed the streams.

Upstream behaviour (faust-streaming 0.15.3, `Recovery.on_recovery_completed`, unchanged on master): Faust
resumes the app's flow control and the consumer's flow when a recovery *starts* (the changelogs are read
through the same consumer), with the stream partitions paused. When the tables are recovered it resumes
the stream partitions, seeks them to their committed offsets, and then calls `flow_control.resume()`
once more, which clears every stream's queue. The flow was active all along: what the fetcher delivered
between the resume of the stream partitions and that call is current work, and clearing it dropped it.
The consumer's position was already past it, so the worker never handled it (until a restart re-read from
the committed offset). Seen in the restart test at about 1 start in 3 when a story was published while a
new exactly_once worker recovered (its recovery takes ~10 s); debug logs showed the fetcher deliver the
story 2 ms before the clear, and the consumer fetch on from the next offset.

`Recovery` keeps the queues through that call when the flow is active already. A clear while the flow
is suspended (a rebalance that starts meanwhile) still happens: what is queued then belongs to the
earlier assignment.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from faust.tables.manager import TableManager as FaustTableManager
from faust.tables.recovery import Recovery as FaustRecovery
from mode.utils.queues import FlowControlEvent


class Recovery(FaustRecovery):
    """Faust's recovery, which does not clear the streams' queues when it resumes a flow already on."""

    async def on_recovery_completed(self, generation_id: int = 0) -> None:
        with clears_only_when_suspended(self.app.flow_control):
            await super().on_recovery_completed(generation_id)


@contextmanager
def clears_only_when_suspended(flow: FlowControlEvent) -> Iterator[None]:
    """Within this block, `flow.clear()` (which `resume()` calls) clears the queues only while the flow
    is suspended; `resume()` marks the flow active before it clears, so a resume keeps the queues."""

    def clear() -> None:
        if not flow.is_active():
            FlowControlEvent.clear(flow)

    flow.clear = clear  # type: ignore[method-assign]
    try:
        yield
    finally:
        del flow.clear


class TableManager(FaustTableManager):
    """Faust's table manager, with the recovery above (`App(TableManager=...)`)."""

    @property
    def recovery(self) -> FaustRecovery:
        if self._recovery is None:
            self._recovery = Recovery(self.app, self, beacon=self.beacon, loop=self.loop)
        return self._recovery
