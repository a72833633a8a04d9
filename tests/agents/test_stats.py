"""`wirestream stats` parsing, quantiles and rendering, and the publish progress bar."""

from __future__ import annotations

import math

import pytest
from prometheus_client import CollectorRegistry, generate_latest

from agents.metrics import StageMetrics
from agents.publish import Progress
from agents.stats import Snapshot, parse, quantile, render


def test_rates_latency_lag_between_two_scrapes() -> None:
    registry = CollectorRegistry()
    m = StageMetrics.create(registry)
    m.stories.labels("annotate").inc(10)
    m.latency.labels("annotate").observe(0.05)
    before = parse(generate_latest(registry).decode(), at=100.0)
    m.stories.labels("annotate").inc(40)
    for _ in range(4):
        m.latency.labels("annotate").observe(0.02)  # bucket (0.01, 0.025]
    m.failures.labels("annotate").inc(2)
    m.end_to_end.labels("wire.enriched").observe(0.5)
    m.dead_letters.labels("invalid_json", "parse").inc(3)
    m.lag.labels("wire.raw", "1").set(7)
    m.lag.labels("wire.raw", "0").set(5)
    after = parse(generate_latest(registry).decode(), at=110.0)
    table = render(before, after)
    row = next(line for line in table.splitlines() if line.startswith("annotate"))
    # 40 stories in 10 s; mean of the interval's 4 observations; p95 interpolated in (10 ms, 25 ms]
    assert row.split() == ["annotate", "4.0", "50", "2", "20.0", "24.2"]
    assert "end-to-end latency: mean 500 ms, p95 488 ms" in table
    assert "dead letters 3" in table and "lag 12: wire.raw[0] 5, wire.raw[1] 7" in table


@pytest.mark.parametrize(
    ("q", "before", "after", "expected"),
    [
        (0.5, {}, {0.1: 50.0, 1.0: 100.0, math.inf: 100.0}, 0.1),
        (0.75, {}, {0.1: 50.0, 1.0: 100.0, math.inf: 100.0}, 0.55),
        (0.5, {0.1: 50.0, 1.0: 50.0, math.inf: 50.0}, {0.1: 50.0, 1.0: 60.0, math.inf: 60.0}, 0.55),
        (0.99, {}, {0.1: 10.0, 1.0: 10.0, math.inf: 20.0}, 1.0),  # in +Inf: the highest finite bound
        (0.5, {0.1: 5.0, math.inf: 5.0}, {0.1: 5.0, math.inf: 5.0}, None),  # nothing observed
    ],
)
def test_quantile_interpolates_like_prometheus(
    q: float, before: dict[float, float], after: dict[float, float], expected: float | None
) -> None:
    got = quantile(q, before, after)
    assert got == (pytest.approx(expected) if expected is not None else None)


def test_workers_figures_are_added_up() -> None:
    a = Snapshot(10.0, stories={"prepare": 5.0}, lag={"wire.raw[0]": 3.0}, dead_letters=1.0)
    a.latency_buckets["prepare"] = {0.1: 5.0, math.inf: 5.0}
    b = Snapshot(11.0, stories={"prepare": 7.0, "dedup": 2.0}, lag={"wire.raw[1]": 4.0}, e2e_count=2.0)
    b.latency_buckets["prepare"] = {0.1: 1.0, math.inf: 7.0}
    total = a.add(b)
    assert total.at == 11.0 and total.stories == {"prepare": 12.0, "dedup": 2.0}
    assert total.lag == {"wire.raw[0]": 3.0, "wire.raw[1]": 4.0}
    assert total.latency_buckets["prepare"] == {0.1: 6.0, math.inf: 12.0}
    assert (total.dead_letters, total.e2e_count) == (1.0, 2.0)


@pytest.mark.parametrize(
    ("total", "n", "line"),
    [
        (400, 200, "\r[#####.....] 200/400  50%"),
        (400, 400, "\r[##########] 400/400 100%"),
        (None, 1200, "\r1200 stories"),  # stdin: no total known
    ],
)
def test_progress_bar_line(total: int | None, n: int, line: str) -> None:
    assert Progress(total, enabled=True, width=10).line(n) == line


def test_progress_bar_redraws_once_per_percent(capsys: pytest.CaptureFixture[str]) -> None:
    bar = Progress(1000, enabled=True, width=10)
    for n in range(1, 1001):
        bar.update(n)
    bar.done()
    err = capsys.readouterr().err
    assert err.count("\r") == 101 and err.endswith("1000/1000 100%\n")
    quiet = Progress(1000, enabled=False)
    quiet.update(500)
    quiet.done()
    assert capsys.readouterr().err == ""
