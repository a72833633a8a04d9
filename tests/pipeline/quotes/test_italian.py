"""Italian quotes: «…», “…”, ha detto (inverted, and with the subject dropped), secondo / stando a,
roles before the name (il comandante provinciale, Salvatore Greco ... ha detto il comandante)."""

from __future__ import annotations

import pytest

from tests.pipeline.quotes.lang_cases import check

MR = ("Marco Rossi", "Marco Rossi")
CASES = [
    ("«Vinceremo», ha detto il ministro Marco Rossi.", [MR], "Vinceremo", "direct"),
    ("“Non ci fermeremo”, ha dichiarato Marco Rossi.", [MR], "Non ci fermeremo", "direct"),
    ("Marco Rossi è arrivato tardi. «Non ci fermeremo», ha aggiunto.", [MR], "Non ci fermeremo", "direct"),
    (
        "Marco Rossi ha detto che il governo taglierà le tasse.",
        [MR],
        "che il governo taglierà le tasse",
        "indirect",
    ),
    ("Secondo Marco Rossi, il governo taglierà le tasse.", [MR], "il governo taglierà le tasse", "indirect"),
    (
        "Stando a Marco Rossi, la merce era destinata al nord Europa.",
        [MR],
        "la merce era destinata al nord Europa",
        "indirect",
    ),
    (
        "Per la procuratrice Marco Rossi, il processo ha dimostrato molte frodi.",
        [MR],
        "il processo ha dimostrato molte frodi",
        "indirect",
    ),
    (
        "Il comandante provinciale, Marco Rossi, ha parlato. "
        "«È un sequestro storico», ha detto il comandante.",
        [MR],
        "È un sequestro storico",
        "direct",
    ),
]


@pytest.mark.parametrize(("text", "people", "content", "kind"), CASES)
def test_italian(text: str, people: list[tuple[str, str]], content: str, kind: str) -> None:
    check("it", text, people, content, people[0][1], kind)


def test_per_is_a_source_only_before_a_name() -> None:
    from pipeline.quotes import extract_quotes, load_quote_lexicon

    lexicon = load_quote_lexicon("it")
    assert lexicon is not None
    assert extract_quotes("Per il momento, il governo non cambierà la legge.", [], lexicon=lexicon) == []
