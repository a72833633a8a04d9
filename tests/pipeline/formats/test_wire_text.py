"""The telex helpers: encodings, marks in slugs and notes, embargo times, datelines."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pipeline.formats.wire_text import (
    decode_wire,
    embargo_time,
    find_dateline,
    is_mark_line,
    is_table_line,
    read_marks,
)

FRIDAY_EVENING = datetime(2026, 12, 4, 22, 15, tzinfo=UTC)


def test_bytes_decode_as_utf8_then_cp1252_then_latin1() -> None:
    assert decode_wire("Zürich „x“".encode()) == "Zürich „x“"
    assert decode_wire("Zürich „x“".encode("cp1252")) == "Zürich „x“"
    assert decode_wire(b"caf\xe9 \x81") == "café \x81"  # 0x81 is undefined in cp1252: Latin-1 takes it


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("Eds: Embargoed until 0500 GMT Saturday.", "2026-12-05T05:00:00Z"),
        ("HOLD FOR RELEASE until 7 p.m. EDT", "2026-12-04T23:00:00Z"),  # sent 6:15 pm EDT: still ahead
        ("HOLD FOR RELEASE until 5 p.m. EST", "2026-12-05T22:00:00Z"),  # sent 5:15 pm EST: Saturday
        ("Sperrfrist 12. Dezember 2026, 10:00 Uhr MEZ", "2026-12-12T09:00:00Z"),
        ("SPERRFRIST 2026-12-08 06:00 +01:00", "2026-12-08T05:00:00Z"),
        ("Embargo: Dec. 9, 14:30 GMT", "2026-12-09T14:30:00Z"),
        ("Embargoed: sous embargo jusqu'au 7 décembre 2026 à 8h30 CET", "2026-12-07T07:30:00Z"),
    ],
)
def test_embargo_notes_become_utc_instants(note: str, expected: str) -> None:
    assert embargo_time(note, FRIDAY_EVENING) == expected


def test_an_embargo_without_a_time_or_without_a_date_to_anchor_it_is_not_guessed() -> None:
    assert embargo_time("Embargoed until further notice", FRIDAY_EVENING) is None
    assert embargo_time("Embargoed until 0500 GMT", None) is None


def test_marks_in_slug_notes_and_headline() -> None:
    lead = read_marks("BC-EU--Port Strike, 2nd Ld-Writethru", ["Eds: Updates with quotes."], "Port strike")
    assert (lead.version, lead.signals, lead.pubstatus) == (3, ["update"], "usable")
    corrected = read_marks("", [], "CORRECTED-Port strike ends")
    assert corrected.signals == ["correction"] and corrected.version == 2
    killed = read_marks("BC-EU--Port Strike, KILL", [], None)
    assert killed.pubstatus == "canceled"


def test_a_kill_in_a_note_must_be_written_as_one() -> None:
    story = read_marks("BC-AF--Floods", ["Eds: Updates with number of people killed."], None)
    assert story.pubstatus == "usable" and story.signals == ["update"]
    kill = read_marks("BC-AF--Floods", ["Eds: MANDATORY KILL. Story withdrawn."], None)
    assert kill.pubstatus == "canceled"


@pytest.mark.parametrize(
    ("lede", "dateline", "located", "agency"),
    [
        (
            "BUENOS AIRES, Argentina (AP) _ For cancer patients",
            "BUENOS AIRES, Argentina (AP)",
            "BUENOS AIRES, Argentina",
            "AP",
        ),
        ("Berlin (dpa) - Die Regierung", "Berlin (dpa)", "Berlin", "dpa"),
        ("PARIS, 5 déc 2026 (AFP) - Le gouvernement", "PARIS, 5 déc 2026 (AFP)", "PARIS", "AFP"),
        ("КАЗАНЬ (Пример) - В Казани", "КАЗАНЬ (Пример)", "КАЗАНЬ", "Пример"),
        ("Madrid, 7 dic (EFE).- El Gobierno", "Madrid, 7 dic (EFE)", "Madrid", "EFE"),
        ("Oslo (NTB): Regjeringen", "Oslo (NTB)", "Oslo", "NTB"),
        ("(ANSA) - ROMA, 7 DIC - Il governo", "(ANSA) - ROMA, 7 DIC", "ROMA", "ANSA"),
        ("BEIJING, Dec. 7 (Xinhua) -- China", "BEIJING, Dec. 7 (Xinhua)", "BEIJING", "Xinhua"),
        ("TORONTO \u2014 Ontario's premier", "TORONTO", "TORONTO", None),
        ("NEW YORK, N.Y. _ The city", "NEW YORK, N.Y.", "NEW YORK, N.Y.", None),
    ],
)
def test_datelines(lede: str, dateline: str, located: str, agency: str | None) -> None:
    found = find_dateline(lede)
    assert found is not None
    assert (found.text, found.located, found.agency) == (dateline, located, agency)


def test_no_dateline_in_ordinary_sentences() -> None:
    assert find_dateline("the minister (left) - said nothing") is None
    assert find_dateline("Prices rose 3% (year on year) in May.") is None
    assert find_dateline("Prices rose (year on year) - in May.") is None
    assert find_dateline("Prices rose 3% (Eurostat) - in May.") is None
    assert find_dateline("US stocks \u2014 rose") is None and find_dateline("OK _ fine") is None


def test_table_lines() -> None:
    assert is_table_line("Amsterdam;42;50;rn;0.08")
    assert is_table_line("Bayern Munich    12    9    2    1    30")
    assert not is_table_line("The index rose 2.5 percent; analysts said 3 percent was likely.")


@pytest.mark.parametrize(
    ("line", "mark"),
    [
        ("1ST LEAD", True),
        ("Berichtigung", True),
        ("1st Ld-Writethru", True),
        ("EIL", True),
        ("ACHTUNG - MELDUNG ZURÜCKGEZOGEN", True),
        ("Police kill gunman in raid", False),
        ("Ethanol sales update", False),
        ("Lokführer rufen zu Warnstreik im Güterverkehr auf", False),
    ],
)
def test_mark_lines_and_headlines(line: str, mark: bool) -> None:
    assert is_mark_line(line) is mark
