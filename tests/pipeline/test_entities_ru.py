"""Russian entities through natasha: declined names link to the full name; our annotated stories."""

from __future__ import annotations

from pathlib import Path

from pipeline.entities import extract_entities, load_entity_rules
from pipeline.evaluation import entities as entity_eval
from pipeline.nlp import ModelRegistry

DATA = Path(__file__).resolve().parents[1] / "data" / "entities" / "ru"


def test_declined_surnames_link_and_a_genitive_place_before_a_name_stays_a_place() -> None:
    model = ModelRegistry().get("ru")
    assert model is not None
    text = (
        "Глава Башкирии Радий Хабиров провел совещание в Уфе. По словам Хабирова, ремонт дорог "
        "завершат к осени. Хабирову доложили о ходе работ."
    )
    (doc,) = model.pipe([text])
    ents = [(e.text, e.label, e.canonical) for e in extract_entities(doc, rules=load_entity_rules("ru"))]
    assert ("Радий Хабиров", "PER", "Радий Хабиров") in ents
    assert ("Хабирова", "PER", "Радий Хабиров") in ents
    assert ("Хабирову", "PER", "Радий Хабиров") in ents
    assert ("Башкирии", "LOC", "Башкирии") in ents


def test_person_f1_on_our_russian_stories() -> None:
    stories = entity_eval.load_gold(DATA)
    assert len(stories) >= 10 and {s.lang for s in stories} == {"ru"}
    scores, info = entity_eval.evaluate(stories, ModelRegistry())
    assert info["models"] == {"ru": "natasha"}
    assert scores.labels["PER"].prf()[2] >= 0.85
