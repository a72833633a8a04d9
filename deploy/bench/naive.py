"""The hand-rolled loop as a whole process, for `make bench`'s start-up comparison with `wirestream enrich`:

    python -m deploy.bench.naive FILE

Reads raw stories (JSONL), detects each one's language and checks it for duplicates exactly as the chain
does, runs the full default spaCy pipeline of its language (loaded at the first story that needs it) on
every story that is not a duplicate, and prints one JSON line of entities per story.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import spacy.util

from deploy.bench.offline import Naive
from pipeline.config import PipelineConfig
from pipeline.nlp import backend_of, model_choices, specs_for


def spacy_models(config: PipelineConfig) -> dict[str, str]:
    """Language -> the first installed spaCy package among the chain's choices for it (what a hand-rolled
    spaCy loop can run; languages served only by CoreNLP or natasha get no entities here)."""
    names: dict[str, str] = {}
    for lang in model_choices()["languages"]:
        for spec in specs_for(lang, config.models):
            backend, name = backend_of(spec)
            if backend == "spacy" and spacy.util.is_package(name):
                names[lang] = name
                break
    return names


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m deploy.bench.naive FILE", file=sys.stderr)
        return 2
    config = PipelineConfig()
    naive = Naive(config, spacy_models(config), lazy=True)
    lines = [line for line in Path(args[0]).read_bytes().splitlines() if line.strip()]
    out = sys.stdout
    for entities in naive.run(lines):
        out.write(json.dumps(entities, ensure_ascii=False) + "\n")
    out.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
