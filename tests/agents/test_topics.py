"""Topic names, message keys and the codec (CONTRACT.md: topics keyed by story id, values plain JSON)."""

from __future__ import annotations

import json

from agents.topics import TopicNames, encode, key_of


def test_contract_topic_names() -> None:
    names = TopicNames()
    assert (names.raw, names.enriched, names.duplicates, names.deadletter) == (
        "wire.raw",
        "wire.enriched",
        "wire.duplicates",
        "wire.deadletter",
    )
    assert names.stage_dedup.startswith("wire.stage.") and names.stage_annotate.startswith("wire.stage.")


def test_keys_are_the_story_id_in_utf8_even_with_a_lone_surrogate() -> None:
    assert key_of("ws-0001") == b"ws-0001"
    assert key_of("Zürich-1") == "Zürich-1".encode()
    assert key_of(None) is None
    # the record's id has the surrogate repaired to U+FFFD: the key matches it instead of raising
    assert key_of("a\ud800b") == "a\ufffdb".encode()


def test_encode_never_raises_and_gives_utf8_json() -> None:
    data = encode({"id": "a\udc80", "text": "é"})
    assert json.loads(data.decode("utf-8")) == {"id": "a\ufffd", "text": "é"}
