"""Restarts, crashes and rebalances against the real broker: nothing is lost, dedup state survives."""

from __future__ import annotations

import copy
import signal
import time
from collections import Counter
from typing import Any

import pytest

from pipeline.evaluation.storygen import stories
from tests.integration.conftest import consume, publish

pytestmark = pytest.mark.integration


def ids_out(got: dict[str, list[tuple[int, int, dict[str, Any]]]]) -> Counter[str]:
    out: Counter[str] = Counter()
    for topic in ("enriched", "duplicates"):
        for _, _, r in got[topic]:
            out[r["id"]] += 1
    for _, _, d in got["deadletter"]:
        out[d.get("id") or "?"] += 1
    return out


def test_dedup_state_survives_a_worker_restart(worker_factory: Any) -> None:
    prefix = worker_factory.prefix
    [original] = stories(1, seed=21, prefix=prefix)
    first = worker_factory().start()
    publish(prefix, [original])
    assert ids_out(consume(prefix, 1, timeout=120)) == Counter({original["id"]: 1})
    first.stop()

    redelivery = copy.deepcopy(original)
    redelivery["id"] = f"{prefix}-again"
    # a new data dir: the state must come back from the changelog topic, not from local files
    second = worker_factory().start()
    publish(prefix, [redelivery])
    got = consume(prefix, 2, timeout=120)
    second.stop()
    [dup] = [r for _, _, r in got["duplicates"] if r["id"] == redelivery["id"]]
    assert dup["dedup"]["of"] == original["id"]
    # a graceful stop commits what was processed: the first delivery is not processed again
    assert [r["id"] for _, _, r in got["enriched"]] == [original["id"]]
    assert len(got["duplicates"]) == 1


def _crash_run(worker_factory: Any, n: int, **env: str) -> tuple[Counter[str], list[str]]:
    prefix = worker_factory.prefix
    batch = stories(n, seed=33, words=80, prefix=prefix)
    first = worker_factory(**env).start()
    publish(prefix, batch)
    # wait until some, not all, have come out, then kill -9
    deadline = time.time() + 120
    while time.time() < deadline:
        done = sum(len(v) for v in consume(prefix, 10**9, timeout=2).values())
        if done >= n // 5:
            break
    first.stop(signal.SIGKILL)
    worker_factory(**env).start()
    got = consume(prefix, n, timeout=300, ids=[s["id"] for s in batch])
    counts = ids_out(got)
    return counts, [s["id"] for s in batch]


def test_kill_minus_nine_loses_nothing(worker_factory: Any) -> None:
    counts, ids = _crash_run(worker_factory, 300)
    missing = set(ids) - set(counts)
    assert not missing, f"{len(missing)} ids never came out"
    twice = sum(1 for i in ids if counts[i] > 1)
    print(f"\nat_least_once crash: {twice} of {len(ids)} ids emitted more than once")


def test_broker_restart_mid_stream_loses_nothing(worker_factory: Any, own_broker: Any) -> None:
    prefix = worker_factory.prefix
    batch = stories(150, seed=44, words=80, prefix=prefix)
    worker = worker_factory(WIRESTREAM_BROKER=own_broker.address).start()
    publish(prefix, batch[:75], broker=own_broker.address)
    consume(prefix, 20, timeout=120, broker=own_broker.address)
    own_broker.stop()
    time.sleep(5)
    own_broker.start()
    publish(prefix, batch[75:], broker=own_broker.address)
    got = consume(prefix, len(batch), timeout=300, broker=own_broker.address, ids=[s["id"] for s in batch])
    counts = ids_out(got)
    worker.stop()  # before the broker fixture stops its broker
    missing = {s["id"] for s in batch} - set(counts)
    assert not missing, f"{len(missing)} ids lost across the broker restart"


def test_rebalance_survivor_finishes_the_work(worker_factory: Any) -> None:
    prefix = worker_factory.prefix
    batch = stories(200, seed=55, words=80, prefix=prefix)
    first = worker_factory().start()
    second = worker_factory().start()
    publish(prefix, batch)
    consume(prefix, 30, timeout=120)
    first.stop(signal.SIGKILL)
    counts = ids_out(consume(prefix, len(batch), timeout=300, ids=[s["id"] for s in batch]))
    second.stop()
    missing = {s["id"] for s in batch} - set(counts)
    assert not missing, f"{len(missing)} ids lost when a worker died"
