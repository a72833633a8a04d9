"""The contract as JSON Schema: the schemas are valid, found from the repository and the package alike,
accept what the project writes and refuse what breaks CONTRACT.md."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from pipeline.formats.anpa import READER as ANPA
from pipeline.formats.base import Item
from pipeline.formats.iptc7901 import READER as IPTC7901
from pipeline.formats.ninjs import READER as NINJS
from pipeline.records import DeadLetter, Dedup, Enriched, Language, Story
from pipeline.schemas import SCHEMA_FILES, UnknownSchema, errors, load_schema, schema_text
from tests.contract import assert_follows_contract, contract_errors

ROOT = Path(__file__).resolve().parents[1]
FORMATS = ROOT / "tests" / "data" / "formats"


@pytest.mark.parametrize("name", sorted(SCHEMA_FILES))
def test_every_schema_is_a_valid_schema_and_the_repository_copy_is_the_package_copy(name: str) -> None:
    schema = load_schema(name)
    jsonschema.validators.validator_for(schema).check_schema(schema)
    assert (ROOT / "schemas" / SCHEMA_FILES[name]).read_text("utf-8") == schema_text(name)


def test_an_unknown_schema_name_is_refused() -> None:
    with pytest.raises(UnknownSchema):
        schema_text("nitf")


def test_raw_stories_of_the_samples_follow_the_raw_schema() -> None:
    valid = 0
    for line in (ROOT / "deploy" / "samples" / "stories.jsonl").read_text("utf-8").splitlines():
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        assert_follows_contract("raw", Story.from_json(obj).to_json())
        valid += 1
    assert valid >= 8


def _items() -> list[Item]:
    items: list[Item] = []
    for reader, folder in ((ANPA, "anpa"), (IPTC7901, "iptc7901"), (NINJS, "ninjs")):
        for path in sorted((FORMATS / folder).iterdir()):
            items.extend(reader.read(path.read_bytes()))
    return items


def test_items_read_from_agency_documents_follow_the_raw_schema() -> None:
    readable = [item for item in _items() if item.error is None and item.id and item.body]
    assert len(readable) >= 15
    for item in readable:
        assert_follows_contract("raw", item.to_raw())


@pytest.mark.parametrize(
    ("raw", "fault"),
    [
        ({"body": "text"}, "'id' is a required property"),
        ({"id": " ", "body": "text"}, "does not match"),
        ({"id": "a", "body": "text", "version": 0}, "less than the minimum"),
        ({"id": "a", "body": "text", "pubstatus": "killed"}, "is not one of"),
        ({"id": "a", "body": "text", "signals": ["retraction"]}, "is not one of"),
        ({"id": "a", "body": "text", "subjects": [{"name": "x"}]}, "'scheme' is a required property"),
    ],
)
def test_the_raw_schema_refuses_what_the_contract_refuses(raw: dict[str, object], fault: str) -> None:
    assert any(fault in e for e in contract_errors("raw", raw)), contract_errors("raw", raw)


def _record(**changes: object) -> dict[str, object]:
    story = Story("ws-1", "Text of the story.", headline="H", source="S")
    record = Enriched(
        story, story.body, Language("en", 0.98), Dedup("unique"), processed_at="2026-12-05T08:00:00Z"
    )
    out = record.to_json()
    out.update(changes)
    return out


def test_enriched_records_with_agency_fields_and_kills() -> None:
    assert_follows_contract("enriched", _record())
    agency = _record(
        format="ninjs-3",
        pubstatus="usable",
        embargoed="2026-12-05T10:00:00Z",
        signals=["update"],
        byline="X",
        dateline="PARIS (AFP)",
        located="Paris",
        kind="text",
        subjects=[{"scheme": "medtop", "code": "20000536", "name": None}],
    )
    assert_follows_contract("enriched", agency)
    assert_follows_contract(
        "enriched", {"id": "urn:x", "version": 3, "pubstatus": "canceled", "format": "ninjs-3"}
    )
    assert contract_errors("enriched", {"id": "urn:x", "version": 3, "pubstatus": "usable"})  # not a kill


@pytest.mark.parametrize(
    "changes",
    [
        {"language": {"code": "english", "confidence": 0.9}},
        {"language": {"code": "en", "confidence": 1.5}},
        {"dedup": {"status": "maybe", "of": None, "similarity": None}},
        {"entities": [{"text": "X", "label": "PERSON", "start": -1, "end": 1, "canonical": "X"}]},
        {"quotes": [{"text": "q", "start": 0, "end": 1, "kind": "direct", "speaker": None}]},
        {"id": None},
    ],
)
def test_the_enriched_schema_refuses_broken_records(changes: dict[str, object]) -> None:
    assert contract_errors("enriched", _record(**changes))


def test_dead_letters_full_and_compact() -> None:
    letter = DeadLetter.of(
        "invalid_json", "not JSON", "parse", b"\xff{", topic="wire.raw", partition=0, offset=7
    )
    assert_follows_contract("deadletter", letter.to_json())
    compact = {
        "error": "message_too_large",
        "detail": "d",
        "stage": "parse",
        "size": 60_000_000,
        "id": None,
        "topic": "wire.raw",
        "partition": 0,
        "offset": 9,
    }
    assert_follows_contract("deadletter", compact)
    del compact["size"]
    assert contract_errors("deadletter", compact)  # neither raw nor size: not replayable, not explained


@pytest.mark.no_contract
def test_the_suite_hook_is_off_when_asked() -> None:
    story = Story("ws-1", "Text.")
    Enriched(story, story.body, Language("english", 7.0), Dedup("unique")).to_json()


def test_the_suite_hook_checks_every_record_made() -> None:
    story = Story("ws-1", "Text.")
    with pytest.raises(AssertionError, match="breaks the contract"):
        Enriched(story, story.body, Language("english", 7.0), Dedup("unique")).to_json()


def test_the_ninjs_schema_resolves_geojson_offline() -> None:
    place = {"name": "Oslo", "geoJSON": {"type": "Point", "coordinates": [10.75]}}
    assert errors("ninjs", {"uri": "urn:x:y", "places": [place]})
    place["geoJSON"] = {"type": "Point", "coordinates": [10.75, 59.91]}
    assert errors("ninjs", {"uri": "urn:x:y", "places": [place]}) == []
