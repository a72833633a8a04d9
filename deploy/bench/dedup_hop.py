"""The dedup hop through the broker: a `--stages dedup` worker draining a backlog of hand-overs.

The stories are prepared here (parse, clean, language: `Chain.front`, untimed) and published to
`<prefix>.stage.dedup` before the worker starts, as the prepare agents would have left them; the worker
then reads, deduplicates and writes each one to `<prefix>.stage.annotate` (or `duplicates`, or the dead
letters). Rate = stories / (last output's Kafka timestamp - first output's), so start-up is not counted.

`make bench` runs it as one of its figures; on its own, with the worker's stacks sampled into
`build/bench/<prefix>-0.profile.txt` (deploy.bench.sampler), against the broker of WIRESTREAM_BROKER:

    .venv/bin/python -m deploy.bench.dedup_hop [--stories 4000] [--no-profile] [--guarantee exactly_once]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

from agents.topics import encode
from deploy.bench import corpus as corpora
from deploy.bench.corpus import Corpus
from deploy.bench.e2e import Workers, _producer, cpu_seconds, delete_topics
from deploy.bench.offline import fresh_chain
from deploy.bench.startup import topics_for
from pipeline.chain import Chain, Prepared

OUT = ("stage.annotate", "duplicates", "deadletter")


def handovers(corpus: Corpus, chain: Chain) -> list[tuple[str, bytes]]:
    """(id, hand-over message) per story, as the prepare agent sends them."""
    out = []
    for line in corpus.lines:
        front = chain.front(line)
        if isinstance(front, Prepared):
            out.append((front.story.id, encode(front.to_json())))
    return out


class CpuLog:
    """The CPU seconds a process has used, read every `every` seconds in a thread, so that the CPU spent
    between two moments known only afterwards (first and last output) can be told."""

    def __init__(self, every: float = 0.1) -> None:
        self.every = every
        self.samples: list[tuple[float, float]] = []  # (wall time, CPU seconds so far)
        self._stop = threading.Event()

    def follow(self, pid: int) -> None:
        threading.Thread(target=self._run, args=(pid,), daemon=True).start()

    def _run(self, pid: int) -> None:
        while not self._stop.wait(self.every):
            self.samples.append((time.time(), cpu_seconds(pid)))

    def stop(self) -> None:
        self._stop.set()

    def at(self, moment: float) -> float:
        """CPU seconds at the sample nearest `moment`."""
        if not self.samples:
            return float("nan")
        return min(self.samples, key=lambda s: abs(s[0] - moment))[1]

    def between(self, start: float, end: float) -> float:
        return self.at(end) - self.at(start)


def _id_of(topic: str, value: bytes) -> str | None:
    try:
        obj = json.loads(value)
        return str(obj["story"]["id"] if topic == "stage.annotate" else obj.get("id"))
    except (ValueError, KeyError, TypeError):
        return None


def drain(
    corpus: Corpus,
    chain: Chain,
    *,
    prefix: str,
    partitions: int,
    build: Path,
    broker: str,
    profile: bool = False,
) -> dict[str, Any]:
    """Publish the backlog, start one `--stages dedup` worker, time it through the whole backlog."""
    from kafka import KafkaConsumer

    messages = handovers(corpus, chain)
    build.mkdir(parents=True, exist_ok=True)
    topics_for(prefix, partitions, broker)
    producer = _producer(broker)
    try:
        for sid, value in messages:
            producer.send(f"{prefix}.stage.dedup", key=sid.encode(), value=value)
        producer.flush()
    finally:
        producer.close()
    ids = {sid for sid, _ in messages}
    consumer = KafkaConsumer(
        *[f"{prefix}.{t}" for t in OUT],
        bootstrap_servers=[broker],
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        consumer_timeout_ms=500,
    )
    workers = Workers(
        prefix, 1, partitions, build, broker, args=("--stages", "dedup"), reads="stage.dedup", profile=profile
    )
    workers.sampling(True)  # the worker drains the backlog as soon as it has joined: sample from the start
    seen: dict[str, tuple[float, str]] = {}
    usage = CpuLog()
    try:
        workers.start(on_spawn=lambda pids: usage.follow(pids[0]))
        deadline = time.time() + max(300.0, len(ids) / 20)
        while not ids <= seen.keys() and time.time() < deadline:
            for msg in consumer:
                topic = msg.topic[len(prefix) + 1 :]
                sid = _id_of(topic, msg.value)
                if sid is not None:
                    seen.setdefault(sid, (msg.timestamp / 1000, topic))
        rss = workers.peak_rss_gb()[0]
        usage.stop()
    finally:
        consumer.close()
        workers.stop()
    got = [seen[i] for i in ids if i in seen]
    stamps = sorted(ts for ts, _ in got)
    seconds = stamps[-1] - stamps[0] if len(stamps) > 1 else float("nan")
    cpu = usage.between(stamps[0], stamps[-1]) if len(stamps) > 1 else float("nan")
    kinds: dict[str, int] = {}
    for _, topic in got:
        kinds[topic] = kinds.get(topic, 0) + 1
    return {
        "stories": len(ids),
        "received": len(got),
        "outputs": kinds,
        "seconds": seconds,
        "stories_per_second": (len(got) - 1) / seconds if seconds > 0 else float("nan"),
        # per CPU-second of the worker from its first output to its last (other load does not count)
        "stories_per_cpu_second": len(got) / cpu if cpu > 0 else float("nan"),
        "peak_rss_gb": rss,
    }


def main(argv: list[str] | None = None) -> int:
    """Drain one backlog (seed 46, 10% French, 5% redeliveries: the bench's) and print the figures as JSON."""
    from agents.settings import Settings

    p = argparse.ArgumentParser(prog="python -m deploy.bench.dedup_hop", description=__doc__.split("\n")[0])
    p.add_argument("--stories", type=int, default=4000)
    p.add_argument("--no-profile", action="store_true", help="do not sample the worker's stacks")
    p.add_argument("--guarantee", choices=("at_least_once", "exactly_once"), default=None)
    p.add_argument("--build", type=Path, default=Path("build/bench"))
    args = p.parse_args(argv)
    if args.guarantee:  # the worker subprocess reads it (agents.settings)
        os.environ["WIRESTREAM_PROCESSING_GUARANTEE"] = args.guarantee
    settings = Settings.from_env()
    backlog = corpora.build(args.stories, 46, french_share=0.1, redelivery_share=0.05, id_prefix="hop")
    prefix = f"hop-{int(time.time())}"
    print(f"dedup hop: {args.stories} hand-overs, prefix {prefix} ...", file=sys.stderr)
    try:
        figures = drain(
            backlog,
            fresh_chain(settings.pipeline),
            prefix=prefix,
            partitions=settings.partitions,
            build=args.build,
            broker=settings.broker,
            profile=not args.no_profile,
        )
    finally:
        delete_topics([prefix], settings.broker)
    figures["load_average"] = round(os.getloadavg()[0], 2)
    print(json.dumps(figures, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
