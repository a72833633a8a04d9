"""IPTC 7901: the international telex-era wire format (dpa, ANSA, APA, Agence Belga, TASS ...) -> Items.

A message, as agencies send it (teleprinter framing optional):

    ZCZC                                                       start of message (teleprinter)
    SOH <source id><message number> <priority 1-6> <category> <word count> <optional info>
    <keyword line(s)>/                                         the story's slug ("Germany-politics/")
    STX <take key / lead mark lines> <headline> <byline> =     a header block, dpa ends it with " ="
    <paragraphs, wrapped, separated by blank lines or an indented first line>
    ETX <time group "061355 Nov 13": day, hhmm, month, year>   NNNN / EOT

The format has no id: the story is its keyword line, so every lead, correction and kill of one story gets
the same stable id (with the source and the day from the time group; without a day, none: the registry
derives one from the content). What follows "The following information is not for publication", dpa's
notebook ("# dpa NOTEBOOK") and the agency's sign-off never reach the body.
"""

from __future__ import annotations

import re
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
    load_wire_marks,
    paragraphs_text,
    read_marks,
    stable_id,
    strip_controls,
)

NAME = "iptc7901"
_HEADING = rb"[A-Za-z]{0,6}\d{0,6}[ \t]+[1-6][ \t]+[A-Za-z]{1,3}[ \t]+\d{1,5}\b"
# SOH and a heading, optionally after a ZCZC line; or, from a teleprinter feed, ZCZC then the heading
_SNIFF = re.compile(rb"^(?:ZCZC[^\n]*\n\s*)?\x01" + _HEADING + rb"|^ZCZC[ \t]*\r?\n\s*" + _HEADING)
_HEADING_TEXT = re.compile(
    r"^(?P<source>[A-Za-z]{0,6})(?P<number>\d{0,6})[ \t]+(?P<priority>[1-6])[ \t]+(?P<category>[A-Za-z]{1,3})"
    r"[ \t]+(?P<words>\d{1,5})\b(?P<optional>.*)$"
)
_ZCZC = re.compile(r"^[ \t]*ZCZC[ \t]*$", re.M)
_TIME_GROUP = re.compile(
    r"^\s*(?P<day>\d{2})(?P<hour>\d{2})(?P<minute>\d{2})\s*(?:Z|GMT|UTC)?\s+(?P<month>[A-Za-z]{3})\.?\s+"
    r"(?P<year>\d{2}|\d{4})\s*$"
)
_SIGN_OFF = re.compile(
    r"^(?:\(?(?:ende|end|ends|fin|fine|slut|loppu)\)?|[a-z]{2,5}(?:[ /][a-z0-9]{2,4}){1,5})$"
)
_FRAMING = re.compile(r"^\s*(?:ZCZC|NNNN)\b.*$")
_BYLINE = re.compile(r"^(?:by|von|par|por|di|av|af|от)\s+(?P<name>\S.*)$", re.I)


class Iptc7901Reader:
    """IPTC 7901 messages (one or several per document)."""

    name = NAME

    def sniff(self, head: bytes) -> bool:
        """SOH then a heading of source id and number, a priority digit, a category and a word count
        (optionally after a ZCZC line)."""
        return bool(_SNIFF.match(head.lstrip(b"\xef\xbb\xbf \t\r\n")))

    def read(self, data: bytes) -> list[Item]:
        text = decode_wire(data).replace("\r\n", "\n").replace("\r", "\n")
        parts = text.split(SOH)[1:] if SOH in text else [p.lstrip("\r\n \t") for p in _ZCZC.split(text)[1:]]
        chunks = [c for c in parts if _HEADING_TEXT.match(c.split("\n", 1)[0].strip())]
        if not chunks:
            raise FormatError("invalid_document", "no IPTC 7901 message (SOH and a heading) in the document")
        return [_item(chunk) for chunk in chunks]


def _item(chunk: str) -> Item:
    """One message as an Item (an unreadable one as an Item with `error`, the others go on)."""
    chunk = chunk.split(EOT, 1)[0]
    heading_line, _, rest = chunk.partition("\n")
    heading = _HEADING_TEXT.match(heading_line.strip())
    before, has_text, text = rest.partition(STX)
    if not has_text:  # no STX: the text starts after the keyword line
        before, text = _keyword_and_text(rest)
    text, _, after = text.partition(ETX)
    slug = " ".join(line.strip() for line in before.split("\n") if line.strip() and not _FRAMING.match(line))
    keyword = strip_controls(slug).strip().rstrip("/").strip() or None
    header, lines = _header_block(text.split("\n"))
    headline, byline, notes = _header_fields(header)
    paragraphs, sent = _paragraphs(lines, after)
    status = read_marks(keyword or "", notes, headline)
    dateline = find_dateline(paragraphs[0]) if paragraphs else None
    service = heading["source"] if heading and heading["source"] else None
    source = (dateline.agency if dateline else None) or service
    body = paragraphs_text(paragraphs)
    day = sent.strftime("%Y-%m-%d") if sent else None
    item = Item(
        format=NAME,
        # the service id, not the dateline's agency: a kill or a correction may carry no dateline
        id=stable_id(NAME, service, keyword, day) if keyword and day else None,
        body="" if status.pubstatus == "canceled" else body,
        headline=headline,
        source=source,
        published_at=sent.strftime("%Y-%m-%dT%H:%M:%SZ") if sent else None,
        version=status.version,
        pubstatus=status.pubstatus,
        signals=list(status.signals),
        byline=byline,
        dateline=dateline.text if dateline else None,
        located=dateline.located if dateline else None,
        extra=_extra(heading, keyword, notes),
    )
    if status.embargo_note:
        item.embargoed = embargo_time(status.embargo_note, sent)
        item.extra["embargo_note"] = status.embargo_note
    if item.pubstatus != "canceled" and not body:
        item.error = FormatError("empty_body", "the IPTC 7901 message has no text paragraphs")
    return item


def _keyword_and_text(rest: str) -> tuple[str, str]:
    """Without STX, the keyword is the first line ending in "/" (if any) and the text all that follows."""
    lines = rest.split("\n")
    for index, line in enumerate(lines):
        if line.strip() and not _FRAMING.match(line):
            if line.strip().endswith("/"):
                return line, "\n".join(lines[index + 1 :])
            return "", "\n".join(lines[index:])
    return "", ""


def _header_block(lines: list[str]) -> tuple[list[str], list[str]]:
    """The lines before the text: up to a line ending in " =" (dpa) within the first few lines, else up
    to the first blank line after the first line (take keys, headline, byline)."""
    texts = [strip_controls(line).rstrip() for line in lines]
    for index, line in enumerate(texts[:8]):
        if line.endswith("=") and not line.endswith("=="):
            header = [*texts[:index], line[:-1].rstrip()]
            return [h.strip() for h in header if h.strip()], texts[index + 1 :]
    start = next((i for i, line in enumerate(texts) if line.strip()), len(texts))
    end = start
    while end < len(texts) and texts[end].strip() and not texts[end].startswith(("   ", "\t")):
        end += 1
        if end - start >= 4:
            break
    if end == start:
        return [], texts
    return [t.strip() for t in texts[start:end]], texts[end:]


def _header_fields(header: list[str]) -> tuple[str | None, str | None, list[str]]:
    """(headline, byline, notes) of a header block: short lines that are marks (take keys, "1ST LEAD",
    "KORREKTUR") are notes, a "By ..." line the byline, the first other line the headline."""
    headline: str | None = None
    byline: str | None = None
    notes: list[str] = []
    for line in header:
        match = _BYLINE.match(line)
        if match and headline is not None:
            byline = match.group("name").strip()
        elif is_mark_line(line) or is_not_public(line):
            notes.append(line)
        elif headline is None:
            headline = line
    return headline, byline, notes


def _paragraphs(lines: list[str], after: str) -> tuple[list[str], datetime | None]:
    """The text's paragraphs (blank lines or an indented line start one; wrapped lines are joined), and the
    time the message was sent from its time group; notes, tables, framing and sign-offs are left out."""
    paragraphs: list[list[str]] = [[]]
    groups = [g for line in [*lines, *after.split("\n")] if (g := _TIME_GROUP.match(strip_controls(line)))]
    sent = _sent(groups[0]) if groups else None
    for raw in lines:
        line = strip_controls(raw).rstrip()
        if not line.strip():
            paragraphs.append([])
            continue
        if _TIME_GROUP.match(line):
            continue
        if is_not_public(line):
            break
        if _FRAMING.match(line) or is_table_line(line):
            continue
        if line.startswith(("  ", "\t")):
            paragraphs.append([])
        paragraphs[-1].append(line.strip())
    kept = [" ".join(p) for p in paragraphs if p]
    while kept and _SIGN_OFF.match(kept[-1].strip()):
        kept.pop()
    return kept, sent


def _sent(group: re.Match[str]) -> datetime | None:
    """The time group as a UTC instant (day, hour, minute, month name, two- or four-digit year)."""
    month = load_wire_marks().months.get(group["month"].lower())
    if month is None:
        return None
    year = int(group["year"])
    year = year + 2000 if year < 100 else year
    try:
        return datetime(year, month, int(group["day"]), int(group["hour"]), int(group["minute"]), tzinfo=UTC)
    except ValueError:
        return None


def _extra(heading: re.Match[str] | None, keyword: str | None, notes: list[str]) -> dict[str, object]:
    """The transmission fields a subscriber may route on (kept under the record's `extra`)."""
    extra: dict[str, object] = {}
    if heading:
        extra["sequence"] = heading["source"] + heading["number"]
        extra["priority"] = int(heading["priority"])
        extra["category"] = heading["category"]
    if keyword:
        extra["slug"] = keyword
    if notes:
        extra["ednote"] = " / ".join(notes)
    return extra


READER = Iptc7901Reader()
