"""Desk routes around the worker: the setting, the checks only the worker can make, the route agent in
memory (`agent.test_context()`), and the `routes` commands as a user runs them."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import faust
import pytest

from agents.app import create_app
from agents.kafka import all_topics
from agents.routes import load_router, summary, trial, trial_lines
from agents.settings import Settings
from agents.stages import Hop, route_agent
from pipeline.chain import Chain
from pipeline.routes import RouteError

ROOT = Path(__file__).resolve().parents[2]
EXE = str(Path(sys.executable).with_name("wirestream"))

RULES = """\
routes:
  - name: french
    match: {language: fr}
  - name: airbus-watch
    alert: true
    match:
      any:
        - organisations: [Airbus]
        - quote_by: [Guillaume Faury]
  - name: archive
    topic: desk.archive
    match:
      not: {dedup: duplicate}
"""


def record(ident: str, **changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": ident,
        "headline": "Airbus wins an order",
        "source": "dpa",
        "body": "Airbus said on Monday it had won its largest order.",
        "language": {"code": "en", "confidence": 0.99},
        "dedup": {"status": "unique", "of": None, "similarity": None},
        "people": [{"name": "Guillaume Faury", "mentions": 1}],
        "organisations": [{"name": "Airbus", "mentions": 2}],
        "places": [],
        "quotes": [
            {
                "text": "a great day",
                "kind": "direct",
                "speaker": {"text": "Faury", "start": 0, "end": 5, "canonical": "Guillaume Faury"},
            }
        ],
    }
    base.update(changes)
    return base


def line(rec: dict[str, Any]) -> bytes:
    return json.dumps(rec).encode()


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    path = tmp_path / "routes.yml"
    path.write_text(RULES, "utf-8")
    return path


# -- the setting ------------------------------------------------------------------------------------


def test_routes_setting_defaults_to_the_shipped_file_from_the_repository_root(tmp_path: Path) -> None:
    here = os.getcwd()
    try:
        os.chdir(ROOT)
        assert Settings.from_env({}).routes == Path("deploy/routes.yml")
        os.chdir(tmp_path)  # elsewhere there is no deploy/routes.yml: no route stage
        assert Settings.from_env({}).routes is None
    finally:
        os.chdir(here)
    assert Settings.from_env({"WIRESTREAM_ROUTES": ""}).routes is None
    assert Settings.from_env({"WIRESTREAM_ROUTES": " /etc/desks.yml "}).routes == Path("/etc/desks.yml")


# -- what the worker checks -------------------------------------------------------------------------


def test_a_route_may_not_write_to_the_workers_own_topics_nor_share_a_topic(tmp_path: Path) -> None:
    settings = Settings.from_env({"WIRESTREAM_TOPIC_PREFIX": "desk", "WIRESTREAM_ROUTES": ""})
    path = tmp_path / "r.yml"
    path.write_text("routes:\n- name: loop\n  topic: desk.enriched\n  match: {}\n")
    with pytest.raises(RouteError, match=r"route 'loop': topic desk.enriched is one of the worker's own"):
        load_router(path, settings)
    path.write_text("routes:\n- name: a\n  topic: x.t\n  match: {}\n- name: b\n  topic: x.t\n  match: {}\n")
    with pytest.raises(RouteError, match=r"route 'b': topic x.t is route 'a''s already"):
        load_router(path, settings)
    path.write_text("routes:\n- name: loop\n  topic: desk.enriched\n  match: {}\n")
    # another prefix's enriched topic is an ordinary topic for this worker
    assert load_router(path, replace(settings, topic_prefix="other")).routes[0].topic == "desk.enriched"


def test_the_worker_creates_the_route_topics_and_the_alerts_topic(rules: Path) -> None:
    settings = Settings.from_env({"WIRESTREAM_TOPIC_PREFIX": "desk", "WIRESTREAM_PARTITIONS": "3"})
    topics = all_topics(settings, load_router(rules, settings))
    assert topics["desk.route.french"] == topics["desk.route.airbus-watch"] == topics["desk.archive"] == 3
    assert topics["desk.alerts"] == topics["desk.enriched"] == 3
    assert "desk.route.french" not in all_topics(settings)


def test_trial_lists_each_routes_records_alerts_and_bad_lines(rules: Path) -> None:
    router = load_router(rules, Settings.from_env({"WIRESTREAM_ROUTES": ""}))
    lines = [
        line(record("fr-airbus", language={"code": "fr", "confidence": 0.9})),
        b"",
        b"{broken",
        line(record("dup", organisations=[], people=[], quotes=[], dedup={"status": "duplicate"})),
        b"[1, 2]",
        line(record("en-airbus")),
    ]
    result = trial(router, lines)
    assert result.taken == {
        "french": ["fr-airbus"],
        "airbus-watch": ["fr-airbus", "en-airbus"],
        "archive": ["fr-airbus", "en-airbus"],
    }
    assert result.alerts == {"airbus-watch": 2}
    assert result.unrouted == ["dup"] and result.bad_lines == [3, 5] and result.records == 3
    text = trial_lines(result)
    assert text[1].startswith("airbus-watch") and "2 (2 alerts): fr-airbus, en-airbus" in text[1]
    assert text[-1] == "3 records; 2 lines not a JSON record: 3, 5"
    assert summary("r.yml", router) == (
        "r.yml: 3 routes (1 with alerts: airbus-watch) -> wire.route.french, wire.route.airbus-watch, "
        "desk.archive"
    )


# -- the route agent in memory ----------------------------------------------------------------------


def _hop(tmp_path: Path, rules: Path) -> tuple[Hop, dict[str, faust.ChannelT]]:
    """A Hop with the rules, whose route topics, alerts and dead letters are in-memory channels."""
    settings = Settings.from_env(
        {"WIRESTREAM_DATA_DIR": str(tmp_path), "WIRESTREAM_TABLE_STORE": "memory", "WIRESTREAM_ROUTES": ""}
    )
    wiring = create_app(settings)
    router = load_router(rules, settings)
    outputs = {name: wiring.app.channel() for name in ("alerts", "deadletter")}
    targets = {route.topic: wiring.app.channel() for route in router.routes}
    hop = Hop(
        wiring.app,
        replace(wiring.topics, **outputs),
        wiring.metrics,
        wiring.gate,
        Chain(settings.pipeline),
        settings,
        router=router,
        targets=targets,
    )
    channels = {**outputs, **targets}
    return hop, {name: channel.clone(is_iterator=True) for name, channel in channels.items()}


async def _drain(channel: faust.ChannelT) -> list[tuple[bytes | None, bytes]]:
    got = []
    while not channel.empty():
        event = await channel.get(timeout=5)
        got.append((event.key, event.value))
    return got


def test_route_agent_copies_records_to_every_matching_route_and_alerts(tmp_path: Path, rules: Path) -> None:
    hop, out = _hop(tmp_path, rules)
    agent = route_agent(hop)
    both = line(record("fr-airbus", language={"code": "fr", "confidence": 0.9}))
    none = line(record("dup", organisations=[], people=[], quotes=[], dedup={"status": "duplicate"}))

    async def run() -> dict[str, list[tuple[bytes | None, bytes]]]:
        async with agent.test_context() as tested:
            await tested.put(both, key=b"fr-airbus")
            await tested.put(none, key=b"dup")
            await tested.put(b"\xff not json", key=b"bad")
            await asyncio.sleep(0.2)  # the agent hands its sends over to the channels
            return {name: await _drain(channel) for name, channel in out.items()}

    got = asyncio.run(run())
    assert got["wire.route.french"] == [(b"fr-airbus", both)]  # the bytes as received
    assert got["wire.route.airbus-watch"] == [(b"fr-airbus", both)]
    assert got["desk.archive"] == [(b"fr-airbus", both)]
    [(key, alert)] = got["alerts"]
    assert key == b"fr-airbus"
    assert json.loads(alert) == {
        "id": "fr-airbus",
        "headline": "Airbus wins an order",
        "source": "dpa",
        "language": "fr",
        "route": "airbus-watch",
        "names": ["Airbus"],
        "quotes": [{"text": "a great day", "speaker": "Guillaume Faury"}],
        "published_at": None,
        "url": None,
    }
    [(key, letter)] = got["deadletter"]
    dead = json.loads(letter)
    assert key is None and dead["error"] == "invalid_record" and dead["stage"] == "route"
    assert dead["offset"] == 2 and dead["raw_encoding"] == "base64"
    metrics = hop.metrics
    assert metrics.route_matches.labels("airbus-watch")._value.get() == 1
    assert metrics.alerts.labels("airbus-watch")._value.get() == 1
    assert metrics.stories.labels("route")._value.get() == 2


# -- the commands -----------------------------------------------------------------------------------


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [EXE, *args], capture_output=True, text=True, timeout=120, cwd=ROOT, env={**os.environ, **(env or {})}
    )


def test_routes_check_accepts_the_shipped_file_and_refuses_a_bad_one_in_one_line(tmp_path: Path) -> None:
    done = run("routes", "check", "deploy/routes.yml")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("deploy/routes.yml: 4 routes (1 with alerts: business-watch) -> ")
    bad = tmp_path / "bad.yml"
    bad.write_text("routes:\n- name: sports\n  match: {langauge: fr}\n")
    done = run("routes", "check", str(bad))
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.startswith(f"wirestream routes: {bad}: route 'sports': unknown filter 'langauge'")
    assert done.stderr.count("\n") == 1


def test_routes_test_reads_enriched_jsonl(tmp_path: Path, rules: Path) -> None:
    records = tmp_path / "enriched.jsonl"
    records.write_bytes(line(record("a")) + b"\n" + line(record("b", language={"code": "fr"})) + b"\n")
    done = run("routes", "test", str(rules), str(records))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0].split() == ["french", "1:", "b"]
    assert done.stdout.splitlines()[-1] == "2 records"


def test_a_worker_with_a_bad_rules_file_stops_at_start_with_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text("routes:\n- name: desk\n  match: {people: {file: missing.txt}}\n")
    done = run("worker", env={"WIRESTREAM_ROUTES": str(bad), "WIRESTREAM_BROKER": "127.0.0.1:1"})
    assert done.returncode == 2
    assert done.stderr.startswith(f"wirestream worker: {bad}: route 'desk': 'people': cannot read list file")
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    done = run("worker", "--stages", "route", env={"WIRESTREAM_ROUTES": ""})
    assert done.returncode == 2
    assert done.stderr == "wirestream worker: the route stage needs WIRESTREAM_ROUTES (a rules file)\n"


def test_alerts_tail_prints_one_line_per_alert() -> None:
    from deploy.alerts_tail import alert_line

    alert = {
        "id": "s-1",
        "headline": "Airbus wins\nan order",
        "source": "dpa",
        "route": "airbus-watch",
        "names": ["Airbus"],
        "quotes": [{"text": "x" * 200, "speaker": "Guillaume Faury"}, {"text": "yes", "speaker": None}],
    }
    line = alert_line(alert, 1_780_000_000_000)
    assert "\n" not in line
    assert line.startswith("2026-05-28 20:26:40 [airbus-watch] Airbus wins an order — Airbus; “xxx")
    assert "…” (Guillaume Faury); “yes” (unknown) (id s-1, dpa)" in line
    assert alert_line({"id": "s-2", "route": "r"}) == "- [r] (no headline) (id s-2)"
