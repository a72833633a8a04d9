"""Records: validation of raw stories and the JSON shapes of the contract."""

from __future__ import annotations

import base64
import json
from dataclasses import asdict

import pytest

from pipeline.records import (
    RAW_LIMIT,
    Cue,
    DeadLetter,
    Dedup,
    Enriched,
    Entity,
    InvalidStory,
    Language,
    Quote,
    Speaker,
    Story,
)
from tests.contract import DEAD_LETTER_FIELDS, ENRICHED_FIELDS


def test_story_keeps_unknown_fields_under_extra() -> None:
    s = Story.from_json({"id": "a", "body": "text", "version": 3, "desk": "sports", "tags": ["x"]})
    assert s.version == 3 and s.extra == {"desk": "sports", "tags": ["x"]}
    assert s.to_json()["desk"] == "sports"


@pytest.mark.parametrize(
    ("obj", "code"),
    [
        ({"id": "a", "body": "b", "version": 0}, "invalid_version"),
        ({"id": "a", "body": "b", "version": True}, "invalid_version"),
        ({"id": "a", "body": "b", "headline": 5}, "invalid_headline"),
        ({"id": "", "body": "b"}, "invalid_id"),
        ("a string", "not_an_object"),
    ],
)
def test_invalid_stories_name_their_fault(obj: object, code: str) -> None:
    with pytest.raises(InvalidStory) as info:
        Story.from_json(obj)
    assert info.value.code == code


def test_enriched_record_has_contract_fields_and_summaries() -> None:
    story = Story.from_json(
        {"id": "a", "body": "Steve Warren spoke. Warren left.", "headline": "H", "extra1": 1}
    )
    ents = [
        Entity("Steve Warren", "PERSON", 0, 12, "Steve Warren"),
        Entity("Warren", "PERSON", 20, 26, "Steve Warren"),
    ]
    quote = Quote("spoke", 13, 18, "indirect", Speaker("Steve Warren", 0, 12, "Steve Warren"), None)
    r = Enriched(story, story.body, Language("en", 0.99), Dedup("unique"), ents, [quote]).to_json()
    assert ENRICHED_FIELDS <= set(r)
    assert r["dedup"] == {"status": "unique", "of": None, "similarity": None}
    assert r["people"] == [{"name": "Steve Warren", "mentions": 2}]
    assert r["quotes"][0]["speaker"]["canonical"] == "Steve Warren" and r["quotes"][0]["cue"] is None
    assert r["extra"] == {"extra1": 1}


def test_record_lists_entities_and_quotes_as_their_dataclasses_read() -> None:
    """`to_json` writes entities, quotes and language by hand (speed): every field, in field order, so a
    field added to one of these dataclasses fails here until the record carries it too."""
    story = Story.from_json({"id": "a", "body": 'Warren said "we stay" to reporters.'})
    ents = [Entity("Warren", "PERSON", 0, 6, "Steve Warren")]
    quotes = [
        Quote("we stay", 13, 20, "direct", Speaker("Warren", 0, 6, "Steve Warren"), Cue("said", 7, 11)),
        Quote("we stay", 13, 20, "partial"),
    ]
    language = Language("en", 0.98)
    r = Enriched(story, story.body, language, Dedup("unique"), ents, quotes).to_json()
    pairs = [(r["language"], language), *zip(r["entities"] + r["quotes"], ents + quotes, strict=True)]
    for got, want in pairs:
        assert json.dumps(got) == json.dumps(asdict(want))  # same keys, same order, same values


def test_dead_letter_keeps_text_and_base64s_binary() -> None:
    text = DeadLetter.of("invalid_json", "bad", "parse", "é" * 10, topic="wire.raw", partition=0, offset=5)
    assert text.raw == "é" * 10 and text.raw_encoding == "utf-8"
    assert set(text.to_json()) >= DEAD_LETTER_FIELDS
    binary = DeadLetter.of("invalid_utf8", "bad", "parse", b"\xff\x00abc")
    assert binary.raw_encoding == "base64" and base64.b64decode(binary.raw) == b"\xff\x00abc"


def test_dead_letter_raw_is_truncated_at_64_kib_without_breaking_utf8() -> None:
    letter = DeadLetter.of("body_too_large", "big", "parse", "é" * RAW_LIMIT)
    assert letter.raw_encoding == "utf-8"
    assert len(letter.raw.encode("utf-8")) <= RAW_LIMIT


def test_dead_letter_says_when_raw_is_not_the_whole_input() -> None:
    """CONTRACT.md: raw is the input truncated to 64 KiB, enough to replay it: a replay must know which
    dead letters hold their input whole."""
    whole = DeadLetter.of("invalid_json", "bad", "parse", b"x" * RAW_LIMIT)
    cut = DeadLetter.of("body_too_large", "big", "parse", b"x" * (RAW_LIMIT + 1))
    assert not whole.raw_truncated and whole.raw == "x" * RAW_LIMIT
    assert cut.raw_truncated and cut.raw == "x" * RAW_LIMIT
    assert cut.to_json()["raw_truncated"] is True


def test_input_ending_in_half_a_character_is_not_utf8_and_kept_whole() -> None:
    """CONTRACT.md: raw is base64 if the input is not UTF-8 (a short input is never cut to look like text)."""
    raw = b'{"id": "x", "body": "caf\xc3'
    letter = DeadLetter.of("invalid_utf8", "bad", "parse", raw)
    assert letter.raw_encoding == "base64" and base64.b64decode(letter.raw) == raw


def test_dead_letter_names_the_input_size() -> None:
    assert DeadLetter.of("invalid_json", "bad", "parse", "é" * 10).to_json()["size"] == 20


def test_too_large_letter_is_compact_and_says_where_the_input_is() -> None:
    letter = DeadLetter.too_large(
        "the enriched record", 9_000_000, 8_387_584, "annotate",
        story_id="s1", topic="wire.raw", partition=1, offset=42,
    )  # fmt: skip
    record = letter.to_json()
    assert "raw" not in record and "raw_encoding" not in record
    assert record["error"] == "too_large" and record["size"] == 9_000_000 and record["id"] == "s1"
    assert (record["topic"], record["partition"], record["offset"]) == ("wire.raw", 1, 42)
    assert "9000000 bytes" in record["detail"] and "wire.raw[1]@42" in record["detail"]
    assert "WIRESTREAM_MAX_MESSAGE_BYTES" in record["detail"]
    refused = DeadLetter.too_large("the record", 300_000, None, "annotate", story_id="s1").to_json()
    assert "refused by the broker" in refused["detail"] and refused["size"] == 300_000


def test_compact_drops_only_the_input() -> None:
    letter = DeadLetter.of("invalid_json", "bad", "parse", "x" * 100, story_id="s", topic="t", offset=3)
    record = letter.compact().to_json()
    assert "raw" not in record
    assert {k: record[k] for k in ("error", "id", "topic", "offset", "size")} == {
        "error": "invalid_json",
        "id": "s",
        "topic": "t",
        "offset": 3,
        "size": 100,
    }
