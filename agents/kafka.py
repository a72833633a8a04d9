"""kafka-python helpers shared by the CLI commands: client security, producers, topic creation, keys.

The worker talks to Kafka through Faust (`agents.app`); publish, tail, replay and the demo use
kafka-python directly, configured here from the same `Settings`.
"""

from __future__ import annotations

import json
from typing import Any

from agents.settings import Settings
from agents.topics import TopicNames, key_of

# every producer compresses, Faust's too (agents.app): `zstandard` for kafka-python, `cramjam` for aiokafka
COMPRESSION = "zstd"


def kafka_security(settings: Settings) -> dict[str, Any]:
    """kafka-python keyword arguments for the configured security settings."""
    sec = settings.security
    kwargs: dict[str, Any] = {"security_protocol": sec.protocol}
    if sec.protocol.startswith("SASL"):
        kwargs.update(
            sasl_mechanism=sec.sasl_mechanism or "PLAIN",
            sasl_plain_username=sec.sasl_username,
            sasl_plain_password=sec.sasl_password,
        )
    if sec.protocol in ("SSL", "SASL_SSL"):
        kwargs.update(ssl_cafile=sec.ssl_cafile, ssl_certfile=sec.ssl_certfile, ssl_keyfile=sec.ssl_keyfile)
    return kwargs


def producer(settings: Settings, topic: str, **options: Any) -> Any:
    """A kafka-python producer for `topic`: zstd, acks from all replicas, and records up to that topic's
    `max.message.bytes` (pipeline.sizes), measured before compression as the producer does."""
    from kafka import KafkaProducer

    return KafkaProducer(
        bootstrap_servers=settings.bootstrap_servers,
        acks="all",
        compression_type=COMPRESSION,
        max_request_size=max_message_bytes(settings, topic),
        **options,
        **kafka_security(settings),
    )


def max_message_bytes(settings: Settings, topic: str) -> int:
    """The `max.message.bytes` wirestream gives `topic`: the raw topic takes whole stories of any size up
    to WIRESTREAM_MAX_RAW_BYTES (so an oversized one still becomes a dead letter), the others M."""
    raw = TopicNames(settings.topic_prefix).raw
    return settings.max_raw_bytes if topic == raw else settings.max_message_bytes


def story_key(line: bytes) -> bytes | None:
    """The message key of a raw story line: its `id` (None when the line is no JSON object with one)."""
    try:
        obj = json.loads(line)
    except (ValueError, RecursionError):
        return None
    sid = obj.get("id") if isinstance(obj, dict) else None
    return key_of(sid) if isinstance(sid, str) else None


def ensure_topics(settings: Settings, topics: dict[str, int]) -> None:
    """Create the topics ({name: partitions}) that do not exist yet (brokers may not auto-create)."""
    from kafka.admin import KafkaAdminClient, NewTopic
    from kafka.errors import TopicAlreadyExistsError

    admin = KafkaAdminClient(bootstrap_servers=settings.bootstrap_servers, **kafka_security(settings))
    try:
        existing = set(admin.list_topics())
        new = [
            NewTopic(
                name,
                num_partitions=n,
                replication_factor=settings.replication,
                topic_configs={"max.message.bytes": str(max_message_bytes(settings, name))},
            )
            for name, n in topics.items()
            if name not in existing
        ]
        if new:
            try:
                admin.create_topics(new)
            except TopicAlreadyExistsError:  # another worker or publisher was quicker
                pass
    finally:
        admin.close()


def all_topics(settings: Settings) -> dict[str, int]:
    """Every topic the worker reads or writes, with its partition count (`agents.topics.TOPICS`)."""
    return TopicNames(settings.topic_prefix).partitions(settings.partitions)
