"""One short agent per hop: decode -> pipeline call -> send -> metric.

    wire.raw --prepare--> wire.stage.dedup (1 partition) --dedup--> wire.stage.annotate
             --annotate--> wire.enriched
                 \\                                           \\--> wire.duplicates
                  \\--> wire.deadletter (from every hop)

`prepare` (parse, clean, language) and `annotate` (entities, quotes) scale with partitions; `dedup` reads a
single-partition topic, so one worker at a time owns the whole dedup state (a Faust table) and correctness
never depends on which partition a story was published to.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

import faust
from faust.types import TP

from agents.app import Wiring
from agents.settings import Settings
from agents.topics import encode, key_of
from agents.transactions import as_current, from_source
from pipeline.chain import Chain, Outcome, Prepared
from pipeline.dedup import DedupStore
from pipeline.records import DeadLetter, Enriched

log = logging.getLogger(__name__)
STAGES = ("prepare", "dedup", "annotate")
EXPIRE_EVERY = 60.0  # seconds between sweeps of dedup state older than the horizon
EXPIRE_BATCH = 5000  # stories forgotten per sweep at most, so a sweep never holds up the event loop
LAG_EVERY = 5.0  # seconds between consumer-lag readings
DEDUP_BATCH = 256  # hand-overs the dedup agent takes at a time (fewer when no more arrive within ...)
DEDUP_WITHIN = 0.05  # ... this many seconds: the most a quiet stream's story waits at this hop


class TableStore(DedupStore):
    """The dedup store protocol over a Faust table (RocksDB + changelog: survives restarts).

    The Deduplicator writes one entry per story and keeps its lookups in memory, rebuilt from `items`
    (this worker's partitions) after each recovery: see `register`.
    """

    def __init__(self, table: faust.types.TableT) -> None:
        self.table = table

    def get(self, key: str) -> Any | None:
        return self.table.get(key)

    def set(self, key: str, value: Any) -> None:
        self.table[key] = value

    def delete(self, key: str) -> None:
        if key in self.table:
            del self.table[key]

    def items(self) -> Iterable[tuple[str, Any]]:
        return self.table.items()


class OffsetGuard:
    """Skips a message this process has already handled (same topic, partition, offset).

    Faust can hand an agent the same message twice in one process (a re-seek to the committed
    offset right after start or a rebalance); its outputs were already sent, so it is acked and skipped.
    A partition that a rebalance takes away is forgotten (`keep_only`): if it comes back, what this
    process did with it may have been undone (exactly_once aborts the transaction its producer left
    open) or redone elsewhere, and messages below what the guard saw are then legitimately new work.
    """

    def __init__(self) -> None:
        self.last: dict[tuple[str, int], int] = {}

    def keep_only(self, assigned: Iterable[tuple[str, int]]) -> None:
        """Forget every partition not in `assigned` (this worker's partitions after a rebalance)."""
        kept = {(topic, partition) for topic, partition in assigned}
        for key in [key for key in self.last if key not in kept]:
            del self.last[key]

    def seen(self, topic: str, partition: int, offset: int) -> bool:
        key = (topic, partition)
        if offset <= self.last.get(key, -1):
            return True
        self.last[key] = offset
        return False


def register(wiring: Wiring, settings: Settings, stages: Iterable[str] = STAGES) -> Chain:
    """Attach the selected stage agents to the app; return the chain they share."""
    app, topics, metrics, gate = wiring.app, wiring.topics, wiring.metrics, wiring.gate
    selected = set(stages)
    unknown = selected - set(STAGES)
    if unknown:
        raise ValueError(f"unknown stages {sorted(unknown)}; choose from {STAGES}")
    table = app.Table(
        "dedup",
        default=None,
        partitions=1,
        key_type=str,
        value_type=None,
    )
    # a worker preloads lingua's models at start rather than stalling its first stories (~4 s)
    config = replace(settings.pipeline, language=replace(settings.pipeline.language, preload=True))
    chain = Chain(config, store=TableStore(table))

    @table.on_recover
    async def reindex() -> None:
        """After a restart or rebalance the table holds what the changelog says: the in-memory dedup
        lookups are rebuilt from it before the next story (the partitions resume after this), in steps
        that let the event loop keep heartbeats and commits going."""
        started, stories = time.perf_counter(), 0
        for done in chain.deduplicator.rebuilding():
            stories = done
            await asyncio.sleep(0)
        log.info("dedup: index rebuilt from %d stories in %.1fs", stories, time.perf_counter() - started)

    if "prepare" in selected or "annotate" in selected:
        started = time.perf_counter()
        chain.warm_up(("en",) if "annotate" in selected else ())
        log.info("models warmed up in %.1fs", time.perf_counter() - started)

    def record_model_loads() -> None:
        for lang, model in chain.models.loaded().items():
            metrics.model_load.labels(lang, model.name).set(model.load_seconds)

    record_model_loads()
    metrics.prime(selected)
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nlp")
    guards: dict[str, OffsetGuard] = {}  # per agent, the guard of its current run

    @app.on_partitions_assigned.connect
    async def forget_moved_partitions(sender: Any, /, *args: Any, signal: Any, **kwargs: Any) -> None:
        (assigned,) = args  # the partitions this worker holds after the rebalance
        for guard in guards.values():
            guard.keep_only(assigned)

    async def dead(letter: DeadLetter, hop: str) -> None:
        metrics.dead_letters.labels(letter.error, letter.stage).inc()
        metrics.failures.labels(hop).inc()
        await topics.deadletter.send(key=key_of(letter.id), value=encode(letter.to_json()))

    async def publish(outcome: Outcome, received: float | None) -> None:
        if isinstance(outcome, DeadLetter):
            await dead(outcome, "annotate")
            return
        target = topics.duplicates if outcome.dedup.status == "duplicate" else topics.enriched
        await target.send(key=key_of(outcome.story.id), value=encode(outcome.to_json()))
        if received is not None:
            metrics.end_to_end.labels(target.get_topic_name()).observe(max(0.0, time.time() - received))

    def observe(stage: str, started: float) -> None:
        metrics.stories.labels(stage).inc()
        metrics.latency.labels(stage).observe(time.perf_counter() - started)

    if "prepare" in selected:

        @app.agent(topics.raw, name=f"{settings.app_id}.prepare")
        async def prepare(stream: faust.StreamT) -> None:
            guard = guards["prepare"] = OffsetGuard()
            async for event in stream.events():
                msg = event.message
                if guard.seen(msg.topic, msg.partition, msg.offset):
                    await stream.ack(event)
                    continue
                where = {"topic": msg.topic, "partition": msg.partition, "offset": msg.offset}
                started = time.perf_counter()
                raw = event.value if event.value is not None else b""
                result = chain.front(raw, **where)
                async with gate.handling():  # outputs and offset in one transaction (exactly_once)
                    if isinstance(result, DeadLetter):
                        await dead(result, "prepare")
                    else:
                        result.received = msg.timestamp
                        metrics.languages.labels(result.language.code).inc()
                        observe("prepare", started)
                        await topics.stage_dedup.send(
                            key=key_of(result.story.id), value=encode(result.to_json())
                        )
                    # done: a graceful stop commits it (Faust would wait for the next event)
                    await stream.ack(event)

    if "dedup" in selected:

        @app.agent(topics.stage_dedup, name=f"{settings.app_id}.dedup")
        async def dedup(stream: faust.StreamT) -> None:
            last_sweep = time.time()
            guard = guards["dedup"] = OffsetGuard()
            batches = stream.take_events(DEDUP_BATCH, within=DEDUP_WITHIN)  # type: ignore[attr-defined]
            async for events in batches:
                # one pass of the gate per batch: the table writes (changelog), outputs and offsets of
                # the whole batch go in one transaction (exactly_once); each event is acked in order,
                # inside the gate, right after its outputs (take_events' own ack then finds it done)
                async with gate.handling():
                    for event in events:
                        if rebalancing(event):
                            break  # the rest comes again after the seek to the committed offsets
                        await dedup_one(stream, event, guard)
                if time.time() - last_sweep > EXPIRE_EVERY:
                    last_sweep = time.time()
                    expired = chain.deduplicator.expire(now=last_sweep, limit=EXPIRE_BATCH)
                    if expired:
                        log.info("dedup: expired %d entries past the horizon", expired)

        def rebalancing(event: faust.EventT) -> bool:
            """Whether a rebalance began after this event was taken into the batch (Faust's stream checks
            this per event as it buffers, not when a batch gets to it): its partition may have moved,
            and its ack would not count (see `agents.transactions.Consumer.ack`)."""
            message = event.message
            return message.generation_id != app.consumer_generation_id or not app.flow_control.is_active()

        async def dedup_one(stream: faust.StreamT, event: faust.EventT, guard: OffsetGuard) -> None:
            msg = event.message
            if guard.seen(msg.topic, msg.partition, msg.offset):
                log.info("dedup: skipping %s[%d]@%d, handled already", msg.topic, msg.partition, msg.offset)
                await stream.ack(event)
                return
            started = time.perf_counter()
            prepared = _handover(event.value, msg.topic, msg.partition, msg.offset)
            # a batch has no current event of its own: Faust's table writes need one (the changelog
            # partition, its transaction), and the outputs join the transaction of its partition
            with as_current(event), from_source(msg.tp):
                result = prepared if isinstance(prepared, DeadLetter) else chain.dedup_or_dead(prepared)
                if isinstance(result, DeadLetter):
                    await dead(result, "dedup")
                else:
                    assert result.dedup is not None
                    metrics.dedup.labels(result.dedup.status).inc()
                    observe("dedup", started)
                    if result.dedup.status == "duplicate":
                        await publish(chain.skipped(result), result.received)
                    else:
                        await topics.stage_annotate.send(
                            key=key_of(result.story.id), value=encode(result.to_json())
                        )
            await stream.ack(event)

    if "annotate" in selected:

        @app.agent(topics.stage_annotate, name=f"{settings.app_id}.annotate")
        async def annotate(stream: faust.StreamT) -> None:
            guard = guards["annotate"] = OffsetGuard()
            loop = asyncio.get_running_loop()
            previous: asyncio.Task[None] | None = None
            batches = stream.take_events(settings.batch_size, within=settings.batch_within)  # type: ignore[attr-defined]
            async for events in batches:
                batch: list[Prepared] = []
                sources: list[TP] = []  # the partition each story came from (its transaction)
                letters: list[tuple[TP, DeadLetter]] = []  # published with the batch, then acked
                for event in events:
                    msg = event.message
                    # take_events acks each event when this body returns; one more reference keeps
                    # its offset uncommitted until `finish` has published the batch's outcomes. A
                    # message handled already (delivered again after a seek) waits too: its first
                    # handling may still be in a batch before this one, and `finish` runs in order
                    msg.incref()
                    if guard.seen(msg.topic, msg.partition, msg.offset):
                        continue
                    prepared = _handover(event.value, msg.topic, msg.partition, msg.offset)
                    if isinstance(prepared, DeadLetter):
                        letters.append((msg.tp, prepared))
                    else:
                        batch.append(prepared)
                        sources.append(msg.tp)
                # spaCy runs in a thread, so the event loop keeps heartbeats and commits going;
                # submitted now, it queues behind the batch still in the thread, which never idles
                work = loop.run_in_executor(executor, timed_annotate, batch) if batch else None
                if previous is not None:
                    await previous  # publishes in order; at most two batches in flight
                previous = asyncio.ensure_future(finish(stream, events, batch, sources, letters, work))
                previous.add_done_callback(_report_failure)
            if previous is not None:  # the stream ended (the worker stops): publish what is done
                await previous

        def timed_annotate(batch: list[Prepared]) -> tuple[list[Outcome], float]:
            started = time.perf_counter()
            return chain.annotate(batch), time.perf_counter() - started

        async def finish(
            stream: faust.StreamT,
            events: Sequence[faust.EventT],
            batch: list[Prepared],
            sources: list[TP],
            letters: list[tuple[TP, DeadLetter]],
            work: asyncio.Future[tuple[list[Outcome], float]] | None,
        ) -> None:
            """Publish a batch's outcomes once its spaCy work is done, then release its offsets; each
            outcome joins the transaction of the partition its story came from (exactly_once)."""
            outcomes, elapsed = await work if work is not None else ([], 0.0)
            record_model_loads()
            async with gate.handling():
                for source, letter in letters:
                    with from_source(source):
                        await dead(letter, "annotate")
                for prepared, source, outcome in zip(batch, sources, outcomes, strict=True):
                    if isinstance(outcome, Enriched):
                        metrics.stories.labels("annotate").inc()
                        metrics.latency.labels("annotate").observe(elapsed / len(batch))
                    with from_source(source):
                        await publish(outcome, prepared.received)
                for event in events:
                    await stream.ack(event)

    read = {t.get_topic_name() for t in (topics.raw, topics.stage_dedup, topics.stage_annotate)}
    reported: set[tuple[str, str]] = set()

    @app.timer(LAG_EVERY)
    async def report_lag() -> None:
        """Per assigned partition of the agents' topics: end offset (asked of the broker, so input growth
        shows even when this worker fetches nothing) and lag = end offset - committed offset."""
        consumer = app.consumer
        try:
            tps = [tp for tp in consumer.assignment() if tp.topic in read]  # not changelogs
            ends = await consumer.highwaters(*tps) if tps else {}
        except Exception as exc:  # starting, rebalancing, or a broker hiccup: try again next time
            log.debug("lag: end offsets unavailable: %r", exc)
            return
        # Faust keeps the committed offset (the next one to read) per partition; no public accessor
        committed = getattr(consumer, "_committed_offset", {})
        now: set[tuple[str, str]] = set()
        for tp, end in ends.items():
            labels = (tp.topic, str(tp.partition))
            now.add(labels)
            metrics.end_offset.labels(*labels).set(end)
            metrics.lag.labels(*labels).set(max(0, end - (committed.get(tp) or 0)))
        for labels in reported - now:  # partitions moved to another worker: their series end here
            metrics.end_offset.remove(*labels)
            metrics.lag.remove(*labels)
        reported.clear()
        reported.update(now)

    return chain


def _report_failure(task: asyncio.Future[None]) -> None:
    """Log a failed batch at once (the agent re-raises it when it awaits the task for the next batch)."""
    if not task.cancelled() and task.exception() is not None:
        log.error("annotate: publishing a batch failed", exc_info=task.exception())


def _handover(value: bytes | None, topic: str, partition: int, offset: int) -> Prepared | DeadLetter:
    """Decode an internal hand-over message; a malformed one is a dead letter (naming that message), not a
    crash."""
    try:
        return Prepared.from_json(json.loads(value or b""))
    except Exception as exc:
        return DeadLetter.of(
            "invalid_handover",
            f"{type(exc).__name__}: {exc}",
            "handover",
            value or b"",
            topic=topic,
            partition=partition,
            offset=offset,
        )
