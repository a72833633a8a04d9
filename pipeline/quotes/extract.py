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

from pipeline.config import QuoteConfig
from pipeline.quotes.context import Context, CueHit
from pipeline.quotes.direct import Attribution, attribute, continuation, ends_open
from pipeline.quotes.indirect import indirect_quotes
from pipeline.quotes.labels import labelled_lines
from pipeline.quotes.layout import MARKS, Quoted, layout
from pipeline.quotes.lexicon import QuoteLexicon, load_quote_lexicon
from pipeline.quotes.nominal import nominal_quotes
from pipeline.quotes.resolve import speaker_of
from pipeline.records import Cue, Entity, Quote, Speaker

__all__ = ["QuoteLexicon", "extract_quotes", "load_quote_lexicon"]


def extract_quotes(
    text: str,
    entities: Sequence[Entity],
    *,
    lexicon: QuoteLexicon,
    config: QuoteConfig = QuoteConfig(),
) -> list[Quote]:
    """Quotes of `text` in text order; every offset indexes `text`; entities are the entity stage's
    output for this very text (no parse is needed: the stage reads words, marks and entity spans)."""
    if not text:
        return []
    ctx = Context(text, layout(text, lexicon.abbreviations, dialogue=lexicon.dialogue), lexicon, entities)
    cues = ctx.cues()
    speaking = [c for c in cues if c.kind != "unsourced"]  # "seems", "reportedly": nobody said it
    cue_at = {c.first: c for c in speaking}
    found = [(q, attribute(ctx, q, speaking, cue_at)) for q in ctx.layout.quotes]
    found = [(q, f) for q, f in found if not _title_after_verb(ctx, q, f, config)]
    # cues attributing a direct quote (or carrying a partial one) are not reported again as indirect
    used = {f.cue.first for _, f in found if f is not None and (f.kind == "direct" or f.carrier)}
    indirect = (
        indirect_quotes(ctx, [c for c in cues if c.first not in used], config) if config.indirect else []
    )
    if config.indirect:
        indirect += labelled_lines(ctx, config.min_indirect_words)
        indirect += nominal_quotes(ctx, [(q.start, q.end) for q in indirect])
    quotes: list[Quote] = list(indirect)
    previous: tuple[Quoted, Quote] | None = None
    for q, f in found:
        content = text[q.start : q.end]
        if f is None:
            inherited = continuation(ctx, q, previous, config)
            if inherited is not None and len(content.split()) >= 2:
                quote = Quote(content, q.start, q.end, "direct", inherited.speaker, None)
                quotes.append(quote)
                previous = (q, quote)
            elif len(content.split()) >= config.min_direct_words and config.keep_unattributed:
                quotes.append(Quote(content, q.start, q.end, "direct"))
            continue
        speaker: Speaker | None = speaker_of(ctx, f.mention)
        if f.mention.kind == "dropped" and previous is not None and previous[1].speaker is not None:
            said = ctx.layout.sentence(previous[1].end)
            if said[0] <= f.mention.start < said[1]:  # '«A», dijo Herrera junto a Ruiz. «B», añadió.'
                speaker = previous[1].speaker  # the person named last only stood by: Herrera goes on
        cue: Cue | None = _cue(ctx, f.cue)
        if f.kind == "partial":
            if _title_like(content, config):
                continue
            if f.carrier is not None:
                start, end = f.carrier
                quotes.append(Quote(text[start:end], start, end, "indirect", speaker, cue))
            else:
                carrier = _carrier(q, f.cue, ctx, indirect)
                if carrier is None and config.partial_needs_clause:
                    continue
                if carrier is not None:
                    speaker, cue = carrier.speaker, carrier.cue
        quote = Quote(content, q.start, q.end, f.kind, speaker, cue)
        quotes.append(quote)
        previous = (q, quote)
    return _unmarked(text, quotes)


_SPACE = " \t\n\u00a0"


def _unmarked(text: str, quotes: list[Quote]) -> list[Quote]:
    """No stray mark at the edges of a reported clause (an unbalanced mark can open one: it goes), no
    reported clause that is only a direct quote already reported, marks and all, and no content without
    a word in it; in text order."""
    direct = {(q.start, q.end) for q in quotes if q.kind == "direct"}
    out: list[Quote] = []
    for q in quotes:
        start, end = q.start, q.end
        marks = list(MARKS.finditer(text, start, end))
        if q.kind != "direct" and len(marks) % 2:
            if marks[0].start() == start:
                start = marks[0].end()
            elif marks[-1].end() == end:
                end = marks[-1].start()
            while start < end and text[start] in _SPACE:
                start += 1
            while end > start and text[end - 1] in _SPACE:
                end -= 1
        inner = (start + 1, end - 1)
        if not any(ch.isalnum() for ch in text[start:end]):  # marks and punctuation only: nothing said
            continue
        if q.kind == "direct" and _stray_edge(text, start, end):
            continue  # a mark left at an edge by marks that do not pair: not trusted
        if q.kind != "direct" and ((start, end) in direct or inner in direct):
            continue
        if (start, end) != (q.start, q.end):
            q = Quote(text[start:end], start, end, q.kind, q.speaker, q.cue)
        out.append(q)
    out.sort(key=lambda qq: (qq.start, qq.end))
    return out


_EDGE_MARKS = '"\u201c\u201d\u201e\u00ab\u00bb'
_NESTING = "\u00ab\u00bb\u201e\u300c"  # openers whose quotes may open or end with a nested one


def _stray_edge(text: str, start: int, end: int) -> bool:
    """Does direct content open or end with a quote mark that is not a nested quote's («„Нет“ — это
    не ответ»: inside guillemets or „…“, marks of another glyph, paired inside)?"""
    edges = {text[start : start + 1], text[end - 1 : end]} & set(_EDGE_MARKS)
    if not edges:
        return False
    outer = text[:start].rstrip()[-1:]
    paired = len(MARKS.findall(text, start, end)) % 2 == 0
    return not (outer and outer in _NESTING and outer not in edges and paired)


def _title_after_verb(ctx: Context, q: Quoted, f: Attribution | None, config: QuoteConfig) -> bool:
    """'He read "The Salt Road" twice': a title after a verb, not a quote (its verb may still
    report a clause: 'told "Morning Show" that ...')."""
    if f is None or f.kind != "direct" or f.cue.kind == "colon":
        return False
    if not _title_like(ctx.text[q.start : q.end], config):
        return False
    return ctx.text[q.close_at : q.close_at + 1] != "," and not ends_open(ctx, q)


def _carrier(q: Quoted, c: CueHit, ctx: Context, indirect: list[Quote]) -> Quote | None:
    """The indirect quote whose reported clause holds a partial quote: its own cue's, else the
    nearest one before it (the partial is part of what that verb reports)."""
    holding = [i for i in indirect if i.start <= q.start and q.end <= i.end and i.cue is not None]
    same = [i for i in holding if i.cue is not None and i.cue.start == ctx.word_start(c.first)]
    if same:
        return same[0]
    return max(holding, key=lambda i: i.cue.start if i.cue else -1, default=None)


def _cue(ctx: Context, c: CueHit) -> Cue:
    if c.kind == "colon":  # a colon or a dash standing for the verb
        return Cue(ctx.text[c.at], c.at, c.at + 1)
    start, end = ctx.word_start(c.first), ctx.word_end(c.last - 1)
    return Cue(ctx.text[start:end], start, end)


def _title_like(content: str, config: QuoteConfig) -> bool:
    """A short run of capitalised words in quotes is a title or a name, not a quote ("No." is one)."""
    words = content.split()
    if content.rstrip()[-1:] in ".!?" and len(words) < 3:
        return False
    return len(words) < config.min_direct_words and all(w[:1].isupper() or not w[:1].isalpha() for w in words)
