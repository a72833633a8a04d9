"""End-to-end part of the benchmark: real workers and the local broker, 1 then 2 workers.

For each worker count: the maximum throughput (publish everything at once, time until every id came
out), then latency at a steady offered load of half that maximum (publish time recorded per id,
latency = arrival on an output topic minus publish), and each worker's peak RSS (VmHWM).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

BROKER = os.environ.get("WIRESTREAM_BROKER", "127.0.0.1:9092")
EXE = str(Path(sys.executable).with_name("wirestream"))


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_workers(prefix: str, n: int, build: Path) -> list[subprocess.Popen[bytes]]:
    procs = []
    for i in range(n):
        port = _port()
        env = dict(
            os.environ,
            WIRESTREAM_BROKER=BROKER,
            WIRESTREAM_TOPIC_PREFIX=prefix,
            WIRESTREAM_PARTITIONS="2",
            WIRESTREAM_WEB_PORT=str(port),
            WIRESTREAM_DATA_DIR=str(build / f"{prefix}-{i}"),
        )
        log = open(build / f"{prefix}-{i}.log", "wb")  # noqa: SIM115 - owned by the child
        proc = subprocess.Popen([EXE, "worker"], env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.time() + 120
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2).close()
                break
            except OSError:
                if time.time() > deadline or proc.poll() is not None:
                    raise RuntimeError(f"worker {i} did not start; see {log.name}") from None
                time.sleep(0.5)
        procs.append(proc)
    time.sleep(3 if n > 1 else 1)  # let the group settle its assignment
    return procs


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _consumer(prefix: str) -> Any:
    from kafka import KafkaConsumer

    return KafkaConsumer(
        f"{prefix}.enriched",
        f"{prefix}.duplicates",
        f"{prefix}.deadletter",
        bootstrap_servers=[BROKER],
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        consumer_timeout_ms=500,
    )


def _ids(msg: Any) -> str:
    record = json.loads(msg.value)
    return str(record.get("id"))


def run_config(lines: list[bytes], workers: int, half_load_stories: int, build: Path) -> dict[str, Any]:
    from kafka import KafkaProducer

    prefix = f"bench-{int(time.time())}-{workers}w"
    procs = start_workers(prefix, workers, build)
    producer = KafkaProducer(bootstrap_servers=[BROKER], acks="all", linger_ms=5)
    consumer = _consumer(prefix)
    try:
        ids = [json.loads(x)["id"] for x in lines]
        started = time.perf_counter()
        for line, sid in zip(lines, ids, strict=True):
            producer.send(f"{prefix}.raw", key=sid.encode(), value=line)
        producer.flush()
        seen: set[str] = set()
        deadline = time.time() + 900
        while len(seen) < len(set(ids)) and time.time() < deadline:
            for msg in consumer:
                seen.add(_ids(msg))
        elapsed = time.perf_counter() - started
        throughput = len(lines) / elapsed

        rate = throughput / 2
        steady = [json.loads(x) for x in lines[:half_load_stories]]
        sent_at: dict[str, float] = {}
        begin = time.time()
        for i, story in enumerate(steady):
            story["id"] = f"{story['id']}-steady"
            story["body"] = (
                f"Steady load story {i}. " + story["body"][::-1][:3000]
            )  # new text: not a duplicate
            wait = begin + i / rate - time.time()
            if wait > 0:
                time.sleep(wait)
            sent_at[story["id"]] = time.time()
            producer.send(f"{prefix}.raw", key=story["id"].encode(), value=json.dumps(story).encode())
            producer.flush()
        latencies: list[float] = []
        deadline = time.time() + 300
        while len(latencies) < len(steady) and time.time() < deadline:
            for msg in consumer:
                sid = _ids(msg)
                if sid in sent_at:
                    latencies.append(msg.timestamp / 1000 - sent_at.pop(sid))
        rss = [peak_rss_mb(p.pid) for p in procs]
    finally:
        producer.close()
        consumer.close()
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=60)
            except subprocess.TimeoutExpired:
                p.kill()
    latencies.sort()

    def pct(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] if latencies else float("nan")

    return {
        "workers": workers,
        "stories": len(lines),
        "stories_per_second": throughput,
        "offered_load_per_second": rate,
        "latency_seconds": {"p50": pct(0.50), "p95": pct(0.95), "p99": pct(0.99), "all": latencies},
        "peak_rss_mb": rss,
    }
