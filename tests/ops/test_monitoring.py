"""Prometheus rules and config, metric naming, and the Grafana dashboard against what the worker exports."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import fields
from pathlib import Path
from typing import Any

import faust
import pytest
import yaml
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from agents.app import create_app
from agents.metrics import StageMetrics, install_faust_sensor
from agents.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
PROM = ROOT / "deploy" / "prometheus"
GRAFANA = ROOT / "deploy" / "grafana"
ALERTS = {
    "WirestreamNoThroughput",
    "WirestreamConsumerLagGrowing",
    "WirestreamDeadLetterRateHigh",
    "WirestreamWorkerDown",
    "WirestreamNoWorkerUp",
    "WirestreamHighLatency",
}


def promtool() -> str:
    path = shutil.which("promtool")
    assert path, "promtool is missing: `make setup` installs Debian's prometheus package (deploy/ops-deps.sh)"
    return path


def exported_names(registry: CollectorRegistry) -> set[str]:
    """Every series name the registry exposes, including families with labels not yet used."""
    suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count"), "gauge": ("",)}
    names: set[str] = set()
    for family in registry.collect():
        names.update(family.name + s for s in suffixes.get(family.type, ("",)))
        names.update(s.name for s in family.samples)
    return names


def worker_names(tmp_path: Path) -> set[str]:
    """What a worker built by `create_app` exports (its stage metrics and Faust's sensor), plus `up`."""
    wiring = create_app(Settings.from_env({"WIRESTREAM_DATA_DIR": str(tmp_path)}))
    return exported_names(wiring.registry) | {"up"}


def observe_all(metrics: StageMetrics) -> None:
    """One observation in every stage metric, whatever its labels."""
    for f in fields(metrics):
        metric = getattr(metrics, f.name)
        child = metric.labels(*(f"x{i}" for i in range(len(metric._labelnames))))
        if isinstance(metric, Counter):
            child.inc()
        elif isinstance(metric, Histogram):
            child.observe(0.2)
        elif isinstance(metric, Gauge):
            child.set(3)


FUNCTIONS = {"histogram_quantile", "label_values", "label_replace", "clamp_min", "clamp_max"}


def metric_names(expr: str) -> set[str]:
    """Metric names in a PromQL expression: label matchers, ranges, strings and grouping removed."""
    bare = re.sub(r'\{[^}]*\}|"[^"]*"|\[[^\]]*\]|#.*', " ", expr)
    bare = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", bare)
    found = set(re.findall(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b", bare)) | set(re.findall(r"\bup\b", bare))
    return found - FUNCTIONS


def dashboard_queries() -> list[str]:
    dash = json.loads((GRAFANA / "dashboards" / "wirestream.json").read_text())
    queries = [t["expr"] for p in dash["panels"] for t in p["targets"]]
    queries += [
        v["query"]["query"] for v in dash.get("templating", {}).get("list", []) if v["type"] == "query"
    ]
    return queries


def alert_rules() -> list[dict[str, Any]]:
    return [r for g in yaml.safe_load((PROM / "alerts.yml").read_text())["groups"] for r in g["rules"]]


@pytest.mark.parametrize(
    ("expr", "names"),
    [
        ('sum by (stage) (rate(a_total{stage="x", instance=~"$i"}[1m]))', {"a_total"}),
        ("histogram_quantile(0.9, sum by (le) (rate(b_seconds_bucket[5m]))) > 10", {"b_seconds_bucket"}),
        ("label_values(c_total, instance)", {"c_total"}),
        ("absent(up{job='w'} == 1)", {"up"}),
    ],
)
def test_metric_names_are_read_from_queries(expr: str, names: set[str]) -> None:
    assert metric_names(expr) == names


def test_alert_rules_pass_their_unit_tests() -> None:
    done = subprocess.run(
        [promtool(), "test", "rules", "alerts_test.yml"], cwd=PROM, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS" in done.stdout
    tested = set(re.findall(r"alertname: (\w+)", (PROM / "alerts_test.yml").read_text()))
    assert tested == {r["alert"] for r in alert_rules()} == ALERTS


def test_prometheus_config_is_valid_and_scrapes_the_workers() -> None:
    done = subprocess.run(
        [promtool(), "check", "config", "prometheus.yml"], cwd=PROM, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    config = yaml.safe_load((PROM / "prometheus.yml").read_text())
    (job,) = [j for j in config["scrape_configs"] if j["job_name"] == "wirestream"]
    assert job["metrics_path"] == "/metrics" and job["dns_sd_configs"][0]["port"] == 6066
    assert "alerts.yml" in config["rule_files"]
    assert all('job="wirestream"' in r["expr"] for r in alert_rules() if "up{" in r["expr"])


def test_every_metric_passes_promtool_check_metrics() -> None:
    """The whole /metrics text of a worker (Faust's sensor included, in seconds) follows the conventions."""
    registry = CollectorRegistry()
    app = faust.App("naming-check", broker="kafka://127.0.0.1:1", autodiscover=False)
    install_faust_sensor(app, registry)
    metrics = StageMetrics.create(registry)
    observe_all(metrics)
    text = generate_latest(registry).decode()
    assert "faust_events_runtime_seconds_bucket" in text and "_ms" not in text
    done = subprocess.run([promtool(), "check", "metrics"], input=text, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    ours = {n for n in exported_names(registry) if n.startswith("wirestream_")}
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", n) for n in ours)
    assert {n for n in ours if n.endswith("_total")} >= {
        "wirestream_stage_stories_total",
        "wirestream_stage_failures_total",
        "wirestream_dedup_outcomes_total",
        "wirestream_dead_letters_total",
        "wirestream_languages_total",
        "wirestream_route_matches_total",
        "wirestream_route_alerts_total",
    }


def test_faust_latencies_are_exported_in_seconds() -> None:
    registry = CollectorRegistry()
    app = faust.App("seconds-check", broker="kafka://127.0.0.1:1", autodiscover=False)
    install_faust_sensor(app, registry)
    app.monitor._metrics.producer_send_latency.observe(30.0)  # Faust observes milliseconds
    samples = {
        (s.name, s.labels.get("le")): s.value
        for f in registry.collect()
        for s in f.samples
        if "send" in s.name
    }
    assert samples[("faust_producer_send_latency_seconds_sum", None)] == pytest.approx(0.03)
    assert samples[("faust_producer_send_latency_seconds_bucket", "0.025")] == 0
    assert samples[("faust_producer_send_latency_seconds_bucket", "0.05")] == 1
    assert samples[("faust_producer_send_latency_seconds_bucket", "+Inf")] == 1


def test_stages_export_zeros_before_their_first_story() -> None:
    registry = CollectorRegistry()
    metrics = StageMetrics.create(registry)
    metrics.prime(["prepare", "annotate"])
    text = generate_latest(registry).decode()
    assert 'wirestream_stage_stories_total{stage="annotate"} 0.0' in text
    assert 'wirestream_stage_failures_total{stage="prepare"} 0.0' in text
    assert 'wirestream_stage_latency_seconds_count{stage="prepare"} 0.0' in text
    assert 'stage="dedup"' not in text


def test_every_dashboard_query_uses_exported_metrics(tmp_path: Path) -> None:
    available = worker_names(tmp_path)
    queries = dashboard_queries()
    assert len(queries) >= 12
    for expr in queries:
        used = metric_names(expr)
        assert used and used <= available, (expr, used - available)


def test_dashboard_covers_the_issue_and_is_provisioned() -> None:
    dash = json.loads((GRAFANA / "dashboards" / "wirestream.json").read_text())
    text = " ".join(dashboard_queries())
    for needed in (
        "wirestream_stage_stories_total",  # throughput per stage
        "histogram_quantile(0.5,",
        "histogram_quantile(0.95,",
        "histogram_quantile(0.99,",
        "wirestream_consumer_lag_messages",  # lag per partition
        'status="duplicate"',  # dedup ratio
        "wirestream_dead_letters_total",
        "wirestream_languages_total",
        "wirestream_route_matches_total",  # desk routes
        "wirestream_route_alerts_total",
    ):
        assert needed in text, needed
    uids = {p["datasource"]["uid"] for p in dash["panels"]}
    source = yaml.safe_load((GRAFANA / "provisioning" / "datasources" / "prometheus.yml").read_text())
    assert uids == {source["datasources"][0]["uid"]}
    provider = yaml.safe_load((GRAFANA / "provisioning" / "dashboards" / "wirestream.yml").read_text())
    assert provider["providers"][0]["options"]["path"] == "/var/lib/grafana/dashboards"
    assert len({p["id"] for p in dash["panels"]}) == len(dash["panels"])
    assert all(t.get("legendFormat") for p in dash["panels"] for t in p["targets"])


def test_alert_expressions_use_exported_metrics(tmp_path: Path) -> None:
    available = worker_names(tmp_path)
    for rule in alert_rules():
        used = metric_names(rule["expr"])
        assert used and used <= available, (rule["alert"], used - available)



def faust_hooks(monitor: Any) -> None:
    """Three messages through the hooks Faust calls per message, event, table write and send."""
    from types import SimpleNamespace

    from faust.types import TP

    class Owner:  # Faust's monitor keeps streams and their tasks by weak reference
        pass

    class Stream:
        shortlabel = "Stream: wire-Stage.Dedup"
        task_owner = Owner()

    stream = Stream()
    table = SimpleNamespace(name="dedup")
    for offset, topic in enumerate(["wire.stage.dedup", "wire.stage.dedup", "wire.raw"]):
        tp = TP(topic, offset % 2)
        monitor.on_message_in(tp, offset, SimpleNamespace())
        monitor.on_stream_event_in(tp, offset, stream, SimpleNamespace())
        monitor.on_table_set(table, "doc:a", {})
        monitor.on_send_initiated(None, "wire.stage.annotate", None, 3, 4)


def counted(registry: Any) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    hooked = ("received", "events", "table_operations", "messages_sent")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in registry.collect()
        if family.type != "histogram"  # exported in seconds (see FaustSeconds): compared elsewhere
        for s in family.samples
        if any(word in s.name for word in hooked) and not s.name.endswith("_created")
    }


def test_faust_sensor_with_cached_label_lookups_counts_as_faust_does() -> None:
    """Our Faust sensor looks each labelled series up once in the per-message hooks; it counts what
    Faust's own PrometheusMonitor counts."""
    from faust.sensors.prometheus import FaustMetrics, PrometheusMonitor

    registry = CollectorRegistry()
    app = faust.App("labels-check", broker="kafka://127.0.0.1:1", autodiscover=False)
    install_faust_sensor(app, registry)
    faust_registry = CollectorRegistry()
    faust_own = PrometheusMonitor(metrics=FaustMetrics.create(faust_registry, "faust"))
    assert type(app.monitor) is not PrometheusMonitor
    faust_hooks(app.monitor)
    faust_hooks(faust_own)
    ours = counted(registry)
    assert ours == counted(faust_registry)
    topic = (("topic", "wire.stage.dedup"),)
    assert ours[("faust_messages_received_per_topic_total", topic)] == 2
    assert ours[("faust_topic_messages_sent_total", (("topic", "topic.wire.stage.annotate"),))] == 3
    assert ("faust_total_events_per_stream_total", (("stream", "stream.wire-stage.dedup.events"),)) in ours
