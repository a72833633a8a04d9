"""Raw stories (JSONL) to the input topic with kafka-python, key = story id; lines are sent as given."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from agents.kafka import ensure_topics, producer, story_key
from agents.preflight import Needs, check
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


@dataclass(slots=True)
class Published:
    """What `publish` did: stories the broker has, and the lines it could not take (one sentence each)."""

    sent: int
    topic: str
    refused: list[str] = field(default_factory=list)


def publish(
    settings: Settings, source: str | Path, *, topic: str | None = None, progress: bool = False
) -> Published:
    """Send every non-blank line of `source` (a file, or `-` for stdin) to `topic` (default `<prefix>.raw`,
    a short name is resolved against the prefix). A line over the topic's size limit, or one the broker
    refuses, is reported in `refused` and the others go on: a story is either on the topic or named there.
    """
    from kafka.errors import KafkaError, MessageSizeTooLargeError

    names = TopicNames(settings.topic_prefix)
    target = names.resolve(topic) if topic else names.raw
    # a file is counted first (a cheap pass) for the bar, and a missing one is reported before any
    # connection; stdin streams through uncounted
    total = None if str(source) == "-" else sum(1 for _ in read_lines(source))
    check(settings, Needs(write=(target,)))
    ensure_topics(settings, {target: settings.partitions})
    out = producer(settings, target, linger_ms=5)
    done = Published(0, target)
    wanted = total is not None and total > PROGRESS_MIN and sys.stderr.isatty()
    bar = Progress(total, enabled=progress or wanted)

    lost: list[str] = []  # deliveries the broker refused (errbacks run on the producer's own thread)

    def failed(number: int, key: bytes | None) -> Callable[[Exception], None]:
        return lambda exc: lost.append(f"{_story(number, key)}: {type(exc).__name__}: {exc}")

    try:
        for number, line in enumerate(read_lines(source), 1):
            key = story_key(line)
            try:
                future = out.send(target, key=key, value=line)
            except MessageSizeTooLargeError:
                done.refused.append(
                    f"{_story(number, key)} is {len(line)} bytes, over the {out.config['max_request_size']}"
                    f" that {target} takes (WIRESTREAM_MAX_RAW_BYTES): not published"
                )
                continue
            except KafkaError as exc:
                done.refused.append(f"{_story(number, key)}: {type(exc).__name__}: {exc}")
                continue
            future.add_errback(failed(number, key))
            done.sent += 1
            bar.update(done.sent)
        out.flush(timeout=60)
        bar.done()
    finally:
        out.close(timeout=10)
    done.sent -= len(lost)
    done.refused.extend(lost)
    return done


def _story(number: int, key: bytes | None) -> str:
    name = key.decode("utf-8", "replace") if key is not None else "(no id)"
    return f"story {name} (line {number})"
