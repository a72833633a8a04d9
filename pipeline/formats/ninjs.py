"""IPTC ninjs (News in JSON) 1.x, 2.x and 3.x -> Items, the version told apart by the document's shape.

    1.x  lower-case names, single values: `headline`, `body_text` / `body_html`, `byline`, `versioncreated`,
         `pubstatus`, `embargoed`, `subject` / `person` / `place` (singular arrays), `associations` an object
    2.x  lower-case names, arrays of objects: `headlines`, `bodies`, `by`, `subjects`, `people`, `places`
    3.x  camelCase: `versionCreated`, `firstCreated`, `pubStatus`, `embargoedUntil`, `altIds`, `edNote`, ...

A declared `standard` (`$standard` in 1.x) wins over the shape. A JSON array, or an object whose `items` is
an array, holds several items. A package (`type: composite`) lists its associations as members; an
association embedded with content of its own is an item too, so members in the same message resolve.

Our own raw story (`id` and `body`) is never ninjs: ninjs has no `body` property in any version.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from pipeline.formats.base import FormatError, Item, PubStatus, Signal, Subject
from pipeline.formats.html_body import html_paragraphs, inline_text
from pipeline.formats.wire_text import find_dateline, load_wire_marks, paragraphs_text
from pipeline.ninjs_names import NinjsNames

NAME = "ninjs"
MAX_NESTING = 4  # package -> member -> its associations ...: deeper ones stay references
_CAMEL_3 = frozenset(
    {
        "versionCreated", "firstCreated", "contentCreated", "pubStatus", "embargoedUntil", "altIds", "edNote",
        "infoSources", "trustIndicators", "representationType", "copyrightHolder", "copyrightNotice",
        "usageTerms", "rightsInfo", "digitalSourceType", "eventDetails", "plannedCoverage",
    }
)  # fmt: skip
_PLURAL_2 = frozenset(
    {
        "headlines",
        "bodies",
        "descriptions",
        "subjects",
        "people",
        "places",
        "organisations",
        "infosources",
        "altids",
        "genres",
        "by",
        "trustindicators",
        "events",
        "objects",
    }
)
_MARKERS = (
    "uri", "headlines", "bodies", "body_text", "body_html", "body_xhtml", "versioncreated", "versionCreated",
    "firstcreated", "firstCreated", "pubstatus", "pubStatus", "embargoedUntil", "renditions", "associations",
    "representationtype", "representationType", "headline", "byline", "located",
)  # fmt: skip
_ENDS = "[.!?:;\u2026\"'\u201d\u00bb\u3002\uff01\uff1f\u300d)]"
_SENTENCE_BREAK = re.compile(rf"(?<={_ENDS})[ \t]*\n")
_SENTENCE_END = re.compile(rf"{_ENDS}\s*$")
_WRAP_WIDTH = 100  # lines of a hard-wrapped text are at most this long
_KEY = re.compile(rb'"([A-Za-z_$][A-Za-z0-9_]*)"\s*:')
_NO_TEXT = frozenset({"picture", "graphic", "video", "audio"})  # their body is a caption, not story text
_KINDS = {"composite": "package", "component": "text"}
_MEDIA = re.compile(r"^https?://cv\.iptc\.org/newscodes/(?P<scheme>[a-z]+)/(?P<code>[^/#?]+)/?$")


class NinjsReader:
    """ninjs documents: one object, an array of objects, or an object with an `items` array."""

    name = NAME

    def sniff(self, head: bytes) -> bool:
        """JSON with at least two ninjs property names and no `body` key (our raw story's)."""
        start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        if start[:1] not in (b"{", b"["):
            return False
        keys = {m.group(1).decode("ascii") for m in _KEY.finditer(start)}
        if "body" in keys:
            return False
        if b'"ninjs' in start.lower() and ("standard" in keys or "$standard" in keys):
            return True
        return len(keys.intersection(_MARKERS)) >= 2 and bool(
            keys
            & {"uri", "headlines", "bodies", "body_html", "body_text", "versionCreated", "versioncreated"}
        )

    def read(self, data: bytes) -> list[Item]:
        try:
            document = json.loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise FormatError("invalid_json", f"the ninjs document is not JSON: {exc}") from exc
        objects = _objects(document)
        if not objects:
            raise FormatError("no_items", "the ninjs document holds no item")
        items: list[Item] = []
        for obj in objects:
            if not isinstance(obj, dict):
                bad = Item(format="ninjs")
                bad.error = FormatError(
                    "invalid_document", f"a ninjs item must be an object, got {type(obj).__name__}"
                )
                items.append(bad)
                continue
            items.extend(_read_item(obj))
        return items


def _objects(document: Any) -> list[Any]:
    """The items of a document: an array, an `items` array (when the object is no item itself), or one."""
    if isinstance(document, list):
        return document
    if isinstance(document, dict) and "uri" not in document and isinstance(document.get("items"), list):
        return list(document["items"])
    return [document]


def ninjs_version(obj: dict[str, Any]) -> int:
    """1, 2 or 3: the declared standard's major version, else the shape (camelCase 3, plural arrays 2)."""
    for key in ("standard", "$standard"):
        declared = obj.get(key)
        if isinstance(declared, dict):
            match = re.match(r"\s*(\d+)", str(declared.get("version", "")))
            if match and match.group(1) in ("1", "2", "3"):
                return int(match.group(1))
    if obj.keys() & _CAMEL_3:
        return 3
    if obj.keys() & _PLURAL_2:
        return 2
    return 1


def _read_item(obj: dict[str, Any], parent: int | None = None, depth: int = 0) -> list[Item]:
    """The item, then any embedded associations with content of their own (members of a package), read
    in the version of the document that holds them (a small association may not show its version).
    Associations nested deeper than MAX_NESTING are members by reference only (no recursion bomb)."""
    version = parent or ninjs_version(obj)
    item = _item(obj, version, NinjsNames(version))
    out = [item]
    if depth >= MAX_NESTING:
        return out
    for association in _associations(obj):
        if isinstance(association, dict) and _has_content(association):
            out.extend(_read_item(association, version, depth + 1))
    return out


def _item(obj: dict[str, Any], version: int, names: NinjsNames) -> Item:
    kind = _text(obj.get("type")) or "text"
    paragraphs = _body(obj, version)
    ednote = _text(obj.get(names.ednote)) or _text(obj.get("ednote")) or _text(obj.get("edNote"))
    pubstatus = _pubstatus(obj.get(names.pubstatus) or obj.get("pubstatus") or obj.get("pubStatus"))
    dateline = find_dateline(paragraphs[0]) if paragraphs else None
    item = Item(
        format=f"ninjs-{version}",
        id=_text(obj.get("uri")) or _text(obj.get("guid")),
        body="" if pubstatus == "canceled" or kind in _NO_TEXT else paragraphs_text(paragraphs),
        headline=_headline(obj, version),
        source=_source(obj, names),
        published_at=_instant(obj.get(names.version_created) or obj.get(names.first_created)),
        version=_version(obj.get("version")),
        language=_language(obj.get("language")),
        pubstatus=pubstatus,
        embargoed=_instant(obj.get(names.embargoed) or obj.get("embargoed") or obj.get("embargoedUntil")),
        signals=_signals(obj.get("signals"), ednote),
        byline=_byline(obj.get(names.byline)),
        dateline=dateline.text if dateline else None,
        located=_text(obj.get("located")) or (dateline.located if dateline else None),
        subjects=_subjects(obj.get(names.subjects)),
        kind=_KINDS.get(kind, kind),
        members=[uri for a in _associations(obj) if isinstance(a, dict) and (uri := _text(a.get("uri")))],
    )
    if ednote:
        item.extra["ednote"] = ednote
    if item.kind == "text" and pubstatus != "canceled" and not item.body:
        item.error = FormatError("empty_body", "the ninjs text item has no body")
    return item


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _body(obj: dict[str, Any], version: int) -> list[str]:
    """The main body as paragraphs: HTML through `html_paragraphs`, plain text split at blank lines."""
    if version == 1:
        for key in ("body_html", "body_xhtml"):
            if isinstance(obj.get(key), str) and obj[key].strip():
                return html_paragraphs(obj[key])
        candidates = [k for k in obj if k.startswith("body_") and isinstance(obj[k], str)]
        if "body_text" in obj and isinstance(obj["body_text"], str):
            return _plain_paragraphs(obj["body_text"])
        return html_paragraphs(obj[candidates[0]]) if candidates else []
    body = _pick(obj.get("bodies"), prefer_html=True)
    if body is None:
        return []
    value, content_type = body
    if content_type == "text/plain" or not value.lstrip().startswith("<"):
        return _plain_paragraphs(value)
    return html_paragraphs(value)  # HTML, or a provider's XML (NITF ...): its text, read safely


def _pick(entries: Any, *, prefer_html: bool) -> tuple[str, str] | None:
    """(value, content type) of the main entry of a `headlines` / `bodies` array: role main (or none)
    first; among those, by content type: for a body HTML (it keeps the paragraphs), then plain text, then
    other markup (NITF, a provider's XML); for a headline plain text first."""
    if not isinstance(entries, list):
        return None
    usable = [
        e for e in entries if isinstance(e, dict) and isinstance(e.get("value"), str) and e["value"].strip()
    ]
    if not usable:
        return None
    main = [e for e in usable if str(e.get("role", "main")).lower() in ("main", "")] or usable

    def rank(entry: dict[str, Any]) -> int:
        kind = _content_type(entry)
        html = "html" in kind
        plain = kind in ("", "text/plain")
        if prefer_html:
            return 0 if html else (1 if plain else 2)
        return 0 if plain else (1 if html else 2)

    best = sorted(main, key=rank)[0]
    return best["value"], _content_type(best) or "text/plain"


def _content_type(entry: dict[str, Any]) -> str:
    return str(entry.get("contentType") or entry.get("contenttype") or "").lower()


def _plain_paragraphs(text: str) -> list[str]:
    """Plain text: blank lines part paragraphs. With none, every line is one, unless the text is hard
    wrapped (short lines, most ending inside a sentence): then only a break after a sentence's end is."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if re.search(r"\n\s*\n", text):
        blocks = re.split(r"\n\s*\n", text)
    elif _hard_wrapped([line.strip() for line in text.split("\n") if line.strip()]):
        blocks = _SENTENCE_BREAK.split(text)
    else:
        blocks = text.split("\n")
    return [" ".join(b.split()) for b in blocks if b.strip()]


def _hard_wrapped(lines: list[str]) -> bool:
    if len(lines) < 3 or max(len(line) for line in lines) > _WRAP_WIDTH:
        return False
    ended = sum(1 for line in lines if _SENTENCE_END.search(line))
    return ended * 2 < len(lines)


def _headline(obj: dict[str, Any], version: int) -> str | None:
    if version == 1:
        value = _text(obj.get("headline"))
        return inline_text(value) if value and "<" in value else value
    picked = _pick(obj.get("headlines"), prefer_html=False)
    if picked is None:
        return _text(obj.get("headline")) or _text(obj.get("title"))
    value, content_type = picked
    return inline_text(value) if "html" in content_type else " ".join(value.split())


def _source(obj: dict[str, Any], names: NinjsNames) -> str | None:
    sources = obj.get(names.infosources)
    if isinstance(sources, dict):
        sources = [sources]
    if isinstance(sources, list):
        for source in sources:
            if isinstance(source, dict) and (name := _text(source.get("name"))):
                return name
    return _text(obj.get(names.copyright))


def _instant(value: Any) -> str | None:
    """An ISO 8601 date-time as UTC with a `Z` (no zone: read as UTC; a bare date: midnight)."""
    text = _text(value)
    if text is None:
        return None
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _version(value: Any) -> int:
    """ninjs `version` is a string; its leading number when it has one, else 1."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    match = re.match(r"\s*(\d{1,9})", value) if isinstance(value, str) else None
    return max(1, int(match.group(1))) if match else 1


def _language(value: Any) -> str | None:
    """The BCP 47 tag's language ("en-US" -> "en")."""
    text = _text(value)
    return re.split(r"[-_]", text)[0].lower() if text else None


def _pubstatus(value: Any) -> PubStatus:
    text = (_text(value) or "usable").lower()
    if text in ("canceled", "cancelled", "stat:canceled"):
        return "canceled"
    if text in ("withheld", "stat:withheld"):
        return "withheld"
    return "usable"


def _signals(value: Any, ednote: str | None) -> list[Signal]:
    """Signals a provider declares (`signals`: codes, URIs or objects) and a correction or update its
    editorial note announces ("Corrects the spelling of ...")."""
    words: list[str] = []
    for entry in value if isinstance(value, list) else []:
        if isinstance(entry, dict):
            words.extend(str(entry.get(k, "")) for k in ("uri", "literal", "name", "qcode", "code"))
        else:
            words.append(str(entry))
    text = " ".join(words).lower()
    signals: list[Signal] = []
    marks = load_wire_marks()
    if "update" in text or (ednote and any(p.search(ednote) for p in marks.update)):
        signals.append("update")
    if "correct" in text or (ednote and any(p.search(ednote) for p in marks.correction)):
        signals.append("correction")
    return signals


def _byline(value: Any) -> str | None:
    text = _text(value)
    return re.sub(r"^(?:by|von|par|por|di|av|af)\s+", "", text, flags=re.I) if text else None


def _subjects(value: Any) -> list[Subject]:
    """Subjects as (scheme, code, name): 1.x's own `scheme`/`code`; a QCode (`medtop:20000763`) or an IPTC
    NewsCodes URI is split into scheme and code; a `literal` is a code without scheme."""
    subjects: list[Subject] = []
    for entry in value if isinstance(value, list) else []:
        if not isinstance(entry, dict):
            continue
        name = _text(entry.get("name"))
        scheme, code = _text(entry.get("scheme")), _text(entry.get("code"))
        uri = _text(entry.get("uri")) or _text(entry.get("qcode"))
        if code is None and uri:
            scheme, code = _scheme_code(uri)
        if code is None:
            code = _text(entry.get("literal"))
        if name or code:
            subjects.append(Subject(scheme, code, name))
    return subjects


def _scheme_code(uri: str) -> tuple[str | None, str | None]:
    media = _MEDIA.match(uri)
    if media:
        scheme = media["scheme"]
        return ("medtop" if scheme == "mediatopic" else scheme), media["code"]
    if re.match(r"^[A-Za-z][\w-]*:[^/]", uri):  # a QCode
        scheme, _, code = uri.partition(":")
        return scheme, code
    head, _, tail = uri.rstrip("/").rpartition("/")
    return (head or None), (tail or uri)


def _associations(obj: dict[str, Any]) -> list[Any]:
    """Associations as a list (1.x keys them by name in an object)."""
    value = obj.get("associations")
    if isinstance(value, dict):
        return list(value.values())
    return value if isinstance(value, list) else []


def _has_content(association: dict[str, Any]) -> bool:
    """Whether an association is a whole item, not just a reference (uri, name, rel, type)."""
    return isinstance(association.get("uri"), str) and bool(
        set(association) - {"uri", "name", "rel", "type", "representationType", "representationtype"}
    )


READER = NinjsReader()
