"""NewsML-G2: single items, newsMessages, packages, pictures, kills; namespaces with and without prefix."""

from __future__ import annotations

from pipeline.formats import read_document
from pipeline.formats.base import Subject
from tests.pipeline.formats.conftest import items, one

TUNNEL = "urn:newsml:wsa.example:20260412:rail-tunnel"


def test_news_item_fields() -> None:
    item = one("newsml-g2/newsitem-en.xml")
    assert (item.format, item.id, item.version, item.kind) == ("newsml-g2", TUNNEL, 1, "text")
    assert item.headline == "Northern rail tunnel approved after decade of delays"  # not the subheadline
    assert item.byline == "By Priya Natarajan"
    assert item.dateline == "LEEDS, April 12"
    assert item.located == "Leeds, United Kingdom"
    assert item.language == "en-GB"
    assert item.source == "Wire Sample Agency"
    assert item.published_at == "2026-04-12T09:45:00Z"
    assert item.embargoed == "2026-04-12T22:01:00Z"  # 23:01 BST
    assert Subject("medtop", "20000349", "rail transport") in item.subjects
    assert Subject("subj", "04015000", "transport") in item.subjects
    assert item.extra["urgency"] == 4 and item.extra["slugline"] == "RAIL-TUNNEL"


def test_xhtml_body_without_figure_aside_or_repeated_headline() -> None:
    body = one("newsml-g2/newsitem-en.xml").body
    assert body.startswith("LEEDS, April 12 (WSA) - The government approved")
    assert '"This is the single biggest investment in northern railways for a generation,"' in body
    for gone in ("artist's impression", "graphic to follow", "Northern rail tunnel approved after"):
        assert gone not in body, gone


def test_message_with_several_items_prefixed_namespace() -> None:
    found = items("newsml-g2/message-multi.xml")
    assert [i.id.rsplit(":", 1)[-1] for i in found if i.id] == [
        "bahnstreik",
        "greve-paris",
        "photo-bahnhof",
        "uwe-kraemer",
    ]
    german, french, picture, concept = found
    assert german.signals == ["update"] and german.version == 2 and german.language == "de"
    assert german.located == "München" and german.byline == "Von Thomas Berger"
    assert "„Wir lassen uns nicht länger hinhalten“" in german.body
    assert french.body.split("\n\n")[1].startswith("« Nous ne reprendrons pas le travail")
    assert french.dateline == "PARIS, 12 avr"
    assert picture.kind == "picture"
    assert picture.body == "Reisende warten am Sonntag auf einem leeren Bahnsteig im Münchner Hauptbahnhof."
    assert picture.url == "https://images.example.invalid/bahnhof.jpg"  # the high-resolution rendition
    assert concept.error is not None and concept.error.code == "unsupported_item"
    assert all(i.error is None for i in (german, french, picture))


def test_package_lists_members_and_text_rendition_is_chosen() -> None:
    package, votes, candidates = items("newsml-g2/package-message.xml")
    assert package.kind == "package"
    assert package.headline == "Elecciones municipales en Sevilla: todo lo que hay que saber"
    assert package.members == [votes.id, candidates.id, "urn:newsml:wsa.example:20260412:sevilla-foto-urnas"]
    # three renditions (video, plain text, XHTML): the XHTML one, without its table
    assert "«Es una jornada tranquila y con mucha afluencia», dijo" in votes.body
    assert "Triana" not in votes.body and votes.url is None


def test_correction_then_kill() -> None:
    corrected, killed = one("newsml-g2/correction-en.xml"), one("newsml-g2/kill-en.xml")
    assert corrected.id == killed.id == TUNNEL
    assert corrected.signals == ["correction"] and corrected.version == 2
    assert killed.pubstatus == "canceled" and killed.version == 3


def test_picture_item() -> None:
    item = one("newsml-g2/picture-ru.xml")
    assert item.kind == "picture" and item.language == "ru"
    assert item.body.startswith("Спасатели МЧС эвакуируют жителей")
    assert item.url == "https://images.example.invalid/ural.jpg"


def test_reuters_style_signals_and_withheld_status() -> None:
    doc = b"""<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="tag:x,2026:1" version="7">
      <itemMeta><itemClass qcode="icls:text"/><pubStatus qcode="stat:withheld"/>
      <signal qcode="edStat:C"/><signal qcode="prodId:TXT"/></itemMeta>
      <contentMeta><headline>UPDATE 2-Markets rally</headline></contentMeta>
      <contentSet><inlineData>Line one.
Line two.</inlineData></contentSet></newsItem>"""
    item = read_document(doc)[0]
    assert item.version == 7 and item.pubstatus == "withheld"
    assert item.signals == ["update", "correction"]
    assert item.body == "Line one.\n\nLine two."


def test_inline_nitf_rendition() -> None:
    doc = b"""<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="g-1">
      <contentSet><inlineXML contenttype="application/nitf+xml"><nitf xmlns="http://iptc.org/std/NITF/2006-10-18/">
      <body><body.content><p>First.</p><media><media-caption>No.</media-caption></media><p>Second.</p>
      </body.content></body></nitf></inlineXML></contentSet></newsItem>"""
    assert read_document(doc)[0].body == "First.\n\nSecond."


def test_xhtml_header_chrome_and_ranked_headlines() -> None:
    doc = """<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="dpa-1">
      <contentMeta><headline rank="2">Zweite Zeile</headline>
      <headline rank="1">Hauptzeile</headline></contentMeta>
      <contentSet><inlineXML contenttype="application/xhtml+xml">
      <html xmlns="http://www.w3.org/1999/xhtml"><head><title>Hauptzeile</title></head><body>
      <header><ul class="slug"><li class="keyword">Fußball</li></ul>
      <p class="genre">Extra</p><h1>Hauptzeile</h1></header>
      <section class="main"><p><span class="dateline">London
      <span class="credit">(dpa)</span> - </span>Der Text beginnt hier.</p><p>Zweiter Absatz.</p></section>
      </body></html></inlineXML></contentSet></newsItem>""".encode()
    item = read_document(doc)[0]
    assert item.headline == "Hauptzeile"
    assert item.body == "London (dpa) - Der Text beginnt hier.\n\nZweiter Absatz."


def test_plain_text_paragraphs_by_indentation_and_html_sent_as_text() -> None:
    text = (
        "<![CDATA[<p>\n   (WSA) - Rome, April 12 - The minister said the plan\n"
        "was unacceptable.\n   \"We will not sign,\" he added\non Sunday.\n</p>]]>"
    )
    doc = f"""<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="ansa-1">
      <contentSet><inlineData contenttype="text/plain">{text}</inlineData></contentSet></newsItem>"""
    assert read_document(doc.encode())[0].body == (
        "(WSA) - Rome, April 12 - The minister said the plan was unacceptable.\n\n"
        '"We will not sign," he added on Sunday.'
    )
