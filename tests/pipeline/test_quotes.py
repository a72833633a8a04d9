"""Quotes stage: direct quotes with speakers, partial quotes, continuation, scare quotes left out."""

from __future__ import annotations

from pipeline.entities import extract_entities, load_entity_rules
from pipeline.nlp import ModelRegistry
from pipeline.quotes import extract_quotes, load_lexicon
from pipeline.records import Quote

REGISTRY = ModelRegistry()


def quotes(text: str, lang: str = "en") -> list[Quote]:
    model = REGISTRY.get(lang)
    assert model is not None
    ents = extract_entities(model.nlp(text), rules=load_entity_rules(lang))
    lexicon = load_lexicon(lang)
    assert lexicon is not None
    found = extract_quotes(text, ents, lexicon=lexicon)
    for q in found:
        assert text[q.start : q.end] == q.text
        if q.speaker:
            assert text[q.speaker.start : q.speaker.end] == q.speaker.text
        if q.cue:
            assert text[q.cue.start : q.cue.end] == q.cue.text
    return found


def test_curly_quote_with_inverted_speaker_after() -> None:
    text = "\u201cThe bridge will reopen in March,\u201d said Elena Ruiz, the mayor of Harlow."
    [q] = quotes(text)
    assert q.text == "The bridge will reopen in March" and q.kind == "direct"
    assert (
        q.speaker is not None
        and q.speaker.canonical == "Elena Ruiz"
        and q.cue is not None
        and q.cue.text == "said"
    )


def test_straight_quotes_speaker_before() -> None:
    text = 'Tomas Brandt said: "We have asked for an independent inquiry into the spill."'
    [q] = quotes(text)
    assert q.text.startswith("We have asked") and q.speaker is not None and q.speaker.text == "Tomas Brandt"


def test_pronoun_resolves_to_most_recent_person() -> None:
    text = (
        "Marta Lindqvist opened the meeting. Tomas Brandt spoke next.\n\n"
        "\u201cNobody has told us what was in those tanks,\u201d he said."
    )
    [q] = quotes(text)
    assert q.speaker is not None and q.speaker.text == "he" and q.speaker.canonical == "Tomas Brandt"


def test_continuation_inherits_speaker() -> None:
    text = (
        "\u201cThe water is clean again,\u201d said Marta Lindqvist. "
        "\u201cWe will keep testing every six hours until the end of the month.\u201d"
    )
    first, second = quotes(text)
    assert second.speaker is not None and second.speaker.canonical == "Marta Lindqvist" and second.cue is None


def test_partial_quote_and_scare_quote() -> None:
    text = (
        "Claire Whitmore called the plan a \u201creckless gamble\u201d on Monday. "
        "The so-called \u201cnight owls\u201d were not consulted."
    )
    [q] = [q for q in quotes(text) if q.kind != "indirect"]
    assert q.kind == "partial" and q.text == "reckless gamble"
    assert q.speaker is not None and q.speaker.canonical == "Claire Whitmore"


def test_guillemets_in_french() -> None:
    text = (
        "\u00ab Nous ne pouvons plus garantir la sécurité \u00bb, a déclaré Julien Marchand, "
        "représentant du syndicat."
    )
    [q] = quotes(text, "fr")
    assert q.text == "Nous ne pouvons plus garantir la sécurité"
    assert q.speaker is not None and q.speaker.canonical == "Julien Marchand"


def test_unbalanced_marks_never_raise() -> None:
    for text in [
        "\u201cUnclosed quote that goes nowhere, said Smith.",
        "\u201d\u201c\u201d\u201c" * 500,
        '"' * 3001,
        "Words \u00bb and \u00ab more",
    ]:
        assert isinstance(quotes(text), list)


def test_quote_continued_across_paragraphs() -> None:
    text = (
        "\u201cWe started at dawn and worked through the night,\u201d said Priya Natarajan.\n\n"
        "\u201cThe worst damage is in the hills, where the roads are still closed.\n\n"
        "\u201cWe expect to finish by Friday.\u201d"
    )
    found = quotes(text)
    assert len(found) == 3
    assert all(q.speaker is not None and q.speaker.canonical == "Priya Natarajan" for q in found)
