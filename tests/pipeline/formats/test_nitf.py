"""NITF 3.x: fields where agencies put them; body without media, tables, notes and sign-offs."""

from __future__ import annotations

from pipeline.formats import read_document
from pipeline.formats.base import Subject
from tests.pipeline.formats.conftest import one


def test_fields_of_a_full_document() -> None:
    item = one("nitf/harbor-strike-en.xml")
    assert item.format == "nitf"
    assert item.id == "wsa-2026-0412-harbor"
    assert item.headline == "Dockworkers walk out at Portland harbor over night-shift pay"  # hl1, not hl2
    assert item.byline == "By MARGARET OKAFOR"  # the byttl is not part of the name
    assert item.located == "PORTLAND, Maine"
    assert item.dateline is not None and item.dateline.startswith("PORTLAND, Maine")
    assert item.published_at == "2026-04-12T14:30:00Z"
    assert item.source == "WSA"
    assert item.language == "en-US"
    assert item.version == 1 and item.pubstatus == "usable" and item.embargoed is None
    assert Subject("subj", "04000000", "Economy, Business and Finance") in item.subjects
    assert Subject("subj", "09005000", "Strike") in item.subjects
    assert Subject("wsa-category", "B", "Business") in item.subjects
    assert item.extra["urgency"] == 3
    assert item.extra["expires"] == "2026-05-12T00:00:00Z"
    assert item.extra["keywords"] == ["ports", "labour"]
    assert "photo gallery" in item.extra["ednote"]


def test_body_keeps_text_blocks_and_drops_the_rest() -> None:
    body = one("nitf/harbor-strike-en.xml").body
    paragraphs = body.split("\n\n")
    assert paragraphs[0].startswith("PORTLAND, Maine (WSA) — About 600 dockworkers")
    assert "``We waited nine hours for a serious offer and got nothing,'' said Dana Whitcomb" in body
    assert "it was disappointed and asked" in body  # inline <em> flattened
    assert "Shipping lines reroute" in paragraphs  # hl2 inside body.content is a paragraph
    for gone in ("Pickets gather", "Casco Bay", "Ships waiting", "photo gallery", "___", "desk@example"):
        assert gone not in body, gone
    assert paragraphs[-1] == "Staff writer Luis Ferreira contributed from Boston."


def test_namespaced_document_with_embargo() -> None:
    item = one("nitf/budget-embargo-de.xml")
    assert item.id == "urn:wsa-de:2026:haushalt-kiel"
    assert item.embargoed == "2026-04-12T10:00:00Z"  # 12:00 CEST
    assert item.published_at == "2026-04-12T06:00:00Z"
    assert item.pubstatus == "usable"  # embargoed is usable, later
    assert item.located == "Kiel, Schleswig-Holstein, DE"  # from evloc when the dateline has no location
    assert "„Wir können nicht jedes Jahr neue Schulden machen“, sagte Finanzministerin" in item.body


def test_release_later_than_issue_is_an_embargo_even_without_the_status() -> None:
    doc = (
        b'<nitf><head><docdata><doc-id id-string="pa-1"/><date.issue norm="20260101T080000Z"/>'
        b'<date.release norm="20260101T220100Z"/></docdata></head>'
        b"<body><body.content><p>Text.</p></body.content></body></nitf>"
    )
    assert read_document(doc)[0].embargoed == "2026-01-01T22:01:00Z"
    same = doc.replace(b"T220100Z", b"T080000Z")
    assert read_document(same)[0].embargoed is None


def test_correction_then_kill_of_the_same_story() -> None:
    first, corrected, killed = (one(f"nitf/fire-es-{n}.xml") for n in ("v1", "correction", "kill"))
    assert first.id == corrected.id == killed.id == "wsa-es-20260412-incendio-avila"
    assert [first.version, corrected.version, killed.version] == [1, 2, 3]  # du-key@version
    assert first.signals == [] and corrected.signals == ["correction"]
    assert killed.pubstatus == "canceled"
    assert "1500 vecinos" in corrected.body


def test_latin1_document_and_declared_language_kept_as_hint() -> None:
    item = one("nitf/mislabelled-fr.xml")
    assert item.language == "de-DE"  # as declared: the chain's detection decides
    assert "« La chaleur de juin a tout accéléré" in item.body


def test_preformatted_dialogue_is_split_into_paragraphs() -> None:
    paragraphs = one("nitf/flood-ru.xml").body.split("\n\n")
    assert paragraphs[1] == (
        "— Мы готовы к эвакуации ещё двух посёлков, — сказал глава управления Сергей Кравцов. "
        "— Люди предупреждены."
    )
    assert paragraphs[2] == "— Дамбы выдержат? — спросили его журналисты."
    assert one("nitf/flood-ru.xml").published_at == "2026-04-12T03:30:00Z"


def test_writethru_mark_gives_version_and_update() -> None:
    doc = (
        b'<nitf><head><title>BC-US-Storm, 2nd Ld-Writethru</title><docdata><doc-id id-string="ap-9"/>'
        b"</docdata></head><body><body.head><hedline><hl1>Storm hits coast</hl1></hedline></body.head>"
        b"<body.content><p>Text.</p></body.content></body></nitf>"
    )
    item = read_document(doc)[0]
    assert item.version == 3 and item.signals == ["update"]


def test_document_without_id_gets_a_stable_derived_one() -> None:
    doc = b"<nitf><body><body.content><p>Same words.</p></body.content></body></nitf>"
    first, again = read_document(doc)[0], read_document(doc)[0]
    assert first.id == again.id and first.id is not None and first.id.startswith("nitf:")
    other = read_document(doc.replace(b"Same", b"Other"))[0]
    assert other.id != first.id


def test_machine_date_in_a_dateline_is_left_out() -> None:
    doc = (
        b'<nitf><head><docdata><doc-id id-string="efe-1"/></docdata></head><body><body.head>'
        b'<dateline><location>Tegucigalpa</location><story.date norm="20170102T222800+0000">'
        b"20170102T222800+0000</story.date></dateline></body.head>"
        b"<body.content><p>Text.</p></body.content></body></nitf>"
    )
    assert read_document(doc)[0].dateline == "Tegucigalpa"
