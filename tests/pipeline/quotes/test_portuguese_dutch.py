"""Portuguese and Dutch quotes, the cheap extra languages: each cue shape once (no annotated stories yet)."""

from __future__ import annotations

import pytest

from tests.pipeline.quotes.lang_cases import check

JS = ("João Silva", "João Silva")
JV = ("Jan de Vries", "Jan de Vries")
CASES = [
    ("pt", "“Vamos vencer”, disse o ministro João Silva.", [JS], "Vamos vencer", "direct"),
    ("pt", "João Silva chegou tarde. “Vamos vencer”, afirmou.", [JS], "Vamos vencer", "direct"),
    (
        "pt",
        "Segundo João Silva, o governo vai baixar os impostos.",
        [JS],
        "o governo vai baixar os impostos",
        "indirect",
    ),
    (
        "pt",
        "João Silva chegou.\n— Vamos vencer — disse Silva. — Não há outra opção.",
        [JS, ("Silva", "João Silva")],
        "Não há outra opção.",
        "direct",
    ),
    (
        "pt",
        "Ana Costa visitou o porto. Ela afirmou que a obra estará pronta em maio.",
        [("Ana Costa", "Ana Costa")],
        "que a obra estará pronta em maio",
        "indirect",
    ),
    ("nl", "‘We gaan winnen’, zei Jan de Vries.", [JV], "We gaan winnen", "direct"),
    (
        "nl",
        'Jan de Vries kwam laat. "Dit is een schandaal", zei hij.',
        [JV],
        "Dit is een schandaal",
        "direct",
    ),
    (
        "nl",
        "Volgens Jan de Vries gaat de regering de belasting verlagen.",
        [JV],
        "gaat de regering de belasting verlagen",
        "indirect",
    ),
    (
        "nl",
        "De regering gaat de belasting verlagen, aldus De Vries.",
        [("De Vries", "Jan de Vries")],
        "De regering gaat de belasting verlagen",
        "indirect",
    ),
    (
        "nl",
        "Maandag zei Jan de Vries dat de regering de belasting gaat verlagen.",
        [JV],
        "dat de regering de belasting gaat verlagen",
        "indirect",
    ),
]


@pytest.mark.parametrize(("lang", "text", "people", "content", "kind"), CASES)
def test_portuguese_and_dutch(
    lang: str, text: str, people: list[tuple[str, str]], content: str, kind: str
) -> None:
    check(lang, text, people, content, people[0][1], kind)
