"""Desk routes through the real broker: three routes, a story matching two of them is on both route topics
exactly once, one matching none is on none, the alert route's alert comes out (and reads as a line with
deploy/alerts_tail.py); at both processing guarantees."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.integration.conftest import BROKER, ROOT, consume, publish

pytestmark = pytest.mark.integration

RULES = """\
routes:
  - name: french
    match: {language: fr}
  - name: harbour-watch
    alert: true
    match: {headline: [harbour, "ferry pier"]}
  - name: valmora
    topic: {prefix}.desk.valmora
    match: {source: Valmora Wire}
"""


def stories(prefix: str) -> list[dict[str, Any]]:
    return [
        {
            "id": f"{prefix}-both",
            "source": "Valmora Wire",
            "headline": "Harbour board approves new ferry pier",
            "body": (
                "The harbour board of Valmora on Tuesday approved a new ferry pier at the north quay, its "
                "chair Marta Lindqvist said after a two-hour meeting. Building is to start in the spring "
                'and take about eighteen months. "The old pier will stay open until the new one is '
                'finished," Lindqvist told reporters.'
            ),
        },
        {
            "id": f"{prefix}-fr",
            "source": "Agence Lumière",
            "headline": "Le conseil municipal vote le budget de la bibliothèque",
            "body": (
                "Le conseil municipal de Valmora a adopté mardi soir le budget de la nouvelle "
                "bibliothèque après un long débat. Les travaux commenceront au printemps et dureront "
                "environ dix-huit mois, selon la maire, qui a promis des horaires d'ouverture plus larges "
                "pour les étudiants et les familles du quartier."
            ),
        },
        {
            "id": f"{prefix}-none",
            "source": "City Desk",
            "headline": "Council debates library opening hours",
            "body": (
                "The city council debated the opening hours of the central library on Wednesday. Members "
                "agreed to keep the reading rooms open until nine in the evening during the exam season, "
                "and to review the schedule again in the autumn after hearing from students."
            ),
        },
    ]


def read(topics: list[str], expected: int, timeout: float) -> dict[str, list[dict[str, Any]]]:
    """Committed records of `topics` until `expected` in all (or timeout), then until 3 s of silence, so a
    record written twice would show."""
    from kafka import KafkaConsumer

    consumer = KafkaConsumer(
        *topics,
        bootstrap_servers=[BROKER],
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        consumer_timeout_ms=3000,
        isolation_level="read_committed",
    )
    got: dict[str, list[dict[str, Any]]] = {topic: [] for topic in topics}
    deadline = time.time() + timeout
    try:
        while sum(map(len, got.values())) < expected and time.time() < deadline:
            for msg in consumer:
                got[msg.topic].append({"key": msg.key, **json.loads(msg.value)})
        for msg in consumer:  # on until silent
            got[msg.topic].append({"key": msg.key, **json.loads(msg.value)})
    finally:
        consumer.close()
    return got


@pytest.mark.parametrize("guarantee", ["at_least_once", "exactly_once"])
def test_a_story_is_on_each_route_it_matches_exactly_once_and_alerts_come_out(
    worker_factory: Any, tmp_path: Path, guarantee: str
) -> None:
    prefix = worker_factory.prefix
    rules = tmp_path / "routes.yml"
    rules.write_text(RULES.replace("{prefix}", prefix), "utf-8")
    worker = worker_factory(
        WIRESTREAM_ROUTES=str(rules), WIRESTREAM_PROCESSING_GUARANTEE=guarantee, WIRESTREAM_PARTITIONS="2"
    ).start()
    batch = stories(prefix)
    publish(prefix, batch)
    ids = [s["id"] for s in batch]
    enriched = consume(prefix, len(ids), ids=ids, timeout=150)
    languages = {r["id"]: r["language"]["code"] for _, _, r in enriched["enriched"]}
    assert languages == {ids[0]: "en", ids[1]: "fr", ids[2]: "en"}

    french, harbour, valmora, alerts = (
        f"{prefix}.route.french",
        f"{prefix}.route.harbour-watch",
        f"{prefix}.desk.valmora",
        f"{prefix}.alerts",
    )
    got = read([french, harbour, valmora, alerts], expected=4, timeout=60)
    taken = {topic: Counter(r["id"] for r in records) for topic, records in got.items()}
    assert taken[french] == Counter({f"{prefix}-fr": 1})
    assert taken[harbour] == taken[valmora] == Counter({f"{prefix}-both": 1})  # both routes, once each
    assert taken[alerts] == Counter({f"{prefix}-both": 1})
    # a route topic holds the enriched record itself, same key
    [routed] = got[harbour]
    assert routed["key"] == f"{prefix}-both".encode()
    assert routed["body"].startswith("The harbour board") and routed["dedup"]["status"] == "unique"
    [alert] = got[alerts]
    assert alert["route"] == "harbour-watch" and alert["headline"] == "Harbour board approves new ferry pier"
    assert alert["source"] == "Valmora Wire" and alert["language"] == "en"

    metrics = worker.metrics()
    assert 'wirestream_route_matches_total{route="harbour-watch"} 1.0' in metrics
    assert 'wirestream_route_matches_total{route="valmora"} 1.0' in metrics
    assert 'wirestream_route_alerts_total{route="harbour-watch"} 1.0' in metrics

    # the sample consumer turns the alert into one line on a terminal
    env = dict(os.environ, WIRESTREAM_BROKER=BROKER, WIRESTREAM_TOPIC_PREFIX=prefix)
    done = subprocess.run(
        [sys.executable, "deploy/alerts_tail.py", "--from-start", "--max", "1", "--timeout", "20"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    [line] = done.stdout.splitlines()
    assert "[harbour-watch] Harbour board approves new ferry pier" in line
    assert line.endswith(f"(id {prefix}-both, Valmora Wire)")
