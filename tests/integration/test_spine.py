"""End to end through the real broker: every published id comes out exactly once, in contract shape."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from pipeline.evaluation.storygen import stories
from pipeline.schemas import errors
from tests.contract import DEAD_LETTER_FIELDS, ENRICHED_FIELDS, assert_follows_contract
from tests.integration.conftest import BROKER, consume, publish

pytestmark = pytest.mark.integration
EXE = str(Path(sys.executable).with_name("wirestream"))


def check_offsets(record: dict[str, Any]) -> None:
    body = record["body"]
    for ent in record["entities"]:
        assert body[ent["start"] : ent["end"]] == ent["text"], ent
        assert ent["label"] and ent["canonical"]
    for q in record["quotes"]:
        assert body[q["start"] : q["end"]] == q["text"], q
        assert q["kind"] in ("direct", "partial", "indirect")
        for part in ("speaker", "cue"):
            span = q[part]
            if span is not None:
                assert body[span["start"] : span["end"]] == span["text"], (part, q)


def test_every_story_comes_out_exactly_once(worker_factory: Any) -> None:
    prefix = worker_factory.prefix
    batch = stories(56, seed=11, prefix=prefix)
    redelivery = copy.deepcopy(batch[3])
    redelivery["id"] = f"{prefix}-redelivered"
    update = copy.deepcopy(batch[5])
    update["version"] = 2
    update["body"] += (
        "\n\nLate on Friday, the council confirmed that a second vote would take place in March."
    )
    bad = [b"this is not json", b'{"id": "' + prefix.encode() + b'-nobody"}']
    worker = worker_factory().start()
    publish(prefix, [*batch, redelivery, update])
    publish(prefix, bad)
    expected = len(batch) + 2 + len(bad)
    got = consume(prefix, expected)
    worker.stop()

    out_ids = Counter()
    for topic in ("enriched", "duplicates"):
        for _, _, r in got[topic]:
            assert ENRICHED_FIELDS <= set(r), set(r) ^ ENRICHED_FIELDS
            assert_follows_contract("enriched", r)
            assert r["language"]["code"] == "en" and 0 <= r["language"]["confidence"] <= 1
            check_offsets(r)
            out_ids[(r["id"], r["version"])] += 1
    for _, _, d in got["deadletter"]:
        assert DEAD_LETTER_FIELDS <= set(d)
        assert_follows_contract("deadletter", d)
        assert d["topic"] == f"{prefix}.raw" and d["offset"] >= 0
    published = Counter([(s["id"], 1) for s in batch] + [(redelivery["id"], 1), (update["id"], 2)])
    assert out_ids == published, "every valid story exactly once across enriched and duplicates"
    assert sorted(d["error"] for _, _, d in got["deadletter"]) == ["invalid_json", "missing_body"]

    statuses = {(r["id"], r["version"]): r["dedup"] for t in ("enriched", "duplicates") for _, _, r in got[t]}
    assert statuses[(redelivery["id"], 1)]["status"] == "duplicate"
    assert statuses[(redelivery["id"], 1)]["of"] == batch[3]["id"]
    assert statuses[(update["id"], 2)]["status"] == "update"
    assert statuses[(update["id"], 2)]["of"] == update["id"]
    assert all(r["dedup"]["status"] == "duplicate" for _, _, r in got["duplicates"])
    assert sum(1 for _, _, r in got["enriched"] if r["entities"]) > len(batch) // 2
    assert any(r["quotes"] for _, _, r in got["enriched"])

    # `wirestream tail` shows the same records as plain JSON lines
    env = dict(os.environ, WIRESTREAM_BROKER=BROKER, WIRESTREAM_TOPIC_PREFIX=prefix)
    tail = subprocess.run(
        [EXE, "tail", "duplicates", "--max", "1", "--timeout", "20"], env=env, capture_output=True, timeout=60
    )
    assert tail.returncode == 0, tail.stderr.decode()
    [line] = tail.stdout.splitlines()
    assert json.loads(line)["id"] == redelivery["id"]

    # `<prefix>.ninjs` carries every record of `<prefix>.enriched` as IPTC ninjs, valid, under the same key
    enriched = Counter(r["id"] for _, _, r in got["enriched"])
    count = str(sum(enriched.values()))
    tail = subprocess.run(
        [EXE, "tail", "ninjs", "--max", count, "--timeout", "20"], env=env, capture_output=True, timeout=60
    )
    documents = [json.loads(line) for line in tail.stdout.splitlines()]
    assert Counter(d["altIds"][0]["value"] for d in documents) == enriched
    assert all(errors("ninjs", d) == [] for d in documents)
