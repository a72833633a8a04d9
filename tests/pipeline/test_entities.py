"""Entities stage: model mentions trimmed and canonicalised within the story."""

from __future__ import annotations

import pytest

from pipeline.entities import extract_entities, load_entity_rules
from pipeline.nlp import ModelRegistry

REGISTRY = ModelRegistry()
RULES = load_entity_rules()


@pytest.fixture(scope="module")
def nlp():  # type: ignore[no-untyped-def]
    model = REGISTRY.get("en")
    assert model is not None, "the English model is installed by make setup"
    assert model.nlp.pipe_names == ["ner"]
    return model.nlp


def test_surname_links_to_full_name_and_title_is_stripped(nlp) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Colonel Steve Warren, a spokesman for the coalition in Baghdad, spoke on Tuesday. "
        "Warren said the offensive would continue."
    )
    ents = extract_entities(nlp(text), rules=RULES)
    people = [(e.text, e.canonical) for e in ents if e.label == "PERSON"]
    assert ("Steve Warren", "Steve Warren") in people and ("Warren", "Steve Warren") in people
    for e in ents:
        assert text[e.start : e.end] == e.text


def test_possessive_is_trimmed(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "Angela Moreau was re-elected on Sunday. Moreau's victory surprised her rivals in Lyon."
    ents = extract_entities(nlp(text), rules=RULES)
    assert any(e.text == "Moreau" and e.canonical == "Angela Moreau" for e in ents)


def test_no_model_for_a_language_is_none() -> None:
    assert REGISTRY.get("xx") is None
