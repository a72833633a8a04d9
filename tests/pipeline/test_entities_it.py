"""Italian entities through CoreNLP's Italian model: opt-in (`make setup CORENLP_LANGS="german spanish
italian"`), so these run only where its jar was resolved; the default setup skips them, saying why."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from pipeline.config import ModelConfig
from pipeline.evaluation import entities as entity_eval
from pipeline.nlp import ModelRegistry, specs_for

ROOT = Path(__file__).resolve().parents[2]
LIB = ROOT / "deploy" / "corenlp" / "lib"
ITALIAN = ModelConfig(models={"it": ("corenlp:italian",)})  # WIRESTREAM_MODEL_IT=corenlp:italian


def test_italian_is_opt_in() -> None:
    assert specs_for("it", ModelConfig()) == ()
    assert specs_for("it", ITALIAN) == ("corenlp:italian",)


@pytest.mark.skipif(
    not any(LIB.glob("*models-italian.jar")), reason="the Italian CoreNLP jar is opt-in and not resolved here"
)
def test_person_f1_on_our_italian_stories() -> None:
    subprocess.run([str(ROOT / "deploy" / "corenlp" / "corenlp.sh"), "start"], check=True, timeout=600)
    stories = entity_eval.load_gold(ROOT / "tests" / "data" / "entities" / "it")
    assert len(stories) >= 10
    scores, info = entity_eval.evaluate(stories, ModelRegistry(ITALIAN))
    assert info["models"] == {"it": "corenlp:italian"}
    assert scores.labels["PER"].prf()[2] >= 0.85
