"""NewsML 1.2: ids without the revision, status and embargo, DataContent as XHTML, NITF or text."""

from __future__ import annotations

from pipeline.formats import read_document
from pipeline.formats.base import Subject
from tests.pipeline.formats.conftest import items, one


def test_afp_style_item() -> None:
    item = one("newsml1/afp-style-fr.xml")
    assert item.format == "newsml-1"
    assert item.id == "urn:newsml:wsa.example:20260412:TX-PAR-LYO17"
    assert item.headline == "Lyon : le tramway T7 inauguré avec six mois de retard"
    assert item.byline == "Claire DUMONT" and item.dateline == "LYON, 12 avr 2026 (WSA)"
    assert item.located == "Lyon, FRA" and item.language == "fr"
    assert item.source == "WSA" and item.published_at == "2026-04-12T13:30:00Z"
    assert item.subjects == [Subject("subj", "04015000", None)]
    assert "« C'est un jour important pour toute la métropole », a déclaré" in item.body
    assert not item.body.endswith("cd/abc")  # the initials sign-off is not text
    assert item.extra["urgency"] == 4


def test_several_items_embedded_nitf_correction_and_embargo() -> None:
    russian, german = items("newsml1/multi-ru-de.xml")
    assert russian.version == 2 and russian.signals == ["correction"]
    assert russian.byline == "Мария Королёва" and russian.located == "Москва"
    assert russian.body.startswith("В Новой Третьяковке в субботу открылась выставка")
    assert "Посетители выставки" not in russian.body
    assert german.embargoed == "2026-04-13T04:00:00Z"
    quote = "„Der Trend hat uns selbst überrascht“, sagte Studienleiterin Anja Vogt."
    assert german.body.split("\n\n")[1] == quote


def test_canceled_status_is_a_kill() -> None:
    doc = b"""<NewsML><NewsItem><Identification><NewsIdentifier><ProviderId>p</ProviderId><DateId>1</DateId>
      <NewsItemId>X</NewsItemId><RevisionId>4</RevisionId></NewsIdentifier></Identification>
      <NewsManagement><Status FormalName="Canceled"/></NewsManagement>
      <NewsComponent><NewsLines><HeadLine>Withdrawn</HeadLine></NewsLines><ContentItem>
      <MediaType FormalName="Text"/><DataContent>Do not use.</DataContent></ContentItem></NewsComponent>
      </NewsItem></NewsML>"""
    item = read_document(doc)[0]
    assert (item.id, item.version, item.pubstatus) == ("urn:newsml:p:1:X", 4, "canceled")
