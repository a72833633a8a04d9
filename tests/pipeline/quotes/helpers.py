"""Shared helpers of the quotes stage tests: hand-built entities and a runner that checks every offset."""

from __future__ import annotations

import re

from pipeline.config import QuoteConfig
from pipeline.quotes import QuoteLexicon, extract_quotes, load_quote_lexicon
from pipeline.quotes.layout import MARKS
from pipeline.records import Entity, Quote

EN = load_quote_lexicon("en")
EDGE_MARKS = '"\u201c\u201d\u201e\u00ab\u00bb'
FR = load_quote_lexicon("fr")


def ents(text: str, *names: tuple[str, str, str]) -> list[Entity]:
    """Every occurrence of each (surface, label, canonical), as the entity stage would give them."""
    out = []
    for surface, label, canonical in names:
        for m in re.finditer(rf"(?<!\w){re.escape(surface)}(?!\w)", text):
            out.append(Entity(surface, label, m.start(), m.end(), canonical))
    return sorted(out, key=lambda e: e.start)


def person(surface: str, canonical: str | None = None) -> tuple[str, str, str]:
    return surface, "PERSON", canonical or surface


def run(
    text: str, *names: tuple[str, str, str], lex: QuoteLexicon | None = EN, **config: object
) -> list[Quote]:
    assert lex is not None
    found = extract_quotes(text, ents(text, *names), lexicon=lex, config=QuoteConfig(**config))  # type: ignore[arg-type]
    for q in found:  # every offset indexes the text
        assert text[q.start : q.end] == q.text
        if q.speaker is not None:
            assert text[q.speaker.start : q.speaker.end] == q.speaker.text
        if q.cue is not None:
            assert text[q.cue.start : q.cue.end] == q.cue.text
        if q.kind == "direct":  # the contract: content without its marks
            assert _nested_at_edge(text, q) or (
                q.text[:1] not in EDGE_MARKS and q.text[-1:] not in EDGE_MARKS
            ), q
        elif len(MARKS.findall(q.text)) % 2:  # a reported clause may hold a partial quote, but
            stray_edge = MARKS.match(q.text) or re.search(f"(?:{MARKS.pattern})$", q.text)
            assert not stray_edge, q  # never opens or ends on a stray mark
    return found


def _nested_at_edge(text: str, q: Quote) -> bool:
    """Inside guillemets or „…“ a quote may open or end with a nested one («„Нет“ — это не ответ»):
    those marks are content, paired inside it, and of another glyph than the outer opener."""
    outer = text[: q.start].rstrip()[-1:]
    inner = {q.text[:1], q.text[-1:]} & set(EDGE_MARKS)
    return outer in "\u00ab\u00bb\u201e\u300c" and outer not in inner and len(MARKS.findall(q.text)) % 2 == 0


def direct(found: list[Quote]) -> list[Quote]:
    return [q for q in found if q.kind == "direct"]


def only(found: list[Quote], kind: str) -> Quote:
    [q] = [q for q in found if q.kind == kind]
    return q
