"""The one place the Faust app is built."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import faust
from prometheus_client import CollectorRegistry

from agents.faust_ext.changelog import drain_changelog_on_stop
from agents.faust_ext.producer import skip_stampede_once_started
from agents.faust_ext.recovery import TableManager
from agents.faust_ext.transactions import CommitGate, install_at_least_once, install_exactly_once
from agents.kafka import COMPRESSION, max_message_bytes
from agents.metrics import StageMetrics, install_faust_sensor
from agents.preflight import ssl_context
from agents.settings import Security, Settings
from agents.topics import TOPICS, TopicNames


@dataclass(slots=True)
class Topics:
    """Faust topic objects, one per row of `agents.topics.TOPICS`; every value is raw bytes (plain JSON any
    client can read)."""

    names: TopicNames
    raw: faust.TopicT
    stage_dedup: faust.TopicT
    stage_annotate: faust.TopicT
    enriched: faust.TopicT
    duplicates: faust.TopicT
    deadletter: faust.TopicT
    alerts: faust.TopicT
    ninjs: faust.TopicT
    stage_embargo: faust.TopicT

    def all(self) -> list[faust.TopicT]:
        return [getattr(self, attr) for attr, _ in TOPICS]


@dataclass(slots=True)
class Wiring:
    app: faust.App
    topics: Topics
    registry: CollectorRegistry
    metrics: StageMetrics
    gate: CommitGate  # agents hold it while an event is half handled; exactly_once commits wait for it
    declare: Callable[[str, int], faust.TopicT]  # a topic like the ones above (the desk routes' topics)


def credentials(security: Security) -> Any:
    """Faust broker credentials from the security settings (None for PLAINTEXT)."""
    protocol = security.protocol
    if protocol == "PLAINTEXT":
        return None
    context = ssl_context(security)
    if protocol == "SSL":
        return faust.SSLCredentials(context)
    return faust.SASLCredentials(
        username=security.sasl_username,
        password=security.sasl_password,
        mechanism=security.sasl_mechanism or "PLAIN",
        ssl_context=context,
    )


# aiokafka asks for a partition's next records only once the last fetch's are consumed, and returns at
# most this many bytes of a partition per fetch: at Faust's 1 MiB that is ~170 six-KiB hand-overs, and
# the single-partition dedup agent spent most of a backlog's drain waiting for the next fetch (18.9 s of
# 26 s for 3,000 stories; 3.6 s with 8 MiB)
CONSUMER_MAX_FETCH_BYTES = 8 * 1024 * 1024
# aiokafka packs a partition's records into one batch up to this many bytes, and a send waits while its
# partition's batch is full and not yet taken by the sender (one request in flight per broker): at Faust's
# 16 KiB every enriched record (~24 KiB) was a batch of its own, and the dedup agent stopped for a broker
# round trip every three 5-KiB hand-overs (8,000 hand-overs, alternating runs: 778-901 stories per worker
# CPU-second, 985-1,050 with 256 KiB). Well under the broker's default 1 MiB `max.message.bytes` of Faust's
# changelog topics (a whole batch over it is refused), and never over our record limit; a larger record
# still goes in a batch of its own.
PRODUCER_MAX_BATCH_BYTES = 256 * 1024


def create_app(settings: Settings) -> Wiring:
    """A Faust app named after the topic prefix, with its topics, metrics registry and sensor."""
    (settings.data_dir / settings.app_id).mkdir(parents=True, exist_ok=True)
    app = faust.App(
        settings.app_id,
        broker=settings.broker_url,
        broker_credentials=credentials(settings.security),
        store="rocksdb://" if settings.table_store == "rocksdb" else "memory://",
        datadir=str(settings.data_dir / settings.app_id),
        processing_guarantee=settings.processing_guarantee,
        topic_partitions=settings.partitions,
        topic_replication_factor=settings.replication,
        topic_allow_declare=True,
        consumer_auto_offset_reset="earliest",
        producer_acks=-1,
        consumer_max_fetch_size=CONSUMER_MAX_FETCH_BYTES,
        producer_compression_type=COMPRESSION,
        producer_max_batch_size=min(PRODUCER_MAX_BATCH_BYTES, settings.record_limit),
        producer_max_request_size=settings.max_message_bytes,  # records are checked first (agents.outputs)
        web_enabled=True,
        web_bind=settings.web_host,
        web_host=settings.web_host,
        web_port=settings.web_port,
        autodiscover=False,
        stream_wait_empty=False,
        table_cleanup_interval=60.0,
        # a crashed worker's partitions move to the survivors after 10 s, not Faust's default 60 s
        broker_session_timeout=10.0,
        broker_heartbeat_interval=3.0,
        TableManager=TableManager,  # keeps the queues when a recovery ends (agents.faust_ext.recovery)
    )
    drain_changelog_on_stop(app)
    skip_stampede_once_started(app)  # three event-loop passes less per send and per table write
    # before any topic is declared: the transport is built on first use
    exactly_once = settings.processing_guarantee == "exactly_once"
    gate = install_exactly_once(app) if exactly_once else install_at_least_once(app)
    names = TopicNames(settings.topic_prefix)

    def topic(name: str, partitions: int) -> faust.TopicT:
        return app.topic(
            name,
            key_type=bytes,
            value_type=bytes,
            key_serializer="raw",
            value_serializer="raw",
            partitions=partitions,
            internal=True,  # Faust declares (creates) internal topics at start
            config={"max.message.bytes": str(max_message_bytes(settings, name))},
        )

    made = {attr: topic(getattr(names, attr), count or settings.partitions) for attr, count in TOPICS}
    topics = Topics(names, **made)
    registry = CollectorRegistry()
    install_faust_sensor(app, registry)  # Faust's own sensor, its millisecond histograms in seconds
    metrics = StageMetrics.create(registry)
    for target in (topics.enriched, topics.duplicates):  # from the start: rate() sees first outputs
        metrics.end_to_end.labels(target.get_topic_name())

    return Wiring(app, topics, registry, metrics, gate, declare=topic)
