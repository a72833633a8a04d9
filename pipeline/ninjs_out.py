"""Enriched records -> IPTC ninjs 3.x (or 2.x), valid against the official schema (docs/ninjs.md).

Our enrichment goes where ninjs has room: the detected language, `people` / `organisations` / `places`
(name, rel "mentioned", literal), the provider's subjects, byline, located, pubStatus and embargo. What ninjs
has no property for (our quotes, the dedup status, update and correction signals) travels the way ninjs
leaves open to providers without breaking the official schema, which forbids unknown properties: entries
of `descriptions` (metadata, never publishable text) whose `role` names them (`wirestream:quotes`,
`wirestream:dedup`, `wirestream:signals`) and whose value is JSON (`application/vnd.wirestream.*+json`).
`profile` says the document carries them. Quote offsets index the main body's value, which is our body.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from pipeline.ninjs_names import NinjsNames
from pipeline.records import SUMMARY_GROUPS

NINJS_SCHEMAS = {
    3: ("3.1", "http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json#"),
    2: ("2.2", "http://www.iptc.org/std/ninjs/ninjs-schema_2.2.json#"),
}
PROFILE = "wirestream-enriched-1"
_TYPES = {"text": "text", "picture": "picture", "video": "video", "audio": "audio", "graphic": "graphic",
          "package": "composite"}  # fmt: skip
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})+")
_MEDIA_SCHEMES = {
    "medtop": "http://cv.iptc.org/newscodes/mediatopic/",
    "mediatopic": "http://cv.iptc.org/newscodes/mediatopic/",
    "subj": "http://cv.iptc.org/newscodes/subjectcode/",
    "iptc-subjectcode": "http://cv.iptc.org/newscodes/subjectcode/",
    "subjectcode": "http://cv.iptc.org/newscodes/subjectcode/",
    "genre": "http://cv.iptc.org/newscodes/genre/",
}


def to_ninjs(record: dict[str, Any], version: int = 3) -> dict[str, Any]:
    """One enriched record (the dict of `Enriched.to_json`, or a kill record) as a ninjs object."""
    if version not in NINJS_SCHEMAS:
        raise ValueError(f"ninjs version {version} is not supported (3 or 2)")
    names = NinjsNames(version)
    field = _Fields(record)
    standard, schema = NINJS_SCHEMAS[version]
    out: dict[str, Any] = {
        "uri": story_uri(str(record["id"])),
        "standard": {"name": "ninjs", "version": standard, "schema": schema},
        "profile": PROFILE,
        "type": _TYPES.get(str(field.get("kind") or "text"), "text"),
        "version": str(record.get("version") or 1),
        names.pubstatus: field.get("pubstatus") or "usable",
        names.altids: [{"role": "wirestream:id", "value": str(record["id"])}],
    }
    _put(out, names.version_created, _instant(record.get("published_at")))
    _put(out, names.embargoed, _instant(field.get("embargoed")))
    language = (
        (record.get("language") or {}).get("code") if isinstance(record.get("language"), dict) else None
    )
    _put(out, "language", language if language and language != "und" else None)
    headline = record.get("headline")
    if headline:
        out["headlines"] = [{"role": "main", names.content_type: "text/plain", "value": headline}]
    body = record.get("body") or ""
    if body and out[names.pubstatus] != "canceled":
        out["bodies"] = [_body(body, names)]
    _put(out, "by", field.get("byline"))
    _put(out, "slugline", _text(field.get("slug")))
    _put(out, names.ednote, _text(field.get("ednote")))  # editors' notes: for staff, never published
    _put(out, "located", field.get("located"))
    if record.get("source"):
        out[names.infosources] = [{"name": record["source"], "role": "source"}]
    for key, labels in SUMMARY_GROUPS.items():
        _put(out, key, _mentioned(record.get("entities") or [], labels) or None)
    _put(out, "subjects", [s for s in (_subject(x) for x in field.get("subjects") or []) if s] or None)
    _put(out, "associations", [_member(m, version) for m in field.get("members") or []] or None)
    _put(out, "descriptions", _extensions(record, field, names) or None)
    return out


class _Fields:
    """The agency fields (format, pubstatus, signals, ...) at the top of a record or under its `extra`."""

    def __init__(self, record: dict[str, Any]) -> None:
        self.record = record
        extra = record.get("extra")
        self.extra = extra if isinstance(extra, dict) else {}

    def get(self, name: str) -> Any:
        value = self.record.get(name)
        return self.extra.get(name) if value is None else value


def story_uri(story_id: str) -> str:
    """The id when it is already a URI (a provider's `urn:`, `http:`, ...), else `urn:wirestream:story:<id>`
    percent-encoded (ninjs requires `uri` to be a URI; `altIds` keeps the id as it was)."""
    if _URI.fullmatch(story_id):
        return story_id
    return "urn:wirestream:story:" + quote(story_id, safe="-._~!$&'()*+,;=:@")


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _put(out: dict[str, Any], key: str, value: Any) -> None:
    if value is not None and value != "":
        out[key] = value


def _instant(value: Any) -> str | None:
    """An ISO 8601 date-time as UTC with `Z`, or None when the value is not one (ninjs asserts date-time)."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _body(body: str, names: NinjsNames) -> dict[str, Any]:
    return {
        "role": "main",
        names.content_type: "text/plain",
        names.char_count: len(body),
        names.word_count: len(body.split()),
        "value": body,
    }


def _mentioned(entities: list[dict[str, Any]], labels: tuple[str, ...]) -> list[dict[str, str]]:
    """Distinct canonical names of one group, most mentioned first: name, rel "mentioned", literal."""
    counts: dict[str, int] = {}
    for entity in entities:
        if entity.get("label") in labels and entity.get("canonical"):
            counts[entity["canonical"]] = counts.get(entity["canonical"], 0) + 1
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [{"name": name, "rel": "mentioned", "literal": name} for name, _ in ranked]


def _subject(subject: Any) -> dict[str, str] | None:
    """A provider subject (scheme, code, name): IPTC schemes as NewsCodes URIs, others as a QCode literal."""
    if not isinstance(subject, dict):
        return None
    scheme, code, name = subject.get("scheme"), subject.get("code"), subject.get("name")
    out: dict[str, str] = {}
    if name:
        out["name"] = str(name)
    if code:
        base = _MEDIA_SCHEMES.get(str(scheme or "").lower())
        if base:
            out["uri"] = base + quote(str(code), safe="")
        elif scheme and _URI.fullmatch(f"{str(scheme).rstrip('/')}/{code}") and "://" in str(scheme):
            out["uri"] = f"{str(scheme).rstrip('/')}/{code}"
        else:
            out["literal"] = f"{scheme}:{code}" if scheme else str(code)
    return out or None


def _member(member_id: str, version: int) -> dict[str, str]:
    """A package member as an association (2.x associations have no `rel`)."""
    member = {"name": member_id, "uri": story_uri(member_id)}
    if version >= 3:
        member["rel"] = "member"
    return member


def _extensions(record: dict[str, Any], field: _Fields, names: NinjsNames) -> list[dict[str, str]]:
    """Quotes, dedup and signals as `descriptions` entries (role + JSON value; see the module docstring)."""
    entries: list[dict[str, str]] = []
    values = {
        "dedup": record.get("dedup"),
        "signals": field.get("signals"),
        "quotes": record.get("quotes"),
    }
    for name, value in values.items():
        if value is None or value == []:
            continue
        entries.append(
            {
                "role": f"wirestream:{name}",
                names.content_type: f"application/vnd.wirestream.{name}+json",
                "value": json.dumps(value, ensure_ascii=False, separators=(",", ":")),
            }
        )
    return entries
