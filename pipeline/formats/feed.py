"""RSS 2.0 (and RSS 1.0) and Atom feeds: one Item per `item` / `entry`.

Read with the same hardened lxml parser as the agency formats rather than feedparser: feedparser parses with
its own loose SAX/sgmllib paths (entity handling not ours to switch off, a URL given as a string is
fetched), and it rewrites content we want as it is. Feeds carry HTML escaped inside elements
(`description`, `content:encoded`, Atom `content type="html"`): that text is parsed by lxml's HTML parser
(no DTD, no network) and goes through the same paragraph rules as XHTML.

Fields: id `guid` / Atom `id` (else the link; else a derived one), headline `title`, url the link,
published `pubDate` (RFC 822) / `published` / `updated`, byline `author` / `dc:creator` / Atom `author/name`,
subjects `category` (scheme: `domain` / Atom `scheme`), language `xml:lang`, `dc:language` or the channel's.
"""

from __future__ import annotations

from email.utils import parsedate_to_datetime

from lxml import etree, html

from pipeline.formats.base import Item, Subject
from pipeline.formats.blocks import paragraphs, plain_paragraphs
from pipeline.formats.signals import signals_from
from pipeline.formats.xml import (
    Element,
    attr,
    child,
    children,
    iso_utc,
    lang_of,
    local,
    parse_xml,
    root_name,
    text_of,
)

ATOM_NS = "http://www.w3.org/2005/Atom"


class FeedReader:
    """`rss`, `rdf:RDF` (RSS 1.0) or an Atom `feed`/`entry` root."""

    name = "feed"

    def sniff(self, head: bytes) -> bool:
        root = root_name(head)
        if root is None:
            return False
        return root[1] in ("rss", "RDF") or (root[1] in ("feed", "entry") and b"2005/Atom" in head)

    def read(self, data: bytes) -> list[Item]:
        root = parse_xml(data)
        name = local(root)
        if name == "feed":
            source = text_of(child(root, "title"))
            return [_atom_entry(e, source, "atom") for e in children(root, "entry")]
        if name == "entry":
            return [_atom_entry(root, None, "atom")]
        channel = child(root, "channel")
        items = children(channel, "item") + children(root, "item")  # RSS 1.0 puts items beside the channel
        source = text_of(child(channel, "title"))
        language = text_of(child(channel, "language"))
        return [_rss_item(e, source, language, "rss") for e in items]


def _html_paragraphs(markup: str | None) -> str:
    """Escaped HTML (or plain text) as body paragraphs."""
    if not markup or not markup.strip():
        return ""
    if "<" not in markup:
        return _plain(markup)
    parser = html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True, default_doctype=False)
    try:
        fragment = html.fragment_fromstring(markup, create_parent="div", parser=parser)
    except (etree.ParserError, ValueError):
        return " ".join(markup.split())
    return "\n\n".join(paragraphs(fragment))


def _plain(text: str | None) -> str:
    return "\n\n".join(plain_paragraphs(text or ""))


def _rfc822(text: str | None) -> str | None:
    if not text:
        return None
    try:
        when = parsedate_to_datetime(text.strip())
    except (TypeError, ValueError, IndexError):
        return iso_utc(text)
    if when.tzinfo is None:
        return when.strftime("%Y-%m-%dT%H:%M:%SZ")
    return iso_utc(when.isoformat())


def _rss_item(e: Element, source: str | None, language: str | None, fmt: str) -> Item:
    headline = text_of(child(e, "title"))
    link = text_of(child(e, "link")) or attr(e, "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about")
    encoded, description = child(e, "encoded"), child(e, "description")
    body = _html_paragraphs(None if encoded is None else encoded.text) or _html_paragraphs(
        None if description is None else description.text
    )
    authors = [text_of(a) for a in children(e, "creator") + children(e, "author")]
    return Item(
        format=fmt,
        id=text_of(child(e, "guid")) or link,
        body=body,
        headline=headline,
        source=text_of(child(e, "source")) or source,
        published_at=_rfc822(text_of(child(e, "pubDate"))) or iso_utc(text_of(child(e, "date"))),
        url=link,
        language=text_of(child(e, "language")) or lang_of(e) or language,
        signals=signals_from(headlines=[headline]),
        byline="; ".join(a for a in authors if a) or None,
        subjects=[
            Subject(attr(c, "domain"), text_of(c), None) for c in children(e, "category") if text_of(c)
        ],
    )


def _atom_text(e: Element | None) -> str:
    """An Atom text construct: `type` text, html (escaped) or xhtml (a div inside)."""
    if e is None:
        return ""
    kind = (e.get("type") or "text").lower()
    if kind == "xhtml" or any(isinstance(c.tag, str) for c in e):
        return "\n\n".join(paragraphs(e))
    if kind in ("html", "text/html"):
        return _html_paragraphs(e.text)
    return _plain(e.text)


def _atom_entry(e: Element, source: str | None, fmt: str) -> Item:
    headline = text_of(child(e, "title"))
    links = children(e, "link")
    alternate = [x for x in links if (x.get("rel") or "alternate") == "alternate"]
    url = attr((alternate or links or [None])[0], "href")
    authors = [text_of(child(a, "name")) for a in children(e, "author")]
    return Item(
        format=fmt,
        id=text_of(child(e, "id")) or url,
        body=_atom_text(child(e, "content")) or _atom_text(child(e, "summary")),
        headline=headline,
        source=text_of(child(child(e, "source"), "title")) or source,
        published_at=iso_utc(text_of(child(e, "published"))) or iso_utc(text_of(child(e, "updated"))),
        url=url,
        language=lang_of(e),
        signals=signals_from(headlines=[headline]),
        byline="; ".join(a for a in authors if a) or None,
        subjects=[
            Subject(attr(c, "scheme"), attr(c, "term"), attr(c, "label"))
            for c in children(e, "category")
            if attr(c, "term")
        ],
    )


READER = FeedReader()
