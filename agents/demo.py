"""`wirestream demo`: the main job end to end on the bundled sample stories.

Starts a worker on a fresh topic prefix (so every run starts from empty dedup state), publishes the
samples with kafka-python, prints each outcome as it arrives, then a one-line summary, and stops the
worker. The broker must be running (`make demo` starts it).
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agents.kafka import kafka_security
from agents.publish import publish
from agents.settings import Settings, environment
from agents.topics import TopicNames

SAMPLES = Path(__file__).resolve().parent.parent / "deploy" / "samples" / "stories.jsonl"


@dataclass
class Collected:
    """What came out of the three output topics, per topic."""

    records: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def total(self) -> int:
        return sum(len(v) for v in self.records.values())


def start_worker(settings: Settings, env: dict[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = open(log_path, "wb")  # noqa: SIM115 - handed to the child process
    exe = Path(sys.executable).with_name("wirestream")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "agents.cli"]
    return subprocess.Popen([*cmd, "worker"], env=env, stdout=log, stderr=subprocess.STDOUT)


def wait_ready(settings: Settings, proc: subprocess.Popen[bytes], timeout: float = 120.0) -> None:
    """Wait until the worker's metrics page answers (its agents are then subscribed)."""
    url = f"http://{settings.web_host}:{settings.web_port}/metrics"
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the worker exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"the worker did not answer on {url} within {timeout:.0f} s")


def collect(settings: Settings, expected: int, timeout: float, echo: bool = True) -> Collected:
    """Consume the output topics until `expected` records arrived or `timeout` passed."""
    from kafka import KafkaConsumer

    names = TopicNames(settings.topic_prefix)
    topics = [names.enriched, names.duplicates, names.deadletter]
    consumer = KafkaConsumer(
        *topics,
        bootstrap_servers=settings.bootstrap_servers,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        consumer_timeout_ms=1000,
        isolation_level="read_committed",
        **kafka_security(settings),
    )
    got = Collected({t: [] for t in topics})
    deadline = time.time() + timeout
    try:
        while got.total() < expected and time.time() < deadline:
            for msg in consumer:
                record = json.loads(msg.value)
                got.records[msg.topic].append(record)
                if echo:
                    print(describe(msg.topic, record), flush=True)
                    print("    " + json.dumps(record, ensure_ascii=False), flush=True)
                if got.total() >= expected:
                    break
    finally:
        consumer.close()
    return got


def describe(topic: str, r: dict[str, Any]) -> str:
    """One readable block per outcome: the record itself is JSON, printed compactly."""
    if topic.endswith(".deadletter"):
        return f"[{topic}] {r.get('error')} at {r.get('stage')}: {r.get('detail')}"
    dedup = r.get("dedup", {})
    head = (
        f"[{topic}] {r['id']} v{r.get('version')} {r.get('language', {}).get('code')} "
        f"{dedup.get('status')}{' of ' + dedup['of'] if dedup.get('of') else ''}: {r.get('headline')}"
    )
    people = ", ".join(p["name"] for p in r.get("people", [])[:4])
    quotes = [
        f"    {q['kind']:8} {(q.get('speaker') or {}).get('canonical') or '?'}: {q['text'][:70]!r}"
        for q in r.get("quotes", [])[:3]
    ]
    lines = [head]
    if people:
        lines.append(f"    people: {people}")
    lines.extend(quotes)
    return "\n".join(lines)


def summary(got: Collected, expected: int, elapsed: float) -> str:
    statuses = Counter(
        r["dedup"]["status"]
        for topic, rs in got.records.items()
        if not topic.endswith(".deadletter")
        for r in rs
    )
    dead = sum(len(rs) for topic, rs in got.records.items() if topic.endswith(".deadletter"))
    parts = ", ".join(f"{n} {s}" for s, n in sorted(statuses.items()))
    return (
        f"demo: {expected} messages in -> {got.total()} out ({parts}; {dead} dead letter"
        f"{'s' if dead != 1 else ''}) in {elapsed:.1f} s"
    )


def run(base: Settings, samples: Path = SAMPLES, timeout: float = 180.0) -> int:
    """Run the demo with `base` settings on a fresh topic prefix (`WIRESTREAM_DEMO_PREFIX` to choose one)."""
    prefix = base.demo_prefix or f"demo-{int(time.time())}"
    settings = base.with_prefix(prefix)
    env = environment(WIRESTREAM_TOPIC_PREFIX=prefix, WIRESTREAM_DATA_DIR=str(Path("build") / "demo-data"))
    lines = [line for line in samples.read_bytes().splitlines() if line.strip()]
    started = time.perf_counter()
    print(f"demo: starting a worker on topic prefix {prefix!r} (broker {settings.broker})", flush=True)
    proc = start_worker(settings, env, Path("build") / "demo-worker.log")
    try:
        wait_ready(settings, proc)
        done = publish(settings, samples)
        print(f"published {done.sent} stories to {done.topic}", flush=True)
        got = collect(settings, len(lines), timeout)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
    print(summary(got, len(lines), time.perf_counter() - started), flush=True)
    return 0 if got.total() == len(lines) else 1
