"""Raw stories (JSONL) to the input topic with kafka-python, key = story id; lines are sent as given."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from agents.kafka import ensure_topics, kafka_security, story_key
from agents.settings import Settings
from agents.topics import TopicNames

PROGRESS_MIN = 300  # files with more stories get a progress bar on an interactive terminal


def read_lines(path: str | Path) -> Iterator[bytes]:
    """Non-blank input lines as bytes (so invalid UTF-8 reaches the dead-letter path, not a crash);
    `-` is stdin."""
    stream: BinaryIO = sys.stdin.buffer if str(path) == "-" else open(path, "rb")  # noqa: SIM115
    try:
        for line in stream:
            line = line.rstrip(b"\r\n")
            if line.strip():
                yield line
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()


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


def publish(
    settings: Settings, source: str | Path, *, topic: str | None = None, progress: bool = False
) -> tuple[int, str]:
    """Send every non-blank line of `source` (a file, or `-` for stdin) to `topic` (default `<prefix>.raw`,
    a short name is resolved against the prefix); return (stories sent, topic)."""
    from kafka import KafkaProducer

    names = TopicNames(settings.topic_prefix)
    target = names.resolve(topic) if topic else names.raw
    # a file is counted first (a cheap pass) for the bar, and a missing one is reported before any
    # connection; stdin streams through uncounted
    total = None if str(source) == "-" else sum(1 for _ in read_lines(source))
    ensure_topics(settings, {target: settings.partitions})
    producer = KafkaProducer(
        bootstrap_servers=settings.bootstrap_servers, acks="all", linger_ms=5, **kafka_security(settings)
    )
    sent = 0
    wanted = total is not None and total > PROGRESS_MIN and sys.stderr.isatty()
    bar = Progress(total, enabled=progress or wanted)
    try:
        for line in read_lines(source):
            producer.send(target, key=story_key(line), value=line)
            sent += 1
            bar.update(sent)
        producer.flush(timeout=60)
        bar.done()
    finally:
        producer.close(timeout=10)
    return sent, target
