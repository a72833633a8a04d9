"""German entities through the CoreNLP server (started by make test / the fixture), on our stories."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from pipeline.entities import extract_entities, load_entity_rules
from pipeline.evaluation import entities as entity_eval
from pipeline.nlp import ModelRegistry

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "entities" / "de"


@pytest.fixture(scope="module")
def registry() -> ModelRegistry:
    subprocess.run([str(ROOT / "deploy" / "corenlp" / "corenlp.sh"), "start"], check=True, timeout=600)
    return ModelRegistry()


def test_genitive_names_link_to_the_full_name(registry: ModelRegistry) -> None:
    model = registry.get("de")
    assert model is not None and model.name == "corenlp:german"
    text = (
        "Berlin (dpa) - Wirtschaftsministerin Katherina Reiche hat im Bundestag ein Gesetz "
        "zur Gasspeicherung "
        "verteidigt. Reiches Sprecher sagte, die Vorlage komme im Juni ins Kabinett."
    )
    (doc,) = model.pipe([text])
    ents = extract_entities(doc, rules=load_entity_rules("de"))
    people = {(e.text, e.canonical) for e in ents if e.label == "PER"}
    assert ("Katherina Reiche", "Katherina Reiche") in people
    assert all(e.text != "Wirtschaftsministerin Katherina Reiche" for e in ents)


def test_person_f1_on_our_german_stories(registry: ModelRegistry) -> None:
    stories = entity_eval.load_gold(DATA)
    assert len(stories) >= 10 and {s.lang for s in stories} == {"de"}
    scores, info = entity_eval.evaluate(stories, registry)
    assert info["models"] == {"de": "corenlp:german"}
    assert scores.labels["PER"].prf()[2] >= 0.85
