"""Agency documents through the chain: one record per item, kills, corrections, packages, bad documents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.chain import Chain
from pipeline.records import DeadLetter, Enriched

DATA = Path(__file__).resolve().parents[1] / "data" / "formats"


def doc(name: str) -> bytes:
    return (DATA / name).read_bytes()


@pytest.fixture
def chain() -> Chain:
    return Chain()


def records(chain: Chain, *docs: bytes | str) -> list[dict]:
    return [o.to_json() for o in chain.run(list(docs))]


def test_nitf_document_becomes_an_enriched_record(chain: Chain) -> None:
    (record,) = records(chain, doc("nitf/harbor-strike-en.xml"))
    assert record["id"] == "wsa-2026-0412-harbor" and record["format"] == "nitf"
    assert record["language"]["code"] == "en" and record["language_hint"] == "en-US"
    assert record["byline"] == "By MARGARET OKAFOR" and record["located"] == "PORTLAND, Maine"
    assert {"scheme": "subj", "code": "09005000", "name": "Strike"} in record["subjects"]
    assert record["pubstatus"] == "usable" and record["embargoed"] is None and record["kind"] == "text"
    assert record["extra"]["urgency"] == 3
    assert "Pickets gather" not in record["body"]
    names = {e["canonical"] for e in record["entities"]}
    assert "Dana Whitcomb" in names
    assert record["stages"]["parse"] > 0


def test_message_gives_one_outcome_per_item_in_order(chain: Chain) -> None:
    out = list(chain.run([doc("newsml-g2/message-multi.xml"), b'{"id": "after", "body": "Still running."}']))
    assert [type(o).__name__ for o in out] == ["Enriched", "Enriched", "Enriched", "DeadLetter", "Enriched"]
    german, french, picture, concept, after = out
    assert isinstance(german, Enriched) and german.language.code == "de"
    assert isinstance(french, Enriched) and french.language.code == "fr"
    assert isinstance(picture, Enriched) and picture.story.kind == "picture"
    assert isinstance(concept, DeadLetter) and concept.error == "unsupported_item"
    assert concept.id == "urn:newsml:wsa.example:concept:uwe-kraemer" and concept.stage == "parse"
    assert isinstance(after, Enriched) and after.story.id == "after" and after.story.format is None


def test_declared_language_is_a_hint_detection_wins(chain: Chain) -> None:
    (record,) = records(chain, doc("nitf/mislabelled-fr.xml"))
    assert record["language_hint"] == "de-DE" and record["language"]["code"] == "fr"


def test_correction_then_kill_then_redelivery(chain: Chain) -> None:
    first, corrected, killed, again = records(
        chain,
        doc("nitf/fire-es-v1.xml"),
        doc("nitf/fire-es-correction.xml"),
        doc("nitf/fire-es-kill.xml"),
        doc("nitf/fire-es-v1.xml"),
    )
    assert first["dedup"]["status"] == "unique"
    assert (corrected["dedup"]["status"], corrected["dedup"]["of"]) == ("correction", first["id"])
    assert corrected["signals"] == ["correction"]
    assert killed["pubstatus"] == "canceled" and killed["id"] == first["id"]
    assert killed["dedup"]["withdrawn"] is True and killed["dedup"]["status"] == "update"
    assert killed["enrichment"] == "skipped" and killed["entities"] == []
    assert again["dedup"] == {"status": "duplicate", "of": first["id"], "similarity": None, "withdrawn": True}


def test_kill_without_text_and_of_an_unseen_id(chain: Chain) -> None:
    kill = b"""<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="never-seen" version="2">
      <itemMeta><itemClass qcode="ninat:text"/><pubStatus qcode="stat:canceled"/></itemMeta></newsItem>"""
    (record,) = records(chain, kill)
    assert record["pubstatus"] == "canceled" and record["body"] == ""
    assert record["dedup"] == {"status": "unique", "of": None, "similarity": None, "withdrawn": True}


def test_correction_signal_marks_even_a_first_delivery(chain: Chain) -> None:
    (record,) = records(chain, doc("newsml-g2/correction-en.xml"))
    assert record["dedup"]["status"] == "correction" and record["signals"] == ["correction"]


def test_package_members_resolved_within_the_message(chain: Chain) -> None:
    package, votes, candidates = records(chain, doc("newsml-g2/package-message.xml"))
    assert package["kind"] == "package"
    photo = "urn:newsml:wsa.example:20260412:sevilla-foto-urnas"
    assert package["members"] == [votes["id"], candidates["id"], photo]
    assert package["members_unresolved"] == [photo]
    assert "members" not in votes


def test_bad_documents_are_dead_letters_and_the_run_goes_on(chain: Chain) -> None:
    laughs = b'<!DOCTYPE nitf [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><nitf>&b;</nitf>'
    concepts = b"""<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/"><itemSet>
      <conceptItem guid="c1"/><newsItem guid="n1"><itemMeta><pubStatus qcode="stat:usable"/></itemMeta>
      </newsItem></itemSet></newsMessage>"""
    out = list(
        chain.run(
            [b"<nitf><head></nitf>", laughs, b"<invoice/>", concepts, doc("newsml1/afp-style-fr.xml")]
        )
    )
    dead = [(o.error, o.id) for o in out if isinstance(o, DeadLetter)]
    assert dead == [
        ("invalid_xml", None),
        ("unsafe_xml", None),
        ("unsupported_format", None),
        ("unsupported_item", "c1"),
        ("empty_body", "n1"),
    ]
    assert isinstance(out[-1], Enriched) and out[-1].story.format == "newsml-1"
    empty_item = out[-2]
    assert isinstance(empty_item, DeadLetter) and json.loads(empty_item.raw)["id"] == "n1"  # replayable alone


def test_json_stories_are_unchanged(chain: Chain) -> None:
    out = list(chain.run([b'{"id": "j1", "body": "Plain story text here."}', b"not json", b"{}"]))
    assert isinstance(out[0], Enriched) and out[0].story.format is None
    record = out[0].to_json()
    assert record["pubstatus"] == "usable" and record["signals"] == [] and "members" not in record
    assert [o.error for o in out[1:] if isinstance(o, DeadLetter)] == ["invalid_json", "missing_id"]
