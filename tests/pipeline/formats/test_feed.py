"""RSS 2.0 and Atom: escaped HTML bodies, dates, authors, categories, languages."""

from __future__ import annotations

from pipeline.formats import read_document
from pipeline.formats.base import Subject
from tests.pipeline.formats.conftest import items


def test_rss_items() -> None:
    bikes, library = items("feed/rss-en.xml")
    assert (bikes.format, bikes.id) == ("rss", "wsa-rss-20260412-bike-lanes")
    assert bikes.published_at == "2026-04-12T20:05:00Z"
    assert bikes.byline == "Rachel Kim" and bikes.language == "en-us"
    assert bikes.source == "Wire Sample Agency - Top News"
    assert bikes.subjects == [Subject("https://wsa.example.invalid/sections", "Local", None)]
    assert bikes.body == (
        "The city council voted 7-2 on Sunday to build protected bike lanes along Main Street.\n\n"
        "“This will save lives,” said council member Omar Haddad."
    )  # content:encoded chosen over description; figure and script left out
    assert library.id == "https://wsa.example.invalid/news/library"  # no guid: the link
    assert library.signals == ["correction"]
    assert library.body.startswith("The central library reopened")


def test_atom_entries() -> None:
    german, english = items("feed/atom-de.xml")
    assert german.format == "atom" and german.language == "de"
    assert german.id == "tag:wsa.example,2026-04-12:hafen-rekord"
    assert german.published_at == "2026-04-12T09:00:00Z"
    assert german.subjects == [Subject("https://wsa.example.invalid/ressorts", "wirtschaft", "Wirtschaft")]
    assert "„Das ist ein starkes Signal“, sagte Hafenchef Martin Kröger." in german.body
    assert english.language == "en" and english.url == "https://wsa.example.invalid/en/port"
    assert english.body == (
        "Hamburg's port handled more containers in the first quarter than ever before.\n\n"
        "The port authority credited new rail links."
    )


def test_item_without_id_or_link_gets_derived_id() -> None:
    doc = b"<rss><channel><title>T</title><item><title>A</title><description>Words.</description></item>"
    doc += b"</channel></rss>"
    item = read_document(doc)[0]
    assert item.id is not None and item.id.startswith("rss:")
