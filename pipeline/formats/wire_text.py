"""What the telex-era text formats (ANPA 1312, IPTC 7901) share: byte decoding, the marks agencies put in
slugs and notes (leads, corrections, kills, embargoes: data in `resources/formats/wire_marks.json`),
datelines, and the stable ids these formats need because they carry none.

These formats predate XML: the structure is control characters and conventions, so both readers cut the
message into zones (slug, notes, headline, text) and ask this module what the marks in a zone mean.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from functools import cache
from importlib import resources

from pipeline.formats.base import PubStatus, Signal

SOH, STX, ETX, EOT, SYN = "\x01", "\x02", "\x03", "\x04", "\x16"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def decode_wire(data: bytes) -> str:
    """Bytes as text: UTF-8 when it is, else Windows-1252 (what agencies' 8-bit feeds mostly are), else
    Latin-1 (which decodes any byte: a feed never fails on its encoding)."""
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def strip_controls(text: str) -> str:
    """Text without the transmission's control characters (tabs and newlines stay)."""
    return _CONTROL.sub("", text)


@dataclass(frozen=True, slots=True)
class WireMarks:
    """The compiled marks of `wire_marks.json`."""

    lead: tuple[re.Pattern[str], ...]
    update: tuple[re.Pattern[str], ...]
    correction: tuple[re.Pattern[str], ...]
    kill: tuple[re.Pattern[str], ...]
    withhold: tuple[re.Pattern[str], ...]
    embargo: tuple[re.Pattern[str], ...]
    not_public: tuple[re.Pattern[str], ...]
    take_keys: tuple[re.Pattern[str], ...]
    timezones: dict[str, float]
    months: dict[str, int]
    weekdays: dict[str, int]


@cache
def load_wire_marks() -> WireMarks:
    """The marks, compiled once per process."""
    raw = json.loads(
        resources.files("pipeline.resources.formats").joinpath("wire_marks.json").read_text("utf-8")
    )

    def compiled(name: str) -> tuple[re.Pattern[str], ...]:
        """One pattern for the whole list (one scan of the text, not one per mark)."""
        return (re.compile("|".join(f"(?:{p})" for p in raw[name]), re.IGNORECASE),)

    return WireMarks(
        lead=tuple(re.compile(p, re.IGNORECASE) for p in raw["lead"]),  # each captures its lead number
        update=compiled("update"),
        correction=compiled("correction"),
        kill=compiled("kill"),
        withhold=compiled("withhold"),
        embargo=compiled("embargo"),
        not_public=compiled("not_public"),
        take_keys=compiled("take_keys"),
        timezones={k.lower(): float(v) for k, v in raw["timezones"].items()},
        months={k.lower(): int(v) for k, v in raw["months"].items()},
        weekdays={k.lower(): int(v) for k, v in raw["weekdays"].items()},
    )


def _found(patterns: Iterable[re.Pattern[str]], text: str, *, capitals: bool = False) -> bool:
    """Whether a pattern matches; with `capitals`, only a match written in capitals counts (an editors'
    note says "MANDATORY KILL"; "Updates with the number of people killed" is no kill)."""
    for pattern in patterns:
        for match in pattern.finditer(text):
            if not capitals or match.group(0).isupper():
                return True
    return False


@dataclass(slots=True)
class Status:
    """What the marks of one item say: its version, signals, publication status and embargo note."""

    version: int = 1
    signals: list[Signal] = field(default_factory=list)
    pubstatus: PubStatus = "usable"
    embargo_note: str | None = None


def read_marks(slug_zone: str, note_lines: list[str], headline: str | None) -> Status:
    """The item's status from its slug (version field, keyword line), editors' notes and headline.

    Marks in the slug count in any case; in notes a kill or withhold counts only in capitals; in the headline
    only a leading mark counts ("CORRECTED-...", "UPDATE 2-...").
    """
    marks = load_wire_marks()
    status = Status()
    signals: list[Signal] = []
    notes = "\n".join(note_lines)
    head = _headline_prefix(headline)
    zones = (slug_zone, notes, head)
    lead = _lead_number(marks, zones)
    if lead or any(_found(marks.update, zone) for zone in zones):
        signals.append("update")
    if any(_found(marks.correction, zone) for zone in zones):
        signals.append("correction")
    status.version = lead + 1 if lead else (2 if signals else 1)
    if _found(marks.kill, slug_zone) or _found(marks.kill, notes, capitals=True):
        status.pubstatus = "canceled"
    elif _found(marks.withhold, slug_zone) or _found(marks.withhold, notes, capitals=True):
        status.pubstatus = "withheld"
    status.signals = signals
    for line in [slug_zone, *note_lines]:
        if _found(marks.embargo, line):
            status.embargo_note = line.strip()
            break
    return status


_HEADLINE_PREFIX = re.compile(r"^\s*([A-Z][A-Z0-9 ]{2,30}?)\s*(?:-|:|\u2013|\u2014)")


def _headline_prefix(headline: str | None) -> str:
    """The capitalised prefix a headline may start with ("CORRECTED-", "UPDATE 2-"), else ""."""
    if not headline:
        return ""
    match = _HEADLINE_PREFIX.match(headline)
    return match.group(1) if match else ""


def _lead_number(marks: WireMarks, zones: Iterable[str]) -> int:
    """The highest lead number any zone names ("2nd Ld-Writethru" -> 2), 0 when none."""
    best = 0
    for zone in zones:
        for pattern in marks.lead:
            for match in pattern.finditer(zone):
                best = max(best, int(match.group(1)))
    return best


def is_mark_line(line: str, *, most_words: int = 5) -> bool:
    """A short line that only says what kind of message this is ("1ST LEAD", "Berichtigung", "EIL",
    "KILL"): written in capitals, or mostly marks. A headline with a mark word in it ("Police kill
    gunman") is still a headline."""
    text = line.strip()
    if not text or len(text.split()) > most_words:
        return False
    marks = load_wire_marks()
    groups = (
        marks.lead,
        marks.update,
        marks.correction,
        marks.kill,
        marks.withhold,
        marks.embargo,
        marks.take_keys,
    )
    covered: set[int] = set()
    for group in groups:
        for pattern in group:
            for match in pattern.finditer(text):
                covered.update(range(*match.span()))
    if not covered:
        return False
    letters = sum(1 for ch in text if not ch.isspace())
    marked = sum(1 for i in covered if not text[i].isspace())
    return text.isupper() or marked * 2 >= letters


def is_not_public(line: str) -> bool:
    """Whether `line` opens a part of the text not for publication (editors' notes, dpa's notebook)."""
    return _found(load_wire_marks().not_public, line.strip())


_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})[T ](\d{1,2}):(\d{2})(?::(\d{2}))?\s*(Z|[+-]\d{2}:?\d{2})?")
_CLOCK = re.compile(
    r"(?<![\d.:])(\d{1,2})(?:[:.h]?(\d{2}))?\s*(a\.?m\.?|p\.?m\.?|uhr|h)?\s*\(?\s*([a-z]{1,4})?\b\)?", re.I
)
_DAY_MONTH = re.compile(r"\b(\d{1,2})\.?\s*(?:de\s+)?([a-zäéû]{3,9})\.?(?:\s+(\d{4}))?", re.I)
_MONTH_DAY = re.compile(r"\b([a-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(\d{4}))?", re.I)


def embargo_time(note: str, sent: datetime | None) -> str | None:
    """The UTC instant an embargo note names (ISO 8601), or None when it cannot be told for sure.

    Agencies write "Embargoed until 0001 GMT Saturday", "HOLD FOR RELEASE 6 p.m. EDT", "Sperrfrist 12. Mai
    2026, 10:00 Uhr MESZ" or an ISO time. A clock time with no date is the first such moment at or after the
    time the message was sent (`sent`); with no zone the time is read as UTC.
    """
    after = _embargo_tail(note)
    iso = _ISO.search(after)
    if iso:
        return _iso_instant(iso)
    marks = load_wire_marks()
    day, span = _explicit_day(after, marks, sent)
    if span:  # the date's numbers (a year: "2026") are no clock time
        after = after[: span[0]] + " " * (span[1] - span[0]) + after[span[1] :]
    clock = _clock(after, marks)
    if clock is None:
        return None
    hour, minute, offset = clock
    if day is None:
        if sent is None:
            return None
        day = _next_day(after, marks, sent, hour, minute, offset)
    local = datetime(day.year, day.month, day.day, hour, minute, tzinfo=timezone(timedelta(hours=offset)))
    return local.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _embargo_tail(note: str) -> str:
    """The part of a note after its embargo mark (a transmit time before the mark is not the embargo)."""
    for pattern in load_wire_marks().embargo:
        match = pattern.search(note)
        if match:
            return note[match.end() :]
    return note


def _iso_instant(match: re.Match[str]) -> str:
    year, month, day, hour, minute = (int(match.group(i)) for i in range(1, 6))
    second = int(match.group(6) or 0)
    zone = match.group(7) or "Z"
    offset = timedelta(0)
    if zone != "Z":
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        offset = sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    when = datetime(year, month, day, hour, minute, second, tzinfo=timezone(offset))
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _clock(text: str, marks: WireMarks) -> tuple[int, int, float] | None:
    """(hour, minute, UTC offset) of the first clock time in `text` that has minutes, a zone or am/pm."""
    for match in _CLOCK.finditer(text):
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        suffix = (match.group(3) or "").lower().replace(".", "")
        zone = (match.group(4) or "").lower()
        known_zone = zone in marks.timezones
        if match.group(2) is None and not suffix and not known_zone:
            continue  # a bare number: a day or a count, not a time
        if len(match.group(1)) > 2 or hour > 24 or minute > 59:
            continue
        if suffix == "pm" and hour < 12:
            hour += 12
        elif suffix == "am" and hour == 12:
            hour = 0
        if _looks_like_date(text, match):
            continue
        return hour % 24, minute, marks.timezones.get(zone, 0.0)
    return None


def _looks_like_date(text: str, match: re.Match[str]) -> bool:
    """A number followed by a month name ("12. Mai") is a day, not a time."""
    rest = text[match.end(1) :].lstrip(". ").lower()
    return match.group(2) is None and any(rest.startswith(m) for m in load_wire_marks().months)


def _explicit_day(
    text: str, marks: WireMarks, sent: datetime | None
) -> tuple[datetime | None, tuple[int, int] | None]:
    """A calendar date written in the note ("12. Mai 2026", "Dec. 5"; the year from `sent` when absent)
    and where it is written."""
    for pattern, day_group, month_group in ((_DAY_MONTH, 1, 2), (_MONTH_DAY, 2, 1)):
        for match in pattern.finditer(text):
            month = marks.months.get(match.group(month_group).lower())
            if month is None:
                continue
            year = int(match.group(3)) if match.group(3) else (sent.year if sent else None)
            if year is None:
                return None, match.span()
            try:
                return datetime(year, month, int(match.group(day_group)), tzinfo=UTC), match.span()
            except ValueError:
                continue
    return None, None


def _next_day(text: str, marks: WireMarks, sent: datetime, hour: int, minute: int, offset: float) -> datetime:
    """The day of a clock time with no date: the named weekday on or after `sent`, else the first day on
    which that time has not yet passed when the message was sent."""
    zone = timezone(timedelta(hours=offset))
    local_sent = sent.astimezone(zone)
    words = re.findall(r"[a-zäéìá]+", text.lower())
    weekday = next((marks.weekdays[w] for w in words if w in marks.weekdays), None)
    day = local_sent
    if weekday is not None:
        day = local_sent + timedelta(days=(weekday - local_sent.weekday()) % 7)
    elif (hour, minute) < (local_sent.hour, local_sent.minute):
        day = local_sent + timedelta(days=1)
    return day


_DASH = r"(?:_|-{1,2}|\u2013|\u2014|:)"
_AGENCY = r"\((?P<agency>[^\W\d_][\w./ -]{0,24})\)"
# "BUENOS AIRES, Argentina (AP) _ ", "Berlin (dpa) - ", "Madrid, 7 dic (EFE).- ", "Oslo (NTB): "
_PLACE_AGENCY = re.compile(rf"^\s*(?P<place>[^\W\d_][^\s(][^()\n]{{0,80}}?)\s*{_AGENCY}\.?\s*{_DASH}\s+")
# "(ANSA) - ROMA, 7 DIC - ": the agency first
_AGENCY_PLACE = re.compile(rf"^\s*{_AGENCY}\s*{_DASH}\s*(?P<place>[^\W\d_][^\n]{{0,60}}?)\s+{_DASH}\s+")
# "TORONTO \u2014 ", "NEW YORK, N.Y. _ ": a place in capitals and no agency (CP, some AP copy)
_CAPITAL_PLACE = re.compile(
    r"^\s*(?P<place>[A-Z\u00c0-\u00de][A-Z\u00c0-\u00de.'\u2019 -]{2,40}(?:,\s+[^\W\d_][\w. ]{1,30})?)"
    r"\s+(?:_|--|\u2013|\u2014)\s+"
)


@dataclass(frozen=True, slots=True)
class Dateline:
    text: str  # "BUENOS AIRES, Argentina (AP)"
    located: str  # "BUENOS AIRES, Argentina"
    agency: str | None  # "AP"; None when the dateline names none


def find_dateline(paragraph: str) -> Dateline | None:
    """The dateline a lede opens with ("Berlin (dpa) - ", "PARIS, 5 déc 2026 (AFP) - ", "(ANSA) - ROMA,
    7 DIC - ", "TORONTO \u2014 "), or None."""
    match = _PLACE_AGENCY.match(paragraph)
    if match and _is_place(match.group("place")) and _is_agency(match.group("agency")):
        place, agency = match.group("place").strip().rstrip(","), match.group("agency").strip()
        return Dateline(f"{place} ({agency})", _located(place), agency)
    match = _AGENCY_PLACE.match(paragraph)
    if match and _is_place(match.group("place")) and _is_agency(match.group("agency")):
        place, agency = match.group("place").strip().rstrip(","), match.group("agency").strip()
        return Dateline(f"({agency}) - {place}", _located(place), agency)
    match = _CAPITAL_PLACE.match(paragraph)
    if match and len(match.group("place").split(",")[0].strip()) >= 3:
        place = match.group("place").strip()
        return Dateline(place, _located(place), None)
    return None


def _is_place(text: str) -> bool:
    """A place opens with a capital and names no number before its first comma (a date may follow)."""
    head = text.strip().split(",")[0]
    return text.strip()[:1].isupper() and not re.search(r"\d", head) and len(head.split()) <= 5


def _is_agency(text: str) -> bool:
    """An agency is a short name: a capitalised word or three ("Example News"), or one short lower-case
    word ("dpa"), not a remark in parentheses ("year on year")."""
    words = text.split()
    if not words or len(words) > 3:
        return False
    return words[0][:1].isupper() or (len(words) == 1 and len(words[0]) <= 5)


def _located(place: str) -> str:
    """The place of a dateline without its date ("PARIS, 5 déc 2026" -> "PARIS")."""
    parts = [p.strip() for p in place.split(",") if p.strip() and not re.search(r"\d", p)]
    return ", ".join(parts) or place


def stable_id(format_name: str, *parts: str | None) -> str:
    """An id for an item whose format carries none, from what identifies the story (agency, slug, day):
    every delivery of the same story, lead or kill gets the same id."""
    key = "\x1f".join(p.strip().lower() for p in parts if p)
    digest = hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest()
    return f"{format_name}:{digest}"


def paragraphs_text(paragraphs: Iterable[str]) -> str:
    """Paragraphs as the chain's body: whitespace folded, blank ones dropped, joined by blank lines."""
    folded = (" ".join(p.split()) for p in paragraphs)
    return "\n\n".join(p for p in folded if p)


_TWO_DIGITS = re.compile(r"\d\D*\d")
# cells start only where a cell can start, so a long run with no separator costs one scan, not a square
_TABLE_CELLS = re.compile(r"(?<![^\s;|])(?:[^\s;|]+(?:\t| {3,}|;|\|)){3,}[^\s;|]")


def is_table_line(line: str) -> bool:
    """A row of agate or a table (three or more cells split by tabs, wide gaps, semicolons or bars)."""
    text = line.strip()
    separators = text.count(";") + text.count("\t") + text.count("|") + text.count("   ")
    if separators < 3 or not _TWO_DIGITS.search(text):
        return False
    return bool(_TABLE_CELLS.search(text))
