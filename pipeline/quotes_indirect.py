"""Indirect speech for the quotes stage: the clause a cue reports, with the cue's subject as speaker.

Shapes, all within one sentence (outside quotes):
  Smith said (that) CLAUSE.          CLAUSE, Smith said.        CLAUSE, said Smith.
  The plan, Smith said, will fail.   According to Smith, CLAUSE. CLAUSE, according to Smith.
  Smith left, saying CLAUSE.         Smith told reporters CLAUSE.
"""

from __future__ import annotations

from pipeline.config import QuoteConfig
from pipeline.quotes_speaker import Context, CueHit, Mention
from pipeline.records import Cue, Quote

_TRIM = " \t\n,.;:\u2014\u2013-"


def indirect_quotes(ctx: Context, cues: list[CueHit], config: QuoteConfig) -> list[Quote]:
    """Indirect quotes for cues not already attributing a direct quote."""
    out: list[Quote] = []
    for c in cues:
        if c.kind == "colon":
            continue
        found = _reported(ctx, c)
        if found is None:
            continue
        mention, start, end = found
        start, end = _trim(ctx.text, start, end)
        content = ctx.text[start:end]
        if len(content.split()) < max(config.min_indirect_words, ctx.lex.min_clause_words):
            continue
        q = ctx.lay.quote_at(start)
        if q is not None and q.open_at == start - 1 and q.close_at >= end:
            continue  # the clause is one quote: a direct quote, handled (or refused) as such
        cs, ce = ctx.ws(c.first), ctx.we(c.last - 1)
        out.append(Quote(content, start, end, "indirect", ctx.speaker(mention), Cue(ctx.text[cs:ce], cs, ce)))
    return out


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in _TRIM:
        start += 1
    while end > start and text[end - 1] in _TRIM:
        end -= 1
    return start, end


def _floor(ctx: Context, s_start: int, at: int) -> int:
    """Where the clause holding `at` starts: the sentence start, or after a quote or a semicolon."""
    floor = s_start
    for q in ctx.lay.quotes:
        if s_start <= q.close_at <= at:
            floor = max(floor, q.close_at)
    semi = ctx.text.rfind(";", s_start, at)
    return max(floor, semi + 1)


def _reported(ctx: Context, c: CueHit) -> tuple[Mention, int, int] | None:
    """(speaker mention, content start, content end) for one cue, or None."""
    text, lex = ctx.text, ctx.lex
    cs, ce = ctx.ws(c.first), ctx.we(c.last - 1)
    s_start, s_end = ctx.lay.sentence(cs)
    floor = _floor(ctx, s_start, cs)
    semi = text.find(";", ce, s_end)
    clause_end = s_end if semi < 0 else semi
    if c.kind == "according_to":
        m = ctx.speaker_after(c.last, clause_end)
        if m is None:
            return None
        if len(text[floor:cs].split()) <= 1:
            comma = text.find(",", m.end, clause_end)
            return (m, comma + 1, clause_end) if comma >= 0 else None
        return m, floor, cs
    if c.kind == "participle" or (c.first > 0 and ctx.low[c.first - 1] in ("and", "but")):
        m = ctx.clause_subject(c, floor)
    else:
        m = ctx.subject_before(c.first, floor)
    after = ctx.after_cue(c, clause_end)
    rest = text[after:clause_end]
    if m is None:
        if c.kind not in ("speech", "object") or not text[floor:cs].rstrip().endswith(","):
            return None
        inverted = ctx.glued_pronoun(c) or ctx.speaker_after(c.last, clause_end)  # "CLAUSE, said Smith."
        if inverted is None or text[inverted.end : clause_end].strip(_TRIM):
            return None
        return inverted, floor, cs
    if c.kind in ("belief", "partial") and (m.kind == "descriptor" and c.kind == "partial"):
        return None
    if rest.strip(_TRIM) == "" or (rest.lstrip().startswith(",") and _short_tail(rest)):
        lead = text[floor : m.start].rstrip()
        if not lead.endswith(","):
            return None
        return m, floor, floor + len(lead)
    if rest.lstrip().startswith(","):
        if text[floor : m.start].rstrip().endswith(","):
            return m, floor, clause_end  # "The plan, Smith said, will fail."
        return m, after, clause_end
    if c.kind == "belief":
        first = rest.split(None, 1)[0].strip('"\u201c') if rest.split() else ""
        if first.lower() not in lex.clause_openers and not first[:1].isupper():
            return None
    return m, after, clause_end


def _short_tail(rest: str) -> bool:
    """What follows a postposed cue is only a short phrase (", adding nothing.")."""
    return len(rest.split()) <= 3
