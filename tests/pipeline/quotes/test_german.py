"""German quotes: „…“, »…« (closed by «), ‹…›, verb-second and inverted cues, laut / nach Angaben /
zufolge (postposed) / so X, wie X sagte, er/sie resolved."""

from __future__ import annotations

import pytest

from tests.pipeline.quotes.lang_cases import check

AB = ("Anna Berger", "Anna Berger")
CASES = [
    ("„Wir werden gewinnen“, sagte Anna Berger.", [AB], "Wir werden gewinnen", "direct"),
    ("„Wir werden gewinnen“ sagte Anna Berger am Montag.", [AB], "Wir werden gewinnen", "direct"),
    ("»Wir werden gewinnen«, sagte Anna Berger.", [AB], "Wir werden gewinnen", "direct"),
    ("Anna Berger sagte: ‹Wir werden gewinnen.›", [AB], "Wir werden gewinnen.", "direct"),
    ("Anna Berger kam spät. „Das ist ein Skandal“, sagte sie.", [AB], "Das ist ein Skandal", "direct"),
    (
        "Am Montag sagte Anna Berger, die Regierung werde die Steuern senken.",
        [AB],
        "die Regierung werde die Steuern senken",
        "indirect",
    ),
    (
        "Anna Berger sagte nach der Sitzung in Kiel, die Regierung werde handeln.",
        [AB],
        "die Regierung werde handeln",
        "indirect",
    ),
    (
        "Die Lage sei sehr ernst, so Berger.",
        [("Berger", "Anna Berger")],
        "Die Lage sei sehr ernst",
        "indirect",
    ),
    (
        "Die Lage ist ernst, wie Berger am Montag sagte.",
        [("Berger", "Anna Berger")],
        "Die Lage ist ernst",
        "indirect",
    ),
    (
        "Laut Anna Berger wird die Regierung die Steuern senken.",
        [AB],
        "wird die Regierung die Steuern senken",
        "indirect",
    ),
    (
        "Anna Berger zufolge wurden drei Menschen verletzt.",
        [AB],
        "wurden drei Menschen verletzt",
        "indirect",
    ),
    (
        "Bauministerin Anna Berger besuchte Kiel. „Wohnen darf kein Luxus werden“, sagte die Ministerin.",
        [AB],
        "Wohnen darf kein Luxus werden",
        "direct",
    ),
]


@pytest.mark.parametrize(("text", "people", "content", "kind"), CASES)
def test_german(text: str, people: list[tuple[str, str]], content: str, kind: str) -> None:
    check("de", text, people, content, people[0][1], kind)


def test_so_is_a_source_only_after_a_comma() -> None:
    from pipeline.quotes import extract_quotes, load_quote_lexicon

    lexicon = load_quote_lexicon("de")
    assert lexicon is not None
    assert extract_quotes("Die Lage ist so ernst wie nie.", [], lexicon=lexicon) == []


def test_an_unnamed_source_ends_with_its_noun() -> None:
    from pipeline.quotes import extract_quotes, load_quote_lexicon

    lexicon = load_quote_lexicon("de")
    assert lexicon is not None
    [q] = extract_quotes("Nach Angaben der Polizei wurden drei Menschen verletzt.", [], lexicon=lexicon)
    assert q.speaker is not None and q.speaker.text == "der Polizei"
    assert q.text == "wurden drei Menschen verletzt"
