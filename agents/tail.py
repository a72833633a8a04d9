"""Records of a topic as JSONL, one line per message, whatever the producer wrote."""

from __future__ import annotations

import json
import sys
from typing import IO

from agents.kafka import kafka_security
from agents.preflight import Needs, check
from agents.settings import Settings
from agents.topics import TopicNames, encode
from pipeline.records import not_json


def tail_line(value: bytes | None) -> bytes:
    """One message value as one line of UTF-8 JSON: a compact JSON value passes as it is; JSON spread
    over several lines or not in UTF-8 is re-encoded; a tombstone is `null`; anything else becomes a JSON
    string."""
    if value is None:
        return b"null\n"
    try:
        text = value.decode("utf-8")
        obj = json.loads(text, parse_constant=not_json)
    except (ValueError, RecursionError):
        try:
            obj = json.loads(value, parse_constant=not_json)  # UTF-16 / UTF-32 JSON (json detects them)
        except (ValueError, RecursionError):
            return encode(value.decode("utf-8", "replace")) + b"\n"
        return encode(obj) + b"\n"
    text = text.strip()
    if "\n" in text or "\r" in text:
        return encode(obj) + b"\n"
    return text.encode("utf-8") + b"\n"


def tail(
    settings: Settings,
    topic: str,
    out: IO[bytes],
    *,
    group: str | None = None,
    latest: bool = False,
    timeout: float = 0.0,
    limit: int = 0,
) -> int:
    """Write the records of `topic` (a short name is resolved against the prefix) to `out` until `limit`
    records, `timeout` idle seconds or Ctrl-C; return how many were written."""
    from kafka import KafkaConsumer

    name = TopicNames(settings.topic_prefix).resolve(topic)
    check(settings, Needs(read=(name,), group=group))
    consumer = KafkaConsumer(
        name,
        bootstrap_servers=settings.bootstrap_servers,
        group_id=group,
        auto_offset_reset="latest" if latest else "earliest",
        enable_auto_commit=group is not None,
        consumer_timeout_ms=int(timeout * 1000) if timeout else float("inf"),
        isolation_level="read_committed",
        **kafka_security(settings),
    )
    if name not in consumer.topics():
        print(f"wirestream tail: no topic {name} on the broker (yet): waiting for it", file=sys.stderr)
    seen = 0
    try:
        for msg in consumer:
            out.write(tail_line(msg.value))
            out.flush()
            seen += 1
            if limit and seen >= limit:
                break
    except KeyboardInterrupt:
        pass
    finally:
        consumer.close()
    return seen
