"""ninjs out: every enriched record the chain makes, and every kind of record by hand (kills, duplicates,
corrections, packages, odd ids, no entities), is valid against the official IPTC schemas."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeline.chain import Chain
from pipeline.formats.anpa import READER as ANPA
from pipeline.formats.iptc7901 import READER as IPTC7901
from pipeline.formats.ninjs import READER as NINJS
from pipeline.ninjs_out import PROFILE, story_uri, to_ninjs
from pipeline.records import Cue, Dedup, Enriched, Entity, Language, Quote, Speaker, Story
from pipeline.schemas import errors

ROOT = Path(__file__).resolve().parents[2]
FORMATS = ROOT / "tests" / "data" / "formats"


def assert_valid(record: dict[str, Any]) -> dict[str, Any]:
    """The record as ninjs 3 (checked against 3.1 and 3.0) and ninjs 2 (checked against 2.2)."""
    three = to_ninjs(record)
    assert errors("ninjs-3.1", three) == [], record["id"]
    assert errors("ninjs-3.0", three) == [], record["id"]
    assert errors("ninjs-2.2", to_ninjs(record, version=2)) == [], record["id"]
    return three


def _raw_lines() -> Iterator[bytes]:
    """Our sample stories, then every readable story of our agency samples as a raw story."""
    yield from (
        line for line in (ROOT / "deploy" / "samples" / "stories.jsonl").read_bytes().splitlines() if line
    )
    for reader, folder in ((ANPA, "anpa"), (IPTC7901, "iptc7901"), (NINJS, "ninjs")):
        for path in sorted((FORMATS / folder).iterdir()):
            for item in reader.read(path.read_bytes()):
                if item.error is None and item.id and item.body:
                    yield json.dumps(item.to_raw(), ensure_ascii=False).encode("utf-8")


@pytest.fixture(scope="module")
def chain_records() -> list[dict[str, Any]]:
    records = [o.to_json() for o in Chain().run(list(_raw_lines())) if isinstance(o, Enriched)]
    assert len(records) >= 25
    return records


def test_every_record_the_chain_makes_is_valid_ninjs(chain_records: list[dict[str, Any]]) -> None:
    statuses = {r["dedup"]["status"] for r in chain_records}
    assert {"unique", "duplicate", "update", "correction"} <= statuses
    languages = {r["language"]["code"] for r in chain_records}
    assert {"en", "de", "fr", "es", "sv"} <= languages
    venice = next(r for r in chain_records if r["id"] == "urn:example:it:2026:venice-tide")
    assert (venice["language_hint"], venice["language"]["code"]) == (
        "it",
        "en",
    )  # declared Italian: detected wins
    assert to_ninjs(venice)["language"] == "en"
    for record in chain_records:
        ninjs = assert_valid(record)
        assert ninjs["bodies"][0]["value"] == record["body"]
        assert ninjs["profile"] == PROFILE


def test_enrichment_goes_where_ninjs_has_room(chain_records: list[dict[str, Any]]) -> None:
    record = next(r for r in chain_records if r["id"] == "ws-0001" and r["version"] == 1)
    ninjs = to_ninjs(record)
    assert ninjs["uri"] == "urn:wirestream:story:ws-0001"
    assert ninjs["altIds"] == [{"role": "wirestream:id", "value": "ws-0001"}]
    assert ninjs["language"] == record["language"]["code"]
    people = {p["name"] for p in ninjs["people"]}
    assert people == {p["name"] for p in record["people"]} and people
    assert all(p["rel"] == "mentioned" and p["literal"] == p["name"] for p in ninjs["people"])
    assert {o["name"] for o in ninjs["organisations"]} == {o["name"] for o in record["organisations"]}
    assert {p["name"] for p in ninjs["places"]} == {p["name"] for p in record["places"]}
    extensions = {d["role"]: json.loads(d["value"]) for d in ninjs["descriptions"]}
    assert extensions["wirestream:dedup"] == record["dedup"]
    assert extensions["wirestream:quotes"] == record["quotes"] and record["quotes"]
    body = ninjs["bodies"][0]["value"]
    for quote in extensions["wirestream:quotes"]:
        assert body[quote["start"] : quote["end"]] == quote["text"]


def test_agency_fields_from_extra(chain_records: list[dict[str, Any]]) -> None:
    record = next(
        r for r in chain_records if r.get("extra", {}).get("format") == "anpa" and r["version"] == 3
    )
    ninjs = assert_valid(record)
    assert ninjs["version"] == "3" and ninjs["by"] == "HANNA VOS, Associated Press"
    assert ninjs["slugline"] == "EU--NETHERLANDS-PORT STRIKE" and ninjs["edNote"].startswith("Eds: Corrects")
    assert ninjs["located"] == "ROTTERDAM, Netherlands" and ninjs["infoSources"] == [
        {"name": "AP", "role": "source"}
    ]
    extensions = {d["role"]: json.loads(d["value"]) for d in ninjs["descriptions"]}
    assert extensions["wirestream:signals"] == ["update", "correction"]
    embargoed = next(
        r for r in chain_records if r.get("extra", {}).get("embargoed") == "2026-12-05T10:00:00Z"
    )
    assert assert_valid(embargoed)["embargoedUntil"] == "2026-12-05T10:00:00Z"
    assert to_ninjs(embargoed, version=2)["embargoed"] == "2026-12-05T10:00:00Z"


def _enriched(story: Story, **kwargs: Any) -> dict[str, Any]:
    return Enriched(
        story, story.body, Language("en", 0.97), processed_at="2026-12-05T08:00:00Z", **kwargs
    ).to_json()


def test_a_kill_is_a_canceled_ninjs_with_no_body() -> None:
    kill = {
        "id": "urn:example:fr:2026:budget-retraites",
        "version": 3,
        "pubstatus": "canceled",
        "format": "ninjs-3",
        "headline": "ANNULATION",
        "body": "",
    }
    ninjs = assert_valid(kill)
    assert ninjs["pubStatus"] == "canceled" and "bodies" not in ninjs
    assert ninjs["uri"] == "urn:example:fr:2026:budget-retraites"
    assert to_ninjs(kill, version=2)["pubstatus"] == "canceled"


def test_a_duplicate_without_entities_and_with_odd_values() -> None:
    story = Story("story with spaces/ü#1", "Short text.", published_at="yesterday", url="not a url")
    record = _enriched(story, dedup=Dedup("duplicate", "ws-0001", 0.97), enrichment="skipped")
    ninjs = assert_valid(record)
    assert ninjs["uri"].startswith("urn:wirestream:story:story%20with%20spaces")
    assert "versionCreated" not in ninjs  # "yesterday" is no date-time
    assert "people" not in ninjs and "language" in ninjs
    extensions = {d["role"]: json.loads(d["value"]) for d in ninjs["descriptions"]}
    assert extensions == {"wirestream:dedup": {"status": "duplicate", "of": "ws-0001", "similarity": 0.97}}


def test_entities_quotes_subjects_and_a_package() -> None:
    body = '"We will rebuild," said Ana Costa of Rede Norte in Porto.'
    story = Story(
        "pkg-1",
        body,
        extra={
            "kind": "package",
            "members": ["text-1", "urn:example:pic:1"],
            "signals": ["correction"],
            "subjects": [
                {"scheme": "medtop", "code": "20000536", "name": "pensions"},
                {"scheme": "subj", "code": "04000000", "name": None},
                {"scheme": "acme-topics", "code": "x9", "name": "Acme"},
                {"scheme": None, "code": None, "name": "Only a name"},
            ],
        },
    )
    entities = [
        Entity("Ana Costa", "PERSON", 26, 35, "Ana Costa"),
        Entity("Rede Norte", "ORG", 39, 49, "Rede Norte"),
        Entity("Porto", "GPE", 53, 58, "Porto"),
    ]
    quote = Quote(
        "We will rebuild,", 1, 17, "direct", Speaker("Ana Costa", 26, 35, "Ana Costa"), Cue("said", 21, 25)
    )
    ninjs = assert_valid(
        _enriched(story, dedup=Dedup("correction", "pkg-1", 0.9), entities=entities, quotes=[quote])
    )
    assert ninjs["type"] == "composite"
    assert ninjs["associations"] == [
        {"name": "text-1", "rel": "member", "uri": "urn:wirestream:story:text-1"},
        {"name": "urn:example:pic:1", "rel": "member", "uri": "urn:example:pic:1"},
    ]
    assert ninjs["subjects"] == [
        {"name": "pensions", "uri": "http://cv.iptc.org/newscodes/mediatopic/20000536"},
        {"uri": "http://cv.iptc.org/newscodes/subjectcode/04000000"},
        {"name": "Acme", "literal": "acme-topics:x9"},
        {"name": "Only a name"},
    ]
    assert [p["name"] for p in ninjs["people"]] == ["Ana Costa"]
    assert [p["name"] for p in ninjs["places"]] == ["Porto"]
    extensions = {d["role"]: json.loads(d["value"]) for d in ninjs["descriptions"]}
    assert extensions["wirestream:signals"] == ["correction"]
    assert extensions["wirestream:quotes"][0]["speaker"]["canonical"] == "Ana Costa"


def test_version_2_uses_its_own_names() -> None:
    story = Story("ws-9", "Text here.", published_at="2026-12-01T10:00:00+01:00", source="Northwire")
    two = to_ninjs(_enriched(story, dedup=Dedup("unique")), version=2)
    assert two["standard"]["version"] == "2.2" and two["versioncreated"] == "2026-12-01T09:00:00Z"
    assert two["pubstatus"] == "usable" and two["infosources"] == [{"name": "Northwire", "role": "source"}]
    assert "contenttype" in two["bodies"][0] and "pubStatus" not in two
    with pytest.raises(ValueError):
        to_ninjs(_enriched(story, dedup=Dedup("unique")), version=1)


def test_ids_that_are_uris_stay_as_they_are() -> None:
    assert (
        story_uri("urn:newsml:example.org:20261204:wind-farm") == "urn:newsml:example.org:20261204:wind-farm"
    )
    assert story_uri("https://example.de/a/b") == "https://example.de/a/b"
    assert story_uri("anpa:81815afeef708c13") == "anpa:81815afeef708c13"
    assert story_uri("ws 1") == "urn:wirestream:story:ws%201"


def test_the_official_schema_is_not_a_rubber_stamp() -> None:
    ninjs = to_ninjs(_enriched(Story("ws-1", "Text."), dedup=Dedup("unique")))
    ninjs["quotes"] = []  # a property of our own at the top: the official schema forbids it
    assert errors("ninjs-3.1", ninjs)
    ninjs.pop("quotes")
    ninjs["uri"] = "ws 1"
    assert errors("ninjs-3.1", ninjs)
