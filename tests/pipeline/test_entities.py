"""Entities stage: model mentions trimmed, fixed by data rules and canonicalised within the story.

Rule tests run on hand-built Docs (our words, our entity spans) so they do not depend on what a model
version happens to tag; the end-to-end tests run the installed English and French models.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
import spacy
from spacy.language import Language as SpacyLanguage
from spacy.tokens import Doc

from pipeline.entities import EntityRules, extract_entities, load_entity_rules
from pipeline.evaluation import entities as entity_eval
from pipeline.evaluation.storygen import stories
from pipeline.nlp import ModelRegistry
from pipeline.records import Entity

REGISTRY = ModelRegistry()
RULES = load_entity_rules()
FR_RULES = load_entity_rules("fr")
BLANK = spacy.blank("en")
BLANK_FR = spacy.blank("fr")
MARK = re.compile(r"\[\[([^\[\]|]+)\|([A-Z_]+)\]\]")


def doc_of(markup: str, blank: SpacyLanguage = BLANK) -> Doc:
    """A Doc whose `ents` are the `[[text|LABEL]]` marks: what a model would have tagged."""
    text, spans, pos, out = "", [], 0, []
    for m in MARK.finditer(markup):
        out.append(markup[pos : m.start()])
        start = sum(map(len, out))
        out.append(m.group(1))
        spans.append((start, start + len(m.group(1)), m.group(2)))
        pos = m.end()
    out.append(markup[pos:])
    text = "".join(out)
    doc = blank(text)
    ents = [doc.char_span(s, e, label=label, alignment_mode="expand") for s, e, label in spans]
    assert all(ent is not None for ent in ents)
    doc.ents = [ent for ent in ents if ent is not None]
    return doc


def run(markup: str, rules: EntityRules = RULES) -> list[tuple[str, str, str]]:
    doc = doc_of(markup, BLANK_FR if rules.lang == "fr" else BLANK)
    ents = extract_entities(doc, rules=rules)
    for e in ents:
        assert doc.text[e.start : e.end] == e.text
    return [(e.text, e.label, e.canonical) for e in ents]


@pytest.fixture(scope="module")
def nlp() -> SpacyLanguage:
    model = REGISTRY.get("en")
    assert model is not None, "the English model is installed by make setup"
    assert model.nlp.pipe_names == ["ner"]
    return model.nlp


@pytest.fixture(scope="module")
def nlp_fr() -> SpacyLanguage:
    model = REGISTRY.get("fr")
    assert model is not None, "a French model is installed by make setup"
    return model.nlp


# -- rules, on hand-built docs ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ("[[Colonel Steve Warren|PERSON]] spoke.", ("Steve Warren", "PERSON", "Steve Warren")),
        ("[[Deputy Mayor Samuel Okafor|PERSON]] spoke.", ("Samuel Okafor", "PERSON", "Samuel Okafor")),
        ("[[Dr. Priya Natarajan|PERSON]] spoke.", ("Priya Natarajan", "PERSON", "Priya Natarajan")),
        ("[[Lt. Col. Ana Ruiz|PERSON]] spoke.", ("Ana Ruiz", "PERSON", "Ana Ruiz")),
        ("[[Secretary-General Amara Mensah|PERSON]] spoke.", ("Amara Mensah", "PERSON", "Amara Mensah")),
        ("It was [[Warren's|PERSON]] plan.", ("Warren", "PERSON", "Warren")),
        ("It was [[Warren\u2019s|PERSON]] plan.", ("Warren", "PERSON", "Warren")),
        (
            "He met [[the Harlow City Council|ORG]] today.",
            ("Harlow City Council", "ORG", "Harlow City Council"),
        ),
        ("She flew to [[The Hague|GPE]] today.", ("The Hague", "GPE", "The Hague")),
    ],
)
def test_titles_possessives_and_articles_are_trimmed_off_the_span(
    markup: str, expected: tuple[str, str, str]
) -> None:
    assert run(markup) == [expected]


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ("[[Maître Esther Bakker|PER]] a parlé.", [("Esther Bakker", "PER", "Esther Bakker")]),
        ("Le [[groupe Renault|ORG]] a vendu.", [("Renault", "ORG", "Renault")]),
        ("Dans l'[[usine de Douai|LOC]] aussi.", [("Douai", "LOC", "Douai")]),
        ("La [[ministre des Transports|ORG]] a parlé.", []),
        (
            "[[Luca de Meo|PER]] a parlé. Selon de [[Meo|PER]], tout va bien.",
            [("Luca de Meo", "PER", "Luca de Meo"), ("de Meo", "PER", "Luca de Meo")],
        ),
        (
            "M. [[Macron|PER]] et la [[France|LOC]].",
            [("Macron", "PER", "Macron"), ("France", "LOC", "France")],
        ),
    ],
)
def test_french_rules(markup: str, expected: list[tuple[str, str, str]]) -> None:
    assert run(markup, FR_RULES) == expected


def test_a_title_alone_is_not_a_name() -> None:
    assert run("The [[President|PERSON]] said no.") == []


def test_numbers_and_dates_are_left_out() -> None:
    out = run("[[Ana Ruiz|PERSON]] paid [[$40|MONEY]] on [[Monday|DATE]] for [[three|CARDINAL]] tickets.")
    assert out == [("Ana Ruiz", "PERSON", "Ana Ruiz")]


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        # a surname tagged ORG while the full name is a PERSON in the same story
        (
            "[[Tomas Brandt|PERSON]] spoke first. [[Brandt|ORG]] called it a gamble.",
            [("Tomas Brandt", "PERSON", "Tomas Brandt"), ("Brandt", "PERSON", "Tomas Brandt")],
        ),
        # a one-word mention after a title is a person even without a full name
        ("Mr. [[Okafor|ORG]] declined to comment.", [("Okafor", "PERSON", "Okafor")]),
        # a lone "person" after "from" that is nobody's name in the story is a place
        (
            "[[Aline Novak|PERSON]], a teacher from [[Glasgow|PERSON]], spoke.",
            [("Aline Novak", "PERSON", "Aline Novak"), ("Glasgow", "GPE", "Glasgow")],
        ),
        # ... but not when it is the surname of someone in the story
        (
            "[[Kofi Mensah|PERSON]] spoke. A letter from [[Mensah|PERSON]] followed.",
            [("Kofi Mensah", "PERSON", "Kofi Mensah"), ("Mensah", "PERSON", "Kofi Mensah")],
        ),
        # one wrong PERSON tag on a place does not spread to its other mentions
        (
            "Floods hit [[Dunmore|GPE]]. [[Dunmore|PERSON]] was cut off. Roads to [[Dunmore|GPE]] closed.",
            [("Dunmore", "GPE", "Dunmore"), ("Dunmore", "PERSON", "Dunmore"), ("Dunmore", "GPE", "Dunmore")],
        ),
    ],
)
def test_label_fixes(markup: str, expected: list[tuple[str, str, str]]) -> None:
    assert run(markup) == expected


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        # a surname the model missed entirely is added, before or after the full name
        (
            "Lindqvist, the director, said the port was open. [[Marta Lindqvist|PERSON]] said so again.",
            [("Lindqvist", "PERSON", "Marta Lindqvist"), ("Marta Lindqvist", "PERSON", "Marta Lindqvist")],
        ),
        # ... but not when it starts another name
        (
            "[[Marta Lindqvist|PERSON]] left Lindqvist Shipping in May.",
            [("Marta Lindqvist", "PERSON", "Marta Lindqvist")],
        ),
        # an acronym glued to its name in brackets is split off, and found again where the model missed it
        (
            "The [[World Health Organization (WHO|ORG]]) warned on Friday. The WHO team said so.",
            [
                ("World Health Organization", "ORG", "World Health Organization"),
                ("WHO", "ORG", "World Health Organization"),
                ("WHO", "ORG", "World Health Organization"),
            ],
        ),
    ],
)
def test_missed_names_are_added(markup: str, expected: list[tuple[str, str, str]]) -> None:
    assert run(markup) == expected


@pytest.mark.parametrize(
    ("markup", "canonicals"),
    [
        (
            "[[Steve Warren|PERSON]] spoke. [[Warren|PERSON]] left. [[Steve|PERSON]] came back.",
            ["Steve Warren", "Steve Warren", "Steve Warren"],
        ),
        # two people share a surname: the nearest full name before the mention wins
        (
            "[[Wei Chen|PERSON]] spoke. [[Chen|PERSON]] left. [[Li Chen|PERSON]] came. [[Chen|PERSON]] sat.",
            ["Wei Chen", "Wei Chen", "Li Chen", "Li Chen"],
        ),
        # a surname before any full name links forward to the first one
        (
            "[[Okafor|PERSON]] said no. Later [[Samuel Okafor|PERSON]] agreed.",
            ["Samuel Okafor", "Samuel Okafor"],
        ),
        # the fullest form wins over a shorter full name
        (
            "[[Ana Ruiz|PERSON]] met [[Ana Maria Ruiz|PERSON]]? No: [[Ruiz|PERSON]] is one person.",
            ["Ana Ruiz", "Ana Maria Ruiz", "Ana Maria Ruiz"],
        ),
        # organisations: partial names and acronyms
        (
            "The [[Valmora Port Authority|ORG]] ([[VPA|ORG]]) said the [[Authority|ORG]] would reopen.",
            ["Valmora Port Authority", "Valmora Port Authority", "Valmora Port Authority"],
        ),
        # places are not linked by parts: Sudan is not South Sudan
        ("[[South Sudan|GPE]] and [[Sudan|GPE]] met.", ["South Sudan", "Sudan"]),
        # a person's surname never links to an organisation that contains it
        ("[[Fischer Group|ORG]] hired [[Fischer|PERSON]].", ["Fischer Group", "Fischer"]),
    ],
)
def test_canonical_is_the_fullest_name_in_the_story(markup: str, canonicals: list[str]) -> None:
    assert [c for _, _, c in run(markup)] == canonicals


def test_rules_come_from_data_per_language() -> None:
    assert "colonel" in RULES.titles and "mme" in FR_RULES.titles
    assert RULES.person_label == "PERSON" and FR_RULES.person_label == "PER"
    fallback = load_entity_rules("nl")  # no rules file: the language-neutral defaults
    assert fallback.keep_labels == frozenset() and fallback.titles == frozenset()


# -- end to end, with the installed models -------------------------------------------------------------


def test_surname_links_to_full_name_and_title_is_stripped(nlp: SpacyLanguage) -> None:
    text = (
        "Colonel Steve Warren, a spokesman for the coalition in Baghdad, spoke on Tuesday. "
        "Warren said the offensive would continue."
    )
    ents = extract_entities(nlp(text), rules=RULES)
    people = [(e.text, e.canonical) for e in ents if e.label == "PERSON"]
    assert ("Steve Warren", "Steve Warren") in people and ("Warren", "Steve Warren") in people
    for e in ents:
        assert text[e.start : e.end] == e.text


def test_possessive_is_trimmed(nlp: SpacyLanguage) -> None:
    text = "Angela Moreau was re-elected on Sunday. Moreau's victory surprised her rivals in Lyon."
    ents = extract_entities(nlp(text), rules=RULES)
    assert any(e.text == "Moreau" and e.canonical == "Angela Moreau" for e in ents)


def test_french_titles_and_articles(nlp_fr: SpacyLanguage) -> None:
    text = (
        "Le président Emmanuel Macron a reçu lundi le chancelier Olaf Scholz. M. Macron a déclaré que "
        "la France soutiendrait le projet."
    )
    ents = extract_entities(nlp_fr(text), rules=FR_RULES)
    found = {(e.text, e.label, e.canonical) for e in ents}
    assert ("Macron", "PER", "Emmanuel Macron") in found and ("France", "LOC", "France") in found
    assert all(text[e.start : e.end] == e.text for e in ents)


def test_offsets_are_true_substrings_on_generated_stories(nlp: SpacyLanguage) -> None:
    bodies = [s["body"] for s in stories(12, seed=3, words=300)]
    for body, doc in zip(bodies, nlp.pipe(bodies), strict=True):
        ents = extract_entities(doc, rules=RULES)
        assert ents, "every generated story names someone"
        for e in ents:
            assert body[e.start : e.end] == e.text and e.text == e.text.strip()
            assert not e.text.endswith(("'s", "\u2019s")) and e.canonical


def test_extraction_is_cheap_next_to_ner(nlp: SpacyLanguage) -> None:
    bodies = [s["body"] for s in stories(16, seed=5, words=600)]
    started = time.perf_counter()
    docs = list(nlp.pipe(bodies))
    ner = time.perf_counter() - started
    started = time.perf_counter()
    for doc in docs:
        extract_entities(doc, rules=RULES)
    extract = time.perf_counter() - started
    assert extract < 0.1 * ner, f"extract_entities took {extract:.3f}s against {ner:.3f}s of NER"


def test_no_model_for_a_language_is_none() -> None:
    assert REGISTRY.get("xx") is None


# -- the evaluation ------------------------------------------------------------------------------------


def test_markup_parses_to_text_and_gold_spans() -> None:
    text, gold = entity_eval.parse_markup(
        "Colonel [[Steve Warren|PERSON]] met [[Warren|PERSON|Steve Warren]]."
    )
    assert text == "Colonel Steve Warren met Warren."
    assert gold == [
        Entity("Steve Warren", "PERSON", 8, 20, "Steve Warren"),
        Entity("Warren", "PERSON", 25, 31, "Steve Warren"),
    ]


def test_shipped_annotations_are_well_formed() -> None:
    stories_ = entity_eval.load_gold(entity_eval.DEFAULT_PATH)
    assert len(stories_) >= 60 and {s.lang for s in stories_} == {"en", "fr", "es", "de", "ru", "it"}
    for story in stories_:
        assert "[[" not in story.text and "]]" not in story.text
        for e in story.entities:
            assert story.text[e.start : e.end] == e.text


def test_eval_reports_per_label_scores(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "two.jsonl"
    path.write_text(
        '{"id": "t1", "lang": "en", "markup": "Colonel [[Steve Warren|PERSON]] visited [[Baghdad|GPE]] on '
        'Monday. [[Warren|PERSON|Steve Warren]] left on Tuesday."}\n',
        encoding="utf-8",
    )
    assert entity_eval.main([str(path)]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^PERSON\s+2\s+2\s+1\.000\s+1\.000\s+1\.000$", out, re.M)
    assert "canonical accuracy 3/3 = 1.000; linked mentions 1/1 = 1.000" in out


def test_a_configured_model_that_is_not_installed_is_said_once(caplog: pytest.LogCaptureFixture) -> None:
    from pipeline.config import ModelConfig

    registry = ModelRegistry(ModelConfig(models={"en": ("en_no_such_model",)}))
    with caplog.at_level("WARNING", logger="pipeline.nlp"):
        assert registry.get("en") is None
        assert registry.get("en") is None
    said = [r.getMessage() for r in caplog.records if "en_no_such_model" in r.getMessage()]
    assert len(said) == 1 and "no entities" in said[0]


def test_an_upper_case_dateline_is_a_place() -> None:
    assert run("[[HARLOW|ORG]] (Reuters) - The [[Harlow|GPE]] council met.")[0] == ("HARLOW", "GPE", "HARLOW")
    assert run("[[HARLOW|ORG]] - The council met.")[0][1] == "GPE"
    assert run("[[NATO|ORG]] allies met in [[Brussels|GPE]].")[0][1] == "ORG"  # not followed as a dateline
