"""kafka-python helpers shared by the CLI commands: client security, topic creation, message keys.

The worker talks to Kafka through Faust (`agents.app`); publish, tail, replay and the demo use
kafka-python directly, configured here from the same `Settings`.
"""

from __future__ import annotations

import json
from typing import Any

from agents.settings import Settings
from agents.topics import TopicNames, key_of


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
            NewTopic(name, num_partitions=n, replication_factor=settings.replication)
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
