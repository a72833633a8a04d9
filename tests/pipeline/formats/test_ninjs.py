"""ninjs 1.x, 2.x and 3.x in: versions told apart by shape, HTML bodies to public paragraphs, corrections
and kills, packages with their members, pictures, multi-item documents; our raw story is never ninjs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.formats.base import FormatError, Item, Subject
from pipeline.formats.html_body import html_paragraphs
from pipeline.formats.ninjs import READER, ninjs_version

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT / "tests" / "data" / "formats"
NINJS = DATA / "ninjs"


def read(name: str) -> list[Item]:
    return READER.read((NINJS / name).read_bytes())


@pytest.mark.parametrize("path", sorted(NINJS.glob("*.json")), ids=lambda p: p.name)
def test_every_sample_is_sniffed(path: Path) -> None:
    assert READER.sniff(path.read_bytes()[:4096])


def test_our_raw_stories_are_never_ninjs() -> None:
    lines = (ROOT / "deploy" / "samples" / "stories.jsonl").read_bytes().splitlines()
    assert lines and not any(READER.sniff(line) for line in lines)
    story = {"id": "x-1", "body": "Text.", "uri": "https://example.org/x-1", "versioncreated": "2026-01-01"}
    assert not READER.sniff(json.dumps(story).encode())
    assert not READER.sniff(b'[{"id": "a", "body": "b", "headline": "c"}]')


@pytest.mark.parametrize("path", sorted((DATA / "anpa").glob("*")) + sorted((DATA / "iptc7901").glob("*")))
def test_telex_formats_are_not_ninjs(path: Path) -> None:
    assert not READER.sniff(path.read_bytes()[:4096])


def test_versions_by_shape_and_by_declaration() -> None:
    assert ninjs_version({"uri": "u", "headline": "h", "body_text": "b", "versioncreated": "t"}) == 1
    assert ninjs_version({"uri": "u", "headlines": [], "bodies": [], "versioncreated": "t"}) == 2
    assert ninjs_version({"uri": "u", "headlines": [], "versionCreated": "t", "pubStatus": "usable"}) == 3
    assert ninjs_version({"uri": "u", "headlines": [], "standard": {"name": "ninjs", "version": "3.0"}}) == 3
    assert ninjs_version({"uri": "u", "$standard": {"name": "ninjs", "version": "1.5"}, "bodies": []}) == 1


def test_ninjs_1_html_body_keeps_only_public_paragraphs() -> None:
    (item,) = read("v1-en-embargo-html.json")
    assert item.format == "ninjs-1" and item.error is None
    assert item.id == "urn:newsml:example.org:20261204:wind-farm"
    assert item.headline == "Offshore wind farm doubles output in first winter"
    assert item.body.split("\n\n") == [
        "ABERDEEN, Scotland (Example News) - A floating wind farm off the Scottish coast produced twice as "
        "much power this winter as its operators expected, the company said on Friday.",
        "\u201cThe turbines have coped with waves of fifteen metres,\u201d said Fiona MacLeod, the project "
        "director. \u201cWe did not expect that.\u201d",
        "The farm supplies about 60,000 homes.",
    ]
    assert item.embargoed == "2026-12-05T10:00:00Z" and item.published_at == "2026-12-04T21:20:00Z"
    assert (item.language, item.byline, item.located) == ("en", "Tom Ashby", "Aberdeen")
    assert item.dateline == "ABERDEEN, Scotland (Example News)"
    assert item.subjects == [Subject("medtop", "20000250", "energy and resource")]
    assert item.extra["ednote"].startswith("Not for publication")


def test_ninjs_2_main_headline_plain_body_and_update_note() -> None:
    (item,) = read("v2-de-text.json")
    assert item.format == "ninjs-2" and item.version == 2
    assert item.headline == "Einigung im Tarifstreit der Hafenarbeiter"  # role main, not the sub-headline
    assert item.body.split("\n\n")[1].startswith("„Das ist ein guter Tag für die Beschäftigten“, sagte")
    assert item.byline == "Lena Hoffmann" and item.source == "Beispiel-Agentur"
    assert item.signals == ["update"]
    assert item.subjects == [
        Subject("medtop", "20000195", "Tarifverhandlungen"),
        Subject(None, "hamburg", "Hamburg"),
    ]
    assert item.published_at == "2026-12-03T08:15:00Z"


def test_ninjs_3_correction_then_kill() -> None:
    story, corrected, killed = read("v3-fr-correction-then-kill.json")
    assert {story.format, corrected.format, killed.format} == {"ninjs-3"}
    assert story.id == corrected.id == killed.id == "urn:example:fr:2026:budget-retraites"
    assert [story.version, corrected.version, killed.version] == [1, 2, 3]
    assert story.signals == [] and corrected.signals == ["correction"]
    assert "«C'est une victoire pour le pays», a déclaré" in story.body
    assert "contre 141" in corrected.body
    assert killed.pubstatus == "canceled" and killed.body == "" and killed.error is None
    assert story.subjects == [Subject("medtop", "20000536", "retraites")]


def test_a_package_lists_its_members_and_embedded_members_are_items() -> None:
    package, text, picture = read("v3-package-with-picture.json")
    assert package.kind == "package" and package.error is None
    assert package.members == [
        "urn:example:text:2026:storm-elin",
        "urn:example:pic:2026:storm-elin-1",
        "urn:example:text:2026:storm-elin-sidebar",
    ]
    assert text.id == package.members[0] and text.kind == "text" and text.format == "ninjs-3"
    assert text.body.startswith("CORK, Ireland (Example) - Storm Elin cut power")
    assert picture.id == package.members[1] and picture.kind == "picture" and picture.format == "ninjs-3"
    assert picture.body == "" and picture.error is None  # a caption is no story text


def test_a_picture_item() -> None:
    (item,) = read("v3-picture.json")
    assert (item.kind, item.body, item.error) == ("picture", "", None)
    assert item.headline == "Renar i snön nära Kiruna" and item.byline == "Sara Nilsson"
    assert item.language == "sv"


def test_items_object_keeps_declared_languages_as_hints() -> None:
    venice, kazan = read("v3-items-mislabelled.json")
    assert venice.language == "it"  # declared Italian, written in English: the chain's detection decides
    assert venice.body.startswith("VENICE, Italy (Example) - Venice's flood barrier")
    assert kazan.language == "ru" and kazan.dateline == "КАЗАНЬ (Пример)"
    assert (
        kazan.body.split("\n\n")[1]
        == "— Мы ждали этого десять лет, — сказала жительница района Анна Смирнова."
    )


def test_broken_documents() -> None:
    with pytest.raises(FormatError) as caught:
        READER.read(b'{"uri": "x", "headlines": [')
    assert caught.value.code == "invalid_json"
    with pytest.raises(FormatError) as caught:
        READER.read(b"[]")
    assert caught.value.code == "no_items"
    good, bad, empty = READER.read(
        b'[{"uri": "urn:a", "bodies": [{"value": "Text."}]}, 7,'
        b' {"uri": "urn:b", "headlines": [{"value": "H"}]}]'
    )
    assert good.body == "Text." and good.error is None
    assert bad.error is not None and bad.error.code == "invalid_document"
    assert empty.error is not None and empty.error.code == "empty_body"


def test_html_marked_not_public_never_reaches_the_body() -> None:
    markup = (
        "<p>One <em>two</em><br/>three</p><div hidden>hidden</div><p data-publish='false'>internal</p>"
        "<aside>box</aside><p style='display: none'>gone</p><p class='photo-credit'>Photo: X</p>"
        "<blockquote><p>Quoted</p></blockquote><ul><li>first</li><li>second</li></ul><p>-30-</p>"
        "<p class='internal-link'>kept</p>"
    )
    assert html_paragraphs(markup) == ["One two", "three", "Quoted", "first", "second", "kept"]


def test_html_with_an_external_entity_reads_no_file() -> None:
    markup = '<!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]><p>&x; safe</p>'
    text = " ".join(html_paragraphs(markup))
    assert "root:" not in text and "safe" in text


def test_deeply_nested_associations_do_not_recurse_without_end() -> None:
    obj: dict[str, object] = {"uri": "urn:leaf", "bodies": [{"value": "Leaf."}]}
    for level in range(300):
        obj = {"uri": f"urn:level:{level}", "type": "composite", "associations": [obj]}
    items = READER.read(json.dumps(obj).encode())
    assert len(items) == 5 and all(item.kind == "package" for item in items)
    assert items[-1].members == ["urn:level:294"]


def test_provider_bodies_html_first_then_plain_then_other_markup() -> None:
    html = (
        "<html><head><title>Title</title></head><body><article><h1>Bridge reopens</h1>"
        "<div class='dat'><span class='vignette'>Traffic</span><span class='source'>XX</span></div>"
        "<p>The bridge reopened on Monday.</p><p>Traffic was light.</p></article></body></html>"
    )
    obj = {
        "uri": "urn:x:1",
        "versionCreated": "2026-12-01T10:00:00Z",
        "bodies": [
            {
                "role": "nitf",
                "contentType": "text/vnd.IPTC.NITF",
                "value": "<nitf><head><title>T</title></head></nitf>",
            },
            {
                "role": "text",
                "contentType": "text/plain",
                "value": "Bridge reopens\nThe bridge reopened on Monday.",
            },
            {"role": "html5", "contentType": "text/html", "value": html},
        ],
    }
    (item,) = READER.read(json.dumps(obj).encode())
    assert item.body == "The bridge reopened on Monday.\n\nTraffic was light."
    obj["bodies"] = obj["bodies"][:2]
    (item,) = READER.read(json.dumps(obj).encode())
    assert item.body == "Bridge reopens\n\nThe bridge reopened on Monday."  # plain text before NITF markup


def test_plain_text_lines_are_paragraphs_unless_the_text_is_hard_wrapped() -> None:
    wrapped = "A long line that was\nwrapped at a narrow\nwidth. Next one\nstarts here.\nNew one."
    obj = {"uri": "urn:x:2", "headlines": [{"value": "H"}], "bodies": [{"value": wrapped}]}
    (item,) = READER.read(json.dumps(obj).encode())
    assert item.body == "A long line that was wrapped at a narrow width. Next one starts here.\n\nNew one."
    obj["bodies"] = [{"value": "Headline line\nFirst paragraph.\nSecond paragraph."}]
    (item,) = READER.read(json.dumps(obj).encode())
    assert item.body == "Headline line\n\nFirst paragraph.\n\nSecond paragraph."


def test_guid_when_there_is_no_uri_and_no_caption_as_body() -> None:
    head = {
        "versioncreated": "2026-12-01T10:00:00+0000",
        "associations": {"m": {"guid": "g-2", "type": "picture"}},
    }
    obj = {
        **head,
        "guid": "g-1",
        "type": "picture",
        "headline": "H",
        "body_text": "A caption.",
        "filler": "x" * 5000,
    }
    data = json.dumps(obj).encode()
    assert READER.sniff(data[:4096])
    (item,) = READER.read(data)
    assert (item.id, item.kind, item.body, item.error) == ("g-1", "picture", "", None)
