"""`make bench`: offline chain vs a hand-rolled baseline, per-stage cost, end to end with 1 and 2 workers.

One run, the same invented stories throughout (600-1,000 words, mostly English, some French, ~5%
redeliveries); then whole processes, start-up included: `wirestream enrich` against the naive loop on a
small file (84 stories, ~750 words), a worker's start to its first output, a dedup-only worker draining
a backlog through the broker. Writes build/bench.json (every number, the targets, pass/fail per target) and
build/bench.png, and prints a table. Not part of `make test`; run from the repository root.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from agents.settings import Settings
from deploy.bench import corpus as corpora
from deploy.bench import dedup_hop, e2e, offline, process, startup
from deploy.bench import formats as ingest
from deploy.bench.plot import plot
from deploy.bench.report import assemble, finite, note, table

# the parts beside the offline chain: ingest of agency documents, whole-process enrich vs naive, a worker's
# first output, the dedup-only worker, end to end with the --workers counts
PARTS = ("ingest", "process", "first", "dedup", "e2e")


def _args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m deploy.bench", description=(__doc__ or "").splitlines()[0])
    p.add_argument("--stories", type=int, default=400, help="stories in all, redeliveries included")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--french", type=float, default=0.1, help="share of French originals")
    p.add_argument("--redeliveries", type=float, default=0.05, help="share of redelivered stories")
    p.add_argument("--block", type=int, default=64, help="stories per interleaved chain/baseline block")
    p.add_argument("--workers", default="1,2", help="worker counts end to end; empty: offline only")
    p.add_argument("--partitions", type=int, default=2, help="partitions of the bench topics (>= 2)")
    p.add_argument("--half-load-stories", type=int, default=200, help="stories published at half load")
    p.add_argument("--small-stories", type=int, default=84, help="stories in the whole-process enrich file")
    p.add_argument("--process-repeats", type=int, default=3, help="runs of each whole process (median)")
    p.add_argument("--dedup-stories", type=int, default=4000, help="backlog the dedup-only worker drains")
    p.add_argument(
        "--profile",
        action="store_true",
        help="also profile a chain pass with pyinstrument (build/bench-profile.txt)",
    )
    p.add_argument(
        "--profile-worker",
        nargs="?",
        const="cpu",
        default="",
        choices=("cpu", "gil"),
        help="sample the workers' stacks in the maximum runs (build/bench/*.profile.txt), with py-spy when "
        "installed: every thread using CPU (cpu, the default) or only the one holding the GIL (gil)",
    )
    p.add_argument(
        "--only",
        default=",".join(PARTS),
        help=f"parts to run, comma-separated, from {','.join(PARTS)} (default all; the offline chain always "
        "runs: every ratio needs it)",
    )
    p.add_argument("--out", type=Path, default=Path("build") / "bench.json")
    p.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = p.parse_args(argv)
    args.only = {part.strip() for part in args.only.split(",") if part.strip()}
    if unknown := args.only - set(PARTS):
        p.error(f"--only: unknown parts {sorted(unknown)}; choose from {','.join(PARTS)}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = _args(argv)
    settings = Settings.from_env()
    counts = [int(w) for w in args.workers.split(",") if w.strip()]
    started = time.perf_counter()
    corpus = corpora.build(
        args.stories, args.seed, french_share=args.french, redelivery_share=args.redeliveries
    )
    # two stories per (partition, language), so every worker has loaded every model before timing
    warm = corpora.build(
        60, args.seed + 1, french_share=0.5, redelivery_share=0.0, id_prefix="warm"
    ).covering(args.partitions, e2e.partition_of, per_cell=2)
    host = {
        "cpus": os.cpu_count(),
        "loadavg_start": round(os.getloadavg()[0], 2),
        "python": platform.python_version(),
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "broker": settings.broker,
        "batch_size": settings.batch_size,
        "batch_within": settings.batch_within,
    }
    print(f"bench: {args.stories} stories; offline chain vs baseline ...", file=sys.stderr)
    off = offline.run(corpus, warm, settings.pipeline, batch_size=settings.batch_size, block=args.block)
    if args.profile:
        path = args.out.with_name("bench-profile.txt")
        offline.profile(corpus, settings.pipeline, batch_size=settings.batch_size, out=path)
        print(f"bench: profile written to {path}", file=sys.stderr)
    ingested: dict[str, Any] = {}
    if "ingest" in args.only:
        print("bench: ingest of agency documents ...", file=sys.stderr)
        ingested = ingest.figures()
    build = args.out.parent / "bench"
    stamp = str(int(time.time()))
    whole: dict[str, Any] = {}
    if "process" in args.only:
        print(f"bench: whole processes, enrich vs naive on {args.small_stories} stories ...", file=sys.stderr)
        # ~750 words a story, the size of a user's first file of agency copy
        small = corpora.build(
            args.small_stories,
            args.seed + 2,
            french_share=args.french,
            redelivery_share=0.0,
            words=(500, 960),
        )
        whole["enrich"] = process.enrich_vs_naive(small, build, repeats=args.process_repeats)
    if counts and "first" in args.only:
        print("bench: worker start to first output ...", file=sys.stderr)
        first = corpora.build(1, args.seed + 3, french_share=0.0, redelivery_share=0.0, id_prefix="first")
        prefix = f"bench-{stamp}-first"
        try:
            whole["first_output"] = startup.first_output(
                first, prefix=prefix, partitions=args.partitions, build=build, broker=settings.broker
            )
        finally:
            e2e.delete_topics([prefix], settings.broker)
    if counts and "dedup" in args.only:
        print(f"bench: a dedup-only worker draining {args.dedup_stories} hand-overs ...", file=sys.stderr)
        backlog = corpora.build(
            args.dedup_stories,
            args.seed + 4,
            french_share=args.french,
            redelivery_share=args.redeliveries,
            id_prefix="hop",
        )
        prefix = f"bench-{stamp}-dedup"
        try:
            whole["dedup_hop"] = dedup_hop.drain(
                backlog,
                offline.fresh_chain(settings.pipeline),
                prefix=prefix,
                partitions=args.partitions,
                build=build,
                broker=settings.broker,
            )
        finally:
            e2e.delete_topics([prefix], settings.broker)
    runs = []
    for n in counts if "e2e" in args.only else []:
        print(f"bench: end to end with {n} worker(s) ...", file=sys.stderr)
        runs.append(
            e2e.run_config(
                corpus,
                warm,
                n,
                partitions=args.partitions,
                half_load_stories=min(args.half_load_stories, len(corpus.ids)),
                build=build,
                broker=settings.broker,
                stamp=stamp,
                profile=args.profile_worker,
            )
        )
    host["seconds"] = round(time.perf_counter() - started, 1)
    figures = assemble(
        corpus=corpus.summary(),
        offline=off,
        e2e=runs,
        host=host,
        note=note(host, runs, settings.batch_within),
        process=whole,
    )
    figures["ingest"] = ingested
    figures = finite(figures)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    print(table(figures))
    if ingested:
        print(ingest.summary(ingested))
    png = args.out.with_suffix(".png")
    drawn = plot(figures, png)
    print(f"\nwrote {args.out}" + (f" and {png}" if drawn else " (no plot: pip install -e '.[bench]')"))
    print(f"bench took {host['seconds']:.0f} s")
    return 1 if args.strict and not figures["passed"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
