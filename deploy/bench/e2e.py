"""End-to-end part: real `wirestream worker` processes and the local broker, with 1 then 2 workers.

For each worker count, on a fresh topic prefix (`bench-<time>-<n>w-max`) with 2+ partitions: workers
start as subprocesses (own web port and data dir under build/bench), we wait for their /metrics and
for every input partition to be assigned, push a few warm-up stories through, then publish the whole
corpus at once: maximum throughput = stories / (last output's Kafka timestamp - first publish).
Latency needs fresh dedup state for the same stories, so it runs on a second fresh prefix
(`...-lat`): the stories are published at a steady rate of half that maximum by a paced producer, and
latency = the output record's Kafka timestamp - the publish time we recorded, by id. Peak RSS is each
worker's VmHWM at the end of both phases. CPU time of the workers, the broker, this process and the
whole machine is read from /proc during the maximum run, to explain what the numbers are bound by.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deploy.bench.corpus import Corpus
from deploy.bench.report import latency_summary

EXE = Path(sys.executable).with_name("wirestream")
ROOT = Path(__file__).resolve().parents[2]
BROKER_PID = ROOT / "deploy" / "kafka" / "run" / "broker.pid"
CLK_TCK = os.sysconf("SC_CLK_TCK")
_LAG = re.compile(r"^wirestream_consumer_lag_messages\{(?P<labels>[^}]*)\}", re.M)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def partition_of(story_id: str, partitions: int) -> int:
    """The partition Kafka's default partitioner (murmur2 of the key, as kafka-python and aiokafka
    compute it) gives a story id."""
    from kafka.partitioner import murmur2

    return int((murmur2(story_id.encode("utf-8")) & 0x7FFFFFFF) % partitions)


def peak_rss_gb(pid: int) -> float:
    """VmHWM (peak resident set) of a live process, in GB (10^9 bytes)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024 / 1e9
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime (fields 14 and 15)


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, all cores."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    return (sum(values) - idle) / CLK_TCK, sum(values) / CLK_TCK


def broker_pid() -> int | None:
    try:
        pid = int(BROKER_PID.read_text().strip())
        return pid if Path(f"/proc/{pid}").exists() else None
    except (OSError, ValueError):
        return None


def assigned(metrics: str, prefix: str) -> dict[str, list[int]]:
    """Partitions per agent topic (`raw`, `stage.dedup`, `stage.annotate`) a worker reports lag for:
    the ones assigned to it."""
    out: dict[str, set[int]] = {}
    for m in _LAG.finditer(metrics):
        labels = dict(re.findall(r'(\w+)="([^"]*)"', m.group("labels")))
        topic, part = labels.get("topic", ""), labels.get("partition", "")
        if topic.startswith(f"{prefix}.") and part.isdigit():
            out.setdefault(topic[len(prefix) + 1 :], set()).add(int(part))
    return {t: sorted(ps) for t, ps in sorted(out.items())}


@dataclass
class Workers:
    """`n` worker subprocesses on one topic prefix; logs and data under `build`."""

    prefix: str
    n: int
    partitions: int
    build: Path
    broker: str
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    ports: list[int] = field(default_factory=list)
    assignment: list[dict[str, list[int]]] = field(default_factory=list)
    profile: str | bool = ""  # sample each worker's stacks in the timed run: "cpu" (or True), "gil"
    args: tuple[str, ...] = ()  # more `wirestream worker` options (`--stages dedup`)
    reads: str = "raw"  # the topic whose partitions must all be assigned before the workers count as ready
    spies: list[Any] = field(default_factory=list)  # py-spy recordings while sampling (deploy.bench.sampler)

    def start(self, timeout: float = 180.0, on_spawn: Callable[[list[int]], None] | None = None) -> float:
        """Start all, wait for /metrics and for every input partition to be assigned; seconds taken.
        `on_spawn` gets the process ids as soon as they exist."""
        started = time.perf_counter()
        for i in range(self.n):
            port = free_port()
            env = dict(
                os.environ,
                WIRESTREAM_BROKER=self.broker,
                WIRESTREAM_TOPIC_PREFIX=self.prefix,
                WIRESTREAM_PARTITIONS=str(self.partitions),
                WIRESTREAM_WEB_HOST="127.0.0.1",
                WIRESTREAM_WEB_PORT=str(port),
                WIRESTREAM_DATA_DIR=str(self.build / f"{self.prefix}-{i}"),
                WIRESTREAM_ROUTES="",  # enrichment against the offline chain; routing is timed offline
            )
            log = open(self.build / f"{self.prefix}-{i}.log", "wb")  # noqa: SIM115 - the child owns it
            cmd = [str(EXE), "worker", *self.args]
            if self.profile and not _py_spy():  # without py-spy, the in-process sampler
                report = self.build / f"{self.prefix}-{i}.profile.txt"
                cmd = [sys.executable, "-m", "deploy.bench.sampler", str(report), "worker", *self.args]
            self.procs.append(subprocess.Popen(cmd, env=env, stdout=log, stderr=log, cwd=ROOT))
            self.ports.append(port)
        if on_spawn is not None:
            on_spawn([p.pid for p in self.procs])
        deadline = time.time() + timeout
        partitions = 1 if self.reads == "stage.dedup" else self.partitions
        while True:
            for i, proc in enumerate(self.procs):
                if proc.poll() is not None:
                    raise RuntimeError(
                        f"worker {self.prefix}-{i} exited; see {self.build}/{self.prefix}-{i}.log"
                    )
            owned = self._owned()
            raw = [set(a.get(self.reads, [])) for a in owned or []]
            disjoint = sum(len(r) for r in raw) == len(set().union(*raw)) if raw else False
            if owned and disjoint and set().union(*raw) == set(range(partitions)):
                if all(raw) or self.n > partitions:
                    self.assignment = owned
                    return time.perf_counter() - started
            if time.time() > deadline:
                raise TimeoutError(f"workers {self.prefix} not ready (assigned {owned}); see {self.build}")
            time.sleep(1.0)

    def _owned(self) -> list[dict[str, list[int]]] | None:
        """Partitions each worker reports, or None while any /metrics does not answer yet."""
        out = []
        for port in self.ports:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=3) as resp:
                    out.append(assigned(resp.read().decode(), self.prefix))
            except OSError:
                return None
        return out

    def sampling(self, on: bool) -> None:
        """Turn the workers' stack sampling on or off (with --profile-worker): py-spy from outside when it
        is installed, else the in-process sampler the workers run under."""
        if not self.profile:
            return
        from deploy.bench.sampler import PySpy, switch_of

        if exe := _py_spy():
            if on:
                reports = [self.build / f"{self.prefix}-{i}.profile.txt" for i in range(self.n)]
                self.spies = [
                    PySpy(exe, p.pid, out, gil=self.profile == "gil")
                    for p, out in zip(self.procs, reports, strict=True)
                ]
                for spy in self.spies:
                    spy.start()
            else:
                for spy in self.spies:
                    spy.stop()
                self.spies = []
            return
        for i in range(self.n):
            switch = switch_of(self.build / f"{self.prefix}-{i}.profile.txt")
            if on:
                switch.touch()
            else:
                switch.unlink(missing_ok=True)

    def peak_rss_gb(self) -> list[float]:
        return [peak_rss_gb(p.pid) for p in self.procs]

    def cpu_seconds(self) -> list[float]:
        return [cpu_seconds(p.pid) for p in self.procs]

    def stop(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(timeout=60)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        for i in range(self.n):
            shutil.rmtree(self.build / f"{self.prefix}-{i}", ignore_errors=True)


def _py_spy() -> str | None:
    from deploy.bench.sampler import py_spy

    return py_spy()


HOPS = ("stage.dedup", "stage.annotate")  # internal hand-over topics, in order


class Outputs:
    """Reads the output topics of a prefix from the start; remembers each id's first output, and with
    `hops` also when each id reached the internal hand-over topics (to split latency per agent)."""

    def __init__(self, prefix: str, broker: str, *, hops: bool = False) -> None:
        from kafka import KafkaConsumer

        self.prefix = prefix
        topics = [f"{prefix}.{t}" for t in ("enriched", "duplicates", "deadletter")]
        self.consumer = KafkaConsumer(
            *topics,
            *([f"{prefix}.{t}" for t in HOPS] if hops else []),
            bootstrap_servers=[broker],
            auto_offset_reset="earliest",
            enable_auto_commit=False,
            consumer_timeout_ms=500,
        )
        self.seen: dict[str, tuple[float, str]] = {}  # id -> (Kafka timestamp s, output topic suffix)
        self.hops: dict[str, dict[str, float]] = {t: {} for t in HOPS}  # hop topic -> id -> timestamp

    def wait(self, ids: set[str], timeout: float) -> dict[str, tuple[float, str]]:
        """Consume until every id in `ids` came out or `timeout` passed; their (timestamp, topic)."""
        deadline = time.time() + timeout
        while not ids <= self.seen.keys() and time.time() < deadline:
            for msg in self.consumer:
                suffix = msg.topic[len(self.prefix) + 1 :]
                try:
                    value = json.loads(msg.value)
                    sid = str(value["story"]["id"] if suffix in self.hops else value.get("id"))
                except (ValueError, AttributeError, KeyError, TypeError):
                    continue
                if suffix in self.hops:
                    self.hops[suffix].setdefault(sid, msg.timestamp / 1000)
                    continue
                self.seen.setdefault(sid, (msg.timestamp / 1000, suffix))
                if ids <= self.seen.keys():
                    break
        return {i: self.seen[i] for i in ids if i in self.seen}

    def close(self) -> None:
        self.consumer.close()


def hop_latencies(
    sent_at: dict[str, float], hops: dict[str, dict[str, float]], got: dict[str, tuple[float, str]]
) -> dict[str, list[float]]:
    """Seconds spent per agent, for the stories seen on every hop: prepare (publish -> stage.dedup),
    dedup (-> stage.annotate), annotate (-> enriched; batching wait included)."""
    out: dict[str, list[float]] = {"prepare": [], "dedup": [], "annotate": []}
    for sid, sent in sent_at.items():
        a, b = hops["stage.dedup"].get(sid), hops["stage.annotate"].get(sid)
        if a is None or b is None or sid not in got or got[sid][1] != "enriched":
            continue
        out["prepare"].append(a - sent)
        out["dedup"].append(b - a)
        out["annotate"].append(got[sid][0] - b)
    return out


def _producer(broker: str) -> Any:
    from kafka import KafkaProducer

    return KafkaProducer(bootstrap_servers=[broker], acks=1, linger_ms=0)


def _warm_up(producer: Any, outputs: Outputs, prefix: str, warm: Corpus) -> None:
    """A few stories of another corpus through every stage, so first-call costs are not timed."""
    for sid, line in zip(warm.ids, warm.lines, strict=True):
        producer.send(f"{prefix}.raw", key=sid.encode(), value=line)
    producer.flush()
    got = outputs.wait(set(warm.ids), timeout=180)
    if len(got) < len(warm.ids):
        raise TimeoutError(f"{prefix}: warm-up stories did not all come out ({len(got)}/{len(warm.ids)})")


def _kinds(got: dict[str, tuple[float, str]]) -> dict[str, int]:
    kinds: dict[str, int] = {}
    for _, topic in got.values():
        kinds[topic] = kinds.get(topic, 0) + 1
    return kinds


def max_throughput(workers: Workers, corpus: Corpus, warm: Corpus, broker: str) -> dict[str, Any]:
    """Publish everything at once; stories / (last output timestamp - first publish)."""
    producer, outputs = _producer(broker), Outputs(workers.prefix, broker)
    try:
        _warm_up(producer, outputs, workers.prefix, warm)
        pids = [p.pid for p in workers.procs]
        bpid = broker_pid()
        cpu0 = ([cpu_seconds(p) for p in pids], cpu_seconds(bpid) if bpid else 0.0, time.process_time())
        busy0, total0 = machine_cpu()
        workers.sampling(True)
        first = time.time()
        for sid, line in zip(corpus.ids, corpus.lines, strict=True):
            producer.send(f"{workers.prefix}.raw", key=sid.encode(), value=line)
        producer.flush()
        got = outputs.wait(set(corpus.ids), timeout=max(300.0, 3.0 * len(corpus.ids)))
        workers.sampling(False)
        busy1, total1 = machine_cpu()
        cpu1 = ([cpu_seconds(p) for p in pids], cpu_seconds(bpid) if bpid else 0.0, time.process_time())
    finally:
        producer.close()
        outputs.close()
    last = max((ts for ts, _ in got.values()), default=first)
    seconds = last - first
    wall = seconds if seconds > 0 else float("nan")
    cores = os.cpu_count() or 1
    worker_cpu = [b - a for a, b in zip(cpu0[0], cpu1[0], strict=True)]
    return {
        "prefix": workers.prefix,
        "assignment": workers.assignment,
        "stories": len(corpus.ids),
        "received": len(got),
        "outputs": _kinds(got),
        "seconds": seconds,
        "stories_per_second": len(got) / wall,
        "stories_per_worker_cpu_second": len(got) / max(1e-9, sum(worker_cpu)),
        "cpu_cores_used": {
            "workers": [c / wall for c in worker_cpu],
            "broker": (cpu1[1] - cpu0[1]) / wall if bpid else None,
            "bench": (cpu1[2] - cpu0[2]) / wall,
            "machine": (busy1 - busy0) / max(1e-9, (total1 - total0)) * cores,
        },
    }


def half_load(
    workers: Workers, corpus: Corpus, warm: Corpus, broker: str, rate: float, stories: int
) -> dict[str, Any]:
    """Publish `stories` at a steady `rate`/s; per-story latency from our publish time to the output."""
    producer, outputs = _producer(broker), Outputs(workers.prefix, broker, hops=True)
    ids, lines = corpus.ids[:stories], corpus.lines[:stories]
    sent_at: dict[str, float] = {}
    try:
        _warm_up(producer, outputs, workers.prefix, warm)
        begin = time.time()
        for i, (sid, line) in enumerate(zip(ids, lines, strict=True)):
            wait = begin + i / rate - time.time()
            if wait > 0:
                time.sleep(wait)
            sent_at[sid] = time.time()
            producer.send(f"{workers.prefix}.raw", key=sid.encode(), value=line)
        producer.flush()
        ended = time.time()
        got = outputs.wait(set(ids), timeout=120.0)
    finally:
        producer.close()
        outputs.close()
    latencies = sorted(got[i][0] - sent_at[i] for i in ids if i in got)
    return {
        "prefix": workers.prefix,
        "offered_per_second": rate,
        "achieved_per_second": (len(ids) - 1) / (ended - begin) if len(ids) > 1 and ended > begin else rate,
        "stories": len(ids),
        "received": len(got),
        "outputs": _kinds(got),
        "latency_s": latency_summary(latencies),
        "hops_s": {hop: latency_summary(v) for hop, v in hop_latencies(sent_at, outputs.hops, got).items()},
        "latencies": [round(x, 4) for x in latencies],
    }


def delete_topics(prefixes: Sequence[str], broker: str) -> None:
    """Best effort: drop the topics a bench run created (its prefixes are unique to it)."""
    try:
        from kafka.admin import KafkaAdminClient

        admin = KafkaAdminClient(bootstrap_servers=[broker])
        try:
            mine = [
                t
                for t in admin.list_topics()
                if any(t.startswith(f"{p}.") or t.startswith(f"wirestream-{p}-") for p in prefixes)
            ]
            if mine:
                admin.delete_topics(mine)
        finally:
            admin.close()
    except Exception as exc:  # leftovers cost disk only; never fail the report for them
        print(f"bench: could not delete topics of {list(prefixes)}: {exc}", file=sys.stderr)


def run_config(
    corpus: Corpus,
    warm: Corpus,
    n_workers: int,
    *,
    partitions: int,
    half_load_stories: int,
    build: Path,
    broker: str,
    stamp: str,
    profile: str = "",
) -> dict[str, Any]:
    """Maximum throughput, then latency at half of it (fresh prefix), for `n_workers` workers."""
    build.mkdir(parents=True, exist_ok=True)
    prefixes = [f"bench-{stamp}-{n_workers}w-max", f"bench-{stamp}-{n_workers}w-lat"]
    rss: list[list[float]] = []
    startup: list[float] = []
    try:
        workers = Workers(prefixes[0], n_workers, partitions, build, broker, profile=profile)
        try:
            startup.append(workers.start())
            top = max_throughput(workers, corpus, warm, broker)
            rss.append(workers.peak_rss_gb())
        finally:
            workers.stop()
        rate = top["stories_per_second"] / 2
        workers = Workers(prefixes[1], n_workers, partitions, build, broker)
        try:
            startup.append(workers.start())
            lat = half_load(workers, corpus, warm, broker, rate, half_load_stories)
            rss.append(workers.peak_rss_gb())
        finally:
            workers.stop()
    finally:
        delete_topics(prefixes, broker)
    return {
        "workers": n_workers,
        "partitions": partitions,
        "startup_seconds": startup,
        "max": top,
        "half_load": lat,
        "peak_rss_gb": [max(per) for per in zip(*rss, strict=True)],
    }
