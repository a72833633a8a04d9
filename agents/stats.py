"""`wirestream stats`: live per-stage throughput, latency and lag, read from workers' /metrics.

Two scrapes `interval` seconds apart give rates and latency quantiles over that interval (the way Prometheus's
`rate` and `histogram_quantile` would); several workers' figures are added up.
"""

from __future__ import annotations

import math
import time
import urllib.request
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from prometheus_client.parser import text_string_to_metric_families

Buckets = dict[float, float]  # upper bound -> cumulative count
K = TypeVar("K")


def _buckets() -> defaultdict[str, Buckets]:
    return defaultdict(dict)


@dataclass
class Snapshot:
    """The figures `stats` needs from one scrape (or the sum of several workers' scrapes)."""

    at: float
    stories: dict[str, float] = field(default_factory=dict)  # stage -> count
    failures: dict[str, float] = field(default_factory=dict)  # stage -> count
    latency_sum: dict[str, float] = field(default_factory=dict)  # stage -> seconds
    latency_count: dict[str, float] = field(default_factory=dict)
    latency_buckets: defaultdict[str, Buckets] = field(default_factory=_buckets)  # stage -> buckets
    lag: dict[str, float] = field(default_factory=dict)  # "topic[partition]" -> messages
    dead_letters: float = 0.0
    e2e_sum: float = 0.0
    e2e_count: float = 0.0
    e2e_buckets: Buckets = field(default_factory=dict)

    def add(self, other: Snapshot) -> Snapshot:
        """The sum of two workers' figures (partitions are each reported by the worker that owns them)."""
        out = Snapshot(max(self.at, other.at))
        for name in ("stories", "failures", "latency_sum", "latency_count", "lag"):
            setattr(out, name, _sum(getattr(self, name), getattr(other, name)))
        for stage in set(self.latency_buckets) | set(other.latency_buckets):
            out.latency_buckets[stage] = _sum(
                self.latency_buckets.get(stage, {}), other.latency_buckets.get(stage, {})
            )
        out.dead_letters = self.dead_letters + other.dead_letters
        out.e2e_sum, out.e2e_count = self.e2e_sum + other.e2e_sum, self.e2e_count + other.e2e_count
        out.e2e_buckets = _sum(self.e2e_buckets, other.e2e_buckets)
        return out


def _sum(a: Mapping[K, float], b: Mapping[K, float]) -> dict[K, float]:
    return {k: a.get(k, 0.0) + b.get(k, 0.0) for k in set(a) | set(b)}


def parse(text: str, at: float) -> Snapshot:
    snap = Snapshot(at)
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            labels = s.labels
            if s.name == "wirestream_stage_stories_total":
                snap.stories[labels["stage"]] = s.value
            elif s.name == "wirestream_stage_failures_total":
                snap.failures[labels["stage"]] = s.value
            elif s.name == "wirestream_stage_latency_seconds_sum":
                snap.latency_sum[labels["stage"]] = s.value
            elif s.name == "wirestream_stage_latency_seconds_count":
                snap.latency_count[labels["stage"]] = s.value
            elif s.name == "wirestream_stage_latency_seconds_bucket":
                snap.latency_buckets[labels["stage"]][float(labels["le"])] = s.value
            elif s.name == "wirestream_consumer_lag_messages":
                snap.lag[f"{labels['topic']}[{labels['partition']}]"] = s.value
            elif s.name == "wirestream_dead_letters_total":
                snap.dead_letters += s.value
            elif s.name == "wirestream_end_to_end_latency_seconds_sum":
                snap.e2e_sum += s.value
            elif s.name == "wirestream_end_to_end_latency_seconds_count":
                snap.e2e_count += s.value
            elif s.name == "wirestream_end_to_end_latency_seconds_bucket":
                le = float(labels["le"])
                snap.e2e_buckets[le] = snap.e2e_buckets.get(le, 0.0) + s.value
    return snap


def quantile(q: float, before: Buckets, after: Buckets) -> float | None:
    """The q-quantile of what was observed between two readings of a cumulative histogram, interpolated
    linearly inside a bucket as Prometheus's `histogram_quantile` does; None when nothing was observed."""
    bounds = sorted(after)
    counts = [after[b] - before.get(b, 0.0) for b in bounds]
    if not counts or counts[-1] <= 0:
        return None
    rank = q * counts[-1]
    lower, below = 0.0, 0.0
    for bound, count in zip(bounds, counts, strict=True):
        if count >= rank:
            if math.isinf(bound):
                return lower  # above the highest finite bucket: its bound is all we know
            inside = count - below
            return lower + (bound - lower) * ((rank - below) / inside if inside else 1.0)
        lower, below = bound, count
    return lower


def _ms(seconds: float | None) -> str:
    return f"{'-':>9}" if seconds is None else f"{1000 * seconds:9.1f}"


def render(before: Snapshot, after: Snapshot) -> str:
    """A table of rates and latencies between two scrapes."""
    dt = max(1e-9, after.at - before.at)
    lines = [f"{'stage':10}{'stories/s':>11}{'total':>9}{'failed':>8}{'mean ms':>9}{'p95 ms':>9}"]
    for stage in sorted(after.stories):
        done = after.stories[stage] - before.stories.get(stage, 0.0)
        n = after.latency_count.get(stage, 0.0) - before.latency_count.get(stage, 0.0)
        secs = after.latency_sum.get(stage, 0.0) - before.latency_sum.get(stage, 0.0)
        p95 = quantile(0.95, before.latency_buckets.get(stage, {}), after.latency_buckets.get(stage, {}))
        lines.append(
            f"{stage:10}{done / dt:11.1f}{after.stories[stage]:9.0f}{after.failures.get(stage, 0.0):8.0f}"
            f"{_ms(secs / n if n else None)}{_ms(p95)}"
        )
    n = after.e2e_count - before.e2e_count
    if n:
        p95 = quantile(0.95, before.e2e_buckets, after.e2e_buckets)
        lines.append(
            f"end-to-end latency: mean {1000 * (after.e2e_sum - before.e2e_sum) / n:.0f} ms, "
            f"p95 {'-' if p95 is None else f'{1000 * p95:.0f}'} ms"
        )
    lines.append(f"dead letters {after.dead_letters:.0f}")
    if after.lag:
        lines.append(
            f"lag {sum(after.lag.values()):.0f}: "
            + ", ".join(f"{tp} {v:.0f}" for tp, v in sorted(after.lag.items()))
        )
    return "\n".join(lines)


def scrape(urls: Sequence[str]) -> Snapshot:
    """One reading of every worker, added up."""
    total: Snapshot | None = None
    for url in urls:
        with urllib.request.urlopen(url, timeout=5) as resp:
            snap = parse(resp.read().decode(), time.time())
        total = snap if total is None else total.add(snap)
    assert total is not None, "no metrics URL"
    return total


def run(urls: Sequence[str], interval: float, count: int, out: Callable[[str], None] = print) -> int:
    """Print `count` tables (0: until interrupted), one every `interval` seconds."""
    before = scrape(urls)
    shown = 0
    try:
        while count == 0 or shown < count:
            time.sleep(interval)
            after = scrape(urls)
            where = urls[0] if len(urls) == 1 else f"{len(urls)} workers"
            out(f"-- {time.strftime('%H:%M:%S')} {where}\n{render(before, after)}")
            before, shown = after, shown + 1
    except KeyboardInterrupt:
        pass
    return 0
