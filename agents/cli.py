"""The `wirestream` command: enrich, worker, publish, tail, eval."""

from __future__ import annotations

import argparse
import base64
import importlib
import json
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any, BinaryIO

from agents.settings import Settings, SettingsError
from agents.topics import TopicNames, encode, key_of
from pipeline.records import not_json

EVALS = ("quotes", "dedup", "language", "entities")


def _lines(path: str) -> Iterator[bytes]:
    """Non-blank input lines as bytes (so invalid UTF-8 reaches the dead-letter path, not a crash)."""
    stream: BinaryIO = sys.stdin.buffer if path == "-" else open(path, "rb")  # noqa: SIM115
    try:
        for line in stream:
            line = line.rstrip(b"\r\n")
            if line.strip():
                yield line
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()


def _write(out: IO[bytes], obj: Any) -> None:
    out.write(encode(obj) + b"\n")


def cmd_enrich(args: argparse.Namespace, settings: Settings) -> int:
    """Raw JSONL in, enriched JSONL out, through the worker's stage chain with in-memory state."""
    from pipeline.chain import Chain
    from pipeline.records import DeadLetter

    chain = Chain(settings.pipeline)
    out, err = sys.stdout.buffer, sys.stderr.buffer
    counts = {"enriched": 0, "deadletter": 0}
    started = time.perf_counter()
    for outcome in chain.run(_lines(args.file), batch_size=args.batch_size or settings.batch_size):
        if isinstance(outcome, DeadLetter):
            _write(err, outcome.to_json())
            counts["deadletter"] += 1
        else:
            _write(out, outcome.to_json())
            counts["enriched"] += 1
        out.flush()
    if args.stats:
        elapsed = time.perf_counter() - started
        total = counts["enriched"] + counts["deadletter"]
        print(
            f"wirestream enrich: {counts['enriched']} records, {counts['deadletter']} dead letters, "
            f"{total / elapsed if elapsed else 0:.1f} stories/s",
            file=sys.stderr,
        )
    return 0


def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    """Run the Faust worker with the selected stage agents until SIGINT/SIGTERM."""
    import faust

    from agents.app import create_app
    from agents.stages import STAGES, register

    if args.web_port:
        settings = _replace(settings, web_port=args.web_port)
    if args.web_host:
        settings = _replace(settings, web_host=args.web_host)
    stages = [s.strip() for s in args.stages.split(",") if s.strip()] if args.stages else list(STAGES)
    if not stages or set(stages) - set(STAGES):
        choices = ",".join(STAGES)
        print(f"wirestream worker: --stages takes some of {choices}: {args.stages!r}", file=sys.stderr)
        return 2
    ensure_topics(settings, all_topics(settings))
    wiring = create_app(settings)
    register(wiring, settings, stages)
    worker = faust.Worker(wiring.app, loglevel=args.loglevel or settings.log_level, quiet=True)
    worker.execute_from_commandline()
    return 0


def _replace(settings: Settings, **changes: Any) -> Settings:
    from dataclasses import replace

    return replace(settings, **changes)


def kafka_security(settings: Settings) -> dict[str, Any]:
    """kafka-python keyword arguments for the configured security settings."""
    sec = settings.security
    kwargs: dict[str, Any] = {"security_protocol": sec.protocol}
    if sec.protocol.startswith("SASL"):
        kwargs.update(
            sasl_mechanism=sec.sasl_mechanism or "PLAIN",
            sasl_plain_username=sec.sasl_username,
            sasl_plain_password=sec.sasl_password,
        )
    if sec.protocol in ("SSL", "SASL_SSL"):
        kwargs.update(ssl_cafile=sec.ssl_cafile, ssl_certfile=sec.ssl_certfile, ssl_keyfile=sec.ssl_keyfile)
    return kwargs


def _story_key(line: bytes) -> bytes | None:
    try:
        obj = json.loads(line)
    except (ValueError, RecursionError):
        return None
    sid = obj.get("id") if isinstance(obj, dict) else None
    return key_of(sid) if isinstance(sid, str) else None


def ensure_topics(settings: Settings, topics: dict[str, int]) -> None:
    """Create the topics ({name: partitions}) that do not exist yet (brokers may not auto-create)."""
    from kafka.admin import KafkaAdminClient, NewTopic
    from kafka.errors import TopicAlreadyExistsError

    admin = KafkaAdminClient(bootstrap_servers=settings.bootstrap_servers, **kafka_security(settings))
    try:
        existing = set(admin.list_topics())
        new = [
            NewTopic(name, num_partitions=n, replication_factor=settings.replication)
            for name, n in topics.items()
            if name not in existing
        ]
        if new:
            try:
                admin.create_topics(new)
            except TopicAlreadyExistsError:  # another worker or publisher was quicker
                pass
    finally:
        admin.close()


def all_topics(settings: Settings) -> dict[str, int]:
    """Every topic the worker reads or writes, with its partition count (the dedup hand-over has 1)."""
    names = TopicNames(settings.topic_prefix)
    n = settings.partitions
    return {
        names.raw: n,
        names.stage_dedup: 1,
        names.stage_annotate: n,
        names.enriched: n,
        names.duplicates: n,
        names.deadletter: n,
    }


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


def cmd_publish(args: argparse.Namespace, settings: Settings) -> int:
    """Raw stories to the input topic with kafka-python, key = story id; lines are sent as given."""
    from kafka import KafkaProducer

    topic = (
        TopicNames(settings.topic_prefix).resolve(args.topic)
        if args.topic
        else f"{settings.topic_prefix}.raw"
    )
    # a file is counted first (a cheap pass) for the bar, and a missing one is reported before any
    # connection; stdin streams through uncounted
    total = None if args.file == "-" else sum(1 for _ in _lines(args.file))
    ensure_topics(settings, {topic: settings.partitions})
    producer = KafkaProducer(
        bootstrap_servers=settings.bootstrap_servers, acks="all", linger_ms=5, **kafka_security(settings)
    )
    sent = 0
    wanted = total is not None and total > PROGRESS_MIN and sys.stderr.isatty()
    bar = Progress(total, enabled=args.progress or wanted)
    try:
        for line in _lines(args.file):
            producer.send(topic, key=_story_key(line), value=line)
            sent += 1
            bar.update(sent)
        producer.flush(timeout=60)
        bar.done()
    finally:
        producer.close(timeout=10)
    print(f"published {sent} stories to {topic}", file=sys.stderr if args.quiet else sys.stdout)
    return 0


def tail_line(value: bytes | None) -> bytes:
    """One message value as one line of UTF-8 JSON: a compact JSON value passes as it is; JSON spread
    over several lines or not in UTF-8 is re-encoded; a tombstone is `null`; anything else becomes a JSON
    string."""
    if value is None:
        return b"null\n"
    try:
        text = value.decode("utf-8")
        obj = json.loads(text, parse_constant=not_json)
    except (ValueError, RecursionError):
        try:
            obj = json.loads(value, parse_constant=not_json)  # UTF-16 / UTF-32 JSON (json detects them)
        except (ValueError, RecursionError):
            return encode(value.decode("utf-8", "replace")) + b"\n"
        return encode(obj) + b"\n"
    text = text.strip()
    if "\n" in text or "\r" in text:
        return encode(obj) + b"\n"
    return text.encode("utf-8") + b"\n"


def cmd_tail(args: argparse.Namespace, settings: Settings) -> int:
    """Records of a topic as JSONL on stdout (non-JSON values are shown as strings)."""
    from kafka import KafkaConsumer

    topic = TopicNames(settings.topic_prefix).resolve(args.topic)
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=settings.bootstrap_servers,
        group_id=args.group,
        auto_offset_reset="latest" if args.latest else "earliest",
        enable_auto_commit=args.group is not None,
        consumer_timeout_ms=int(args.timeout * 1000) if args.timeout else float("inf"),
        isolation_level="read_committed",
        **kafka_security(settings),
    )
    if topic not in consumer.topics():
        print(f"wirestream tail: no topic {topic} on the broker (yet): waiting for it", file=sys.stderr)
    out = sys.stdout.buffer
    seen = 0
    try:
        for msg in consumer:
            out.write(tail_line(msg.value))
            out.flush()
            seen += 1
            if args.max and seen >= args.max:
                break
    except KeyboardInterrupt:
        pass
    finally:
        consumer.close()
    return 0


REPLAY_HEADER = "wirestream-replay"  # on messages `replay` publishes: the dead letter's error code


def replay_payload(letter: dict[str, Any]) -> bytes:
    """The original raw message of a dead-letter record (utf-8 text or base64)."""
    raw = letter.get("raw", "")
    if letter.get("raw_encoding") == "base64":
        return base64.b64decode(raw)
    return str(raw).encode("utf-8", "surrogatepass")


def replayable(letter: Any, errors: Sequence[str] | None) -> bool:
    """Whether `replay` re-publishes a dead letter: one of the chosen error codes (any by default), a
    user's story (not an internal hand-over) and kept whole (a `raw_truncated` one would not be the input)."""
    return (
        isinstance(letter, dict)
        and (not errors or letter.get("error") in errors)
        and letter.get("stage") != "handover"
        and not letter.get("raw_truncated")
    )


def cmd_replay(args: argparse.Namespace, settings: Settings) -> int:
    """Re-publish dead letters to the input topic after a fix; a consumer group remembers what was sent."""
    from kafka import KafkaConsumer, KafkaProducer

    names = TopicNames(settings.topic_prefix)
    consumer = KafkaConsumer(
        names.deadletter,
        bootstrap_servers=settings.bootstrap_servers,
        group_id=args.group or f"wirestream-replay-{settings.topic_prefix}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        consumer_timeout_ms=int(args.timeout * 1000),
        isolation_level="read_committed",  # never what an aborted exactly_once transaction wrote
        **kafka_security(settings),
    )
    producer = (
        None
        if args.dry_run
        else KafkaProducer(
            bootstrap_servers=settings.bootstrap_servers, acks="all", **kafka_security(settings)
        )
    )
    replayed = skipped = 0
    try:
        for msg in consumer:
            try:
                letter = json.loads(msg.value)
            except ValueError:
                skipped += 1
                continue
            if not replayable(letter, args.error):
                skipped += 1
                continue
            payload = replay_payload(letter)
            if producer is not None:
                # the header tells dedup this is a replay: a story dead-lettered after dedup (a model
                # that was down) is run again, not taken for a duplicate of itself
                replay = [(REPLAY_HEADER, str(letter.get("error", "")).encode("utf-8"))]
                producer.send(names.raw, key=_story_key(payload), value=payload, headers=replay)
            replayed += 1
            if args.max and replayed >= args.max:
                break
        if producer is not None:
            producer.flush(timeout=60)
            consumer.commit()
    finally:
        if producer is not None:
            producer.close(timeout=10)
        consumer.close()
    verb = "would replay" if args.dry_run else "replayed"
    print(f"{verb} {replayed} dead letters to {names.raw} ({skipped} skipped)")
    return 0


def cmd_stats(args: argparse.Namespace, settings: Settings) -> int:
    from agents.stats import run

    urls = args.url or [f"http://{settings.web_host}:{settings.web_port}/metrics"]
    try:
        return run(urls, args.interval, args.count)
    except OSError as exc:
        print(f"wirestream stats: no worker metrics at {' '.join(urls)}: {exc}", file=sys.stderr)
        return 1


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from agents.demo import SAMPLES, run

    return run(args.file or SAMPLES, timeout=args.timeout)


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    module = importlib.import_module(f"pipeline.evaluation.{args.kind}")
    return int(module.main(list(args.rest)))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wirestream", description="Enrich news wire stories, offline or over Kafka."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("enrich", help="raw JSONL -> enriched JSONL with no broker (dead letters on stderr)")
    p.add_argument("file", nargs="?", default="-", help="input JSONL file, or - for stdin (default)")
    p.add_argument("--batch-size", type=int, default=0, help="stories per nlp.pipe batch")
    p.add_argument("--stats", action="store_true", help="print counts and stories/s to stderr at the end")
    p.set_defaults(func=cmd_enrich)

    p = sub.add_parser("worker", help="run the Faust worker (all stage agents by default)")
    p.add_argument("--stages", help="comma-separated subset of prepare,dedup,annotate")
    p.add_argument("--web-port", type=int, help="metrics/web port (default WIRESTREAM_WEB_PORT or 6066)")
    p.add_argument("--web-host", help="metrics/web bind address (default WIRESTREAM_WEB_HOST or 127.0.0.1)")
    p.add_argument("--loglevel", help="debug, info, warning, error")
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("publish", help="publish raw stories (JSONL) to the input topic, key = story id")
    p.add_argument("file", nargs="?", default="-", help="input JSONL file, or - for stdin (default)")
    p.add_argument("--topic", help="topic (default <prefix>.raw)")
    p.add_argument("--quiet", action="store_true", help="print the count on stderr instead of stdout")
    p.add_argument(
        "--progress", action="store_true", help="show a progress bar on stderr even when not a terminal"
    )
    p.set_defaults(func=cmd_publish)

    p = sub.add_parser("tail", help="print a topic's records as JSONL")
    p.add_argument("topic", help="topic name, e.g. wire.enriched or just enriched")
    p.add_argument("--max", type=int, default=0, help="stop after this many records")
    p.add_argument("--timeout", type=float, default=0.0, help="stop after this many idle seconds")
    p.add_argument("--latest", action="store_true", help="only records published from now on")
    p.add_argument("--group", help="consumer group (commits offsets); none by default")
    p.set_defaults(func=cmd_tail)

    p = sub.add_parser("replay", help="re-publish dead letters to the input topic (after a fix)")
    p.add_argument("--error", action="append", help="only dead letters with this error code (repeatable)")
    p.add_argument("--max", type=int, default=0, help="stop after this many")
    p.add_argument("--group", help="consumer group remembering what was replayed (default per prefix)")
    p.add_argument("--timeout", type=float, default=5.0, help="stop after this many idle seconds")
    p.add_argument("--dry-run", action="store_true", help="count, do not publish or commit")
    p.set_defaults(func=cmd_replay)

    p = sub.add_parser("stats", help="live per-stage throughput, latency and lag from a worker's metrics")
    p.add_argument(
        "--url",
        action="append",
        help="a worker's metrics URL, repeatable: figures are added up "
        "(default http://WIRESTREAM_WEB_HOST:WIRESTREAM_WEB_PORT/metrics)",
    )
    p.add_argument("--interval", type=float, default=5.0, help="seconds between readings")
    p.add_argument("--count", type=int, default=0, help="stop after this many readings (0: until Ctrl-C)")
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("demo", help="start a worker, publish the sample stories, print what comes out")
    p.add_argument("--file", type=Path, help="stories to publish (default: the bundled samples)")
    p.add_argument("--timeout", type=float, default=180.0, help="seconds to wait for all outcomes")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("eval", help="evaluate a stage: " + ", ".join(EVALS))
    p.add_argument("kind", choices=EVALS)
    p.add_argument("rest", nargs=argparse.REMAINDER, help="arguments of that evaluation (see its --help)")
    p.set_defaults(func=cmd_eval)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"wirestream: {exc}", file=sys.stderr)
        return 2
    try:
        return int(args.func(args, settings))
    except BrokenPipeError:
        return 0
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError) as exc:
        print(f"wirestream {args.command}: {exc.strerror}: {exc.filename}", file=sys.stderr)
        return 2
    except Exception as exc:
        if not type(exc).__module__.startswith("kafka."):  # kafka-python's errors: no broker, no rights
            raise
        print(f"wirestream {args.command}: {exc} (WIRESTREAM_BROKER={settings.broker})", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
