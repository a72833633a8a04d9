"""NewsML 1.2 (IPTC): AFP's long-running feed, ANA-MPE, dpa's older service, many archives.

A `NewsML` document holds one or more `NewsItem`s: one Item each. Per item: id from `NewsIdentifier`
(`urn:newsml:Provider:DateId:NewsItemId`, the revision left off so every version shares it), version
`RevisionId`; `NewsManagement`: `Status` (Usable / Embargoed / Withheld / Canceled), an embargo's end in
`StatusWillChange/DateAndTime`, `ThisRevisionCreated`, `Instruction` (update / correction words), `Urgency`;
the main `NewsComponent`'s `NewsLines` (HeadLine, ByLine, DateLine, SlugLine, CopyrightLine),
`DescriptiveMetadata` (Language, SubjectCode, Location) and its text `ContentItem`, whose `DataContent`
holds NITF, XHTML or plain text.
"""

from __future__ import annotations

from pipeline.formats.base import FormatError, Item, Subject, pubstatus_of
from pipeline.formats.blocks import paragraphs, plain_paragraphs
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
    path,
    root_name,
    text_of,
)

_KINDS = {"text": "text", "photo": "picture", "picture": "picture", "graphic": "graphic", "video": "video"}
_KINDS["audio"] = "audio"


class NewsMl1Reader:
    """The `NewsML` root element (G2 never uses it)."""

    name = "newsml-1"

    def sniff(self, head: bytes) -> bool:
        root = root_name(head)
        return root is not None and root[1] == "NewsML"

    def read(self, data: bytes) -> list[Item]:
        root = parse_xml(data)
        envelope = child(root, "NewsEnvelope")
        return [_item(e, envelope) for e in descendants(root, "NewsItem")]


def _item(news_item: Element, envelope: Element | None) -> Item:
    ident = path(news_item, "Identification", "NewsIdentifier")
    item_id = _identifier(ident)
    try:
        return _read(news_item, envelope, ident, item_id)
    except FormatError as exc:
        return Item(format="newsml-1", id=item_id, error=exc)


def _read(news_item: Element, envelope: Element | None, ident: Element | None, item_id: str | None) -> Item:
    management = child(news_item, "NewsManagement")
    component = _main_component(child(news_item, "NewsComponent"))
    lines = _nearest(component, "NewsLines")
    descriptive = _nearest(component, "DescriptiveMetadata")
    content = _text_content(child(news_item, "NewsComponent"))
    embedded = next(iter(descendants(content, "nitf")), None)
    nitf_item = read_nitf(embedded) if embedded is not None else None
    headline = text_of(child(lines, "HeadLine")) or (nitf_item.headline if nitf_item else None)
    status = (attr(child(management, "Status"), "FormalName") or "usable").lower()
    instructions = [attr(e, "FormalName") for e in children(management, "Instruction")]
    revision = text_of(child(ident, "RevisionId"))
    body = nitf_item.body if nitf_item is not None else _data_text(content)
    kind = _kind(component)
    if not body and kind != "text":  # a picture without a caption component: its headline describes it
        body = headline or ""
    item = Item(
        format="newsml-1",
        id=item_id,
        body=body,
        headline=headline,
        source=_provider(component) or text_of(child(ident, "ProviderId")),
        published_at=iso_utc(text_of(child(management, "ThisRevisionCreated")))
        or iso_utc(text_of(child(management, "FirstCreated")))
        or iso_utc(text_of(child(envelope, "DateAndTime"))),
        version=int(revision) if revision and revision.isdigit() and int(revision) >= 1 else 1,
        language=attr(child(descriptive, "Language"), "FormalName") or lang_of(news_item),
        pubstatus=pubstatus_of(status),
        embargoed=_embargo(management, status),
        signals=signals_from(
            headlines=[headline, text_of(child(lines, "SlugLine"))],
            notes=[*instructions, text_of(child(management, "Instruction"))],
        ),
        byline=text_of(child(lines, "ByLine")) or (nitf_item.byline if nitf_item else None),
        dateline=text_of(child(lines, "DateLine")) or (nitf_item.dateline if nitf_item else None),
        located=_located(descriptive) or (nitf_item.located if nitf_item else None),
        subjects=_subjects(descriptive) or (nitf_item.subjects if nitf_item else []),
        kind=kind,
    )
    urgency = attr(child(management, "Urgency"), "FormalName")
    if urgency and urgency.isdigit():
        item.extra["urgency"] = int(urgency)
    if copyright_ := text_of(child(lines, "CopyrightLine")):
        item.extra["copyright"] = copyright_
    if slug := text_of(child(lines, "SlugLine")):
        item.extra["slugline"] = slug
    return item


def _identifier(ident: Element | None) -> str | None:
    provider, date, item = (text_of(child(ident, n)) for n in ("ProviderId", "DateId", "NewsItemId"))
    if provider and item:
        return f"urn:newsml:{provider}:{date or ''}:{item}"
    public = text_of(child(ident, "PublicIdentifier"))
    return public


def _main_component(component: Element | None) -> Element | None:
    """The component with Role `Main` if the item is made of several, else the top one."""
    for sub in descendants(component, "NewsComponent"):
        if (attr(child(sub, "Role"), "FormalName") or "").lower() == "main":
            return sub
    return component


def _nearest(component: Element | None, name: str) -> Element | None:
    """`name` in the component, else in the enclosing components (metadata is often at the top)."""
    while component is not None:
        if (found := child(component, name)) is not None:
            return found
        component = component.getparent()
        if component is not None and local(component) != "NewsComponent":
            return None
    return None


def _media(content_item: Element) -> str:
    return (attr(child(content_item, "MediaType"), "FormalName") or "").lower()


def _text_content(component: Element | None) -> Element | None:
    """The first text ContentItem's DataContent (the main component's first)."""
    texts = [c for c in descendants(component, "ContentItem") if _media(c) == "text"]
    main = _main_component(component)
    preferred = [c for c in texts if main is not None and c.getparent() is main]
    for c in preferred + texts:
        if (data := child(c, "DataContent")) is not None:
            return data
    return None


def _data_text(data: Element | None) -> str:
    if data is None:
        return ""
    if any(isinstance(e.tag, str) for e in data):
        bodies = list(descendants(data, "body"))
        return "\n\n".join(paragraphs(bodies[0] if bodies else data))
    return "\n\n".join(plain_paragraphs(data.text or ""))


def _embargo(management: Element | None, status: str) -> str | None:
    change = child(management, "StatusWillChange")
    future = (attr(child(change, "FutureStatus"), "FormalName") or "").lower()
    when = iso_utc(text_of(child(change, "DateAndTime")))
    if when and (status == "embargoed" or future == "usable"):
        return when
    return None


def _provider(component: Element | None) -> str | None:
    admin = _nearest(component, "AdministrativeMetadata")
    party = path(admin, "Provider", "Party")
    return attr(party, "FormalName")


def _located(descriptive: Element | None) -> str | None:
    for location in children(descriptive, "Location"):
        properties = children(location, "Property")
        values = {(attr(p, "FormalName") or "").lower(): attr(p, "Value") for p in properties}
        parts = [values.get(k) for k in ("city", "country")]
        if joined := ", ".join(p for p in parts if p):
            return joined
    return None


def _subjects(descriptive: Element | None) -> list[Subject]:
    out: list[Subject] = []
    for code in children(descriptive, "SubjectCode"):
        for e in code:
            if isinstance(e.tag, str) and (value := attr(e, "FormalName")):
                out.append(Subject("subj", value, None))
    return out


def _kind(component: Element | None) -> str:
    """Text when the item has text; else the first medium (a photo item with no text is a picture)."""
    media = [_media(c) for c in descendants(component, "ContentItem")]
    if not media or "text" in media:
        return "text"
    return _KINDS.get(media[0], "text")


READER = NewsMl1Reader()
