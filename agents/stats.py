"""`wirestream stats`: live per-stage throughput, latency and lag, read from a worker's /metrics."""

from __future__ import annotations

import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field

from prometheus_client.parser import text_string_to_metric_families


@dataclass
class Snapshot:
    """The figures `stats` needs from one scrape."""

    at: float
    stories: dict[str, float] = field(default_factory=dict)  # stage -> count
    latency_sum: dict[str, float] = field(default_factory=dict)  # stage -> seconds
    latency_count: dict[str, float] = field(default_factory=dict)
    lag: dict[str, float] = field(default_factory=dict)  # "topic[partition]" -> messages
    dead_letters: float = 0.0
    e2e_sum: float = 0.0
    e2e_count: float = 0.0


def parse(text: str, at: float) -> Snapshot:
    snap = Snapshot(at)
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            labels = s.labels
            if s.name == "wirestream_stage_stories_total":
                snap.stories[labels["stage"]] = s.value
            elif s.name == "wirestream_stage_latency_seconds_sum":
                snap.latency_sum[labels["stage"]] = s.value
            elif s.name == "wirestream_stage_latency_seconds_count":
                snap.latency_count[labels["stage"]] = s.value
            elif s.name == "wirestream_consumer_lag_messages":
                snap.lag[f"{labels['topic']}[{labels['partition']}]"] = s.value
            elif s.name == "wirestream_dead_letters_total":
                snap.dead_letters += s.value
            elif s.name == "wirestream_end_to_end_latency_seconds_sum":
                snap.e2e_sum += s.value
            elif s.name == "wirestream_end_to_end_latency_seconds_count":
                snap.e2e_count += s.value
    return snap


def render(before: Snapshot, after: Snapshot) -> str:
    """A table of rates between two scrapes (mean latency over the same interval)."""
    dt = max(1e-9, after.at - before.at)
    lines = [f"{'stage':10}{'stories/s':>11}{'total':>9}{'mean ms':>9}"]
    for stage in sorted(after.stories):
        done = after.stories[stage] - before.stories.get(stage, 0.0)
        n = after.latency_count.get(stage, 0.0) - before.latency_count.get(stage, 0.0)
        secs = after.latency_sum.get(stage, 0.0) - before.latency_sum.get(stage, 0.0)
        mean = f"{1000 * secs / n:9.1f}" if n else f"{'-':>9}"
        lines.append(f"{stage:10}{done / dt:11.1f}{after.stories[stage]:9.0f}{mean}")
    n = after.e2e_count - before.e2e_count
    if n:
        lines.append(f"end-to-end mean latency {1000 * (after.e2e_sum - before.e2e_sum) / n:.0f} ms")
    lines.append(f"dead letters {after.dead_letters:.0f}")
    if after.lag:
        lines.append("lag: " + ", ".join(f"{tp} {v:.0f}" for tp, v in sorted(after.lag.items())))
    return "\n".join(lines)


def scrape(url: str) -> Snapshot:
    with urllib.request.urlopen(url, timeout=5) as resp:
        return parse(resp.read().decode(), time.time())


def run(url: str, interval: float, count: int, out: Callable[[str], None] = print) -> int:
    """Print `count` tables (0: until interrupted), one every `interval` seconds."""
    before = scrape(url)
    shown = 0
    try:
        while count == 0 or shown < count:
            time.sleep(interval)
            after = scrape(url)
            out(f"-- {time.strftime('%H:%M:%S')} {url}\n{render(before, after)}")
            before, shown = after, shown + 1
    except KeyboardInterrupt:
        pass
    return 0
