"""Re-publish dead letters to the input topic after a fix; a consumer group remembers what was sent."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from agents.kafka import kafka_security, producer, story_key
from agents.preflight import Needs, check
from agents.settings import Settings
from agents.topics import TopicNames

REPLAY_HEADER = "wirestream-replay"  # on messages `replay` publishes: the dead letter's error code


@dataclass(frozen=True, slots=True)
class Replayed:
    replayed: int
    skipped: int
    topic: str  # where they went (or would go)


def replay_payload(letter: dict[str, Any]) -> bytes:
    """The original raw message of a dead-letter record (utf-8 text or base64)."""
    raw = letter.get("raw", "")
    if letter.get("raw_encoding") == "base64":
        return base64.b64decode(raw)
    return str(raw).encode("utf-8", "surrogatepass")


def replayable(letter: Any, errors: Sequence[str] | None) -> bool:
    """Whether `replay` re-publishes a dead letter: one of the chosen error codes (any by default), a
    user's story (not an internal hand-over) and kept whole (a `raw_truncated` one would not be the input,
    a compact one, with no `raw`, holds none of it: its topic/partition/offset say where the input is)."""
    return (
        isinstance(letter, dict)
        and (not errors or letter.get("error") in errors)
        and letter.get("stage") != "handover"
        and "raw" in letter
        and not letter.get("raw_truncated")
    )


def replay(
    settings: Settings,
    *,
    errors: Sequence[str] | None = None,
    limit: int = 0,
    group: str | None = None,
    timeout: float = 5.0,
    dry_run: bool = False,
) -> Replayed:
    """Read the dead-letter topic (from what `group` has not replayed yet) until `timeout` idle seconds or
    `limit` replayed; re-publish the replayable ones to the input topic and commit, unless `dry_run`."""
    from kafka import KafkaConsumer

    names = TopicNames(settings.topic_prefix)
    group = group or f"wirestream-replay-{settings.topic_prefix}"
    check(settings, Needs(read=(names.deadletter,), write=() if dry_run else (names.raw,), group=group))
    consumer = KafkaConsumer(
        names.deadletter,
        bootstrap_servers=settings.bootstrap_servers,
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        consumer_timeout_ms=int(timeout * 1000),
        isolation_level="read_committed",  # never what an aborted exactly_once transaction wrote
        **kafka_security(settings),
    )
    out = None if dry_run else producer(settings, names.raw)
    replayed = skipped = 0
    try:
        for msg in consumer:
            try:
                letter = json.loads(msg.value)
            except ValueError:
                skipped += 1
                continue
            if not replayable(letter, errors):
                skipped += 1
                continue
            payload = replay_payload(letter)
            if out is not None:
                # the header tells dedup this is a replay: a story dead-lettered after dedup (a model that
                # was down: `model_unavailable`) is run again, not taken for a duplicate of itself
                marked = [(REPLAY_HEADER, str(letter.get("error", "")).encode("utf-8"))]
                out.send(names.raw, key=story_key(payload), value=payload, headers=marked)
            replayed += 1
            if limit and replayed >= limit:
                break
        if out is not None:
            out.flush(timeout=60)
            consumer.commit()
    finally:
        if out is not None:
            out.close(timeout=10)
        consumer.close()
    return Replayed(replayed, skipped, names.raw)
