"""ANPA 1312: our sample transmissions (a story, its write-thru, a corrective, a kill, an embargo, a
multi-message file in cp1252 with an agate table) read with every field right."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.formats.anpa import READER
from pipeline.formats.base import FormatError, Item
from pipeline.formats.iptc7901 import READER as IPTC7901

DATA = Path(__file__).resolve().parents[2] / "data" / "formats"
ANPA = DATA / "anpa"


def read(name: str) -> list[Item]:
    return READER.read((ANPA / name).read_bytes())


def only(name: str) -> Item:
    items = read(name)
    assert len(items) == 1
    return items[0]


@pytest.mark.parametrize("path", sorted(ANPA.glob("*.anpa")), ids=lambda p: p.name)
def test_every_sample_is_sniffed_as_anpa_and_not_as_iptc7901(path: Path) -> None:
    head = path.read_bytes()[:4096]
    assert READER.sniff(head)
    assert not IPTC7901.sniff(head)


@pytest.mark.parametrize("path", sorted((DATA / "iptc7901").glob("*")) + sorted((DATA / "ninjs").glob("*")))
def test_other_formats_are_not_anpa(path: Path) -> None:
    assert not READER.sniff(path.read_bytes()[:4096])


def test_a_story_reads_with_its_header_fields_and_public_paragraphs_only() -> None:
    item = only("harbour-strike.anpa")
    assert item.format == "anpa" and item.error is None
    assert item.headline == "Rotterdam dock workers strike over night-shift pay"
    assert item.byline == "HANNA VOS, Associated Press"
    assert item.dateline == "ROTTERDAM, Netherlands (AP)" and item.located == "ROTTERDAM, Netherlands"
    assert item.source == "AP" and item.published_at == "2026-12-02T05:14:00Z"
    assert (item.version, item.signals, item.pubstatus, item.embargoed) == (1, [], "usable", None)
    paragraphs = item.body.split("\n\n")
    assert len(paragraphs) == 5
    assert paragraphs[0].startswith("ROTTERDAM, Netherlands (AP) \u2014 Dock workers")  # AP's " _ " is a dash
    assert paragraphs[1].startswith("``We have waited eleven months")  # the quote marks as sent
    assert paragraphs[-1].startswith("Associated Press writer Piet Smit")
    for hidden in ("AP Photo", "Eds:", "___", "\t", "<", "AP-WF", "\x03"):
        assert hidden not in item.body
    assert "With AP Photos" in item.extra["ednote"]
    assert item.extra["slug"] == "EU--NETHERLANDS-PORT STRIKE"


def test_writethru_corrective_and_kill_are_versions_of_the_same_story() -> None:
    first = only("harbour-strike.anpa")
    lead = only("harbour-strike-1stld.anpa")
    corrective = only("harbour-strike-corrective.anpa")
    kill = only("harbour-strike-kill.anpa")
    assert first.id is not None and first.id == lead.id == corrective.id == kill.id
    assert (lead.version, lead.signals) == (2, ["update"])
    assert lead.headline == "Rotterdam port strike widens as minister urges mediation"
    assert corrective.version == 3 and "correction" in corrective.signals
    assert "since 2012" in corrective.body and "since 2002" in lead.body
    assert kill.pubstatus == "canceled" and kill.body == "" and kill.error is None
    assert "MANDATORY KILL" in kill.extra["ednote"]


def test_an_embargo_note_becomes_the_utc_instant() -> None:
    item = only("embargo-report.anpa")
    # sent Friday 2026-12-04 22:15 GMT, "Embargoed until 0500 GMT Saturday"
    assert item.embargoed == "2026-12-05T05:00:00Z"
    assert item.byline == "LENA ORTIZ, AP Science Writer"
    assert "Embargoed" not in item.body


def test_a_multi_message_cp1252_file_gives_one_item_each_and_a_table_only_message_an_error() -> None:
    spanish, english, agate = read("multi-es-en-agate.anpa")
    assert spanish.headline == "España renovará 12.000 viviendas públicas"
    assert spanish.byline == "MARTA GIL"
    assert "«Es una deuda que tenemos con las familias», dijo" in spanish.body
    assert "\n\n\u2014 ¿Y el dinero? \u2014 preguntó un periodista." in spanish.body  # dash dialogue
    assert english.dateline == "NAIROBI, Kenya (AP)" and english.error is None
    assert len({spanish.id, english.id, agate.id}) == 3
    assert agate.body == "" and isinstance(agate.error, FormatError) and agate.error.code == "empty_body"


def test_a_document_without_messages_is_refused() -> None:
    with pytest.raises(FormatError) as caught:
        READER.read(b"\x16\x16 nothing here")
    assert caught.value.code == "invalid_document"


def test_a_truncated_message_still_reads_what_it_has() -> None:
    data = (ANPA / "harbour-strike.anpa").read_bytes()
    cut = data[: data.index(b"Nobody here")]
    (item,) = READER.read(cut)
    assert item.headline == "Rotterdam dock workers strike over night-shift pay"
    assert item.body.endswith(
        "``We have waited eleven months for an offer that respects the people who keep "
        "this port running,'' said Marieke Dekker, who leads the harbour workers' union. ``"
    )
    assert item.published_at is None  # no sign-off: no time


def _message(header: str, text: str) -> bytes:
    return f"\x16\x16\x01a0001\x1feur\r\n{header}\r\n\x02{text}\x03AP-WF-12-03-26 1016GMT<\r\n\x04".encode()


def test_space_indented_and_blank_separated_paragraphs_are_paragraphs() -> None:
    text = (
        "^BC-US--Bridge Vote<\r\n^Council approves bridge repairs<\r\n"
        "   DENVER (AP) _ The city council approved the repairs on Monday after a long\r\n"
        "debate that ran past midnight.\r\n"
        "   The work starts in March.\r\n\r\nIt will take a year.\r\n"
    )
    (item,) = READER.read(_message("r a\x13\x11 BC-US--Bridge Vote   12-03 0050", text))
    assert item.headline == "Council approves bridge repairs"  # the caret slug line is no headline
    assert item.extra["slug"] == "US--BRIDGE VOTE"
    assert item.body.split("\n\n") == [
        "DENVER (AP) \u2014 The city council approved the repairs on Monday after a long debate that ran "
        "past midnight.",
        "The work starts in March.",
        "It will take a year.",
    ]


def test_a_tabular_message_keeps_prose_and_drops_listings() -> None:
    text = (
        "^BC-BBO--Standings Glance<\r\n^Standings Glance=\r\n^By The Associated Press=\r\n"
        "^EASTERN DIVISION=\r\n"
        "\x08Harbor City\x1f\x1e 73\x1e 52\x1e .584\r\n"
        "\t   Harbor City 6, Lakeside 5\r\n"
        "\t   Lakeside (Ortiz 3-1) at Harbor City (Reyes 2-2), 7:05 p.m.\r\n"
        "\t   The standings include games played through the end of the regular season on Sunday.\r\n"
    )
    (item,) = READER.read(_message("r s\x14\x12 BC-BBO--StandingsGlance   12-03", text))
    assert item.byline == "The Associated Press"  # "EASTERN DIVISION" is no byline title
    assert item.body == "The standings include games played through the end of the regular season on Sunday."
    assert item.id is not None  # a header without a word count still names the day
