"""What every wire-format reader produces: `Item`s, one per story in an agency document.

A reader is a module under `pipeline/formats/` with a `READER` object (see `Reader`): `sniff` looks at the
first bytes of a document and says whether it is that format, `read` turns the whole document into items.
`pipeline.formats.read_document` picks the reader (`detect`) and is the only entry point the chain uses.
An item becomes the chain's raw story through `Item.to_raw` (our JSON raw story plus the agency fields),
so everything downstream sees one shape whatever the provider sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

PubStatus = Literal["usable", "withheld", "canceled"]
Signal = Literal["update", "correction"]


_PUBSTATUS: dict[str, PubStatus] = {
    "usable": "usable",
    "embargoed": "usable",  # NITF's management-status: usable once its time comes (`embargoed` says when)
    "withheld": "withheld",
    "canceled": "canceled",
    "cancelled": "canceled",
}


def pubstatus_of(word: str | None) -> PubStatus:
    """A provider's status word (NITF management-status, NewsML status, G2 `stat:` code without its scheme)
    as ours; an unknown or missing one is `usable`, the formats' own default."""
    return _PUBSTATUS.get((word or "").strip().lower(), "usable")


class FormatError(ValueError):
    """A document that yields no story; `code` is the dead-letter error code (`invalid_xml`, `unsafe_xml`,
    `unsupported_format`, `invalid_document`, `no_items`, `document_too_large`)."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Subject:
    """A classification of the story: `scheme` (e.g. `medtop`, `subj`, `iptc-subjectcode`), `code`, `name`."""

    scheme: str | None
    code: str | None
    name: str | None = None


@dataclass(slots=True)
class Item:
    """One story (or one non-text item: picture, package) read from an agency document.

    `id` is the provider's id; None when the format carries none (the registry then derives a stable id
    from provider and content). `body` is plain text: paragraphs separated by blank lines, with captions,
    tables, sign-offs, editor notes and non-public parts already left out. `language` is the declared
    language (a hint: the detected one wins). `kind` is `text`, `picture`, `video`, `audio`, `graphic` or
    `package`; `members` lists the ids a package refers to. `error` is set on an item that could not be
    read (the others of the same document still go on); it becomes that item's dead letter.
    """

    format: str
    id: str | None = None
    body: str = ""
    headline: str | None = None
    source: str | None = None
    published_at: str | None = None  # ISO 8601
    url: str | None = None
    version: int = 1
    language: str | None = None
    pubstatus: PubStatus = "usable"
    embargoed: str | None = None  # ISO 8601 UTC
    signals: list[Signal] = field(default_factory=list)
    byline: str | None = None
    dateline: str | None = None
    located: str | None = None
    subjects: list[Subject] = field(default_factory=list)
    kind: str = "text"
    members: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    error: FormatError | None = None

    def to_raw(self) -> dict[str, Any]:
        """The raw-story JSON object the chain validates (`Story.from_json`); agency fields ride along."""
        raw: dict[str, Any] = {
            "id": self.id,
            "body": self.body,
            "version": self.version,
            "format": self.format,
            "pubstatus": self.pubstatus,
            "embargoed": self.embargoed,
            "signals": list(self.signals),
            "byline": self.byline,
            "dateline": self.dateline,
            "located": self.located,
            "subjects": [{"scheme": s.scheme, "code": s.code, "name": s.name} for s in self.subjects],
            "kind": self.kind,
        }
        if self.members:
            raw["members"] = list(self.members)
        for name in ("headline", "source", "published_at", "url", "language"):
            value = getattr(self, name)
            if value is not None:
                raw[name] = value
        raw.update(self.extra)
        return raw


class Reader(Protocol):
    """One wire format. `name` is what records carry in `format` (`nitf`, `newsml-g2`, `ninjs-3`, ...)."""

    name: str

    def sniff(self, head: bytes) -> bool:
        """Whether a document starting with `head` (its first 4 KiB, BOM and whitespace kept) is this
        format."""
        ...

    def read(self, data: bytes) -> list[Item]:
        """All items of the document; raise FormatError when the document as a whole cannot be read."""
        ...
