"""`wirestream stats` parsing and rendering, and the publish progress bar."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, generate_latest

from agents.cli import Progress
from agents.metrics import StageMetrics
from agents.stats import parse, render


def test_rates_latency_lag_between_two_scrapes() -> None:
    registry = CollectorRegistry()
    m = StageMetrics.create(registry)
    m.stories.labels("annotate").inc(10)
    m.latency.labels("annotate").observe(0.05)
    before = parse(generate_latest(registry).decode(), at=100.0)
    m.stories.labels("annotate").inc(40)
    for _ in range(4):
        m.latency.labels("annotate").observe(0.02)
    m.end_to_end.labels("wire.enriched").observe(0.5)
    m.dead_letters.labels("invalid_json", "parse").inc(3)
    m.lag.labels("wire.raw", "1").set(7)
    after = parse(generate_latest(registry).decode(), at=110.0)
    table = render(before, after)
    row = next(line for line in table.splitlines() if line.startswith("annotate"))
    assert row.split() == ["annotate", "4.0", "50", "20.0"]
    assert "end-to-end mean latency 500 ms" in table
    assert "dead letters 3" in table and "wire.raw[1] 7" in table


def test_progress_bar_line() -> None:
    bar = Progress(400, enabled=True, width=10)
    assert bar.line(200) == "\r[#####.....] 200/400  50%"
    assert bar.line(400).endswith("400/400 100%")
