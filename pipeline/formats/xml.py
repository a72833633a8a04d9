"""The one way agency XML is parsed: lxml with everything that reaches outside the document turned off.

Wire documents come from outside, so the parser must never read a file or a URL (XXE), never expand an
entity (billion laughs) and never build an unbounded tree: lxml runs with `resolve_entities=False`,
`no_network=True`, `load_dtd=False` and `huge_tree=False`. A document that declares entities or refers
to external ones is refused outright (`unsafe_xml`) rather than parsed around them: no agency needs them,
and defusedxml (on expat, a second parser) checks every document that carries a DTD, so a libxml2 change
cannot quietly let one through. A plain `<!DOCTYPE nitf SYSTEM "nitf.dtd">` is fine: it is never loaded.

Readers then walk the tree with namespace-blind helpers (`local`, `child`, `children`, `text_of`): agencies
send the same vocabulary with a default namespace, a prefix, or none at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import TypeAlias

import defusedxml.ElementTree as defused_et
from defusedxml import DefusedXmlException
from lxml import etree

from pipeline.formats.base import FormatError

Element: TypeAlias = etree._Element  # lxml ships no type information: this is Any to mypy

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

_PROLOG = re.compile(
    rb"(?:\s|<\?.*?\?>|<!--.*?-->|<!DOCTYPE(?:[^\[>]|\[.*?\])*>)*<([A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)",
    re.S,
)


_ENTITY_ABUSE = re.compile(r"amplification|entity reference loop|entities? (?:expansion|depth)", re.I)


def _parser(encoding: str | None = None) -> etree.XMLParser:
    return etree.XMLParser(
        encoding=encoding,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        recover=False,
    )


def _head_text(data: bytes) -> bytes:
    """The first 4 KiB as ASCII-compatible bytes (UTF-16 documents decoded, so the prolog can be read)."""
    head = data[:4096]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", "ignore").encode("utf-8", "ignore")
    if head.startswith(b"\xef\xbb\xbf"):
        return head[3:]
    return head


def root_name(head: bytes) -> tuple[str, str] | None:
    """(prefix, local name) of the root element in a document's first bytes, or None when it is not XML.

    Readers sniff with it: the root is found past the XML declaration, comments and a DOCTYPE.
    """
    match = _PROLOG.match(_head_text(head))
    if match is None:
        return None
    prefix = (match.group(1) or b"").rstrip(b":")
    return prefix.decode("ascii", "ignore"), match.group(2).decode("ascii", "ignore")


def _refuse_dtd_tricks(data: bytes) -> None:
    """defusedxml (expat) on a document with a DTD: entity declarations and external references refused."""
    try:
        defused_et.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise FormatError("unsafe_xml", f"the document declares or refers to entities ({exc})") from exc
    except Exception:  # noqa: BLE001 - expat's own complaints: lxml below gives the better message
        return


def parse_xml(data: bytes) -> Element:
    """The root element of a document; FormatError `unsafe_xml` / `invalid_xml` when it is not safe XML."""
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data or data.startswith((b"\xff\xfe", b"\xfe\xff")):
        _refuse_dtd_tricks(data)
    return parse_with_lxml(data)


_DECLARED = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9_.:-]+)[\"']", re.I)
_SINGLE_BYTE = frozenset({b"iso-8859-1", b"latin1", b"latin-1", b"iso8859-1", b"windows-1252", b"cp1252"})


def _mislabelled_utf8(data: bytes) -> bool:
    """A document declared Latin-1/Windows-1252 whose bytes are UTF-8 with non-ASCII text (seen in AFP
    NewsML): read as UTF-8. Latin-1 text is almost never valid UTF-8 once it has accented letters."""
    match = _DECLARED.match(data[:200])
    if match is None or match.group(1).lower() not in _SINGLE_BYTE or data.isascii():
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def parse_with_lxml(data: bytes) -> Element:
    """The lxml half alone (tests show it is safe without defusedxml): entities neither expanded nor
    fetched, and a document that declares or uses them refused."""
    parser = _parser("utf-8") if _mislabelled_utf8(data) else _parser()
    try:
        tree = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        if _ENTITY_ABUSE.search(str(exc)):  # libxml2's own guard against expansion tripped
            raise FormatError("unsafe_xml", f"the document's entities expand without bound: {exc}") from exc
        raise FormatError("invalid_xml", f"the document is not well-formed XML: {exc}") from exc
    except ValueError as exc:  # e.g. a str with an encoding declaration
        raise FormatError("invalid_xml", f"the document cannot be parsed as XML: {exc}") from exc
    doc = tree.getroottree().docinfo
    dtd = doc.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise FormatError("unsafe_xml", "the document's DTD declares entities")
    if any(True for _ in tree.iter(etree.Entity)):
        raise FormatError("unsafe_xml", "the document refers to entities that are not XML's own")
    return tree


# -- namespace-blind navigation -------------------------------------------------------------------


_LOCAL_NAMES: dict[str, str] = {}


def local(element: Element) -> str:
    """The element's name without its namespace (`{ns}headline` and `headline` are both `headline`)."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    name = _LOCAL_NAMES.get(tag)
    if name is None:
        name = _LOCAL_NAMES[tag] = tag.rsplit("}", 1)[-1]
        if len(_LOCAL_NAMES) > 4096:  # a document inventing tags must not grow this without bound
            _LOCAL_NAMES.clear()
    return name


def children(element: Element | None, name: str) -> list[Element]:
    """Direct children called `name`, whatever their namespace."""
    if element is None:
        return []
    return [c for c in element if local(c) == name]


def child(element: Element | None, name: str) -> Element | None:
    """The first direct child called `name`, or None."""
    if element is None:
        return None
    for c in element:
        if local(c) == name:
            return c
    return None


def path(element: Element | None, *names: str) -> Element | None:
    """Follow `names` down through first children; None as soon as one is missing."""
    for name in names:
        element = child(element, name)
    return element


def descendants(element: Element | None, name: str) -> Iterator[Element]:
    """Every element called `name` below `element` (document order)."""
    if element is None:
        return
    for e in element.iter():
        if e is not element and local(e) == name:
            yield e


_SPACE = re.compile(r"[ \t\r\n\f\v\u00a0]+")


def squash(text: str | None) -> str | None:
    """Whitespace runs (the layout of the XML) as single spaces; None for nothing left."""
    if text is None:
        return None
    out = _SPACE.sub(" ", text).strip()
    return out or None


def text_of(element: Element | None, *, skip: frozenset[str] = frozenset()) -> str | None:
    """All text inside `element`, squashed; subtrees named in `skip` left out (their tails kept)."""
    if element is None:
        return None
    return squash("".join(_texts(element, skip)))


def _texts(element: Element, skip: frozenset[str]) -> Iterator[str]:
    if element.text:
        yield element.text
    for c in element:
        if isinstance(c.tag, str) and local(c) not in skip:
            yield from _texts(c, skip)
        if c.tail:
            yield c.tail


def attr(element: Element | None, name: str) -> str | None:
    """An attribute's value, squashed, or None (missing element or attribute)."""
    if element is None:
        return None
    return squash(element.get(name))


def lang_of(element: Element | None) -> str | None:
    """`xml:lang` of the element or its nearest ancestor that has one."""
    while element is not None:
        value = element.get(XML_LANG)
        if value:
            return value.strip() or None
        element = element.getparent()
    return None


# -- dates ---------------------------------------------------------------------------------------

_DATE = re.compile(
    r"^\s*(\d{4})-?(\d{2})-?(\d{2})"
    r"(?:[T ](\d{2}):?(\d{2})(?::?(\d{2})(?:[.,]\d+)?)?)?"
    r"\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?\s*$",
    re.I,
)


def iso_utc(text: str | None) -> str | None:
    """An agency date as ISO 8601 UTC (`2024-03-01T12:00:00Z`), or None when it is not a date.

    Agencies write ISO basic (`20240301T120000+0100`, NITF's `norm`), extended (`2024-03-01T12:00:00.000Z`)
    or no zone at all; a date without a zone is taken as UTC (NITF's recommendation).
    """
    if not text:
        return None
    match = _DATE.match(text)
    if match is None:
        return None
    year, month, day, hour, minute, second, zone = match.groups()
    try:
        when = datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0), tzinfo=UTC
        )
    except ValueError:
        return None
    offset = _offset(zone)
    if offset is None:
        return None
    when = when.replace(tzinfo=timezone(offset)).astimezone(UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _offset(zone: str | None) -> timedelta | None:
    if zone is None or zone.upper() in ("Z", "UTC", "GMT"):
        return timedelta(0)
    digits = zone[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 23 or minutes > 59:
        return None
    delta = timedelta(hours=hours, minutes=minutes)
    return -delta if zone[0] == "-" else delta
