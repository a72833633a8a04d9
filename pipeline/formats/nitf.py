"""NITF 3.x (IPTC's News Industry Text Format): AP, NTB, PA, EFE, ANSA and many national agencies.

One document is one story. Where the fields live, as agencies really fill them:
id `docdata/doc-id@id-string` (else `du-key@key`); version `du-key@version`, else a writethru mark
(`2nd Ld-Writethru`); published `date.issue@norm` (else `pubdata@date.publication`); embargo
`date.release@norm` when `docdata@management-status` is `embargoed` or the release is later than the issue
(PA sends it so); `management-status` usable / withheld / canceled; headline `hedline/hl1` (else
`head/title`); `byline` without its `byttl`; `dateline` (with `location`); subjects
`tobject.subject@tobject.subject.refnum` (IPTC subject codes, scheme `subj`) and
`identified-content/classifier`; the language from `nitf@baselang`, `xml:lang` or `head/meta[@name=language]`.
The body is `body.content` through `blocks.paragraphs` (media, tables, notes left out).
"""

from __future__ import annotations

import re

from pipeline.formats.base import FormatError, Item, Subject, pubstatus_of
from pipeline.formats.blocks import paragraphs
from pipeline.formats.signals import signals_from, writethru_version
from pipeline.formats.xml import (
    XML_LANG,
    Element,
    attr,
    child,
    children,
    descendants,
    iso_utc,
    parse_xml,
    path,
    root_name,
    squash,
    text_of,
)


class NitfReader:
    """`nitf` root element, with or without a namespace."""

    name = "nitf"

    def sniff(self, head: bytes) -> bool:
        root = root_name(head)
        return root is not None and root[1] == "nitf"

    def read(self, data: bytes) -> list[Item]:
        root = parse_xml(data)
        return [read_nitf(root, self.name)]


def read_nitf(root: Element, format_name: str = "nitf") -> Item:
    """One NITF element (a whole document, or one embedded in NewsML) as an Item."""
    head = child(root, "head")
    docdata = child(head, "docdata")
    body = child(root, "body")
    body_head = child(body, "body.head")
    if head is None and body is None:
        raise FormatError("invalid_document", "the NITF document has neither head nor body")
    doc_id = child(docdata, "doc-id")
    du_key = child(docdata, "du-key")
    title = text_of(child(head, "title"))
    headline = text_of(path(body_head, "hedline", "hl1")) or title
    ednotes = [attr(e, "info") for e in children(docdata, "ed-msg")]
    ednotes += [text_of(n) for n in descendants(body, "note") if _is_editorial(n)]
    slugs = [title] + [_meta(head, name) for name in ("slug", "slugline", "keyword")]
    issued = iso_utc(attr(child(docdata, "date.issue"), "norm")) or iso_utc(
        attr(child(head, "pubdata"), "date.publication")
    )
    status_word = (attr(docdata, "management-status") or "usable").lower()
    item = Item(
        format=format_name,
        id=attr(doc_id, "id-string") or attr(du_key, "key"),
        body="\n\n".join(paragraphs(child(body, "body.content"))),
        headline=headline,
        source=_source(head, docdata, body_head),
        published_at=issued,
        version=_version(du_key, headline, *slugs, *ednotes),
        language=_language(root, head, body),
        pubstatus=pubstatus_of(status_word),
        embargoed=_embargo(docdata, status_word, issued),
        signals=signals_from(headlines=[headline, *slugs], notes=ednotes),
        byline=_byline(body_head),
        dateline=_dateline(child(body_head, "dateline")),
        located=_located(body_head, docdata),
        subjects=_subjects(head),
    )
    item.extra.update(_extra(head, docdata, du_key, ednotes))
    return item


def _meta(head: Element | None, name: str) -> str | None:
    for meta in children(head, "meta"):
        if (meta.get("name") or "").lower() == name:
            return attr(meta, "content")
    return None


def _is_editorial(note: Element) -> bool:
    """An editor's note (`noteclass="editorsnote"`, or a non-publishable `type="npa"`) feeds signals."""
    return (note.get("noteclass") or "").lower() == "editorsnote" or (note.get("type") or "").lower() == "npa"


def _version(du_key: Element | None, *texts: str | None) -> int:
    value = attr(du_key, "version")
    if value and value.isdigit() and int(value) >= 1:
        return int(value)
    return writethru_version(*texts) or 1


def _source(head: Element | None, docdata: Element | None, body_head: Element | None) -> str | None:
    return (
        attr(child(docdata, "doc-id"), "regsrc")
        or text_of(child(body_head, "distributor"))
        or attr(child(docdata, "doc.copyright"), "holder")
        or attr(child(head, "pubdata"), "name")
    )


def _language(root: Element, head: Element | None, body: Element | None) -> str | None:
    for value in (
        root.get("baselang"),
        root.get(XML_LANG),
        None if body is None else body.get(XML_LANG),
        _meta(head, "language"),
        _meta(head, "lang"),
    ):
        if value and value.strip():
            return value.strip()
    return None


def _embargo(docdata: Element | None, status: str, issued: str | None) -> str | None:
    release = iso_utc(attr(child(docdata, "date.release"), "norm"))
    if release is None:
        return None
    if status == "embargoed" or (issued is not None and release > issued):
        return release
    return None


_MACHINE_DATE = re.compile(r"^\d{8}(?:T\d{4,6}(?:[+-]\d{4}|Z)?)?$")


def _dateline(dateline: Element | None) -> str | None:
    """The dateline as printed: a `story.date` that holds only its machine form (EFE) is left out."""
    if dateline is None:
        return None
    dates = [d for d in children(dateline, "story.date") if _MACHINE_DATE.match(text_of(d) or "")]
    if not dates:
        return text_of(dateline)
    return text_of(dateline, skip=frozenset({"story.date"})) or None


def _byline(body_head: Element | None) -> str | None:
    lines = [text_of(b, skip=frozenset({"byttl"})) for b in children(body_head, "byline")]
    joined = "; ".join(line for line in lines if line)
    return joined or None


def _located(body_head: Element | None, docdata: Element | None) -> str | None:
    location = path(body_head, "dateline", "location")
    if (where := text_of(location, skip=frozenset({"story.date"}))) is not None:
        return where
    evloc = child(docdata, "evloc")
    if evloc is None:
        return None
    parts = [attr(evloc, name) for name in ("city", "county-dist", "state-prov", "iso-cc")]
    unique = [p for i, p in enumerate(parts) if p and p not in parts[:i]]
    return ", ".join(unique) or None


def _subjects(head: Element | None) -> list[Subject]:
    out: list[Subject] = []
    for subject in descendants(head, "tobject.subject"):
        name = (
            attr(subject, "tobject.subject.detail")
            or attr(subject, "tobject.subject.matter")
            or attr(subject, "tobject.subject.type")
        )
        code = attr(subject, "tobject.subject.refnum")
        if code or name:
            out.append(Subject("subj" if code else None, code, name))
    for classifier in descendants(head, "classifier"):
        value = attr(classifier, "value") or text_of(classifier)
        if value:
            scheme = attr(classifier, "idsrc") or attr(classifier, "type")
            out.append(Subject(scheme, value, text_of(classifier) if classifier.get("value") else None))
    return out


def _extra(
    head: Element | None, docdata: Element | None, du_key: Element | None, ednotes: list[str | None]
) -> dict[str, object]:
    extra: dict[str, object] = {}
    urgency = attr(child(docdata, "urgency"), "ed-urg")
    if urgency and urgency.isdigit():
        extra["urgency"] = int(urgency)
    if expires := iso_utc(attr(child(docdata, "date.expire"), "norm")):
        extra["expires"] = expires
    if notes := [n for n in ednotes if n]:
        extra["ednote"] = " / ".join(notes)
    keywords = [attr(k, "key") for k in descendants(docdata, "keyword")]
    if keywords := [k for k in keywords if k]:
        extra["keywords"] = keywords
    if (key := attr(du_key, "key")) is not None:
        extra["du_key"] = key
    copyright_ = child(docdata, "doc.copyright")
    if copyright_ is not None:
        holder, year = attr(copyright_, "holder"), attr(copyright_, "year")
        extra["copyright"] = squash(" ".join(p for p in ("©", year, holder) if p))
    return extra


READER = NitfReader()
