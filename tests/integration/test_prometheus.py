"""A real Prometheus (Debian's package) scrapes a live worker; its HTTP API has throughput and latency."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from pipeline.evaluation.storygen import stories
from tests.integration.conftest import BROKER, consume

pytestmark = pytest.mark.integration
EXE = str(Path(sys.executable).with_name("wirestream"))


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def query(port: int, promql: str) -> list[dict[str, Any]]:
    url = f"http://127.0.0.1:{port}/api/v1/query?" + urllib.parse.urlencode({"query": promql})
    with urllib.request.urlopen(url, timeout=5) as resp:
        body = json.loads(resp.read())
    assert body["status"] == "success", body
    return list(body["data"]["result"])


def test_prometheus_scrapes_throughput_and_latency(worker_factory: Any, tmp_path: Path) -> None:
    binary = shutil.which("prometheus")
    assert binary, "prometheus is missing: `make setup` installs Debian's package (deploy/ops-deps.sh)"
    worker = worker_factory().start()
    prom_port = _port()
    config = tmp_path / "prometheus.yml"
    config.write_text(
        "global: {scrape_interval: 1s}\n"
        "scrape_configs:\n"
        f"  - job_name: wirestream\n    static_configs: [{{targets: ['127.0.0.1:{worker.port}']}}]\n"
    )
    prom = subprocess.Popen(
        [
            binary,
            f"--config.file={config}",
            f"--storage.tsdb.path={tmp_path / 'tsdb'}",
            f"--web.listen-address=127.0.0.1:{prom_port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.time() + 60
        while time.time() < deadline:  # scraping before anything is published: rates need two samples
            try:
                if query(prom_port, 'up{job="wirestream"}'):
                    break
            except OSError:
                pass
            time.sleep(0.5)
        prefix = worker_factory.prefix
        batch = stories(30, seed=77, words=120, prefix=prefix)
        source = tmp_path / "stories.jsonl"
        source.write_text("".join(json.dumps(s) + "\n" for s in batch))
        env = dict(os.environ, WIRESTREAM_BROKER=BROKER, WIRESTREAM_TOPIC_PREFIX=prefix)
        sent = subprocess.run(
            [EXE, "publish", str(source), "--progress"], env=env, capture_output=True, timeout=60
        )
        assert b"published 30 stories" in sent.stdout and b"30/30 100%" in sent.stderr
        got = consume(prefix, len(batch), timeout=180)
        assert sum(len(v) for v in got.values()) == len(batch)
        deadline = time.time() + 60
        throughput: list[dict[str, Any]] = []
        latency: list[dict[str, Any]] = []
        while time.time() < deadline:
            try:
                throughput = query(
                    prom_port, 'sum by (stage) (wirestream_stage_stories_total{job="wirestream"})'
                )
                latency = query(
                    prom_port,
                    "histogram_quantile(0.95, sum by (le) (wirestream_end_to_end_latency_seconds_bucket))",
                )
            except OSError:
                pass
            stages = {r["metric"].get("stage"): float(r["value"][1]) for r in throughput}
            if stages.get("annotate", 0) >= len(batch) and latency and latency[0]["value"][1] != "NaN":
                break
            time.sleep(1)
        stages = {r["metric"].get("stage"): float(r["value"][1]) for r in throughput}
        assert stages.get("prepare") == len(batch) and stages.get("annotate") == len(batch), stages
        assert latency and 0 < float(latency[0]["value"][1]) < 60, latency
        assert query(prom_port, 'up{job="wirestream"}')[0]["value"][1] == "1"
        url = f"http://127.0.0.1:{worker.port}/metrics"
        shown = subprocess.run(
            [EXE, "stats", "--url", url, "--interval", "1", "--count", "1"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert shown.returncode == 0, shown.stderr
        assert "annotate" in shown.stdout and "dead letters 0" in shown.stdout
    finally:
        prom.terminate()
        prom.wait(timeout=30)
