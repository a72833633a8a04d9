"""Property: whatever arrives, the chain answers with a record or a dead letter, never an exception."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.chain import Chain
from pipeline.records import DeadLetter, Enriched

CHAIN = Chain()
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=20,
)


def check_one(raw: bytes | str) -> None:
    [out] = CHAIN.run([raw])
    assert isinstance(out, Enriched | DeadLetter)
    if isinstance(out, DeadLetter):
        assert out.error and out.detail and out.stage
        json.dumps(out.to_json())
    else:
        record = out.to_json()
        json.dumps(record, ensure_ascii=False).encode("utf-8")  # valid UTF-8 JSON whatever came in
        for e in record["entities"]:
            assert record["body"][e["start"] : e["end"]] == e["text"]
        for q in record["quotes"]:
            assert record["body"][q["start"] : q["end"]] == q["text"]


@SETTINGS
@given(st.binary(max_size=300))
def test_arbitrary_bytes(raw: bytes) -> None:
    check_one(raw)


@SETTINGS
@given(json_values)
def test_arbitrary_json(value: object) -> None:
    check_one(json.dumps(value))


@SETTINGS
@given(st.text(min_size=1, max_size=400), st.text(min_size=1, max_size=20))
def test_arbitrary_story_text(body: str, sid: str) -> None:
    check_one(json.dumps({"id": sid, "body": body, "headline": body[:30]}))
