"""The bench's hand-rolled loop finds its spaCy models and yields entities (an empty baseline once made
`make bench` compare `wirestream enrich` with a loop that ran no model at all)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deploy.bench import naive
from deploy.bench.corpus import build
from pipeline.config import PipelineConfig


def test_the_naive_loop_has_a_spacy_model_for_english_and_french() -> None:
    models = naive.spacy_models(PipelineConfig())
    assert {"en", "fr"} <= models.keys()
    assert all(not name.startswith(("corenlp:", "natasha")) for name in models.values())


def test_the_naive_loop_finds_entities(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = build(4, 7, french_share=0.5, redelivery_share=0.0)
    path = tmp_path / "small.jsonl"
    path.write_bytes(b"\n".join(corpus.lines) + b"\n")
    assert naive.main([str(path)]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == 4
    assert all(rows), "every story of the invented corpus names people, places or organisations"
