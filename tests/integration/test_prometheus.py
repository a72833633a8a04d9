"""A real Prometheus (Debian's package) scrapes a live worker; its HTTP API has throughput and latency."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeline.evaluation.storygen import stories
from tests.integration.conftest import BROKER, _free_port, consume

pytestmark = pytest.mark.integration
EXE = str(Path(sys.executable).with_name("wirestream"))
STORIES = 30


def tool(name: str) -> str:
    path = shutil.which(name)
    assert path, f"{name} is missing: `make setup` installs Debian's prometheus package (deploy/ops-deps.sh)"
    return path


class Prometheus:
    """A Prometheus server on loopback with its own config and storage in a temp dir."""

    def __init__(self, tmp: Path, target: str) -> None:
        self.port = _free_port()
        config = tmp / "prometheus.yml"
        config.write_text(
            "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
            "scrape_configs:\n"
            f"  - job_name: wirestream\n    static_configs: [{{targets: ['{target}']}}]\n"
        )
        self.log = tmp / "prometheus.log"
        self.proc = subprocess.Popen(
            [
                tool("prometheus"),
                f"--config.file={config}",
                f"--storage.tsdb.path={tmp / 'tsdb'}",
                f"--web.listen-address=127.0.0.1:{self.port}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=open(self.log, "wb"),  # noqa: SIM115 - owned by the child
        )

    def query(self, promql: str) -> list[dict[str, Any]]:
        url = f"http://127.0.0.1:{self.port}/api/v1/query?" + urllib.parse.urlencode({"query": promql})
        with urllib.request.urlopen(url, timeout=5) as resp:
            body = json.loads(resp.read())
        assert body["status"] == "success", body
        return list(body["data"]["result"])

    def until(self, promql: str, ok: Callable[[list[dict[str, Any]]], bool], timeout: float) -> list[Any]:
        """Query until `ok(result)` or timeout; the last result either way."""
        deadline, result = time.time() + timeout, []
        while time.time() < deadline:
            assert self.proc.poll() is None, self.log.read_text()[-3000:]
            try:
                result = self.query(promql)
                if ok(result):
                    break
            except OSError:  # not listening yet
                pass
            time.sleep(0.5)
        return result

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def prometheus_for(tmp_path: Path) -> Iterator[Callable[[str], Prometheus]]:
    started: list[Prometheus] = []

    def start(target: str) -> Prometheus:
        started.append(Prometheus(tmp_path, target))
        return started[-1]

    yield start
    for p in started:
        p.stop()


def by(label: str, result: list[dict[str, Any]]) -> dict[str, float]:
    return {r["metric"].get(label, ""): float(r["value"][1]) for r in result}


def test_prometheus_scrapes_throughput_and_latency(
    worker_factory: Any, prometheus_for: Callable[[str], Prometheus], tmp_path: Path
) -> None:
    worker = worker_factory().start()
    prom = prometheus_for(f"127.0.0.1:{worker.port}")
    # the whole /metrics text, Faust's sensor included, follows Prometheus's naming rules
    checked = subprocess.run(
        [tool("promtool"), "check", "metrics"], input=worker.metrics(), capture_output=True, text=True
    )
    hint = "(create_app must install Faust's sensor with agents.metrics.install_faust_sensor: seconds)"
    assert checked.returncode == 0, checked.stdout + checked.stderr + hint

    # scraping before anything is published, so rates have a zero to start from
    up = prom.until('up{job="wirestream"}', lambda r: bool(r) and r[0]["value"][1] == "1", 60)
    assert up and up[0]["value"][1] == "1", up
    prefix = worker_factory.prefix
    batch = stories(STORIES, seed=77, words=120, prefix=prefix)
    source = tmp_path / "stories.jsonl"
    source.write_text("".join(json.dumps(s) + "\n" for s in batch))
    env = dict(os.environ, WIRESTREAM_BROKER=BROKER, WIRESTREAM_TOPIC_PREFIX=prefix)
    sent = subprocess.run(
        [EXE, "publish", str(source), "--progress"], env=env, capture_output=True, timeout=60
    )
    assert f"published {STORIES} stories".encode() in sent.stdout, sent.stderr
    assert f"{STORIES}/{STORIES} 100%".encode() in sent.stderr
    got = consume(prefix, STORIES, timeout=120)
    assert sum(len(v) for v in got.values()) == STORIES

    # throughput: the counters reach the batch size, and their rate is positive
    done = prom.until(
        'sum by (stage) (wirestream_stage_stories_total{job="wirestream"})',
        lambda r: by("stage", r).get("annotate", 0) + by("stage", r).get("dedup", 0) >= 2 * STORIES,
        30,
    )
    counts = by("stage", done)
    assert counts["prepare"] == STORIES and counts["dedup"] == STORIES, counts
    assert counts["annotate"] == STORIES - len(got["duplicates"]), counts
    rates = by("stage", prom.query("sum by (stage) (rate(wirestream_stage_stories_total[1m]))"))
    assert rates["prepare"] > 0 and rates["annotate"] > 0, rates

    # latency: quantiles of the stage and end-to-end histograms
    stage_p95 = by(
        "stage",
        prom.query(
            "histogram_quantile(0.95, sum by (le, stage) (rate(wirestream_stage_latency_seconds_bucket[1m])))"
        ),
    )
    assert 0 < stage_p95["annotate"] < 30 and 0 < stage_p95["prepare"] < 5, stage_p95
    e2e = prom.until(
        "histogram_quantile(0.95, sum by (le) (rate(wirestream_end_to_end_latency_seconds_bucket[1m])))",
        lambda r: bool(r) and r[0]["value"][1] != "NaN",  # NaN until a scrape has seen the outputs
        30,
    )
    assert e2e and 0 < float(e2e[0]["value"][1]) < 60, e2e

    # the input's end offsets and the lag, per partition; the lag drains to zero once all is committed
    ends = prom.until(
        f'sum(wirestream_topic_end_offset{{topic="{prefix}.raw"}})',
        lambda r: bool(r) and r[0]["value"][1] == str(STORIES),
        20,
    )
    assert ends and float(ends[0]["value"][1]) == STORIES, ends
    lag = prom.until(
        f'sum(wirestream_consumer_lag_messages{{topic=~"{prefix}\\\\..*"}})',
        lambda r: bool(r) and r[0]["value"][1] == "0",
        30,
    )
    assert lag and lag[0]["value"][1] == "0", lag
    languages = by("language", prom.query("sum by (language) (wirestream_languages_total)"))
    assert sum(languages.values()) == STORIES and max(languages, key=languages.__getitem__) == "en", languages

    # `wirestream stats` reads the same worker
    shown = subprocess.run(
        [EXE, "stats", "--url", f"http://127.0.0.1:{worker.port}/metrics", "--interval", "1", "--count", "1"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert shown.returncode == 0, shown.stderr
    row = next(line.split() for line in shown.stdout.splitlines() if line.startswith("prepare"))
    assert row[2] == str(STORIES) and "dead letters 0" in shown.stdout and "lag 0:" in shown.stdout
