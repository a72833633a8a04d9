"""The committed offset of a partition, read from Faust's consumer; the guard against a message handed
twice to one process.

Upstream behaviour: Faust keeps the committed offset (the next one to read) per partition in the private
`Consumer._committed_offset` and has no public accessor (robinhood/faust#752 asks for a consumer's offset
and lag per partition; unanswered). Asking the broker instead (`committed()`) would cost a round trip per
partition every few seconds. This is the one place that reads the private attribute: if a Faust release
renames it, lag reads as the end offset (committed 0) and only this module changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from faust.types import TP


def committed_offsets(consumer: Any) -> Mapping[TP, int | None]:
    """Per assigned partition, the offset this worker committed last (the next one to read); {} if unknown."""
    return getattr(consumer, "_committed_offset", {})


PRUNE_EVERY = 1024  # handled offsets recorded between two prunings of those below the committed offsets


class OffsetGuard:
    """Skips a message this process has already handled: the same topic, partition and offset.

    Faust can hand an agent the same message twice in one process (a seek to the committed offset after
    start, a rebalance or a recovery); its outputs were already sent, so it is acked and skipped. The
    guard keeps the exact offsets handled, not the highest: Faust also drops messages it has fetched
    (the queues it clears when a recovery resumes the flow) and delivers them again only after later
    ones were handled, and a "highest handled" guard skipped those as handled already: acked, committed,
    never handled (seen once in the recovery test: one story of 80 lost). Offsets below a partition's
    committed offset are never delivered again, so `committed` (the consumer's committed offsets) lets
    the guard forget them every PRUNE_EVERY offsets; what it holds is about one commit interval's worth.

    A partition that a rebalance takes away is forgotten (`keep_only`): if it comes back, what this
    process did with it may have been undone (exactly_once aborts the transaction its producer left
    open) or redone elsewhere, and its messages are then legitimately new work.
    """

    def __init__(self, committed: Callable[[], Mapping[Any, int | None]] | None = None) -> None:
        self.handled: dict[tuple[str, int], set[int]] = {}
        self.committed = committed
        self._since_prune = 0

    def keep_only(self, assigned: Iterable[tuple[str, int]]) -> None:
        """Forget every partition not in `assigned` (this worker's partitions after a rebalance)."""
        kept = {(topic, partition) for topic, partition in assigned}
        for key in [key for key in self.handled if key not in kept]:
            del self.handled[key]

    def seen(self, topic: str, partition: int, offset: int) -> bool:
        """Whether this offset was handled already; if not, it is from now on."""
        offsets = self.handled.setdefault((topic, partition), set())
        if offset in offsets:
            return True
        offsets.add(offset)
        self._since_prune += 1
        if self._since_prune >= PRUNE_EVERY:
            self.prune()
        return False

    def prune(self) -> None:
        """Forget the offsets below each partition's committed offset (they never come again)."""
        self._since_prune = 0
        if self.committed is None:
            return
        for (topic, partition), low in self.committed().items():
            offsets = self.handled.get((topic, partition))
            if offsets and low is not None:
                offsets.difference_update([o for o in offsets if o < low])
