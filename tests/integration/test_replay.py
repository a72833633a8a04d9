"""Dead letters can be replayed after a fix and then come out enriched."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.integration.conftest import BROKER, consume, publish

pytestmark = pytest.mark.integration
EXE = str(Path(sys.executable).with_name("wirestream"))


def test_replay_after_raising_the_size_limit(worker_factory: Any) -> None:
    prefix = worker_factory.prefix
    story = {
        "id": f"{prefix}-long",
        "body": "The council of Harlow met on Monday to approve the budget. " * 8,
    }
    strict = worker_factory(WIRESTREAM_MAX_BODY_BYTES="200").start()
    publish(prefix, [story])
    got = consume(prefix, 1, timeout=120)
    strict.stop()
    [letter] = [d for _, _, d in got["deadletter"]]
    assert letter["error"] == "body_too_large" and letter["id"] == story["id"]
    assert json.loads(letter["raw"]) == story and letter["topic"] == f"{prefix}.raw"

    worker_factory().start()  # the fix: the default 1 MiB limit
    env = dict(os.environ, WIRESTREAM_BROKER=BROKER, WIRESTREAM_TOPIC_PREFIX=prefix)
    done = subprocess.run(
        [EXE, "replay", "--error", "body_too_large"], env=env, capture_output=True, timeout=120
    )
    assert done.returncode == 0, done.stderr.decode()
    assert b"replayed 1 dead letters" in done.stdout
    got = consume(prefix, 2, timeout=120)
    [record] = [r for _, _, r in got["enriched"]]
    assert record["id"] == story["id"] and record["body"].startswith("The council of Harlow")
    again = subprocess.run([EXE, "replay"], env=env, capture_output=True, timeout=120)
    assert b"replayed 0 dead letters" in again.stdout  # the group remembers what was replayed


def test_a_story_dead_lettered_while_corenlp_was_down_is_enriched_on_replay(worker_factory: Any) -> None:
    """The German model's server down (a port nothing listens on, no restart): retries, then a dead letter
    `model_unavailable`; with the server back, `replay` re-runs it to an enriched record, not a duplicate
    of itself (the dedup state of the first worker lives on in its changelog)."""
    prefix = worker_factory.prefix
    subprocess.run(
        [str(Path(__file__).resolve().parents[2] / "deploy" / "corenlp" / "corenlp.sh"), "start"],
        check=True,
        timeout=600,
    )
    story = {
        "id": f"{prefix}-de",
        "language": "de",
        "body": "Berlin (dpa) - Bundeskanzler Friedrich Merz hat am Montag in Berlin den französischen "
        "Präsidenten Emmanuel Macron empfangen. Merz sagte, beide Länder stünden eng zusammen.",
    }
    down = worker_factory(
        WIRESTREAM_CORENLP_URL="http://127.0.0.1:9/", WIRESTREAM_CORENLP_START="off"
    ).start()
    publish(prefix, [story])
    got = consume(prefix, 1, timeout=180)
    down.stop()
    [letter] = [d for _, _, d in got["deadletter"]]
    assert letter["error"] == "model_unavailable" and letter["stage"] == "entities"

    worker_factory().start()  # the default: the server on 9000, started by the script when needed
    env = dict(os.environ, WIRESTREAM_BROKER=BROKER, WIRESTREAM_TOPIC_PREFIX=prefix)
    done = subprocess.run(
        [EXE, "replay", "--error", "model_unavailable"], env=env, capture_output=True, timeout=120
    )
    assert b"replayed 1 dead letters" in done.stdout, done.stderr.decode()
    got = consume(prefix, 2, timeout=180)
    [record] = [r for _, _, r in got["enriched"]]
    assert record["id"] == story["id"] and record["entities_model"] == "corenlp:german"
    assert (
        record["dedup"]["status"] == "unique"
        and {"name": "Friedrich Merz", "mentions": 2} in record["people"]
    )
