"""Time from `wirestream worker` start to its first output, on a fresh topic prefix.

The topics exist and one story already waits on `<prefix>.raw` when the worker process starts, as after a
deploy or a restart with a backlog: what is timed is the interpreter start, imports, model loading (all
of it happens before the worker joins its consumer group), joining the group and handling that story,
up to the Kafka timestamp of the output record. The worker's peak RSS at that point is reported too.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from agents.kafka import all_topics, ensure_topics
from agents.settings import Settings
from deploy.bench.corpus import Corpus
from deploy.bench.e2e import Outputs, Workers, _producer


def topics_for(prefix: str, partitions: int, broker: str) -> Settings:
    """Settings naming a prefix's topics, which are created now (as `wirestream worker` would)."""
    settings = replace(Settings.from_env(), topic_prefix=prefix, partitions=partitions, broker=broker)
    ensure_topics(settings, all_topics(settings))
    return settings


def first_output(story: Corpus, *, prefix: str, partitions: int, build: Path, broker: str) -> dict[str, Any]:
    """Publish `story` (one), start one worker, wait for its output; seconds from the process start."""
    build.mkdir(parents=True, exist_ok=True)
    topics_for(prefix, partitions, broker)
    producer = _producer(broker)
    try:
        for sid, line in zip(story.ids, story.lines, strict=True):
            producer.send(f"{prefix}.raw", key=sid.encode(), value=line)
        producer.flush()
    finally:
        producer.close()
    workers = Workers(prefix, 1, partitions, build, broker)
    outputs = Outputs(prefix, broker)
    try:
        started = time.time()
        ready = workers.start()
        got = outputs.wait(set(story.ids), timeout=180.0)
        rss = workers.peak_rss_gb()[0]
    finally:
        outputs.close()
        workers.stop()
    first = min((ts for ts, _ in got.values()), default=float("nan"))
    return {
        "stories": len(story.ids),
        "received": len(got),
        "ready_seconds": ready,
        "first_output_seconds": first - started,
        "peak_rss_gb": rss,
    }
