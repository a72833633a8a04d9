"""One short agent per hop: decode -> pipeline call -> send -> metric.

    wire.raw --prepare--> wire.stage.dedup (1 partition) --dedup--> wire.stage.annotate
             --annotate--> wire.enriched (and, as IPTC ninjs, wire.ninjs)
                 \\                                           \\--> wire.duplicates
                  \\--> wire.deadletter (from every hop)
    wire.enriched + wire.duplicates --route--> wire.route.<name> (each matching route), wire.alerts

`prepare` (parse, clean, language), `annotate` (entities, quotes) and `route` (desk routes) scale with
partitions; `dedup` reads a single-partition topic, so one worker at a time owns the whole dedup state (a
Faust table) and correctness never depends on which partition a story was published to.

Each agent comes from a small factory `<name>_agent(hop: Hop) -> AgentT`, listed in `FACTORIES`; `Hop`
carries what they share (app, topics, metrics, chain, the dead-letter and publish helpers). Adding an agent
is one factory and one entry in `FACTORIES` (and its topic in `agents.topics.TOPICS`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

import faust
from faust.types import TP

from agents.app import Topics, Wiring
from agents.faust_ext.batches import as_current, taken_before_rebalance
from agents.faust_ext.offsets import OffsetGuard, committed_offsets
from agents.faust_ext.transactions import CommitGate, from_source
from agents.metrics import Series, StageMetrics
from agents.outputs import Halt, Outputs, Sent
from agents.replay import REPLAY_HEADER
from agents.routes import route_topics
from agents.settings import Settings
from agents.topics import encode, key_of
from pipeline.chain import Chain, Outcome, Prepared
from pipeline.dedup import DedupStore
from pipeline.embargo import to_hold
from pipeline.ninjs_out import to_ninjs
from pipeline.nlp import ModelRegistry
from pipeline.records import DeadLetter, Enriched
from pipeline.routes import Match, Router, alert_of

log = logging.getLogger(__name__)
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
        """The value under `key`, read from the table's store in one lookup. `table.get` costs about
        three times as much (it asks the store whether the key is there, then reads it, and reports the
        read to Faust's sensors), and dedup reads two to four keys a story: 7% of the dedup hop's CPU."""
        try:
            return self.table.data[key]
        except KeyError:
            return None

    def set(self, key: str, value: Any) -> None:
        self.table[key] = value

    def delete(self, key: str) -> None:
        if key in self.table:
            del self.table[key]

    def items(self) -> Iterable[tuple[str, Any]]:
        return self.table.items()


@dataclass(slots=True)
class Hop:
    """What every stage agent shares: the app and its topics, metrics, commit gate and chain, plus the
    helpers that send a dead letter or an outcome and count it.

    Every send goes through `outputs` (agents.outputs): records within the size limit, dead letters
    compact when they must be, and an agent acks its input only once `outputs.settle` says its outputs
    are in; when it says no, the worker is stopping (`halt`) and the agent returns without acking.
    """

    app: faust.App
    topics: Topics
    metrics: StageMetrics
    gate: CommitGate
    chain: Chain
    settings: Settings
    guards: dict[str, OffsetGuard] = field(default_factory=dict)  # per agent, the guard of its current run
    router: Router | None = None  # the desk routes (WIRESTREAM_ROUTES), for the route agent
    targets: dict[str, faust.TopicT] = field(default_factory=dict)  # route topic name -> its topic
    halt: Halt = field(default_factory=Halt)
    series: Series = field(default_factory=Series)  # the metrics' labelled children, looked up once
    outputs: Outputs = field(init=False)

    def __post_init__(self) -> None:
        def counted(letter: DeadLetter) -> None:
            self.metrics.dead_letters.labels(letter.error, letter.stage).inc()

        self.outputs = Outputs(
            self.topics.deadletter, limit=self.settings.record_limit, halt=self.halt, counted=counted
        )

    def name(self, agent: str) -> str:
        return f"{self.settings.app_id}.{agent}"

    def guard(self, agent: str) -> OffsetGuard:
        """A fresh guard for a new run of `agent` (Faust restarts an agent's body after a rebalance)."""
        guard = self.guards[agent] = OffsetGuard(lambda: committed_offsets(self.app.consumer))
        return guard

    async def dead(self, letter: DeadLetter, hop: str) -> Sent:
        self.metrics.failures.labels(hop).inc()
        return await self.outputs.letter(letter)

    async def publish(self, outcome: Outcome, prepared: Prepared, stage: str) -> list[Sent]:
        """An outcome to its output topic (enriched or duplicates; an enriched record also as IPTC ninjs to
        the ninjs topic), a dead letter to the dead-letter topic; `prepared` is the story it was made from
        (where its raw message was read, when it was received)."""
        if isinstance(outcome, DeadLetter):
            return [await self.dead(outcome, stage)]
        duplicate = outcome.dedup.status == "duplicate"
        record = outcome.to_json()
        until = to_hold(record, "hold", time.time()) if self.settings.embargo == "hold" else None
        if until is not None:  # kept until its time by the embargo agent (agents/embargo.py)
            short = "duplicates" if duplicate else "enriched"
            note = {"hold": {"until": until, "target": short, "record": record}}
            held = await self.outputs.record(
                self.topics.stage_embargo,
                key_of(outcome.story.id),
                encode(note),
                story_id=outcome.story.id,
                origin=prepared.origin,
                stage=stage,
                what="the record held for its embargo",
            )
            return [held]
        sent = await self.emit(record, duplicate=duplicate, origin=prepared.origin, stage=stage)
        if prepared.received is not None and not sent[0].letter:
            latency = max(0.0, time.time() - prepared.received)
            self.metrics.end_to_end.labels(sent[0].topic).observe(latency)
        return sent

    async def emit(
        self, record: dict[str, Any], *, duplicate: bool, origin: dict[str, Any], stage: str
    ) -> list[Sent]:
        """A finished record to its output topic (enriched or duplicates; an enriched record also as IPTC
        ninjs to the ninjs topic): at once, or when the embargo agent releases it."""
        target = self.topics.duplicates if duplicate else self.topics.enriched
        story_id = str(record["id"])
        key = key_of(story_id)
        sent = [
            await self.outputs.record(
                target,
                key,
                encode(record),
                story_id=story_id,
                origin=origin,
                stage=stage,
                what="the enriched record",
            )
        ]
        if target is self.topics.enriched and not sent[0].letter:  # what a CMS ingests, in IPTC ninjs
            ninjs = encode(to_ninjs(record, self.settings.ninjs_version))
            if len(ninjs) + len(key or b"") > self.outputs.limit:
                # the story's one trace is its enriched record (sent): no second trace, a dead letter, for
                # its ninjs, which can be a few percent larger (quotes as escaped JSON in a description)
                log.warning("ninjs of %s is over the record limit (%d bytes): not sent", story_id, len(ninjs))
                return sent
            sent.append(
                await self.outputs.record(
                    self.topics.ninjs,
                    key,
                    ninjs,
                    story_id=story_id,
                    origin=origin,
                    stage=stage,
                    what="the record's ninjs",
                )
            )
        return sent

    async def hand_over(self, target: faust.TopicT, prepared: Prepared, stage: str) -> Sent:
        return await self.outputs.record(
            target,
            key_of(prepared.story.id),
            encode(prepared.to_json()),
            story_id=prepared.story.id,
            origin=prepared.origin,
            stage=stage,
            what="the hand-over",
        )

    def observe(self, stage: str, started: float) -> None:
        self.series(self.metrics.stories, stage).inc()
        self.series(self.metrics.latency, stage).observe(time.perf_counter() - started)

    def record_model_loads(self) -> None:
        for lang, model in self.chain.models.loaded().items():
            self.metrics.model_load.labels(lang, model.name).set(model.load_seconds)


async def handled_already(
    stream: faust.StreamT, event: faust.EventT, guard: OffsetGuard, agent: str = ""
) -> bool:
    """The preamble of every event: a message this process handled already is acked and skipped (True)."""
    msg = event.message
    if not guard.seen(msg.topic, msg.partition, msg.offset):
        return False
    if agent:
        log.info("%s: skipping %s[%d]@%d, handled already", agent, msg.topic, msg.partition, msg.offset)
    await stream.ack(event)
    return True


def where(event: faust.EventT) -> dict[str, Any]:
    """Where an event's message was read: what a dead letter names."""
    msg = event.message
    return {"topic": msg.topic, "partition": msg.partition, "offset": msg.offset}


def replay_error(headers: Any) -> str:
    """The error code `wirestream replay` put in the message's headers (a list of pairs or a mapping)."""
    pairs = headers.items() if isinstance(headers, dict) else (headers or ())
    for name, value in pairs:
        if name == REPLAY_HEADER:
            return bytes(value or b"").decode("utf-8", "replace") or "replayed"
    return ""


def prepare_agent(hop: Hop) -> faust.types.AgentT:
    """wire.raw -> parse, clean, language -> wire.stage.dedup (or a dead letter)."""

    @hop.app.agent(hop.topics.raw, name=hop.name("prepare"))
    async def prepare(stream: faust.StreamT) -> None:
        guard = hop.guard("prepare")
        async for event in stream.events():
            if await handled_already(stream, event, guard, "prepare"):
                continue
            started = time.perf_counter()
            raw = event.value if event.value is not None else b""
            # our JSON story, or an agency document: one outcome per story it holds
            results = hop.chain.front_many(raw, **where(event))
            async with hop.gate.handling():  # outputs and offset in one transaction (exactly_once)
                sent: list[Sent] = []
                for result in results:
                    if isinstance(result, DeadLetter):
                        sent.append(await hop.dead(result, "prepare"))
                        continue
                    result.received = event.message.timestamp
                    if replayed := replay_error(event.message.headers):
                        result.origin["replay"] = replayed  # dedup runs it again (see Chain.deduplicate)
                    hop.metrics.languages.labels(result.language.code).inc()
                    hop.metrics.documents.labels(result.story.format or "json").inc()
                    hop.observe("prepare", started)
                    sent.append(await hop.hand_over(hop.topics.stage_dedup, result, "prepare"))
                if not await hop.outputs.settle(sent):
                    return  # the worker stops; this message is not acked, so not committed
                # done: a graceful stop commits it (Faust would wait for the next event)
                await stream.ack(event)

    return prepare


def dedup_agent(hop: Hop) -> faust.types.AgentT:
    """wire.stage.dedup -> dedup against the table -> wire.stage.annotate, or a duplicate's record straight
    to wire.duplicates; sweeps state past the horizon now and then.

    Hand-overs come in batches (`take_events`: up to DEDUP_BATCH, or what arrived within DEDUP_WITHIN), and
    their outputs go out as a batch: all sent, then their deliveries awaited together (`settle`), then the
    inputs acked in order. The single-partition hop so pays Faust's per-message waits once per batch (the
    commit gate, the next fetch, the broker's answer). It is CPU bound on one core: draining 8,000
    hand-overs (`python -m deploy.bench.dedup_hop`) it does 950-1,050 stories per worker CPU-second, and
    about as many stories/s when it has the core to itself (676-956/s on the shared 2-core machine at load
    2-3.5), since sends stopped yielding to the event loop three times each (agents.faust_ext.producer)
    and producer batches grew to 256 KiB (agents.app); 627-833 per CPU-second and 470-708/s before. About
    half of that CPU is the dedup itself with its table read and write; see docs/dedup.md for the rest."""

    @hop.app.agent(hop.topics.stage_dedup, name=hop.name("dedup"))
    async def dedup(stream: faust.StreamT) -> None:
        last_sweep = time.time()
        guard = hop.guard("dedup")
        batches = stream.take_events(DEDUP_BATCH, within=DEDUP_WITHIN)  # type: ignore[attr-defined]
        async for events in batches:
            # one pass of the gate per batch: its table writes (changelog), outputs and offsets go in one
            # transaction (exactly_once); take_events' own ack after this body finds them acked already
            async with hop.gate.handling():
                sent: list[Sent] = []
                handled: list[faust.EventT] = []
                for event in events:
                    if taken_before_rebalance(hop.app, event):
                        break  # this and the rest come again after the seek to the committed offsets
                    if await handled_already(stream, event, guard, "dedup"):
                        continue
                    sent += await _dedup_one(hop, event)
                    handled.append(event)
                if not await hop.outputs.settle(sent):
                    return  # the worker stops; these messages are not acked, so not committed
                for event in handled:
                    await stream.ack(event)
            if time.time() - last_sweep > EXPIRE_EVERY:
                last_sweep = time.time()
                expired = hop.chain.deduplicator.expire(now=last_sweep, limit=EXPIRE_BATCH)
                if expired:
                    log.info("dedup: expired %d entries past the horizon", expired)

    return dedup


async def _dedup_one(hop: Hop, event: faust.EventT) -> list[Sent]:
    """Dedup one hand-over of a batch and send its outputs (not yet settled, nor acked)."""
    started = time.perf_counter()
    prepared = _handover(event.value, **where(event))
    # the table write (its changelog) and the outputs join the transaction of the event's partition
    with as_current(event), from_source(event.message.tp):
        result = prepared if isinstance(prepared, DeadLetter) else hop.chain.dedup_or_dead(prepared)
        return await _dedup_outcome(hop, result, started)


async def _dedup_outcome(hop: Hop, result: Prepared | DeadLetter, started: float) -> list[Sent]:
    if isinstance(result, DeadLetter):
        return [await hop.dead(result, "dedup")]
    assert result.dedup is not None
    hop.series(hop.metrics.dedup, result.dedup.status).inc()
    hop.observe("dedup", started)
    if result.story.canceled:  # a kill: its record goes out now, the id withdrawn (no model stages)
        hop.metrics.kills.labels(result.story.format or "json").inc()
    if not hop.chain.needs_models(result):  # a duplicate or a kill
        return await hop.publish(hop.chain.skipped(result), result, "dedup")
    return [await hop.hand_over(hop.topics.stage_annotate, result, "dedup")]


@dataclass(slots=True)
class Batch:
    """One `take_events` batch of the annotate agent: the stories to annotate, the partition each came
    from (its transaction), and the hand-overs that were dead letters already."""

    events: Sequence[faust.EventT]
    stories: list[Prepared] = field(default_factory=list)
    sources: list[TP] = field(default_factory=list)
    letters: list[tuple[TP, DeadLetter]] = field(default_factory=list)


def _collect(events: Sequence[faust.EventT], guard: OffsetGuard) -> Batch:
    batch = Batch(events)
    for event in events:
        msg = event.message
        # take_events acks each event when the agent's body returns; one more reference keeps its offset
        # uncommitted until `_finish` has published the batch's outcomes. A message handled already
        # (delivered again after a seek) waits too: its first handling may still be in a batch before
        # this one, and `_finish` runs in order
        msg.incref()
        if guard.seen(msg.topic, msg.partition, msg.offset):
            continue
        prepared = _handover(event.value, msg.topic, msg.partition, msg.offset)
        if isinstance(prepared, DeadLetter):
            batch.letters.append((msg.tp, prepared))
        else:
            batch.stories.append(prepared)
            batch.sources.append(msg.tp)
    return batch


def annotate_agent(hop: Hop) -> faust.types.AgentT:
    """wire.stage.annotate -> entities, quotes (batched through `nlp.pipe` in a thread) -> wire.enriched."""
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nlp")

    def timed_annotate(stories: list[Prepared]) -> tuple[list[Outcome], float]:
        started = time.perf_counter()
        return hop.chain.annotate(stories), time.perf_counter() - started

    @hop.app.agent(hop.topics.stage_annotate, name=hop.name("annotate"))
    async def annotate(stream: faust.StreamT) -> None:
        guard = hop.guard("annotate")
        loop = asyncio.get_running_loop()
        previous: asyncio.Task[None] | None = None
        settings = hop.settings
        batches = stream.take_events(settings.batch_size, within=settings.batch_within)  # type: ignore[attr-defined]
        async for events in batches:
            if hop.halt.reason is not None:
                break  # the worker stops: these messages stay unacked (and uncommitted)
            batch = _collect(events, guard)
            # spaCy runs in a thread, so the event loop keeps heartbeats and commits going;
            # submitted now, it queues behind the batch still in the thread, which never idles
            work = loop.run_in_executor(executor, timed_annotate, batch.stories) if batch.stories else None
            if previous is not None:
                await previous  # publishes in order; at most two batches in flight
            previous = asyncio.ensure_future(_finish(hop, stream, batch, work))
            previous.add_done_callback(_report_failure)
        if previous is not None:  # the stream ended (the worker stops): publish what is done
            await previous

    return annotate


async def _finish(
    hop: Hop,
    stream: faust.StreamT,
    batch: Batch,
    work: asyncio.Future[tuple[list[Outcome], float]] | None,
) -> None:
    """Publish a batch's outcomes once its spaCy work is done, then release its offsets; each outcome
    joins the transaction of the partition its story came from (exactly_once)."""
    outcomes, elapsed = await work if work is not None else ([], 0.0)
    hop.record_model_loads()
    if hop.halt.reason is not None:
        return  # the worker stops: a batch after the failure is not published, nor acked
    async with hop.gate.handling():
        sent: list[Sent] = []
        for source, letter in batch.letters:
            with from_source(source):
                sent.append(await hop.dead(letter, "annotate"))
        for prepared, source, outcome in zip(batch.stories, batch.sources, outcomes, strict=True):
            if isinstance(outcome, Enriched):
                hop.metrics.stories.labels("annotate").inc()
                hop.metrics.latency.labels("annotate").observe(elapsed / len(batch.stories))
            with from_source(source):
                sent.extend(await hop.publish(outcome, prepared, "annotate"))
        if not await hop.outputs.settle(sent):
            return  # the worker stops; the batch is not acked, so not committed
        for event in batch.events:
            await stream.ack(event)


def route_agent(hop: Hop) -> faust.types.AgentT:
    """wire.enriched + wire.duplicates -> every matching route's topic (the record's bytes as received, same
    key) and, for routes marked `alert`, a compact alert to wire.alerts; one transaction per record."""
    router = hop.router
    if router is None:
        raise ValueError("the route stage needs a rules file (WIRESTREAM_ROUTES)")
    names = hop.topics.names
    records = hop.topics.enriched.derive(  # one agent over both: each record is routed once
        topics=[names.enriched, names.duplicates],
        key_type=bytes,
        value_type=bytes,
        key_serializer="raw",
        value_serializer="raw",
    )

    @hop.app.agent(records, name=hop.name("route"))
    async def route(stream: faust.StreamT) -> None:
        guard = hop.guard("route")
        async for event in stream.events():
            if await handled_already(stream, event, guard, "route"):
                continue
            started = time.perf_counter()
            async with hop.gate.handling():  # the copies, the alerts and the offset in one transaction
                sent, matches = await _route_one(hop, router, event)
                if not await hop.outputs.settle(sent):
                    return  # the worker stops; this message is not acked, so not committed
                if matches is not None:
                    hop.observe("route", started)
                    for match in matches:  # counted once the broker has them
                        hop.metrics.route_matches.labels(match.route.name).inc()
                        if match.route.alert:
                            hop.metrics.alerts.labels(match.route.name).inc()
                await stream.ack(event)

    return route


async def _route_one(hop: Hop, router: Router, event: faust.EventT) -> tuple[list[Sent], list[Match] | None]:
    """Send one record to its routes' topics and return its matches; a record that is no JSON object, or
    that the filters cannot read, is a dead letter (matches None)."""
    value = event.value if event.value is not None else b""
    try:
        record = json.loads(value)
    except (ValueError, RecursionError) as exc:
        record, problem = None, f"{type(exc).__name__}: {exc}"
    else:
        problem = f"a JSON {type(record).__name__}, not a record"
    if not isinstance(record, dict):
        letter = DeadLetter.of("invalid_record", problem, "route", value, **where(event))
        return [await hop.dead(letter, "route")], None
    story_id = record.get("id") if isinstance(record.get("id"), str) else None
    try:
        matches = router.route(record)
    except Exception as exc:  # a record of an odd shape must not stop the stage: it is kept, with why
        log.exception("route: record %r could not be routed", story_id)
        letter = DeadLetter.of(
            "route_failed", f"{type(exc).__name__}: {exc}", "route", value, story_id=story_id, **where(event)
        )
        return [await hop.dead(letter, "route")], None
    key = event.key if event.key is not None else key_of(story_id)
    about: dict[str, Any] = {"story_id": story_id, "origin": where(event), "stage": "route"}
    sent: list[Sent] = []
    for match in matches:
        name = match.route.name
        target = hop.targets[match.route.topic]
        sent.append(
            await hop.outputs.record(target, key, value, what=f"the record for route {name!r}", **about)
        )
        if match.route.alert:
            alert = encode(alert_of(record, match))
            what = f"the alert of route {name!r}"
            sent.append(await hop.outputs.record(hop.topics.alerts, key, alert, what=what, **about))
    return sent, matches


def lag_timer(hop: Hop) -> Callable[[], Any]:
    """Every LAG_EVERY seconds, per assigned partition of the agents' topics: end offset (asked of the
    broker, so input growth shows even when this worker fetches nothing) and lag = end - committed."""
    app, metrics, topics = hop.app, hop.metrics, hop.topics
    inputs = (topics.raw, topics.stage_dedup, topics.stage_annotate, topics.enriched, topics.duplicates)
    read = {t.get_topic_name() for t in inputs}  # only the assigned ones are read: the route stage's too
    reported: set[tuple[str, str]] = set()

    @app.timer(LAG_EVERY)
    async def report_lag() -> None:
        consumer = app.consumer
        try:
            tps = [tp for tp in consumer.assignment() if tp.topic in read]  # not changelogs
            ends = await consumer.highwaters(*tps) if tps else {}
        except Exception as exc:  # starting, rebalancing, or a broker hiccup: try again next time
            log.debug("lag: end offsets unavailable: %r", exc)
            return
        committed = committed_offsets(consumer)
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

    return report_lag


# the stage agents in hop order; a new agent is one factory here
FACTORIES: dict[str, Callable[[Hop], faust.types.AgentT]] = {
    "prepare": prepare_agent,
    "dedup": dedup_agent,
    "annotate": annotate_agent,
    "route": route_agent,
}
STAGES = tuple(FACTORIES)


@dataclass(slots=True)
class Registered:
    """What `register` attached to the app: the chain the agents share, the agents by stage, the timer."""

    chain: Chain
    hop: Hop
    agents: dict[str, faust.types.AgentT]
    lag: Callable[[], Any]


def dedup_table(app: faust.App) -> faust.types.TableT:
    """The dedup state: one partition (the dedup hand-over has one), changelogged."""
    return app.Table("dedup", default=None, partitions=1, key_type=str, value_type=None)


def worker_chain(settings: Settings, table: faust.types.TableT, metrics: StageMetrics) -> Chain:
    """The chain a worker runs: dedup state in the table; lingua's screening models preloaded at start
    (0.3 s) rather than loaded while the first stories wait (`Chain.warm_up` adds lingua's high-accuracy
    models and the NER model of the expected language); NER backend retries, restarts and give-ups
    counted."""
    config = replace(settings.pipeline, language=replace(settings.pipeline.language, preload=True))

    def model_event(backend: str, lang: str, event: str) -> None:
        metrics.model_events.labels(backend, lang, event).inc()

    models = ModelRegistry(config.models, on_event=model_event)
    return Chain(config, store=TableStore(table), models=models)


def register(
    wiring: Wiring, settings: Settings, stages: Iterable[str] = STAGES, router: Router | None = None
) -> Registered:
    """Attach the selected stage agents (and the lag timer) to the app; return them with their chain.
    The route stage needs the `router` (`agents.routes.load_router`)."""
    selected = set(stages)
    unknown = selected - set(STAGES)
    if unknown:
        raise ValueError(f"unknown stages {sorted(unknown)}; choose from {STAGES}")
    if "route" in selected and router is None:
        raise ValueError("the route stage needs a rules file (WIRESTREAM_ROUTES)")
    table = dedup_table(wiring.app)
    chain = worker_chain(settings, table, wiring.metrics)
    table.on_recover(_reindex(chain))
    if "prepare" in selected or "annotate" in selected:
        started = time.perf_counter()
        chain.warm_up(("en",) if "annotate" in selected else ())
        log.info("models warmed up in %.1fs", time.perf_counter() - started)
    hop = Hop(wiring.app, wiring.topics, wiring.metrics, wiring.gate, chain, settings, router=router)
    if "route" in selected and router is not None:
        topics = route_topics(router, settings)
        hop.targets = {topic: wiring.declare(topic, partitions) for topic, partitions in topics.items()}
        wiring.metrics.prime_routes((route.name, route.alert) for route in router.routes)
    hop.record_model_loads()
    wiring.metrics.prime(selected)
    _forget_moved_partitions(hop)
    agents = {stage: factory(hop) for stage, factory in FACTORIES.items() if stage in selected}
    if settings.embargo == "hold":  # held records, released by time (agents/embargo.py)
        from agents.embargo import embargo_agent

        agents["embargo"] = embargo_agent(hop)
    return Registered(chain, hop, agents, lag_timer(hop))


def _reindex(chain: Chain) -> Callable[[], Any]:
    async def reindex() -> None:
        """After a restart or rebalance the table holds what the changelog says: the in-memory dedup
        lookups are rebuilt from it before the next story (the partitions resume after this), in steps
        that let the event loop keep heartbeats and commits going."""
        started, stories = time.perf_counter(), 0
        for done in chain.deduplicator.rebuilding():
            stories = done
            await asyncio.sleep(0)
        log.info("dedup: index rebuilt from %d stories in %.1fs", stories, time.perf_counter() - started)

    return reindex


def _forget_moved_partitions(hop: Hop) -> None:
    @hop.app.on_partitions_assigned.connect
    async def forget_moved_partitions(sender: Any, /, *args: Any, signal: Any, **kwargs: Any) -> None:
        (assigned,) = args  # the partitions this worker holds after the rebalance
        for guard in hop.guards.values():
            guard.keep_only(assigned)


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
