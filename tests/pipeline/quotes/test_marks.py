"""Quote marks of other languages, at the layout level: which spans are quotes, whatever the cue."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.quotes import load_quote_lexicon
from pipeline.quotes.layout import find_quoted
from tests.pipeline.quotes.helpers import person, run


def spans(text: str, *, dialogue: bool = False) -> list[str]:
    return [text[q.start : q.end] for q in find_quoted(text, dialogue=dialogue)]


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ("»Wir kommen wieder«, sagte sie.", ["Wir kommen wieder"]),  # German and Swiss: » opens, « closes
        ("« Nous reviendrons », a-t-elle dit.", ["Nous reviendrons"]),  # French spacing
        ("«Мы вернёмся», — сказала она.", ["Мы вернёмся"]),  # Russian, no spaces
        ("„Wir kommen wieder“ sagte sie.", ["Wir kommen wieder"]),  # the low-9 opener's closer is “
        ("「我们会回来」她说。", ["我们会回来"]),
        ("Sie sagte: ›Wir kommen wieder‹.", ["Wir kommen wieder"]),  # Swiss single guillemets
        ("Er sagte: ‹Nein›.", ["Nein"]),
        ("「彼は『いいえ』と言った」", ["彼は『いいえ』と言った"]),  # 『』 inside 「」 is nested
        ("『いいえ』", ["いいえ"]),  # and a quote of its own outside
        ("«Он сказал „нет“ вчера», — добавил он.", ["Он сказал „нет“ вчера"]),
        ('«Он сказал "нет" вчера», — добавил он.', ['Он сказал "нет" вчера']),
    ],
)
def test_marks(text: str, quoted: list[str]) -> None:
    assert spans(text) == quoted


def test_dialogue_turns_around_the_narrators_words() -> None:
    text = "—Vamos a ganar. Ya lo verán —dijo el ministro—. No hay otra opción.\n—Y pronto."
    assert spans(text, dialogue=True) == ["Vamos a ganar. Ya lo verán", "No hay otra opción.", "Y pronto."]
    assert spans(text) == []  # only where the language prints speech so


def test_a_dashed_list_is_not_dialogue() -> None:
    assert spans("Las medidas:\n— Bajar el IVA.\n— Subir las pensiones.", dialogue=True) == []


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(["de", "es", "ru", "it"]),
    st.lists(
        st.sampled_from(
            [
                '"',
                "\u201c",
                "\u201d",
                "\u201e",
                "\u00ab",
                "\u00bb",
                "\u2039",
                "\u203a",
                "\u300c",
                "\u300d",
                "\u300e",
                "\u300f",
                "\u2014",
                " \u2014",
                "\n\u2014",
                ",",
                ".",
                ":",
                "\n",
                "Smith",
                "dijo",
                "sagte",
                "заявил",
                "ha detto",
                "wir",
                "el",
                "so",
                "según",
                "laut",
            ]
        ),
        max_size=16,
    ),
)
def test_any_mix_of_marks_and_cues_gives_valid_offsets(lang: str, parts: list[str]) -> None:
    lexicon = load_quote_lexicon(lang)
    text = " ".join(parts)
    run(text, person("Smith"), lex=lexicon)  # offsets and edges are checked inside
