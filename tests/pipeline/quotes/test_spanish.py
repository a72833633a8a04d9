"""Spanish quotes: «…», "…", em-dash dialogue (—Vamos —dijo el ministro—. ...), inverted cues (dijo
el ministro), según, pro-drop (dijo. continues the person named before), él/ella resolved."""

from __future__ import annotations

import pytest

from pipeline.quotes import extract_quotes, load_quote_lexicon
from tests.pipeline.quotes.lang_cases import check

PH = ("Pablo Herrera", "Pablo Herrera")
CASES = [
    ("«Vamos a ganar», dijo el ministro Pablo Herrera.", [PH], "Vamos a ganar", "direct"),
    ('"Vamos a ganar", afirmó Pablo Herrera.', [PH], "Vamos a ganar", "direct"),
    (
        "Pablo Herrera llegó tarde.\n—Vamos a ganar —dijo Herrera—. No hay otra opción.",
        [PH, ("Herrera", "Pablo Herrera")],
        "Vamos a ganar",
        "direct",
    ),
    (
        "Pablo Herrera llegó tarde.\n—Vamos a ganar —dijo Herrera—. No hay otra opción.",
        [PH, ("Herrera", "Pablo Herrera")],
        "No hay otra opción.",
        "direct",
    ),
    ("Pablo Herrera llegó tarde. «Vamos a ganar», dijo.", [PH], "Vamos a ganar", "direct"),
    (
        "Según Pablo Herrera, el Gobierno bajará los impuestos.",
        [PH],
        "el Gobierno bajará los impuestos",
        "indirect",
    ),
    (
        "El Gobierno bajará los impuestos, señaló Pablo Herrera.",
        [PH],
        "El Gobierno bajará los impuestos",
        "indirect",
    ),
    (
        "María López visitó el puerto. Ella dijo que la obra estará lista en mayo.",
        [("María López", "María López")],
        "que la obra estará lista en mayo",
        "indirect",
    ),
    (
        "El portavoz del Gobierno, Pablo Herrera, afirmó que la rebaja llega tarde.",
        [PH],
        "que la rebaja llega tarde",
        "indirect",
    ),
    (
        "«No es un regalo», declaró la ministra de Hacienda, Ana Ruiz.",
        [("Ana Ruiz", "Ana Ruiz")],
        "No es un regalo",
        "direct",
    ),
]


@pytest.mark.parametrize(("text", "people", "content", "kind"), CASES)
def test_spanish(text: str, people: list[tuple[str, str]], content: str, kind: str) -> None:
    check("es", text, people, content, people[0][1], kind)


def test_dashed_list_item_is_not_speech() -> None:
    lexicon = load_quote_lexicon("es")
    assert lexicon is not None
    assert extract_quotes("Las medidas:\n— Los precios bajarán en mayo.", [], lexicon=lexicon) == []


def test_dropped_subject_needs_someone_named_before() -> None:
    lexicon = load_quote_lexicon("es")
    assert lexicon is not None
    found = extract_quotes("«Vamos a ganar», dijo.", [], lexicon=lexicon)
    assert all(q.speaker is None for q in found)


def test_dropped_subject_continues_the_previous_speaker_over_a_person_named_since() -> None:
    text = "«Vamos a ganar», dijo Pablo Herrera junto a Ana Ruiz. «No hay duda», añadió."
    check("es", text, [PH, ("Ana Ruiz", "Ana Ruiz")], "No hay duda", "Pablo Herrera", "direct")


def test_dropped_subject_takes_a_person_named_in_a_later_sentence() -> None:
    text = "«Vamos a ganar», dijo Pablo Herrera. Luego subió al estrado Ana Ruiz. «No hay duda», añadió."
    check("es", text, [PH, ("Ana Ruiz", "Ana Ruiz")], "No hay duda", "Ana Ruiz", "direct")
