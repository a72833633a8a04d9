"""The `wirestream` command: the parser and thin commands over plain functions.

Each `cmd_*` turns arguments into a call of a function that lives elsewhere (`agents.publish`,
`agents.replay`, `agents.tail`, `agents.kafka`, `agents.demo`, `agents.stats`, `agents.routes`,
`pipeline.chain`, `pipeline.ninjs_out`, `pipeline.schemas`) and its result into output and an exit code.
A new command is one `cmd_*` here and one `add_parser` block.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import IO, Any

from agents.preflight import AccessError
from agents.settings import Settings, SettingsError
from agents.topics import encode

EVALS = ("quotes", "dedup", "language", "entities")


def _write(out: IO[bytes], obj: Any) -> None:
    out.write(encode(obj) + b"\n")


def cmd_enrich(args: argparse.Namespace, settings: Settings) -> int:
    """Raw JSONL or agency documents in, enriched JSONL out, through the worker's stage chain with
    in-memory state (a document gives one record per item)."""
    from pipeline.chain import Chain
    from pipeline.inputs import messages
    from pipeline.records import DeadLetter

    chain = Chain(settings.pipeline)
    out, err = sys.stdout.buffer, sys.stderr.buffer
    shape = _output_shape(args.output, args.ninjs_version)
    counts = {"enriched": 0, "deadletter": 0}
    started = time.perf_counter()
    size = args.batch_size or settings.batch_size
    ahead = "-" not in [str(f) for f in args.files]  # files are all there: look a batch ahead (Chain.run)
    for outcome in chain.run(messages(args.files), batch_size=size, ahead=ahead):
        if isinstance(outcome, DeadLetter):
            _write(err, outcome.to_json())
            counts["deadletter"] += 1
        else:
            _write(out, shape(outcome.to_json()))
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


def _output_shape(output: str, ninjs_version: int) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Our record as it is (`jsonl`), or as IPTC ninjs (`ninjs`: every record, duplicates marked in the
    `wirestream:dedup` description)."""
    if output == "ninjs":
        from pipeline.ninjs_out import to_ninjs

        return lambda record: to_ninjs(record, ninjs_version)
    return lambda record: record


def cmd_schema(args: argparse.Namespace, settings: Settings) -> int:
    """Print one of the contract's JSON Schemas (or the official ninjs schema the output follows)."""
    from pipeline.schemas import SCHEMA_FILES, schema_text

    if args.name not in SCHEMA_FILES:
        names = ", ".join(SCHEMA_FILES)
        print(f"wirestream schema: no schema {args.name!r}; one of {names}", file=sys.stderr)
        return 2
    sys.stdout.write(schema_text(args.name))
    return 0


def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    """Run the Faust worker with the selected stage agents until SIGINT/SIGTERM."""
    import faust

    from agents.app import create_app
    from agents.kafka import all_topics, ensure_topics
    from agents.preflight import check, worker_needs
    from agents.routes import load_router, refusal, route_topics
    from agents.stages import STAGES, register
    from pipeline.routes import RouteError

    if args.web_port:
        settings = replace(settings, web_port=args.web_port)
    if args.web_host:
        settings = replace(settings, web_host=args.web_host)
    stages = [s.strip() for s in args.stages.split(",") if s.strip()] if args.stages else list(STAGES)
    if not stages or set(stages) - set(STAGES):
        choices = ",".join(STAGES)
        print(f"wirestream worker: --stages takes some of {choices}: {args.stages!r}", file=sys.stderr)
        return 2
    if not args.stages and settings.routes is None:
        stages.remove("route")  # no rules file: no route stage
    router = None
    if "route" in stages:
        if settings.routes is None:
            print(
                "wirestream worker: the route stage needs WIRESTREAM_ROUTES (a rules file)", file=sys.stderr
            )
            return 2
        try:  # a bad rule stops the worker here, before it joins the group
            router = load_router(settings.routes, settings)
        except RouteError as exc:
            print(f"wirestream worker: {refusal(settings.routes, exc)}", file=sys.stderr)
            return 2
    routed = route_topics(router, settings) if router is not None else {}
    check(settings, worker_needs(settings, routed))  # before anything is consumed: one line if it cannot work
    ensure_topics(settings, all_topics(settings, router))
    wiring = create_app(settings)
    registered = register(wiring, settings, stages, router)
    worker = faust.Worker(wiring.app, loglevel=args.loglevel or settings.log_level, quiet=True)
    try:
        worker.execute_from_commandline()
    except SystemExit as exc:
        code = exc.code
    halted = registered.hop.halt.reason  # a send failure no dead letter could carry (agents.outputs)
    if halted is not None:
        print(f"wirestream worker: {halted}", file=sys.stderr)
        return 3
    return code if isinstance(code, int) else 1


def cmd_routes(args: argparse.Namespace, settings: Settings) -> int:
    """`routes check FILE`: one line, exit 0 or 1; `routes test FILE RECORDS`: which records each route
    takes, offline (enriched JSONL, as `enrich` writes or `tail enriched` prints)."""
    from agents.routes import every_line, load_router, refusal, summary, trial, trial_lines
    from pipeline.routes import RouteError

    try:
        router = load_router(args.rules, settings)
    except RouteError as exc:
        print(f"wirestream routes: {refusal(args.rules, exc)}", file=sys.stderr)
        return 1
    if args.action == "check":
        print(summary(args.rules, router))
        return 0
    result = trial(router, every_line(args.records))
    print("\n".join(trial_lines(result)))
    return 0


def cmd_publish(args: argparse.Namespace, settings: Settings) -> int:
    """Raw stories to the input topic with kafka-python, key = story id; lines are sent as given."""
    from agents.publish import publish

    done = publish(settings, list(args.files), topic=args.topic, progress=args.progress)
    for sentence in done.refused:
        print(f"wirestream publish: {sentence}", file=sys.stderr)
    print(f"published {done.sent} stories to {done.topic}", file=sys.stderr if args.quiet else sys.stdout)
    return 1 if done.refused else 0


def cmd_tail(args: argparse.Namespace, settings: Settings) -> int:
    """Records of a topic as JSONL on stdout (non-JSON values are shown as strings)."""
    from agents.tail import tail

    tail(
        settings,
        args.topic,
        sys.stdout.buffer,
        group=args.group,
        latest=args.latest,
        timeout=args.timeout,
        limit=args.max,
    )
    return 0


def cmd_replay(args: argparse.Namespace, settings: Settings) -> int:
    """Re-publish dead letters to the input topic after a fix; a consumer group remembers what was sent."""
    from agents.replay import replay

    done = replay(
        settings,
        errors=args.error,
        limit=args.max,
        group=args.group,
        timeout=args.timeout,
        dry_run=args.dry_run,
    )
    verb = "would replay" if args.dry_run else "replayed"
    print(f"{verb} {done.replayed} dead letters to {done.topic} ({done.skipped} skipped)")
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

    return run(settings, args.file or SAMPLES, timeout=args.timeout)


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    module = importlib.import_module(f"pipeline.evaluation.{args.kind}")
    return int(module.main(list(args.rest)))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wirestream", description="Enrich news wire stories, offline or over Kafka."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    _add_chain_commands(sub)
    _add_routes_command(sub)
    _add_topic_commands(sub)
    _add_ops_commands(sub)
    return parser


def _add_chain_commands(sub: Any) -> None:
    """enrich, schema and worker: the stage chain offline and on Kafka."""
    p = sub.add_parser(
        "enrich", help="raw JSONL or agency documents -> enriched JSONL, no broker (dead letters on stderr)"
    )
    p.add_argument(
        "files",
        nargs="*",
        default=["-"],
        help="JSONL files, agency documents or folders of them, or - for stdin (default)",
    )
    p.add_argument("--batch-size", type=int, default=0, help="stories per nlp.pipe batch")
    p.add_argument("--stats", action="store_true", help="print counts and stories/s to stderr at the end")
    p.add_argument(
        "--output",
        choices=("jsonl", "ninjs"),
        default="jsonl",
        help="jsonl: our enriched records (default); ninjs: each record as IPTC ninjs, one per line",
    )
    p.add_argument(
        "--ninjs-version", type=int, choices=(3, 2), default=3, help="ninjs major version for --output ninjs"
    )
    p.set_defaults(func=cmd_enrich)

    p = sub.add_parser(
        "schema", help="print a JSON Schema: raw, enriched, deadletter, ninjs (see docs/ninjs.md)"
    )
    p.add_argument("name", help="raw, enriched, deadletter, ninjs (3.1), ninjs-3.0, ninjs-2 (2.2)")
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser("worker", help="run the Faust worker (all stage agents by default)")
    p.add_argument(
        "--stages",
        help="comma-separated subset of prepare,dedup,annotate,route (default: all; route only with a "
        "rules file, WIRESTREAM_ROUTES)",
    )
    p.add_argument("--web-port", type=int, help="metrics/web port (default WIRESTREAM_WEB_PORT or 6066)")
    p.add_argument("--web-host", help="metrics/web bind address (default WIRESTREAM_WEB_HOST or 127.0.0.1)")
    p.add_argument("--loglevel", help="debug, info, warning, error")
    p.set_defaults(func=cmd_worker)


def _add_routes_command(sub: Any) -> None:
    """routes check / routes test: desk routes without a broker."""
    p = sub.add_parser("routes", help="desk routes: check a rules file, or try it on enriched records")
    actions = p.add_subparsers(dest="action", required=True)
    check = actions.add_parser("check", help="validate a rules file: one line, exit 0, or 1 and the problem")
    check.add_argument("rules", type=Path, help="the rules file (YAML, docs/routes.md)")
    check.set_defaults(func=cmd_routes)
    test = actions.add_parser("test", help="which records each route would take, and its alerts (offline)")
    test.add_argument("rules", type=Path, help="the rules file (YAML, docs/routes.md)")
    test.add_argument("records", help="enriched records (JSONL), or - for stdin")
    test.set_defaults(func=cmd_routes)


def _add_topic_commands(sub: Any) -> None:
    """publish, tail and replay: records in and out of topics."""
    p = sub.add_parser(
        "publish", help="publish raw stories (JSONL) or agency documents (as they are) to the input topic"
    )
    p.add_argument(
        "files",
        nargs="*",
        default=["-"],
        help="JSONL files, agency documents or folders of them, or - for stdin (default)",
    )
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


def _add_ops_commands(sub: Any) -> None:
    """stats, demo and eval."""
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
    except AccessError as exc:  # the broker cannot be used as configured: the line says what to fix
        print(f"wirestream {args.command}: {exc}", file=sys.stderr)
        return 1
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
