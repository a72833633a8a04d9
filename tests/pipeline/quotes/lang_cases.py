"""Shared runner of the per-language quote tests: one case = text, its people, the expected quote."""

from __future__ import annotations

from pipeline.quotes import load_quote_lexicon
from tests.pipeline.quotes.helpers import run


def check(lang: str, text: str, people: list[tuple[str, str]], content: str, speaker: str, kind: str) -> None:
    """`content` is found with `kind`, attributed to the person whose canonical name is `speaker`."""
    lexicon = load_quote_lexicon(lang)
    assert lexicon is not None
    found = run(text, *[(surface, "PER", canonical) for surface, canonical in people], lex=lexicon)
    hits = [q for q in found if q.text == content]
    assert hits, [(q.text, q.kind) for q in found]
    q = hits[0]
    assert q.kind == kind, q
    assert q.speaker is not None and q.speaker.canonical == speaker, q
