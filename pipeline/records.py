"""Typed records passed between stages, and the one place they meet JSON.

Stages exchange these dataclasses; only `Story.from_json`, `*.to_json` and
`DeadLetter` touch plain dicts, so the contract in CONTRACT.md lives here.
"""

from __future__ import annotations

import base64
import re
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

RAW_LIMIT = 64 * 1024  # dead letters keep at most this much of the raw input

DedupStatus = Literal["unique", "duplicate", "update", "correction"]
QuoteKind = Literal["direct", "partial", "indirect"]

_STORY_FIELDS = ("id", "body", "headline", "source", "published_at", "url", "version", "language")
# what an agency document adds (pipeline/formats): typed fields of the Story, never under `extra`
_AGENCY_FIELDS = (
    "format",
    "pubstatus",
    "embargoed",
    "signals",
    "byline",
    "dateline",
    "located",
    "subjects",
    "kind",
    "members",
    "members_unresolved",
)
PUBSTATUSES = ("usable", "withheld", "canceled")
SIGNALS = ("update", "correction")


_SURROGATE = re.compile("[\ud800-\udfff]")


def scrub(text: str) -> str:
    """Replace each lone surrogate, which no UTF-8 consumer can read, with one U+FFFD."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", text)


def not_json(name: str) -> Any:
    """`json.loads(..., parse_constant=not_json)`: NaN and Infinity are Python's, not JSON (no JSON consumer
    could read a record that carried them)."""
    raise ValueError(f"{name} is not a JSON value")


def utf8_size(text: str) -> int:
    """Bytes of `text` in UTF-8 (a lone surrogate, which `scrub` later replaces, counts its 3 bytes)."""
    return len(text.encode("utf-8", "surrogatepass"))


def scrub_json(value: Any) -> Any:
    """`scrub` on every string (keys too) of a decoded JSON value; the value itself when nothing changes."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, list):
        items = [scrub_json(v) for v in value]
        return value if all(a is b for a, b in zip(items, value, strict=True)) else items
    if isinstance(value, dict):
        pairs = [(scrub(k) if isinstance(k, str) else k, scrub_json(v)) for k, v in value.items()]
        same = all(k2 is k and v2 is v for (k2, v2), (k, v) in zip(pairs, value.items(), strict=True))
        return value if same else dict(pairs)
    return value


class InvalidStory(ValueError):
    """A raw message that cannot become a Story; `code` is the dead-letter error code."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Story:
    """A raw story as published to `wire.raw`."""

    id: str
    body: str
    headline: str | None = None
    source: str | None = None
    published_at: str | None = None
    url: str | None = None
    version: int = 1
    language: str | None = None  # the publisher's hint, not our detection
    extra: dict[str, Any] = field(default_factory=dict)
    # from an agency document (pipeline/formats); our JSON stories may give them too
    format: str | None = None  # nitf, newsml-g2, ...; None for our JSON story
    pubstatus: str = "usable"  # usable | withheld | canceled (a kill: not enriched, see Chain)
    embargoed: str | None = None  # ISO 8601 UTC: not for publication before
    signals: list[str] = field(default_factory=list)  # update, correction (the provider's word)
    byline: str | None = None
    dateline: str | None = None
    located: str | None = None
    subjects: list[dict[str, Any]] = field(default_factory=list)  # [{scheme, code, name}]
    kind: str = "text"  # text, picture, video, audio, graphic, package
    members: list[str] = field(default_factory=list)  # a package's items
    members_unresolved: list[str] = field(default_factory=list)  # members not in the same message

    @property
    def canceled(self) -> bool:
        """A kill: the provider withdraws the story with this id."""
        return self.pubstatus == "canceled"

    @classmethod
    def from_json(cls, obj: Any, *, max_body_bytes: int | None = None) -> Story:
        """Validate a decoded JSON value; raise InvalidStory with a dead-letter code."""
        if not isinstance(obj, dict):
            kind = "null" if obj is None else type(obj).__name__
            raise InvalidStory("not_an_object", f"a story must be a JSON object, got {kind}")
        sid = obj.get("id")
        if sid is None:
            raise InvalidStory("missing_id", "the story has no 'id' field")
        if not isinstance(sid, str) or not sid.strip():
            raise InvalidStory("invalid_id", "'id' must be a non-empty string")
        body = obj.get("body")
        if body is None:
            raise InvalidStory("missing_body", "the story has no 'body' field")
        if not isinstance(body, str):
            raise InvalidStory("invalid_body", "'body' must be a string")
        agency = _agency_fields(obj)
        if not body.strip() and agency.get("pubstatus") != "canceled":  # a kill needs no text
            raise InvalidStory("empty_body", "'body' is empty")
        if max_body_bytes is not None and len(body) * 4 > max_body_bytes:  # else under it, whatever the text
            size = utf8_size(body)
            if size > max_body_bytes:
                raise InvalidStory(
                    "body_too_large", f"'body' is {size} bytes of UTF-8, over the limit of {max_body_bytes}"
                )
        version = obj.get("version", 1)
        if version is None:
            version = 1
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            raise InvalidStory("invalid_version", "'version' must be a positive integer")
        texts: dict[str, Any] = {}
        for name in ("headline", "source", "published_at", "url", "language"):
            value = obj.get(name)
            if value is not None and not isinstance(value, str):
                raise InvalidStory(f"invalid_{name}", f"'{name}' must be a string")
            texts[name] = value
        extra = {k: v for k, v in obj.items() if k not in _STORY_FIELDS and k not in _AGENCY_FIELDS}
        return cls(id=sid, body=body, version=version, extra=extra, **texts, **agency)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "body": self.body, "version": self.version}
        for name in ("headline", "source", "published_at", "url", "language"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        out.update(self.extra)
        out.update(self.agency_json(always=False))
        return out

    def agency_json(self, *, always: bool) -> dict[str, Any]:
        """The agency fields; with `always` false only those that differ from their defaults."""
        out: dict[str, Any] = {
            "format": self.format,
            "pubstatus": self.pubstatus,
            "embargoed": self.embargoed,
            "signals": list(self.signals),
            "byline": self.byline,
            "dateline": self.dateline,
            "located": self.located,
            "subjects": [dict(s) for s in self.subjects],
            "kind": self.kind,
        }
        if self.members or self.kind == "package":
            out["members"] = list(self.members)
            out["members_unresolved"] = list(self.members_unresolved)
        if always:  # every agency field; `format` only when the story came from an agency document
            return out if self.format is not None else {k: v for k, v in out.items() if k != "format"}
        defaults = {"pubstatus": "usable", "kind": "text"}
        return {k: v for k, v in out.items() if v not in (None, []) and defaults.get(k) != v}


def _optional_text(obj: dict[str, Any], name: str) -> str | None:
    value = obj.get(name)
    if value is not None and not isinstance(value, str):
        raise InvalidStory(f"invalid_{name}", f"'{name}' must be a string")
    return value


def _text_list(obj: dict[str, Any], name: str, allowed: tuple[str, ...] | None = None) -> list[str]:
    value = obj.get(name)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidStory(f"invalid_{name}", f"'{name}' must be a list of strings")
    if allowed is not None and (bad := [v for v in value if v not in allowed]):
        raise InvalidStory(f"invalid_{name}", f"'{name}' holds {bad[0]!r}, not one of {', '.join(allowed)}")
    return list(value)


def _agency_fields(obj: dict[str, Any]) -> dict[str, Any]:
    """The agency fields of a raw story, validated (InvalidStory with `invalid_<field>`)."""
    out: dict[str, Any] = {n: _optional_text(obj, n) for n in ("format", "embargoed", "byline", "dateline")}
    out["located"] = _optional_text(obj, "located")
    pubstatus = obj.get("pubstatus")
    if pubstatus is not None:
        if pubstatus not in PUBSTATUSES:
            raise InvalidStory("invalid_pubstatus", f"'pubstatus' must be one of {', '.join(PUBSTATUSES)}")
        out["pubstatus"] = pubstatus
    kind = _optional_text(obj, "kind")
    if kind is not None:
        out["kind"] = kind
    out["signals"] = _text_list(obj, "signals", SIGNALS)
    out["members"] = _text_list(obj, "members")
    out["members_unresolved"] = _text_list(obj, "members_unresolved")
    subjects = obj.get("subjects")
    if subjects is not None:
        if not isinstance(subjects, list) or not all(isinstance(s, dict) for s in subjects):
            raise InvalidStory("invalid_subjects", "'subjects' must be a list of objects")
        out["subjects"] = [
            {"scheme": s.get("scheme"), "code": s.get("code"), "name": s.get("name")} for s in subjects
        ]
    return out


@dataclass(frozen=True, slots=True)
class Language:
    code: str  # ISO 639-1, or "und"
    confidence: float


@dataclass(frozen=True, slots=True)
class Entity:
    text: str
    label: str
    start: int
    end: int
    canonical: str


@dataclass(frozen=True, slots=True)
class Speaker:
    text: str
    start: int
    end: int
    canonical: str


@dataclass(frozen=True, slots=True)
class Cue:
    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Quote:
    text: str
    start: int
    end: int
    kind: QuoteKind
    speaker: Speaker | None = None
    cue: Cue | None = None


@dataclass(frozen=True, slots=True)
class Dedup:
    status: DedupStatus
    of: str | None = None
    similarity: float | None = None
    withdrawn: bool = False  # the id was killed (pubstatus canceled): this is a kill or comes after one

    def to_json(self) -> dict[str, Any]:
        """status/of/similarity, and `withdrawn: true` only where it is so (older readers see no change)."""
        out: dict[str, Any] = {"status": self.status, "of": self.of, "similarity": self.similarity}
        if self.withdrawn:
            out["withdrawn"] = True
        return out


@dataclass(slots=True)
class Enriched:
    """The enriched record; `to_json` gives the contract's shape."""

    story: Story
    body: str
    language: Language
    dedup: Dedup
    entities: list[Entity] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    credits: list[str] = field(default_factory=list)
    entities_model: str | None = None
    enrichment: str = "full"  # "full", or "skipped" for duplicates whose NLP stages were not run
    processed_at: str = ""
    stages: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        s = self.story
        out: dict[str, Any] = {
            "id": s.id,
            "version": s.version,
            "source": s.source,
            "headline": s.headline,
            "url": s.url,
            "published_at": s.published_at,
            "body": self.body,
            "language": {"code": self.language.code, "confidence": self.language.confidence},
            "entities": [_entity_json(e) for e in self.entities],
            "quotes": [_quote_json(q) for q in self.quotes],
            "dedup": self.dedup.to_json(),
            "processed_at": self.processed_at,
            "stages": {k: round(v, 3) for k, v in self.stages.items()},
            "entities_model": self.entities_model,
            "enrichment": self.enrichment,
            "credits": list(self.credits),
            **summarize_entities(self.entities),
        }
        out.update(s.agency_json(always=True))
        if s.language is not None:
            out["language_hint"] = s.language
        if s.extra:
            out["extra"] = s.extra
        return out


# by hand, not `dataclasses.asdict`: asdict recurses and deep-copies every value, and a record of ~100
# entities and ~20 quotes cost 1.3 ms of a worker's event loop (the very thread the nlp thread waits on
# for the GIL); these build the same keys in the same (field) order


def _entity_json(e: Entity) -> dict[str, Any]:
    return {"text": e.text, "label": e.label, "start": e.start, "end": e.end, "canonical": e.canonical}


def _quote_json(q: Quote) -> dict[str, Any]:
    who, cue = q.speaker, q.cue
    return {
        "text": q.text,
        "start": q.start,
        "end": q.end,
        "kind": q.kind,
        "speaker": None
        if who is None
        else {"text": who.text, "start": who.start, "end": who.end, "canonical": who.canonical},
        "cue": None if cue is None else {"text": cue.text, "start": cue.start, "end": cue.end},
    }


# the record's summary lists (and ninjs' people/organisations/places) by the entity labels they take
SUMMARY_GROUPS = {"people": ("PERSON", "PER"), "organisations": ("ORG",), "places": ("GPE", "LOC", "FAC")}


def summarize_entities(entities: list[Entity]) -> dict[str, list[dict[str, Any]]]:
    """IPTC-ninjs-like summary lists: distinct canonical names with mention counts."""
    out: dict[str, list[dict[str, Any]]] = {}
    for key, labels in SUMMARY_GROUPS.items():
        counts: dict[str, int] = {}
        for ent in entities:
            if ent.label in labels:
                counts[ent.canonical] = counts.get(ent.canonical, 0) + 1
        out[key] = [
            {"name": n, "mentions": c} for n, c in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        ]
    return out


def _raw_bytes(raw: bytes | str | Any) -> bytes:
    if isinstance(raw, str):
        return raw.encode("utf-8", "surrogatepass")
    if isinstance(raw, bytes | bytearray):
        return bytes(raw)
    return repr(raw).encode("utf-8", "backslashreplace")


def raw_for_deadletter(raw: bytes | str | Any) -> tuple[str, str]:
    """The raw input as the dead-letter record keeps it, and its encoding ("utf-8" or "base64").

    Capped at 64 KiB; text that is not valid UTF-8 (or holds lone surrogates) is kept as base64.
    """
    whole = _raw_bytes(raw)
    data = whole[:RAW_LIMIT]
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        # a cut through a multi-byte character at the limit is still text (only when the limit cut it:
        # an input that itself ends in half a character is not UTF-8, and is kept whole as base64)
        cut = len(whole) > RAW_LIMIT
        if cut and exc.start >= len(data) - 3 and exc.reason == "unexpected end of data":
            return data[: exc.start].decode("utf-8"), "utf-8"
        return base64.b64encode(data).decode("ascii"), "base64"


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """Why one input could not be enriched, with enough to replay it (or, compact, to find it).

    A compact letter (`raw` None) carries no input, only its `size` and where it was read
    (topic, partition, offset): the input or the record made from it was too large to travel, and
    the raw message stays on its topic for the retention period.
    """

    error: str
    detail: str
    stage: str
    raw: str | None
    raw_encoding: str = "utf-8"
    id: str | None = None
    topic: str | None = None
    partition: int | None = None
    offset: int | None = None
    raw_truncated: bool = False  # `raw` holds only the first 64 KiB: replaying it cannot give the input back
    size: int | None = None  # bytes of the input (of the record that was refused, for `too_large`)

    @classmethod
    def of(
        cls,
        error: str,
        detail: str,
        stage: str,
        raw: bytes | str | Any,
        *,
        story_id: str | None = None,
        topic: str | None = None,
        partition: int | None = None,
        offset: int | None = None,
    ) -> DeadLetter:
        text, encoding = raw_for_deadletter(raw)
        sid = None if story_id is None else scrub(story_id)  # `raw` keeps the id as it came
        size = len(_raw_bytes(raw))
        truncated = size > RAW_LIMIT
        return cls(
            error, scrub(detail), stage, text, encoding, sid, topic, partition, offset, truncated, size
        )

    @classmethod
    def too_large(
        cls,
        what: str,
        size: int,
        limit: int | None,
        stage: str,
        *,
        story_id: str | None = None,
        topic: str | None = None,
        partition: int | None = None,
        offset: int | None = None,
    ) -> DeadLetter:
        """A compact letter for a record (`what`, e.g. "the enriched record for wire.enriched") of `size`
        bytes over the record `limit`, or refused by the broker (`limit` None: the topic's own
        `max.message.bytes` is lower); topic/partition/offset name the raw input."""
        where = f"; the input is {topic}[{partition}]@{offset}" if topic is not None else ""
        why = (
            f"over the {limit}-byte record limit (WIRESTREAM_MAX_MESSAGE_BYTES)"
            if limit is not None
            else "refused by the broker as too large (the topic's max.message.bytes is below "
            "WIRESTREAM_MAX_MESSAGE_BYTES)"
        )
        detail = f"{what} is {size} bytes, {why}{where}"
        sid = None if story_id is None else scrub(story_id)
        return cls("too_large", detail, stage, None, "utf-8", sid, topic, partition, offset, False, size)

    def compact(self) -> DeadLetter:
        """This letter without its `raw` (for a letter that would itself be too large to send)."""
        return replace(self, raw=None, raw_truncated=False)

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        if self.raw is None:  # compact: no input to replay, `size` and the place say where it is
            del out["raw"], out["raw_encoding"], out["raw_truncated"]
        return out
