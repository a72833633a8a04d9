"""Prometheus rules and config, metric naming, and the Grafana dashboard against what the worker exports."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from prometheus_client import generate_latest

from agents.app import create_app
from agents.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
PROM = ROOT / "deploy" / "prometheus"


def promtool() -> str:
    path = shutil.which("promtool")
    assert path, "promtool is missing: `make setup` installs Debian's prometheus package (deploy/ops-deps.sh)"
    return path


def exported(tmp_path: Path) -> str:
    """The /metrics text of a freshly built worker app, with every stage metric observed once."""
    wiring = create_app(Settings.from_env({"WIRESTREAM_DATA_DIR": str(tmp_path)}))
    m = wiring.metrics
    m.stories.labels("prepare").inc()
    m.failures.labels("prepare").inc()
    m.latency.labels("annotate").observe(0.1)
    m.end_to_end.labels("wire.enriched").observe(1.0)
    m.dedup.labels("unique").inc()
    m.dead_letters.labels("invalid_json", "parse").inc()
    m.languages.labels("en").inc()
    m.model_load.labels("en", "en_core_web_sm").set(0.5)
    m.lag.labels("wire.raw", "0").set(3)
    text = generate_latest(wiring.registry).decode()
    # families with labels show no sample until first used (Faust's own): list them as exposed names too
    suffix = {"counter": ["_total"], "histogram": ["_bucket", "_sum", "_count"]}
    families = [f"# family {f.name}{s}" for f in wiring.registry.collect() for s in suffix.get(f.type, [""])]
    return text + "\n".join(families) + "\n"


def names(text: str) -> set[str]:
    samples = {
        line.split("{")[0].split(" ")[0] for line in text.splitlines() if line and not line.startswith("#")
    }
    return samples | {line.split()[-1] for line in text.splitlines() if line.startswith("# family ")}


FUNCTIONS = {"histogram_quantile", "clamp_min", "label_replace"}


def metric_names(expr: str) -> set[str]:
    """Metric names in a PromQL expression: label matchers, ranges, strings and comments removed."""
    bare = re.sub(r'\{[^}]*\}|"[^"]*"|\[[^\]]*\]|#.*', " ", expr)
    bare = re.sub(r"\b(by|without)\s*\([^)]*\)", " ", bare)
    found = set(re.findall(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b", bare)) | set(re.findall(r"\bup\b", bare))
    return found - FUNCTIONS


def test_alert_rules_pass_their_unit_tests() -> None:
    done = subprocess.run(
        [promtool(), "test", "rules", "alerts_test.yml"], cwd=PROM, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS" in done.stdout


def test_prometheus_config_is_valid() -> None:
    done = subprocess.run(
        [promtool(), "check", "config", "prometheus.yml"], cwd=PROM, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_stage_metrics_follow_conventions(tmp_path: Path) -> None:
    text = exported(tmp_path)
    ours = (
        "\n".join(line for line in text.splitlines() if "wirestream_" in line and "# family" not in line)
        + "\n"
    )
    done = subprocess.run([promtool(), "check", "metrics"], input=ours, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    for required in (
        "wirestream_stage_stories_total",
        "wirestream_stage_failures_total",
        "wirestream_stage_latency_seconds_bucket",
        "wirestream_end_to_end_latency_seconds_bucket",
        "wirestream_dedup_outcomes_total",
        "wirestream_dead_letters_total",
        "wirestream_languages_total",
        "wirestream_model_load_seconds",
        "wirestream_consumer_lag_messages",
    ):
        assert required in names(text), required


def test_every_dashboard_query_uses_exported_metrics(tmp_path: Path) -> None:
    available = names(exported(tmp_path)) | {"up"}
    dash = json.loads((ROOT / "deploy/grafana/dashboards/wirestream.json").read_text())
    exprs = [t["expr"] for p in dash["panels"] for t in p["targets"]]
    assert len(exprs) >= 10
    for expr in exprs:
        used = metric_names(expr)
        assert used and used <= available, (expr, used - available)


@pytest.mark.parametrize("alert_file", ["alerts.yml"])
def test_alert_expressions_use_exported_metrics(tmp_path: Path, alert_file: str) -> None:
    import yaml

    available = names(exported(tmp_path)) | {"up", "faust_topic_partition_end_offset"}
    rules = yaml.safe_load((PROM / alert_file).read_text())["groups"][0]["rules"]
    assert {r["alert"] for r in rules} >= {
        "WirestreamNoThroughput",
        "WirestreamConsumerLagGrowing",
        "WirestreamDeadLetterRateHigh",
        "WirestreamWorkerDown",
        "WirestreamHighLatency",
    }
    for rule in rules:
        used = metric_names(rule["expr"])
        assert used and used <= available, (rule["alert"], used - available)
