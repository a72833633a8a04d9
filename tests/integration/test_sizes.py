"""Stories of every size through the real broker: each comes out once (a record, or a dead letter saying
why), the worker keeps going, and the story published after them comes out too (pipeline.sizes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from pipeline.evaluation.storygen import stories
from pipeline.sizes import DEFAULT_MAX_MESSAGE_BYTES, body_limit
from tests.integration.conftest import BROKER, consume

pytestmark = pytest.mark.integration
EXE = str(Path(sys.executable).with_name("wirestream"))
MB = 1_000_000


def story_of(size: int, sid: str) -> dict[str, Any]:
    """A story whose body is `size` bytes or a little more of varied prose (our own generator's)."""
    paragraphs: list[str] = []
    total = 0
    for s in stories(size // 700 + 10, seed=size % 9973, words=120, prefix=sid):
        paragraphs.append(s["body"])
        total += len(s["body"].encode()) + 2
        if total >= size:
            break
    return {"id": sid, "headline": f"A story of {size} bytes", "body": "\n\n".join(paragraphs)}


def publish_cli(prefix: str, batch: list[dict[str, Any]], **env: str) -> None:
    """Through `wirestream publish`, as a user would (its producer compresses and takes large stories)."""
    data = b"".join(json.dumps(s).encode() + b"\n" for s in batch)
    full = dict(os.environ, WIRESTREAM_BROKER=BROKER, WIRESTREAM_TOPIC_PREFIX=prefix, **env)
    done = subprocess.run(
        [EXE, "publish", "--quiet", "-"], input=data, env=full, capture_output=True, timeout=300
    )
    assert done.returncode == 0, done.stderr.decode()


def outcomes(got: dict[str, list[tuple[int, int, dict[str, Any]]]]) -> dict[str, tuple[str, str | None]]:
    """id -> (topic, error code for dead letters); every id must appear once."""
    seen: Counter[str] = Counter()
    out: dict[str, tuple[str, str | None]] = {}
    for topic, items in got.items():
        for _, _, r in items:
            seen[r["id"]] += 1
            out[r["id"]] = (topic, r.get("error"))
    assert all(n == 1 for n in seen.values()), {i: n for i, n in seen.items() if n > 1}
    return out


def test_every_size_comes_out_once_and_the_worker_goes_on(worker_factory: Any) -> None:
    prefix = worker_factory.prefix
    sizes = {"0.5": MB // 2, "0.9": 9 * MB // 10, "1.0": MB, "1.5": 3 * MB // 2, "5": 5 * MB, "20": 20 * MB}
    sizes["limit"] = body_limit(DEFAULT_MAX_MESSAGE_BYTES) - 30_000  # just under the body limit: passes too
    batch = [story_of(size, f"{prefix}-{name}mb") for name, size in sizes.items()]
    [after] = stories(1, seed=71, prefix=f"{prefix}-after")
    worker = worker_factory().start()
    started = time.perf_counter()
    publish_cli(prefix, [*batch, after])
    ids = [s["id"] for s in batch] + [after["id"]]
    got = consume(prefix, len(ids), timeout=600, ids=ids)
    elapsed = time.perf_counter() - started
    result = outcomes(got)
    assert set(result) == set(ids), f"missing: {set(ids) - set(result)}"
    limit = body_limit(DEFAULT_MAX_MESSAGE_BYTES)
    assert len(batch[-1]["body"].encode()) <= limit
    for story in batch:
        size = len(story["body"].encode())
        expected = ("enriched", None) if size <= limit else ("deadletter", "body_too_large")
        assert result[story["id"]] == expected, (size, result[story["id"]])
    assert result[after["id"]] == ("enriched", None)
    big = {r["id"]: r for _, _, r in got["deadletter"]}
    for name in ("5", "20"):
        letter = big[f"{prefix}-{name}mb"]
        assert letter["size"] > sizes[name] and letter["topic"] == f"{prefix}.raw" and letter["offset"] >= 0
        assert len(json.dumps(letter)) < 100_000  # 64 KiB of the input at most, never the 20 MB
    largest = max(len(r["body"].encode()) for _, _, r in got["enriched"])
    assert worker.proc is not None and worker.proc.poll() is None, "the worker died"
    print(f"\nsizes: all {len(ids)} out in {elapsed:.0f} s; largest body enriched {largest} bytes")


def test_a_record_too_large_for_its_topic_is_a_compact_dead_letter(worker_factory: Any) -> None:
    """Topics of 1 MiB with the body limit raised past what they can carry: the hand-over fits, the
    enriched record (body plus annotations) does not, and becomes a `too_large` dead letter that names
    the raw message; the worker goes on."""
    prefix = worker_factory.prefix
    env = {"WIRESTREAM_MAX_MESSAGE_BYTES": str(1024 * 1024), "WIRESTREAM_MAX_BODY_BYTES": str(MB)}
    big = story_of(MB * 9 // 10, f"{prefix}-big")
    [after] = stories(1, seed=72, prefix=f"{prefix}-after")
    worker_factory(**env).start()
    publish_cli(prefix, [big, after], **env)
    got = consume(prefix, 2, timeout=400, ids=[big["id"], after["id"]])
    result = outcomes(got)
    assert result == {big["id"]: ("deadletter", "too_large"), after["id"]: ("enriched", None)}
    [letter] = [r for _, _, r in got["deadletter"]]
    assert "raw" not in letter and letter["size"] > 1024 * 1024 - 1024
    assert letter["topic"] == f"{prefix}.raw" and letter["offset"] == 0 and letter["stage"] == "annotate"


def test_publish_names_a_story_too_large_for_the_raw_topic_and_sends_the_rest(broker: str) -> None:
    """A story over WIRESTREAM_MAX_RAW_BYTES never enters the pipeline: `publish` says which one, sends the
    others and exits 1."""
    prefix = f"it-size-{uuid.uuid4().hex[:8]}"
    env = {"WIRESTREAM_MAX_MESSAGE_BYTES": "131072", "WIRESTREAM_MAX_RAW_BYTES": "131072"}
    small = stories(2, seed=73, prefix=prefix)
    huge = story_of(200_000, f"{prefix}-huge")
    data = b"".join(json.dumps(s).encode() + b"\n" for s in [small[0], huge, small[1]])
    full = dict(os.environ, WIRESTREAM_BROKER=BROKER, WIRESTREAM_TOPIC_PREFIX=prefix, **env)
    done = subprocess.run([EXE, "publish", "-"], input=data, env=full, capture_output=True, timeout=300)
    err = done.stderr.decode()
    assert done.returncode == 1, err
    assert (
        f"story {prefix}-huge (line 2)" in err
        and "WIRESTREAM_MAX_RAW_BYTES" in err
        and "Traceback" not in err
    )
    assert done.stdout.decode().strip() == f"published 2 stories to {prefix}.raw"


def test_a_record_the_broker_refuses_as_too_large_is_a_dead_letter_too(worker_factory: Any) -> None:
    """`wire.enriched` made elsewhere with a smaller `max.message.bytes` than the worker was told: the
    producer lets the record through, the broker refuses its compressed batch, and the story still comes
    out, as a compact `too_large` dead letter; the worker goes on."""
    from kafka.admin import KafkaAdminClient, NewTopic

    prefix = worker_factory.prefix
    admin = KafkaAdminClient(bootstrap_servers=[BROKER])
    try:
        small = {"max.message.bytes": str(128 * 1024)}
        admin.create_topics([NewTopic(f"{prefix}.enriched", 2, 1, topic_configs=small)])
    finally:
        admin.close()
    big = story_of(MB * 9 // 10, f"{prefix}-big")  # a 3 MB record, some 440 KB compressed
    [after] = stories(1, seed=74, prefix=f"{prefix}-after")
    worker_factory().start()
    publish_cli(prefix, [big, after])
    got = consume(prefix, 2, timeout=400, ids=[big["id"], after["id"]])
    assert outcomes(got) == {big["id"]: ("deadletter", "too_large"), after["id"]: ("enriched", None)}
    [letter] = [r for _, _, r in got["deadletter"]]
    assert "raw" not in letter and letter["stage"] == "annotate" and letter["topic"] == f"{prefix}.raw"
    assert f"{prefix}.enriched" in letter["detail"] and "refused by the broker" in letter["detail"]
