"""Raw stories (JSONL) and agency documents to the input topic with kafka-python, as given.

A JSONL line is one message keyed by its story id; a document (NITF, NewsML, a feed, ...) is one message,
its bytes untouched, keyed by its first item's id so the versions and the kill of one story share a
partition (`pipeline.inputs` tells them apart by content; folders are read recursively).
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from agents.kafka import ensure_topics, producer, story_key
from agents.preflight import Needs, check
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


@dataclass(slots=True)
class Published:
    """What `publish` did: stories the broker has, and the messages it could not take (one sentence each)."""

    sent: int
    topic: str
    refused: list[str] = field(default_factory=list)


def publish(
    settings: Settings,
    source: str | Path | list[str | Path],
    *,
    topic: str | None = None,
    progress: bool = False,
) -> Published:
    """Send every message of `source` (files, folders, or `-` for stdin: JSONL lines and documents) to
    `topic` (default `<prefix>.raw`, a short name is resolved against the prefix). A message over the
    topic's size limit, or one the broker refuses, is reported in `refused` and the others go on: a story
    is either on the topic or named there.
    """
    from kafka.errors import KafkaError, MessageSizeTooLargeError

    sources = source if isinstance(source, list) else [source]

    names = TopicNames(settings.topic_prefix)
    target = names.resolve(topic) if topic else names.raw
    # a file is counted first (a cheap pass) for the bar, and a missing one is reported before any
    # connection; stdin streams through uncounted
    total = _count(sources)
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
        for number, message in enumerate(messages(sources), 1):
            key = message_key(message)
            try:
                future = out.send(target, key=key, value=message)
            except MessageSizeTooLargeError:
                limit = out.config["max_request_size"]
                done.refused.append(
                    f"{_story(number, key)} is {len(message)} bytes, over the {limit}"
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
