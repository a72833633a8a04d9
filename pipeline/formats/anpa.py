"""ANPA 1312: the North American wire format (AP, CP, and the agencies that took it up) -> Items.

A transmission is one or more messages, each framed by control characters:

    SYN SYN SOH <service letter><sequence> US <selector codes>           first line
    <priority> <category><format id DC3|DC4><DC1|DC2> <slug> <version> <mm-dd> <words>   the header
    STX <slug line: "BC-LT--Cancer Beauty, 1st Ld-Writethru,466<">
    ^<headline><   ^Eds: <note><   ^By <name>=   ^<byline title>=       caret lines: headline, notes, byline
    TAB   <paragraph>                                                   the text, one paragraph a line
    ETX <sign-off: "AP-WF-11-13-13 1509GMT">  EOT

The format has no id: a story is its slug keyword ("BC-LT--Cancer Beauty" minus the cycle), so every lead,
correction and kill of one story gets the same stable id (with the agency and the day of transmission).
The version is the lead number (+1); writethrus, corrections, kills and embargoes are read from the slug's
version field and the editors' notes (`wire_text.read_marks`). Tables (agate, DC2 "preserved" copy), photo
and editors' notes and the sign-off never reach the body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from pipeline.formats.base import FormatError, Item
from pipeline.formats.wire_text import (
    EOT,
    ETX,
    SOH,
    STX,
    decode_wire,
    embargo_time,
    find_dateline,
    is_mark_line,
    is_not_public,
    is_table_line,
    paragraphs_text,
    read_marks,
    stable_id,
    strip_controls,
)

NAME = "anpa"
_SNIFF_FIRST = re.compile(rb"^[\x16\s]*\x01[A-Za-z]{0,2}\d{3,5}\x1f")
_SNIFF_HEADER = re.compile(rb"\n[a-z] [a-z0-9][\x13\x14]?[\x11\x12]?[ \t]", re.I)
_FIRST = re.compile(r"^(?P<service>[A-Za-z]{0,2})(?P<sequence>\d{3,5})\x1f?(?P<selector>.*)$")
_HEADER = re.compile(
    r"^(?P<priority>[a-z])\s(?P<category>[a-z0-9])(?P<format>[\x13\x14])?(?P<mode>[\x11\x12])?\s*"
    r"(?P<slug>.*?)\s+(?P<date>\d{1,2}-\d{1,2})(?:\s+(?P<words>\d{1,5}))?\s*$",
    re.I,
)
_KEYWORD = re.compile(r"^(?:(?P<cycle>AM|PM|BC|AP)-)?(?P<category>[A-Z0-9]{1,6})-{1,2}(?P<word>\S.*)$", re.I)
_SIGN_OFF = re.compile(
    r"(?P<agency>[A-Z]{2,6})-(?P<desk>[A-Z0-9]{1,4})-(?P<date>\d{2}-\d{2}-\d{2})\s+(?P<time>\d{4})\s*(?:GMT|UTC|Z)?",
    re.I,
)
_NOTE_START = re.compile(
    r"^(?:eds?\b|editors?\b|editor's note|attention\b|advisory\b|urgent\b|bulletin\b|flash\b|"
    r"(?:with\s+)?(?:ap|cp)\s+(?:photos?|video|graphics?|audio)\b|photos?\b|video\b|with photos?\b|"
    r"apnewsalert\b|an ap member exchange\b|for use\b|hold for release\b|embargo)",
    re.I,
)
_BYLINE = re.compile(r"^(?:by|von|par|por|di|av|af)\s+(?P<name>\S.*)$", re.I)
_SEPARATOR = re.compile(r"^[\s_\-=*~.]{3,}$")
_AP_DASH = re.compile(r"(?:(?<=\S) _ |^_ )(?=\S)", re.M)  # AP's dash, in text and opening dialogue
_VERSION_FIELD = re.compile(
    r"\s+(?=\d*\s*(?:st|nd|rd|th)?-?\s*ld\b|writethru|kill|correct|urgent|sub\b)", re.I
)
_CYCLE = re.compile(r"(?:AM|PM|BC)-[A-Z0-9]")
_PROSE_END = re.compile(r"[.!?:\"'\u201d\u00bb)]$")
_WORD_COUNT = re.compile(r",\s*\d{1,5}\s*$")
_TRAILING = " <=>\r\x10\x08"


@dataclass(slots=True)
class _Message:
    """One message of a transmission, cut into its zones."""

    first: str = ""
    header: str = ""
    text: str = ""
    after: str = ""


@dataclass(slots=True)
class _Head:
    """The caret lines of a text: headline, notes, byline."""

    headline: str | None = None
    notes: list[str] = field(default_factory=list)
    byline: str | None = None


class AnpaReader:
    """ANPA 1312 messages (one or several per document)."""

    name = NAME

    def sniff(self, head: bytes) -> bool:
        """A leading SOH with a service/sequence and US, or an ANPA header line (priority, category,
        format codes) right after the first line; IPTC 7901's numeric priority never matches."""
        start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        if _SNIFF_FIRST.match(start):
            return True
        return start[:1] in (b"\x16", b"\x01") and bool(_SNIFF_HEADER.search(start[:400]))

    def read(self, data: bytes) -> list[Item]:
        text = decode_wire(data)
        messages = [m for m in _split(text) if m.text.strip() or m.header.strip()]
        if not messages:
            raise FormatError("invalid_document", "no ANPA message (SOH ... STX ... ETX) in the document")
        return [_item(message) for message in messages]


def _split(text: str) -> list[_Message]:
    """The messages of a transmission: each from SOH to EOT (or the next SOH)."""
    messages: list[_Message] = []
    for chunk in text.split(SOH)[1:]:
        chunk = chunk.split(EOT, 1)[0]
        before, _, rest = chunk.partition(STX)
        lines = before.replace("\r", "").split("\n")
        body, _, after = rest.partition(ETX)
        messages.append(
            _Message(
                first=lines[0],
                header=next((line for line in lines[1:] if line.strip()), ""),
                text=body.replace("\r", ""),
                after=after.replace("\r", ""),
            )
        )
    return messages


def _item(message: _Message) -> Item:
    """One message as an Item (an unreadable one as an Item with `error`, the others go on)."""
    first = _FIRST.match(message.first.strip())
    header = _HEADER.match(message.header.strip()) or _HEADER.match(strip_controls(message.header).strip())
    lines = message.text.split("\n")
    slug_line, lines = _slug_line(lines)
    head, paragraphs = _zones(lines)
    if header and (header["mode"] == "\x12" or header["format"] == "\x14"):  # tabular: agate, listings
        paragraphs = [p for p in paragraphs if _is_prose(p)]
    header_slug = header.group("slug") if header else ""
    keyword = _keyword(slug_line or header_slug)
    sign_off = _SIGN_OFF.search(message.after) or _SIGN_OFF.search(message.text)
    sent = _sent(sign_off)
    version_zone = " ".join(filter(None, [header_slug, slug_line]))
    status = read_marks(version_zone, head.notes, head.headline)
    body = _AP_DASH.sub(lambda m: m.group(0).replace("_", "\u2014"), paragraphs_text(paragraphs))
    dateline = find_dateline(paragraphs[0]) if paragraphs else None
    service = sign_off.group("agency").upper() if sign_off else None
    agency = service or (dateline.agency if dateline else None)
    day = sent.strftime("%Y-%m-%d") if sent else (header.group("date") if header else None)
    item = Item(
        format=NAME,
        # the sign-off's agency, not the dateline's: a kill or a correction may carry no dateline
        id=stable_id(NAME, service, keyword, day) if keyword else None,
        body="" if status.pubstatus == "canceled" else body,
        headline=head.headline,
        source=agency,
        published_at=sent.strftime("%Y-%m-%dT%H:%M:%SZ") if sent else None,
        version=status.version,
        pubstatus=status.pubstatus,
        signals=list(status.signals),
        byline=head.byline,
        dateline=dateline.text if dateline else None,
        located=dateline.located if dateline else None,
        extra=_extra(first, header, keyword, head.notes),
    )
    if status.embargo_note:
        item.embargoed = embargo_time(status.embargo_note, sent)
        item.extra["embargo_note"] = status.embargo_note
    if item.pubstatus != "canceled" and not body:
        item.error = FormatError(
            "empty_body", "the ANPA message has no text paragraphs (only a table or notes)"
        )
    return item


def _slug_line(lines: list[str]) -> tuple[str, list[str]]:
    """The slug line the text opens with ("BC-LT--Argentina-Cancer Beauty,466<", sometimes after a caret
    and a code: "^*9006< ^AP-Top-Headlines,0176<"), and the lines after it."""
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        text = strip_controls(line).strip().rstrip(_TRAILING)
        slug_like = _WORD_COUNT.search(text) or _CYCLE.match(text.lstrip("^"))
        if line.startswith("\t") or (line.startswith("^") and not slug_like):
            return "", lines[index:]
        slug = text.rsplit("^", 1)[-1].strip()
        return _WORD_COUNT.sub("", slug), lines[index + 1 :]
    return "", []


def _zones(lines: list[str]) -> tuple[_Head, list[str]]:
    """Caret lines before the text -> headline, notes, byline; the text's lines -> paragraphs. A tab (or an
    indent of spaces) or a blank line before a line starts a paragraph, other lines continue the one before
    (wrapped copy). Tables (TLI-marked or celled rows), separators and what follows a not-for-publication
    mark are left out."""
    head = _Head()
    paragraphs: list[str] = []
    byline_next = False
    hidden = False
    fresh = True  # the next text line starts a paragraph
    for raw in lines:
        if raw.startswith("^") and not paragraphs:
            line = strip_controls(raw).strip("^ \t").rstrip(_TRAILING).strip()
            byline_next = _head_line(head, line, byline_next)
            continue
        line = strip_controls(raw).rstrip(_TRAILING).strip()
        if not line:
            fresh = True
            continue
        if hidden or is_not_public(line):
            hidden = True
            continue
        if _SEPARATOR.match(line) or line.startswith("^") or _is_table_row(raw):
            fresh = True
            continue
        if fresh or raw.startswith(("\t", "  ")) or not paragraphs:
            paragraphs.append(line)
        else:
            paragraphs[-1] += " " + line
        fresh = False
    return head, paragraphs


def _is_prose(paragraph: str) -> bool:
    """In a tabular message, a paragraph that is prose (a sentence of some length), not a listing line
    ("N.Y. Yankees 6, Cleveland 5", "rn - rain")."""
    words = paragraph.split()
    lower = sum(1 for word in words if word[:1].islower())
    return len(words) >= 8 and lower * 5 >= len(words) * 2 and bool(_PROSE_END.search(paragraph))


def _is_table_row(raw: str) -> bool:
    """A row of agate: marked by the tab line indicator (BS), split by ANPA's cell codes (RS, US), or
    celled by tabs, wide gaps or semicolons."""
    if raw.startswith("\x08") or "\x1e" in raw or "\x1f" in raw:
        return True
    return is_table_line(raw.strip().rstrip(_TRAILING))


def _head_line(head: _Head, line: str, byline_next: bool) -> bool:
    """File one caret line; return whether the next line may be the byline's title ("AP Sports Writer")."""
    if not line:
        return False
    byline = _BYLINE.match(line)
    if byline and head.headline is not None:
        head.byline = byline.group("name").strip()
        return True
    if byline_next and head.byline and len(line.split()) <= 6 and not line.isupper():
        head.byline += ", " + line
        return False
    if _NOTE_START.match(line) or is_mark_line(line):
        head.notes.append(line)
        return False
    if head.headline is None:
        head.headline = line
    return False


def _keyword(slug: str) -> str | None:
    """The story's keyword from a slug ("BC-BKN--Heat-Hawks, 1st Ld-Writethru" -> "BKN--Heat-Hawks"): the
    cycle (AM/PM/BC) and the version field differ between deliveries of the same story."""
    slug = slug.split(",")[0].strip()
    match = _KEYWORD.match(slug)
    if not match:
        return slug.split()[0] if slug.split() else None
    word = _VERSION_FIELD.split(match["word"], maxsplit=1)[0]
    return f"{match['category']}--{word.strip()}".upper()


def _sent(sign_off: re.Match[str] | None) -> datetime | None:
    """When the message was sent, from the sign-off ("AP-WF-11-13-13 1509GMT": mm-dd-yy hhmm, UTC)."""
    if not sign_off:
        return None
    try:
        return datetime.strptime(f"{sign_off['date']} {sign_off['time']}", "%m-%d-%y %H%M").replace(
            tzinfo=UTC
        )
    except ValueError:
        return None


def _extra(
    first: re.Match[str] | None, header: re.Match[str] | None, keyword: str | None, notes: list[str]
) -> dict[str, object]:
    """The transmission fields a subscriber may route on (kept under the record's `extra`)."""
    extra: dict[str, object] = {}
    if first:
        extra["sequence"] = first["service"] + first["sequence"]
    if header:
        extra["priority"] = header["priority"].lower()
        extra["category"] = header["category"].lower()
    if keyword:
        extra["slug"] = keyword
    if notes:
        extra["ednote"] = " / ".join(notes)
    return extra


READER = AnpaReader()
