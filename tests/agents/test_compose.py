"""docker-compose.yml parses and matches the settings the worker reads."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from agents.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_services_volumes_and_health_checks() -> None:
    c = compose()
    assert {"kafka", "worker", "prometheus", "grafana"} <= set(c["services"])
    for name in ("kafka", "worker", "prometheus", "grafana"):
        svc = c["services"][name]
        assert svc["healthcheck"]["test"], name
        assert svc["volumes"], name
    assert c["services"]["kafka"]["image"].startswith("apache/kafka:4.")
    assert c["services"]["worker"]["depends_on"]["kafka"]["condition"] == "service_healthy"
    assert (ROOT / c["services"]["worker"]["build"]["dockerfile"]).exists()
    mounts = [v.split(":")[0] for svc in c["services"].values() for v in svc.get("volumes", [])]
    named = {m for m in mounts if not m.startswith((".", "/"))}
    assert named <= set(c["volumes"])
    for path in (m for m in mounts if m.startswith("./")):
        assert (ROOT / path).exists(), path


def test_worker_scales_and_prometheus_grafana_are_provisioned() -> None:
    c = compose()
    worker = c["services"]["worker"]
    assert "ports" not in worker and "container_name" not in worker  # `--scale worker=N` works
    # each replica its own RocksDB state: anonymous volumes ("/data") or tmpfs, never a named or host volume
    data = worker["environment"]["WIRESTREAM_DATA_DIR"]
    assert data in worker.get("volumes", []) + worker.get("tmpfs", [])
    assert all(":" not in v for v in worker.get("volumes", []))
    port = int(worker["environment"]["WIRESTREAM_WEB_PORT"])
    assert str(port) in [str(e) for e in worker["expose"]]
    prom = yaml.safe_load((ROOT / "deploy/prometheus/prometheus.yml").read_text())
    dns = [sd for job in prom["scrape_configs"] for sd in job.get("dns_sd_configs", [])]
    assert dns and dns[0]["names"] == ["worker"] and dns[0]["port"] == port
    mounts = dict(v.split(":")[:2] for v in c["services"]["prometheus"]["volumes"])
    assert mounts["./deploy/prometheus"] == "/etc/prometheus"
    assert "--config.file=/etc/prometheus/prometheus.yml" in c["services"]["prometheus"]["command"]
    mounts = dict(v.split(":")[:2] for v in c["services"]["grafana"]["volumes"])
    assert mounts["./deploy/grafana/provisioning"] == "/etc/grafana/provisioning"
    provider = yaml.safe_load((ROOT / "deploy/grafana/provisioning/dashboards/wirestream.yml").read_text())
    assert mounts["./deploy/grafana/dashboards"] == provider["providers"][0]["options"]["path"]
    source = yaml.safe_load((ROOT / "deploy/grafana/provisioning/datasources/prometheus.yml").read_text())
    assert source["datasources"][0]["url"] == "http://prometheus:9090"


def test_kafka_is_single_node_kraft() -> None:
    env = compose()["services"]["kafka"]["environment"]
    assert set(env["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
    assert env["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"] == "1"
    assert env["KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR"] == "1"
    assert env["KAFKA_TRANSACTION_STATE_LOG_MIN_ISR"] == "1"


def test_worker_environment_is_what_settings_reads() -> None:
    env = {k: str(v) for k, v in compose()["services"]["worker"]["environment"].items()}
    source = (ROOT / "agents" / "settings.py").read_text()
    read = set(re.findall(r'"(WIRESTREAM_[A-Z_]+)"', source))
    assert set(env) <= read, set(env) - read
    s = Settings.from_env(env)  # every value parses
    kafka = compose()["services"]["kafka"]
    host, port = s.broker.split(":")
    assert (
        host == "kafka" and f"PLAINTEXT://{host}:{port}" in kafka["environment"]["KAFKA_ADVERTISED_LISTENERS"]
    )
    assert s.web_host == "0.0.0.0"
    assert str(s.web_port) in compose()["services"]["worker"]["healthcheck"]["test"][-1]


def test_dockerfile_installs_pinned_models_and_runs_the_worker() -> None:
    text = (ROOT / "deploy" / "Dockerfile").read_text()
    assert "--require-hashes -r deploy/requirements-models.txt" in text
    assert 'ENTRYPOINT ["wirestream"]' in text and 'CMD ["worker"]' in text


def test_build_context_keeps_what_the_dockerfile_copies_and_leaves_the_venv_out() -> None:
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".venv", ".git", "deploy/kafka/lib", "build"} <= ignored
    copied = re.findall(r"^COPY (.+) \S+$", (ROOT / "deploy" / "Dockerfile").read_text(), re.M)
    sources = {src for line in copied for src in line.split()}
    assert sources == {
        "pyproject.toml",
        "README.md",
        "pipeline",
        "agents",
        "deploy/requirements-models.txt",
        "deploy/routes.yml",  # the desk routes the image's worker runs (WIRESTREAM_ROUTES)
        "deploy/routes",
    }
    assert not sources & ignored
