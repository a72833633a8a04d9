"""Whole processes, start-up included: `wirestream enrich` against the hand-rolled loop on a small file.

What a new user meets first: a file of a few dozen stories, run once. Each contestant is a fresh process
(interpreter start, imports, model loads, the stories, exit); they alternate, `repeats` times each, and
the median wall time and the peak RSS (the child's VmHWM) are reported.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from deploy.bench.corpus import Corpus
from deploy.bench.e2e import EXE, ROOT, peak_rss_gb


def measured(cmd: list[str], out: Path, err: Path, every: float = 0.05) -> dict[str, float]:
    """Run `cmd` to its end: wall seconds, peak RSS in GB (10^9 bytes), output lines.

    The peak is the child's own VmHWM, read while it runs: the kernel's ru_maxrss of a child keeps the
    high-water mark of the process it was forked from (this bench, over 1 GB with its models loaded)."""
    peak = 0.0
    with open(out, "wb") as stdout, open(err, "wb") as stderr:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=stdout, stderr=stderr, cwd=ROOT)
        while proc.poll() is None:
            try:
                peak = max(peak, peak_rss_gb(proc.pid))
            except (OSError, ValueError):  # exiting between the poll and the read
                pass
            time.sleep(every)
        seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited with {proc.returncode}; see {err}")
    lines = sum(1 for line in out.read_bytes().splitlines() if line.strip())
    return {"seconds": seconds, "peak_rss_gb": peak, "lines": lines}


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def enrich_vs_naive(corpus: Corpus, build: Path, *, repeats: int = 3) -> dict[str, Any]:
    """`wirestream enrich FILE` and `python -m deploy.bench.naive FILE`, alternating which goes first."""
    build.mkdir(parents=True, exist_ok=True)
    path = build / "small.jsonl"
    path.write_bytes(b"\n".join(corpus.lines) + b"\n")
    commands = {
        "enrich": [str(EXE), "enrich", str(path)],
        "naive": [sys.executable, "-m", "deploy.bench.naive", str(path)],
    }
    runs: dict[str, list[dict[str, float]]] = {"enrich": [], "naive": []}
    for r in range(repeats):
        for who in ("enrich", "naive") if r % 2 == 0 else ("naive", "enrich"):
            runs[who].append(measured(commands[who], build / f"small.{who}.out", build / f"small.{who}.err"))
    summary = corpus.summary()
    out: dict[str, Any] = {
        "stories": summary["stories"],
        "languages": summary["languages"],
        "words_per_story": round(summary["words_per_story"]["mean"]),
        "repeats": repeats,
    }
    for who, done in runs.items():
        out[who] = {
            "seconds": _median([d["seconds"] for d in done]),
            "peak_rss_gb": max(d["peak_rss_gb"] for d in done),
            "runs": [round(d["seconds"], 2) for d in done],
            "lines": done[-1]["lines"],
        }
    return out
