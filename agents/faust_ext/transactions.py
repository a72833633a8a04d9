"""Exactly-once for a multi-hop app: each output joins the transaction of the partition it was made from.

Upstream: faust-streaming/faust#177 (records sent outside the transaction that commits their input's
offset), #323 (ProducerFenced crash and duplicates on rebalance with exactly_once), #517 (duplicates
despite exactly_once); the one-producer-per-partition design assumes co-partitioning (robinhood/faust#280).

Faust (faust-streaming 0.15.3, unchanged on master) runs one transactional producer per assigned
partition, `<app id>-<topic group>-<partition>`, and commits a partition's offsets in that producer's
transaction. But `TransactionManager.send` picks the producer from the *destination* topic and partition.
That is right only when input and output are co-partitioned with the same keys. Here `prepare` reads
`wire.raw` partition 1 and writes `wire.stage.dedup` partition 0, so its output went into the
transaction of `stage.dedup` partition 0, which commits only when the dedup agent commits offsets
that it can never read: the agents consume `read_committed`, so nothing ever got past the first hop.

`SourceTransactionManager` sends each record through the producer of the partition whose message
produced it, named with the same rule Faust uses for the offsets, so outputs and offsets commit in
one transaction. `CommitGate` holds a commit back while an event is half handled (some outputs sent,
its offset not acked yet), so a transaction never commits outputs without their offset, or the reverse.

`Consumer` (both guarantees) seeks partitions that have no committed offset to their beginning after a
rebalance, so one of them cannot stop aiokafka from fetching anything (the rebalance-test stall).

Table recovery across a rebalance (`StableOffsetsConsumerThread`). Faust recovers a changelog partition
from the offset its RocksDB holds ("persisted": the last record a standby or an earlier recovery applied)
up to the partition's end ("highwater"), and stops with a ConsistencyError when the persisted offset is
past the end (the topic was deleted or truncated under the local files). In a transaction Faust took the
end from aiokafka's cached last stable offset, which a new assignment (every rebalance) does not have
until a fetch of the partition returns, and recovery measures with the changelogs paused: Faust then used
-1. A survivor promoted from standby (persisted offset, say, 200) was stopped by the check (200 > -1),
and a worker with nothing persisted found nothing to recover whenever no fetch had come first (its table
silently empty). The standby itself was never past the end: it reads `read_committed`, so everything it
applied is below the last stable offset, which never moves back. The fix is the measure, not the check:
the end offsets are asked of the broker, which answers `read_committed` consumers with the last stable
offset (LSO). That is the end of what a `read_committed` reader can see, so the check keeps comparing
like with like, and stays on: a persisted offset past the LSO still means lost topic data, and a crash is
better than state lost silently.

Why recovering to the LSO loses nothing: a changelog partition is written only in the transactions of
its table partition's owner (`<app id>-<group>-<partition>`). Before a new owner recovers, Faust starts
its producer for that transactional id (`transactions.on_rebalance` runs before `tables.on_rebalance`),
which fences the dead owner and has the broker finish its open transaction (aborted), so the LSO then
covers every committed change. Records past the LSO can only be that aborted work, which the new owner
redoes from the committed input offsets. Faust's recovery then ends at the LSO's last offset, usually a
transaction marker that no record reaches: its own `detect_aborted_tx` closes that gap after about 10 s.

That fencing needs a fresh producer: `SourceTransactionManager.on_rebalance` also stops the producers
of transactional ids this worker no longer owns, which Faust leaves running when the partition became
this worker's standby; one kept until the partition came back was fenced and crashed the survivor.
And `Consumer.ack` does not count the acks of messages a stream skipped during a rebalance (earlier
generation, flow suspended), which Faust's next commit went past without their being handled.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from typing import Any, cast

import faust
from aiokafka import TopicPartition
from faust.streams import current_event
from faust.transport.consumer import TransactionManager, ensure_TP
from faust.transport.drivers import aiokafka as aiokafka_driver
from faust.types import TP, RecordMetadata
from faust.types.core import HeadersArg
from faust.types.transports import ProducerBufferT, TPorTopicSet
from faust.types.tuples import FutureMessage, Message

log = logging.getLogger(__name__)
_source: ContextVar[TP | None] = ContextVar("wirestream_source", default=None)


class CommitGate:
    """Commits wait while any event is half handled; new handling waits while a commit is due.

    Agents wrap "send the outputs of some events, then ack them" in `handling()`; the transaction
    manager wraps each commit in `committing()`. Handling is short (sends into the producer's buffer),
    so a commit waits at most that long; no handling starts while one waits, so commits never starve.
    """

    def __init__(self) -> None:
        self._busy = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._open = asyncio.Event()
        self._open.set()

    @asynccontextmanager
    async def handling(self) -> AsyncIterator[None]:
        await self._open.wait()
        self._busy += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._busy -= 1
            if not self._busy:
                self._idle.set()

    @asynccontextmanager
    async def committing(self) -> AsyncIterator[None]:
        self._open.clear()
        try:
            await self._idle.wait()
            yield
        finally:
            self._open.set()


@contextmanager
def from_source(source: TP) -> Iterator[None]:
    """Sends in this block belong to the transaction of `source` (the partition of the message they
    come from): for outputs published outside the iteration that received it (a batch, later)."""
    token = _source.set(source)
    try:
        yield
    finally:
        _source.reset(token)


def source_partition() -> TP | None:
    """The partition whose message the current task is handling: set explicitly, or Faust's
    current event (set by the stream for the agent's own task)."""
    explicit = _source.get()
    if explicit is not None:
        return explicit
    event = current_event()
    return event.message.tp if event is not None else None


class SourceTransactionManager(TransactionManager):
    """Faust's transaction manager, with outputs in the transaction of their source partition."""

    def transactional_id(self, source: TP) -> str:
        """The same name Faust gives the producer whose transaction commits `source`'s offsets."""
        group = self.app.assignor.group_for_topic(source.topic)
        return f"{self.app.conf.id}-{group}-{source.partition}"

    async def on_rebalance(self, assigned: set[TP], revoked: set[TP], newly_assigned: set[TP]) -> None:
        """Stop the producer of every transactional id this worker no longer owns, then Faust's rebalance
        (which stops the revoked ones it sees and starts the assigned ones).

        Faust stops the producers of revoked partitions, but leaves out a partition that the new
        assignment makes this worker's *standby* (its assignor names whole topic groups as standbys, so
        a revoked `raw` or `stage.annotate` partition often is one). That producer lingers while the
        new owner's producer, same transactional id, fences it; if the partition comes back (its new
        owner dies), Faust finds the fenced producer still there and keeps it (`begin_transaction` fails
        in its open transaction, logged and ignored), and the first send through it fails with
        ProducerFenced: the survivor's agents crashed and its work stopped (the exactly_once rebalance
        test, when the worker that joined second died). A stopped producer is replaced by a fresh one,
        whose start fences the dead owner's.
        """
        owned = self._tps_to_transactional_ids(assigned)
        producers = cast(Mapping[str, Any], getattr(self.producer, "_transaction_producers", {}))
        stale = sorted(tid for tid in producers if tid not in owned)
        if stale:
            self.log.info("Stopping %d transactional producers no longer owned: %s", len(stale), stale)
            await self._stop_transactions(stale)
        await super().on_rebalance(assigned, revoked, newly_assigned)

    async def send(
        self,
        topic: str,
        key: bytes | None,
        value: bytes | None,
        partition: int | None,
        timestamp: float | None,
        headers: HeadersArg | None,
        *,
        transactional_id: str | None = None,
    ) -> Awaitable[RecordMetadata]:
        source = source_partition()
        if source is None:
            # not sent on behalf of a consumed message (nothing in wirestream does this)
            return await super().send(topic, key, value, partition, timestamp, headers)
        return await self.producer.send(
            topic,
            key,
            value,
            self.consumer.key_partition(topic, key, partition),
            timestamp,
            headers,
            transactional_id=self.transactional_id(source),
        )


class StableOffsetsConsumerThread(aiokafka_driver.AIOKafkaConsumerThread):
    """Faust's aiokafka consumer thread, whose end offsets are always asked of the broker.

    Faust's table recovery measures each changelog partition's end ("highwater") with
    `Consumer.highwaters`. In a transaction (exactly_once) Faust reads it from aiokafka's
    `last_stable_offset(tp)`, a value aiokafka only caches from the fetch responses of the current
    assignment: every rebalance starts a new assignment with none, and recovery measures while the
    changelogs are paused, before any fetch, so Faust most often got None and made it -1. Against -1,
    the survivor's persisted offset (what its standby applied) raised a ConsistencyError, and a worker
    with no persisted offset found nothing to recover (its table stayed as it was: state lost
    silently). `end_offsets` asks the broker (ListOffsets at the consumer's isolation level), which
    for `read_committed` answers the last stable offset, the same bound a `read_committed` standby
    reads to: at_least_once already used it, as read_uncommitted end offsets.
    """

    async def _highwaters(self, partitions: list[TP]) -> Mapping[TP, int]:
        return cast(Mapping[TP, int], await self._ensure_consumer().end_offsets(partitions))

    def verify_event_path(self, now: float, tp: TP) -> None:
        """Faust's stalled-partition check, passed over for a partition whose position aiokafka is
        still resetting: Faust reads `position`, which asserts that there is one, and the assertion
        crashed the consumer (a partition nobody has committed, just after its assignment or a seek)."""
        state = self._ensure_consumer()._fetcher._subscriptions.subscription.assignment.state_value(
            TopicPartition(tp.topic, tp.partition)
        )
        if state is not None and not state.has_valid_position:
            return None
        return super().verify_event_path(now, tp)


class Consumer(aiokafka_driver.Consumer):
    """Faust's aiokafka consumer; after a rebalance, a partition with no committed offset yet is sought
    to its beginning explicitly (what `consumer_auto_offset_reset="earliest"` means anyway).

    Left to aiokafka, such a partition waits for a committed-offset lookup of its own before its
    position is reset, and while any partition of a broker waits for a position, aiokafka sends that
    broker no fetch at all. Seen in the rebalance and crash tests: a survivor that took over a partition
    nobody had committed yet (the single-partition dedup hand-over, or one the dead worker had just
    started) consumed nothing more for five minutes, on any partition of our single broker.
    """

    def _new_consumer_thread(self) -> aiokafka_driver.AIOKafkaConsumerThread:
        return StableOffsetsConsumerThread(self, loop=self.loop, beacon=self.beacon)

    def ack(self, message: Message) -> bool:
        """Faust's ack, except for a message of an earlier generation or one acked while a rebalance
        holds the streams (flow control suspended): that one does not count as handled.

        A stream that receives a message fetched before the current assignment, or while the flow is
        suspended, skips it and acks it, trusting the seek to the committed offset after the
        rebalance to deliver it again. But the ack stays in the consumer's books for a partition
        that it keeps or has just been given, and Faust's next commit goes past it: seen in the
        exactly_once rebalance test, where the survivor committed the dedup partition 18 offsets
        past the dead worker's without handling them (the dedup-owner run that lost 42 ids). Left
        unacked, the message comes again after the seek, and is acked when handled there (or
        skipped by the agent's `OffsetGuard` when this process handled it already).
        """
        app = self.app
        if message.generation_id != app.consumer_generation_id or not app.flow_control.is_active():
            return False
        return super().ack(message)

    async def seek_to_committed(self) -> Mapping[TP, int]:
        committed = await super().seek_to_committed()
        fresh = [
            tp
            for tp, offset in committed.items()
            if (offset is None or offset < 0) and not self._is_changelog_tp(ensure_TP(tp))
        ]  # table changelogs have no committed offsets: their recovery places them
        if fresh and self.app.conf.consumer_auto_offset_reset == "earliest":
            # to the first offset, asked first: aiokafka's seek_to_beginning leaves the position unset
            # until its reset is done, and Faust's stall check crashes on an unset one meanwhile
            starts = await self._thread.earliest_offsets(*fresh)
            await self._thread.seek_wait({ensure_TP(tp): offset for tp, offset in starts.items()})
        return committed


class GatedConsumer(Consumer):
    """Faust's consumer, whose commits pass the gate *before* they read which offsets are acked:
    offsets read first would leave out events that the gate lets finish, while their outputs would
    still join the committing transaction.

    It also commits *every* handled offset at once. Topics written in transactions have offsets that
    hold no record (commit markers); Faust counts them as gaps, but its gap takes in the offset of the
    record after it too, so that offset is listed twice and Faust's commit stops there, one commit
    short: the rest of the acked offsets wait for the next transaction while their outputs are in this
    one, and a crash in between makes them run twice. Here a gap is only the offsets without a record,
    and the commit goes as far as acked offsets and gaps reach.
    """

    async def _add_gap(self, tp: TP, offset_from: int, offset_to: int) -> None:
        # Faust passes the offset of the record that follows the gap as `offset_to`, included
        await super()._add_gap(tp, offset_from, offset_to - 1)

    def _new_offset(self, tp: TP) -> int | None:
        acked = self._acked[tp]
        if not acked:
            return None
        done = set(acked)
        top = max(done)
        gaps = self._gap[tp]
        for gap in gaps.overlap(0, top + 1):
            done.update(range(gap.begin, min(gap.end, top + 1)))
        committed = self._committed_offset[tp]
        offset = min(done) if committed is None else committed
        if offset not in done and committed is not None and offset + 1 in done:
            # as Faust: the committed offset itself may be a marker that no gap recorded (right after
            # a seek to it, the next record is not seen as past a gap)
            offset += 1
        while offset in done:
            offset += 1
        if committed is not None and offset <= committed:
            return None
        acked[:] = [o for o in acked if o >= offset]
        self._acked_index[tp].difference_update(o for o in done if o < offset)
        gaps.chop(0, offset)
        return offset

    async def force_commit(
        self, topics: TPorTopicSet | None = None, start_new_transaction: bool = True
    ) -> bool:
        if not self.in_transaction:
            return await super().force_commit(topics, start_new_transaction=start_new_transaction)
        async with cast(Transport, self.transport).gate.committing():
            # table changelog writes wait in Faust's producer buffer (`send_soon`): into the
            # transaction with them, or a committed offset could outrun its table change
            await drain(self.app.producer.buffer)
            return await super().force_commit(topics, start_new_transaction=start_new_transaction)


DRAIN_TIMEOUT = 30.0  # s; only a stopped producer takes that long


class _Drained:
    """Queued behind the messages in Faust's producer buffer, which sends in order: once its turn
    comes, everything queued before it has been handed to the transactional producers."""

    def __init__(self) -> None:
        self.message = self
        self.channel = self
        self.done = asyncio.Event()

    async def publish_message(self, fut: Any, wait: bool = False) -> None:
        self.done.set()


async def drain(buffer: ProducerBufferT) -> None:
    """Wait until what Faust's producer buffer holds now has been sent. Faust's `flush` cannot be
    trusted with this: it gives up when one send takes over 0.1 s (a loaded machine, a first send to
    a topic), and it does not count the message being sent."""
    marker = _Drained()
    buffer.put(cast(FutureMessage, marker))
    try:
        await asyncio.wait_for(marker.done.wait(), DRAIN_TIMEOUT)
    except TimeoutError:
        log.error("exactly_once: table writes still queued after %.0f s; commit anyway", DRAIN_TIMEOUT)


class Transport(aiokafka_driver.Transport):
    """The aiokafka transport with the consumer and transaction manager above, and their gate."""

    Consumer = GatedConsumer
    TransactionManager = SourceTransactionManager

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.gate = CommitGate()


class AtLeastOnceTransport(aiokafka_driver.Transport):
    """The aiokafka transport with the consumer above."""

    Consumer = Consumer


def install_at_least_once(app: faust.App) -> CommitGate:
    """Give `app` the consumer above (before anything has used its transport); the gate it returns is
    never asked for a commit."""
    app.transport = AtLeastOnceTransport(app.conf.broker_consumer, app)
    return CommitGate()


def install_exactly_once(app: faust.App) -> CommitGate:
    """Give `app` the transport above (before anything has used its transport); return the gate
    its commits wait for."""
    transport = Transport(app.conf.broker_consumer, app)
    app.transport = transport
    return transport.gate
