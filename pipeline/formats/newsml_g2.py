"""NewsML-G2 2.x (IPTC): Reuters, AFP, ANSA, dpa, NTB, STT and most agencies' current feeds.

A document is one item (`newsItem`, `packageItem`, ...) or a `newsMessage` whose `itemSet` holds several:
one Item each. Items that are not news (`conceptItem`, `knowledgeItem`, `planningItem`, `catalogItem`) come
back as items with an error (`unsupported_item`), so they are reported, not dropped and not a crash.

Per item: id `@guid`, version `@version`; `itemMeta`: `itemClass` (text / picture / video / graphic /
composite -> kind), `provider`, `versionCreated`, `pubStatus` (stat:usable / stat:withheld / stat:canceled),
`embargoed`, `signal` qcodes and `edNote` (update / correction); `contentMeta`: the main `headline` (not a
`subheadline` role), `by`, `dateline`, `located`, `subject@qcode` (scheme = the qcode's prefix),
`language@tag`, `description` (a picture's caption is its body). The body is the text rendition of
`contentSet`: `inlineXML` (XHTML, or NITF) before `inlineData`; a picture's `remoteContent` gives its url.
A `packageItem` lists its members (`itemRef@residref` in its groups).
"""

from __future__ import annotations

import base64
import binascii
import re

from pipeline.formats.base import FormatError, Item, Subject, pubstatus_of
from pipeline.formats.blocks import body_text, markup_text, plain_paragraphs
from pipeline.formats.nitf import read_nitf
from pipeline.formats.signals import signals_from
from pipeline.formats.xml import (
    Element,
    attr,
    child,
    children,
    descendants,
    iso_utc,
    lang_of,
    local,
    parse_xml,
    root_name,
    text_of,
)

NEWS_ITEMS = frozenset({"newsItem", "packageItem"})
OTHER_ITEMS = frozenset({"conceptItem", "knowledgeItem", "planningItem", "catalogItem"})
ROOTS = NEWS_ITEMS | OTHER_ITEMS | {"newsMessage"}

_KINDS = {
    "text": "text",
    "picture": "picture",
    "photo": "picture",
    "graphic": "graphic",
    "video": "video",
    "audio": "audio",
    "composite": "package",
    "package": "package",
}
_MARKUP = re.compile(r"<(?:p|br|div|span)\b[^>]*>", re.I)
_TEXT_TYPES = ("application/xhtml+xml", "text/html", "application/nitf+xml", "text/plain")


class NewsMlG2Reader:
    """A G2 item or newsMessage root, with the IPTC namespace as default, as a prefix, or none."""

    name = "newsml-g2"

    def sniff(self, head: bytes) -> bool:
        root = root_name(head)
        return root is not None and root[1] in ROOTS

    def read(self, data: bytes) -> list[Item]:
        root = parse_xml(data)
        if local(root) == "newsMessage":
            sets = children(root, "itemSet")  # newsMessage's own children: no walk over the whole tree
            items = [e for item_set in sets for e in item_set if isinstance(e.tag, str)]
            sender = text_of(child(child(root, "header"), "sender"))
            return [read_item(e, sender) for e in items]
        return [read_item(root, None)]


def read_item(element: Element, sender: str | None) -> Item:
    """One item element as an Item; an item we cannot read is an Item with `error` set."""
    name = local(element)
    guid = attr(element, "guid")
    if name not in NEWS_ITEMS:
        return Item(
            format="newsml-g2",
            id=guid,
            error=FormatError("unsupported_item", f"a NewsML-G2 {name} is not a news item"),
        )
    try:
        return _news_item(element, name, guid, sender)
    except FormatError as exc:
        return Item(format="newsml-g2", id=guid, error=exc)


def _news_item(element: Element, name: str, guid: str | None, sender: str | None) -> Item:
    meta = child(element, "itemMeta")
    content_meta = child(element, "contentMeta")
    kind = "package" if name == "packageItem" else _kind(attr(child(meta, "itemClass"), "qcode"))
    headline = _headline(content_meta)
    ednotes = [text_of(n) for n in children(meta, "edNote")]
    body, url = _content(child(element, "contentSet"), headline)
    if kind == "text":
        url = None  # a text item's remote renditions (video, PDF) are not the story's address
    if kind != "text" and not body:
        body = "\n\n".join(d for d in _descriptions(content_meta) if d)
    members: list[str] = []
    if kind == "package":
        members = _members(element)
        if not body:
            body = "\n\n".join(t for t in _member_titles(element) if t)
    version = attr(element, "version")
    item = Item(
        format="newsml-g2",
        id=guid,
        body=body,
        headline=headline,
        source=_provider(meta) or sender,
        published_at=iso_utc(text_of(child(meta, "versionCreated")))
        or iso_utc(text_of(child(meta, "firstCreated"))),
        url=url,
        version=int(version) if version and version.isdigit() and int(version) >= 1 else 1,
        language=attr(child(content_meta, "language"), "tag") or lang_of(element),
        pubstatus=pubstatus_of(_code(attr(child(meta, "pubStatus"), "qcode")) or "usable"),
        embargoed=iso_utc(text_of(child(meta, "embargoed"))),
        signals=signals_from(
            qcodes=[attr(s, "qcode") for s in children(meta, "signal")],
            headlines=[headline, text_of(child(content_meta, "slugline"))],
            notes=ednotes,
        ),
        byline="; ".join(b for b in (text_of(e) for e in children(content_meta, "by")) if b) or None,
        dateline=text_of(child(content_meta, "dateline")),
        located=_located(content_meta),
        subjects=_subjects(content_meta),
        kind=kind,
        members=members,
    )
    item.extra.update(_extra(meta, content_meta, element, ednotes))
    return item


def _code(qcode: str | None) -> str | None:
    """`stat:usable` -> `usable`; a bare code is its own."""
    if not qcode:
        return None
    return qcode.rsplit(":", 1)[-1].strip().lower() or None


def _kind(qcode: str | None) -> str:
    return _KINDS.get(_code(qcode) or "text", "text")


def _headline(content_meta: Element | None) -> str | None:
    """The main headline: one without a role, or with a main role, before any sub/short headline."""
    ranked: list[tuple[int, str]] = []
    for i, e in enumerate(children(content_meta, "headline")):
        text = text_of(e)
        if not text:
            continue
        role = (e.get("role") or "").lower()
        if not role or role.endswith(("main", ":headline", ":hl1")):
            rank = 0
        elif "sub" in role or "short" in role or "alt" in role or "kicker" in role:
            rank = 2
        else:
            rank = 1
        order = attr(e, "rank")  # dpa numbers its headlines: rank 1 is the main one
        position = int(order) if order and order.isdigit() else 100 + i
        ranked.append((rank * 1000 + position, text))
    return min(ranked)[1] if ranked else None


def _descriptions(content_meta: Element | None) -> list[str | None]:
    """Captions first (a picture's text), then the other descriptions."""
    found = children(content_meta, "description")
    captions = [e for e in found if "caption" in (e.get("role") or "").lower()]
    return [text_of(e) for e in captions + [e for e in found if e not in captions]]


def _content(content_set: Element | None, headline: str | None) -> tuple[str, str | None]:
    """The text rendition's body, and the url of a remote rendition (a picture's file)."""
    candidates: list[tuple[int, str]] = []
    for e in content_set if content_set is not None else []:
        if not isinstance(e.tag, str) or local(e) not in ("inlineXML", "inlineData"):
            continue
        ctype = (e.get("contenttype") or ("text/plain" if local(e) == "inlineData" else "")).lower()
        rank = next((i for i, t in enumerate(_TEXT_TYPES) if ctype.startswith(t)), len(_TEXT_TYPES))
        text = _inline_xml(e, headline) if local(e) == "inlineXML" else _inline_data(e)
        if text:
            candidates.append((rank, text))
    body = min(candidates, key=lambda c: c[0])[1] if candidates else ""
    url = None
    remotes = children(content_set, "remoteContent")
    for remote in sorted(remotes, key=_rendition_rank):
        if url := attr(remote, "href") or attr(remote, "residref"):
            break
    return body, url


def _rendition_rank(remote: Element) -> int:
    rendition = (remote.get("rendition") or "").lower()
    for i, word in enumerate(("highres", "original", "web", "preview")):
        if word in rendition:
            return i
    return 4


def _inline_xml(inline: Element, headline: str | None) -> str:
    """XHTML (its `body`) or an embedded NITF document."""
    for e in inline:
        if isinstance(e.tag, str) and local(e) == "nitf":
            return read_nitf(e).body
    page = next((e for e in inline if isinstance(e.tag, str)), None)
    body = child(page, "body")
    if body is None:  # not a plain html/body page: look deeper
        body = next(descendants(inline, "body"), None)
    return body_text(body if body is not None else inline, headline)


def _inline_data(inline: Element) -> str:
    text = inline.text or ""
    if (inline.get("encoding") or "").lower() == "base64":
        try:
            text = base64.b64decode(text, validate=False).decode("utf-8", "replace")
        except (binascii.Error, ValueError) as exc:
            raise FormatError("invalid_document", "inlineData declared base64 is not") from exc
    if _MARKUP.search(text):  # HTML sent as text (ANSA wraps its plain text in <p>)
        text = markup_text(text)
    return "\n\n".join(plain_paragraphs(text))


def _provider(meta: Element | None) -> str | None:
    provider = child(meta, "provider")
    return text_of(child(provider, "name")) or attr(provider, "literal") or _code(attr(provider, "qcode"))


def _located(content_meta: Element | None) -> str | None:
    located = child(content_meta, "located")
    if located is None:
        return None
    names = [text_of(child(located, "name")) or attr(located, "literal")]
    broader = child(located, "broader")
    while broader is not None and len(names) < 4:
        names.append(text_of(child(broader, "name")) or attr(broader, "literal"))
        broader = child(broader, "broader")
    joined = ", ".join(n for n in names if n)
    return joined or attr(located, "qcode")


def _subjects(content_meta: Element | None) -> list[Subject]:
    out: list[Subject] = []
    for subject in children(content_meta, "subject"):
        qcode = attr(subject, "qcode")
        scheme: str | None
        code: str | None
        if qcode and ":" in qcode:
            scheme, code = qcode.split(":", 1)
        else:
            scheme, code = None, qcode or attr(subject, "uri")
        name = _name(subject) or attr(subject, "literal")
        if code or name:
            out.append(Subject(scheme, code, name))
    return out


def _name(element: Element) -> str | None:
    """A concept's name: the first without a role (roles mark short or alternative names), else the first."""
    names = children(element, "name")
    plain = [n for n in names if n.get("role") is None]
    return text_of((plain or names)[0]) if names else None


def _members(element: Element) -> list[str]:
    seen: list[str] = []
    for ref in descendants(element, "itemRef"):
        rid = attr(ref, "residref") or attr(ref, "href")
        if rid and rid not in seen:
            seen.append(rid)
    return seen


def _member_titles(element: Element) -> list[str | None]:
    return [text_of(child(ref, "title")) for ref in descendants(element, "itemRef")]


def _extra(
    meta: Element | None, content_meta: Element | None, element: Element, ednotes: list[str | None]
) -> dict[str, object]:
    extra: dict[str, object] = {}
    urgency = text_of(child(content_meta, "urgency"))
    if urgency and urgency.isdigit():
        extra["urgency"] = int(urgency)
    if notes := [n for n in ednotes if n]:
        extra["ednote"] = " / ".join(notes)
    if slug := text_of(child(content_meta, "slugline")):
        extra["slugline"] = slug
    if first := iso_utc(text_of(child(meta, "firstCreated"))):
        extra["first_created"] = first
    keywords = [text_of(k) for k in children(content_meta, "keyword")]
    if keywords := [k for k in keywords if k]:
        extra["keywords"] = keywords
    if notice := text_of(child(child(element, "rightsInfo"), "copyrightNotice")):
        extra["copyright"] = notice
    return extra


READER = NewsMlG2Reader()
