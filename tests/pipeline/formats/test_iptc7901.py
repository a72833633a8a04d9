"""IPTC 7901: our sample messages (German with „…“ and a dpa notebook, its correction and withdrawal, a
ZCZC/NNNN-framed French and English pair with a not-for-publication part, Swedish dash dialogue under an
embargo) read with every field right."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.formats.anpa import READER as ANPA
from pipeline.formats.base import FormatError, Item
from pipeline.formats.iptc7901 import READER

DATA = Path(__file__).resolve().parents[2] / "data" / "formats"
IPTC = DATA / "iptc7901"


def read(name: str) -> list[Item]:
    return READER.read((IPTC / name).read_bytes())


def only(name: str) -> Item:
    items = read(name)
    assert len(items) == 1
    return items[0]


@pytest.mark.parametrize("path", sorted(IPTC.glob("*.txt")), ids=lambda p: p.name)
def test_every_sample_is_sniffed_as_iptc7901_and_not_as_anpa(path: Path) -> None:
    head = path.read_bytes()[:4096]
    assert READER.sniff(head)
    assert not ANPA.sniff(head)


@pytest.mark.parametrize("path", sorted((DATA / "anpa").glob("*")) + sorted((DATA / "ninjs").glob("*")))
def test_other_formats_are_not_iptc7901(path: Path) -> None:
    assert not READER.sniff(path.read_bytes()[:4096])


def test_a_german_story_in_cp1252_with_its_notebook_left_out() -> None:
    item = only("de-warnstreik.txt")
    assert item.format == "iptc7901" and item.error is None
    assert item.headline == "Lokführer rufen zu Warnstreik im Güterverkehr auf"
    assert item.dateline == "Frankfurt/Main (dpa)" and item.located == "Frankfurt/Main"
    assert item.source == "dpa" and item.published_at == "2026-12-07T13:42:00Z"
    paragraphs = item.body.split("\n\n")
    assert len(paragraphs) == 3
    assert paragraphs[0].startswith(
        "Frankfurt/Main (dpa) - Die Lokführergewerkschaft hat bundesweit zu einem"
    )
    assert "„Wir haben lange genug verhandelt“, sagte Gewerkschaftschef Jonas Albrecht der" in paragraphs[1]
    for hidden in ("Notizblock", "Korrespondentin", "#", "\r", "\n\n\n"):
        assert hidden not in item.body
    assert item.extra == {
        "sequence": "bdt0231",
        "priority": 4,
        "category": "wi",
        "slug": "Bahn/Streik/Güterverkehr",
    }


def test_correction_then_withdrawal_of_the_same_story() -> None:
    story = only("de-warnstreik.txt")
    corrected = only("de-warnstreik-berichtigung.txt")
    withdrawn = only("de-warnstreik-zurueckgezogen.txt")
    assert story.id is not None and story.id == corrected.id == withdrawn.id
    assert (corrected.version, corrected.signals, corrected.pubstatus) == (2, ["correction"], "usable")
    assert corrected.headline == story.headline  # the "Berichtigung" take key is no headline
    assert "am Montag in Frankfurt mit" in corrected.body
    assert withdrawn.pubstatus == "canceled" and withdrawn.body == "" and withdrawn.error is None


def test_a_framed_multi_message_transmission_and_its_non_public_part() -> None:
    french, english = read("fr-en-multi.txt")
    assert french.headline == "Lyon va bannir les voitures les plus polluantes"
    assert french.dateline == "Lyon, 7 déc 2026 (AFP)" and french.located == "Lyon" and french.source == "AFP"
    assert "«Nous ne pouvons plus attendre», a déclaré Paul Girard" in french.body
    assert len(french.body.split("\n\n")) == 3
    for hidden in ("not for publication", "Contact", "ZCZC", "NNNN"):
        assert hidden not in french.body
    assert english.headline == "UK inflation slows to 2.1 percent"
    assert english.extra["priority"] == 2 and english.extra["category"] == "eco"
    assert english.body.startswith(
        "LONDON, Dec 7 (AFP) - British inflation slowed to 2.1 percent in November,"
    )
    assert french.id != english.id


def test_dash_dialogue_and_an_embargo() -> None:
    item = only("sv-dialog-embargo.txt")
    assert item.embargoed == "2026-12-08T05:00:00Z"
    assert item.headline == "Regeringen vill höja flygskatten"
    assert item.body.split("\n\n")[1:] == [
        "– Det här är ett nödvändigt steg för klimatet, säger finansminister Erik Lund.",
        "– Och vem betalar? frågade en reporter.",
        "– Den som flyger mest betalar mest, svarade Lund.",
    ]
    assert "SPERRFRIST" not in item.body


def test_without_a_time_group_no_stable_id_is_made_up() -> None:
    data = (IPTC / "de-warnstreik.txt").read_bytes().replace(b"071342 Dec 26", b"")
    (item,) = READER.read(data)
    assert item.id is None and item.published_at is None and item.body


def test_without_stx_the_text_follows_the_keyword_line() -> None:
    data = "\x01abc001 3 pol 20\r\nKeyword/\r\nHeadline here\r\n\r\n   Oslo (NTB) - Text of the story.\r\n"
    data += "\x03\r\n"
    (item,) = READER.read(data.encode())
    assert item.headline == "Headline here" and item.body == "Oslo (NTB) - Text of the story."
    assert item.extra["slug"] == "Keyword"


def test_a_document_without_a_heading_is_refused() -> None:
    with pytest.raises(FormatError) as caught:
        READER.read(b"\x01 not a heading\r\n\x02text\x03")
    assert caught.value.code == "invalid_document"


def test_a_teleprinter_feed_without_soh_is_split_at_zczc() -> None:
    data = (
        "ZCZC\n"
        "ans0101 3 pol 0044 R01\n"
        "Italia-governo/\n"
        "\x02Il governo approva la manovra\n\n"
        "   ROMA (ANSA) - Il Consiglio dei ministri ha approvato la manovra, ha detto il premier.\n"
        "\x03\n"
        "071230 Dec 26\n"
        "NNNN\n"
        "ZCZC\n"
        "ans0102 2 eco 0030 R01\n"
        "Italia-borsa/\n"
        "\x02Borsa in rialzo\n\n"
        "   MILANO (ANSA) - Piazza Affari chiude in rialzo dell'uno per cento.\n"
        "\x03\n"
        "071731 Dec 26\n"
        "NNNN\n"
    ).encode("latin-1")
    assert READER.sniff(data) and not ANPA.sniff(data)
    governo, borsa = READER.read(data)
    assert governo.headline == "Il governo approva la manovra" and governo.source == "ANSA"
    assert (
        governo.body
        == "ROMA (ANSA) - Il Consiglio dei ministri ha approvato la manovra, ha detto il premier."
    )
    assert borsa.published_at == "2026-12-07T17:31:00Z" and borsa.extra["priority"] == 2
    assert governo.id != borsa.id
