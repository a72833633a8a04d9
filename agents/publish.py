"""Raw stories (JSONL) and agency documents to the input topic with kafka-python, as given.

A JSONL line is one message keyed by its story id; a document (NITF, NewsML, a feed, ...) is one message,
its bytes untouched, keyed by its first item's id so the versions and the kill of one story share a
partition (`pipeline.inputs` tells them apart by content; folders are read recursively).
"""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path

from agents.kafka import ensure_topics, kafka_security, story_key
from agents.settings import Settings
from agents.topics import TopicNames, key_of
from pipeline.formats import FormatError, read_document
from pipeline.inputs import files, messages

PROGRESS_MIN = 300  # files with more stories get a progress bar on an interactive terminal


class Progress:
    """A one-line progress bar on stderr (carriage return), redrawn at most every 1%; with no known total
    (stdin), a running count every 100 stories."""

    def __init__(self, total: int | None, *, enabled: bool, width: int = 40) -> None:
        self.total = max(1, total) if total is not None else None
        self.enabled, self.width = enabled, width
        self.shown = -1

    def line(self, n: int) -> str:
        if self.total is None:
            return f"\r{n} stories"
        filled = self.width * n // self.total
        return f"\r[{'#' * filled}{'.' * (self.width - filled)}] {n}/{self.total} {100 * n // self.total:3d}%"

    def update(self, n: int) -> None:
        step = n // 100 if self.total is None else 100 * n // self.total
        if self.enabled and step != self.shown:
            self.shown = step
            sys.stderr.write(self.line(n))
            sys.stderr.flush()

    def done(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")


def message_key(message: bytes) -> bytes | None:
    """A JSON story's id; a document's first item id (None when it cannot be read: its dead letter
    will say why)."""
    if message.lstrip()[:1] == b"{" and (key := story_key(message)) is not None:
        return key
    try:
        items = read_document(message)
    except (FormatError, ValueError):
        return None
    return key_of(items[0].id) if items else None


def _count(sources: list[str | Path]) -> int | None:
    """Messages in all sources (a cheap pass for the progress bar); None with stdin."""
    if any(str(s) == "-" for s in sources):
        return None
    for path in files(sources):
        if not path.is_file():
            raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), str(path))
    return sum(1 for _ in messages(sources))


def publish(
    settings: Settings,
    source: str | Path | list[str | Path],
    *,
    topic: str | None = None,
    progress: bool = False,
) -> tuple[int, str]:
    """Send every message of `source` (files, folders, or `-` for stdin: JSONL lines and documents) to
    `topic` (default `<prefix>.raw`, a short name is resolved against the prefix); return (sent, topic)."""
    sources = source if isinstance(source, list) else [source]
    from kafka import KafkaProducer
    from kafka.errors import MessageSizeTooLargeError

    names = TopicNames(settings.topic_prefix)
    target = names.resolve(topic) if topic else names.raw
    # a file is counted first (a cheap pass) for the bar, and a missing one is reported before any
    # connection; stdin streams through uncounted
    total = _count(sources)
    ensure_topics(settings, {target: settings.partitions})
    producer = KafkaProducer(
        bootstrap_servers=settings.bootstrap_servers, acks="all", linger_ms=5, **kafka_security(settings)
    )
    sent = 0
    wanted = total is not None and total > PROGRESS_MIN and sys.stderr.isatty()
    bar = Progress(total, enabled=progress or wanted)
    try:
        for message in messages(sources):
            try:
                producer.send(target, key=message_key(message), value=message)
            except MessageSizeTooLargeError as exc:  # a large document: the others still go
                print(f"wirestream publish: skipped {len(message)} bytes: {exc}", file=sys.stderr)
                continue
            sent += 1
            bar.update(sent)
        producer.flush(timeout=60)
        bar.done()
    finally:
        producer.close(timeout=10)
    return sent, target
