"""Quotes stage: direct, partial and indirect quotes with their cue and a resolved speaker.

Rule-based on purpose, over the NER-only output: quote marks, a cue-verb lexicon (per-language
data in `resources/quotes/`), entity spans, pronouns and a light sentence splitter. No parser, so
the stage costs a small share of the entity stage. What cannot be trusted (an unclosed mark that
does not continue, a short quote with no cue: a scare quote or a title) is left out, not guessed.

* direct: a quoted span attributed by a cue next to it ("...," said Smith / Smith said: "...");
  a quote with no cue right after an attributed one inherits its speaker (continuation);
* partial: a quoted fragment inside a sentence whose reporting verb has a subject;
* indirect: the clause a cue reports ("Smith said (that) ...", "according to Smith, ...").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from pipeline.config import QuoteConfig
from pipeline.quotes_indirect import indirect_quotes
from pipeline.quotes_layout import Quoted, layout
from pipeline.quotes_lexicon import QuoteLexicon, load_lexicon
from pipeline.quotes_speaker import Context, CueHit, Mention
from pipeline.records import Cue, Entity, Quote, QuoteKind

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = ["QuoteLexicon", "extract_quotes", "load_lexicon"]

_LEAD_PUNCT = " \t,\u2014\u2013-:"


def extract_quotes(
    text: str,
    entities: Sequence[Entity],
    *,
    lexicon: QuoteLexicon,
    config: QuoteConfig = QuoteConfig(),
    doc: Doc | None = None,
) -> list[Quote]:
    """Quotes of `text` in text order; every offset indexes `text`. `doc` is not needed (kept for
    callers that have it); entities are the entity stage's output for this very text."""
    if not text:
        return []
    ctx = Context(text, layout(text, lexicon.abbreviations), lexicon, entities)
    cues = ctx.cues()
    cue_at = {c.first: c for c in cues}
    used: set[int] = set()  # cues that attribute a direct quote: not reported again as indirect
    quotes: list[Quote] = []
    previous: tuple[Quoted, Quote] | None = None
    for q in ctx.lay.quotes:
        found = _attribute(ctx, q, cues, cue_at, config)
        content = text[q.start : q.end]
        if found is None:
            inherited = _continuation(ctx, q, previous)
            if inherited is not None and len(content.split()) >= 2:
                quote = Quote(content, q.start, q.end, "direct", inherited.speaker, None)
                quotes.append(quote)
                previous = (q, quote)
            elif len(content.split()) >= config.min_direct_words and config.keep_unattributed:
                quotes.append(Quote(content, q.start, q.end, "direct"))
            continue
        kind, mention, cue = found
        if kind == "partial" and _title_like(content, config):
            continue
        if kind == "direct" and cue.kind != "colon":
            used.add(cue.first)
        quote = Quote(content, q.start, q.end, kind, ctx.speaker(mention), _cue(ctx, cue))
        quotes.append(quote)
        previous = (q, quote) if kind == "direct" else previous
    if config.indirect:
        quotes.extend(indirect_quotes(ctx, [c for c in cues if c.first not in used], config))
    quotes.sort(key=lambda qq: (qq.start, qq.end))
    return quotes


def _cue(ctx: Context, c: CueHit) -> Cue:
    if c.kind == "colon":
        return Cue(":", c.at, c.at + 1)
    start, end = ctx.ws(c.first), ctx.we(c.last - 1)
    return Cue(ctx.text[start:end], start, end)


def _title_like(content: str, config: QuoteConfig) -> bool:
    """A short run of capitalised words in quotes is a title or a name, not a quote."""
    words = content.split()
    return len(words) < config.min_direct_words and all(w[:1].isupper() or not w[:1].isalpha() for w in words)


def _attribute(
    ctx: Context, q: Quoted, cues: list[CueHit], cue_at: dict[int, CueHit], config: QuoteConfig
) -> tuple[QuoteKind, Mention, CueHit] | None:
    """("direct" | "partial", speaker mention, cue) for a quoted span, or None."""
    text, lay = ctx.text, ctx.lay
    s_start, s_end = lay.sentence(q.open_at)
    earlier = [p for p in lay.quotes if s_start <= p.close_at <= q.open_at]
    floor = max([s_start] + [p.close_at for p in earlier])
    later = [p.open_at for p in lay.quotes if q.close_at <= p.open_at < s_end]
    tail_end = min([s_end] + later)
    if not q.continued:
        found = _after(ctx, q, cue_at, tail_end)
        if found is not None:
            return "direct", found[0], found[1]
    head = [c for c in cues if floor <= ctx.ws(c.first) and ctx.we(c.last - 1) <= q.open_at]
    if not head and floor == lay.sentence(q.open_at)[0] and text[floor : q.open_at].strip() == "":
        return _lead_in(ctx, q, cues)
    for c in reversed(head):
        mention = _subject(ctx, c, floor)
        if mention is None:
            continue
        lead = ctx.after_cue(c, q.open_at)
        rest = text[lead : q.open_at]
        sentence_final = text[q.close_at : tail_end].strip(" .,!?\u201d\"'") == ""
        if c.kind in ("speech", "object", "participle", "according_to"):
            if rest.strip() == "" and (sentence_final or q.continued):
                return "direct", mention, c
            if rest.rstrip().endswith((",", ":")) and len(rest.split()) <= ctx.lex.max_lead_words:
                return "direct", mention, c
        return "partial", mention, c
    colon = text[floor : q.open_at].rstrip()
    if colon.endswith(":") and ctx.lay.word_index(floor) < len(ctx.low):
        first = ctx.lay.word_index(floor)
        m = ctx.speaker_after(first, floor + len(colon) - 1)
        if m is not None and text[m.end : floor + len(colon) - 1].strip() == "":
            return "direct", m, CueHit(first, first, "colon", floor + len(colon) - 1)
    return None


def _subject(ctx: Context, c: CueHit, floor: int) -> Mention | None:
    if c.kind == "according_to":
        return ctx.speaker_after(c.last, len(ctx.text))
    if c.kind == "participle" or (c.first > 0 and ctx.low[c.first - 1] in ("and", "but")):
        return ctx.subject_before(c.first, floor) or ctx.sentence_subject(floor, c.first)
    return ctx.subject_before(c.first, floor) or ctx.speaker_after(c.last, len(ctx.text))


def _after(
    ctx: Context, q: Quoted, cue_at: dict[int, CueHit], tail_end: int
) -> tuple[Mention, CueHit] | None:
    """Attribution right after the closing mark: ', said Smith' or ', Smith said'."""
    text = ctx.text
    tail = text[q.close_at : tail_end]
    stripped = tail.lstrip(_LEAD_PUNCT)
    if not stripped or tail[:1] not in _LEAD_PUNCT and tail[:1] != "":
        return None
    ends_open = text[q.end - 1 : q.end] in ",?!-\u2014\u2013" or text[q.end : q.close_at].startswith(",")
    first = ctx.lay.word_index(q.close_at)
    for i in range(first, min(first + ctx.lex.max_lead_words, len(ctx.low))):
        if ctx.ws(i) >= tail_end:
            break
        c = cue_at.get(i)
        if c is None or c.kind in ("belief", "partial"):
            continue
        if i == first:
            m = ctx.glued_pronoun(c) or ctx.speaker_after(c.last, tail_end)
        else:
            m = ctx.subject_before(i, q.close_at)
            if m is not None and len(text[q.close_at : m.start].split()) > 2:
                m = None
        if m is not None and (ends_open or stripped[:1].islower()):
            return m, c
        return None
    return None


def _lead_in(ctx: Context, q: Quoted, cues: list[CueHit]) -> tuple[QuoteKind, Mention, CueHit] | None:
    """A quote opening a paragraph after a lead-in ending with a colon ("Dr. Ward stated:")."""
    text = ctx.text
    para = text.rfind("\n", 0, q.open_at)
    if para <= 0 or text[:para].rstrip()[-1:] != ":":
        return None
    end = len(text[:para].rstrip()) - 1
    s_start, _ = ctx.lay.sentence(end)
    for c in reversed([c for c in cues if s_start <= ctx.ws(c.first) and ctx.we(c.last - 1) <= end]):
        m = _subject(ctx, c, s_start)
        if m is not None:
            return "direct", m, c
    return None


def _continuation(ctx: Context, q: Quoted, previous: tuple[Quoted, Quote] | None) -> Quote | None:
    """The previous direct quote when this one carries on from it with no cue in between."""
    if previous is None or previous[1].speaker is None:
        return None
    prev_q, prev = previous
    between = ctx.text[prev_q.close_at : q.open_at]
    if prev_q.continued:
        return prev if between.strip() == "" else None
    s_start, _ = ctx.lay.sentence(q.open_at)
    if ctx.text[s_start : q.open_at].strip():
        return None  # the quote does not start its sentence
    if between.count("\n") > 2 or len(between) > 160:
        return None
    cue = prev.cue
    if between.strip(" \n,.;:") and not (cue is not None and prev_q.close_at <= cue.start < q.open_at):
        return None
    return prev
