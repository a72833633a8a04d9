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
        if not body.strip():
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
        texts: dict[str, str | None] = {}
        for name in ("headline", "source", "published_at", "url", "language"):
            value = obj.get(name)
            if value is not None and not isinstance(value, str):
                raise InvalidStory(f"invalid_{name}", f"'{name}' must be a string")
            texts[name] = value
        extra = {k: v for k, v in obj.items() if k not in _STORY_FIELDS}
        return cls(id=sid, body=body, version=version, extra=extra, **texts)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "body": self.body, "version": self.version}
        for name in ("headline", "source", "published_at", "url", "language"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        out.update(self.extra)
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
            "language": asdict(self.language),
            "entities": [asdict(e) for e in self.entities],
            "quotes": [asdict(q) for q in self.quotes],
            "dedup": asdict(self.dedup),
            "processed_at": self.processed_at,
            "stages": {k: round(v, 3) for k, v in self.stages.items()},
            "entities_model": self.entities_model,
            "enrichment": self.enrichment,
            "credits": list(self.credits),
            **summarize_entities(self.entities),
        }
        if s.language is not None:
            out["language_hint"] = s.language
        if s.extra:
            out["extra"] = s.extra
        return out


def summarize_entities(entities: list[Entity]) -> dict[str, list[dict[str, Any]]]:
    """IPTC-ninjs-like summary lists: distinct canonical names with mention counts."""
    groups = {"people": ("PERSON", "PER"), "organisations": ("ORG",), "places": ("GPE", "LOC", "FAC")}
    out: dict[str, list[dict[str, Any]]] = {}
    for key, labels in groups.items():
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
