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

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline.config import QuoteConfig
from pipeline.quotes_indirect import indirect_quotes
from pipeline.quotes_layout import Quoted, layout
from pipeline.quotes_lexicon import QuoteLexicon, load_lexicon
from pipeline.quotes_speaker import PERSON_LABELS, Context, CueHit, Mention
from pipeline.records import Cue, Entity, Quote, QuoteKind, Speaker

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = ["QuoteLexicon", "extract_quotes", "load_lexicon"]

_LEAD_PUNCT = " \t\u00a0,\u2014\u2013-:'\u2019"
_INTRO = re.compile(r".*(?:[:;]|\s[-\u2014\u2013]{1,2})\s+", re.S)
_SIGNED = re.compile(r"[ \t\u00a0]*(?:\n\s*)?(?P<dash>[\u2015\u2014\u2013]|--?)[ \t\u00a0]*")
_OPENERS = ('"', "\u201c", "\u00ab", "'", "\u2018", "\u201e", "`")
_END_PUNCT = " .,;!?\u201d\u2019\"'\u00bb)"
_OPEN_END = ",?!-\u2014\u2013\u2026"  # a quote ending so is attributed right after it


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
    found = [(q, _attribute(ctx, q, cues, cue_at)) for q in ctx.lay.quotes]
    # cues attributing a direct quote (or carrying a partial one) are not reported again as indirect
    used = {f.cue.first for _, f in found if f is not None and (f.kind == "direct" or f.carrier)}
    indirect = (
        indirect_quotes(ctx, [c for c in cues if c.first not in used], config) if config.indirect else []
    )
    quotes: list[Quote] = list(indirect)
    previous: tuple[Quoted, Quote] | None = None
    for q, f in found:
        content = text[q.start : q.end]
        if f is None:
            inherited = _continuation(ctx, q, previous, config)
            if inherited is not None and len(content.split()) >= 2:
                quote = Quote(content, q.start, q.end, "direct", inherited.speaker, None)
                quotes.append(quote)
                previous = (q, quote)
            elif len(content.split()) >= config.min_direct_words and config.keep_unattributed:
                quotes.append(Quote(content, q.start, q.end, "direct"))
            continue
        if _title_like(content, config) and f.kind == "direct" and f.cue.kind not in ("colon",):
            if ctx.text[q.close_at : q.close_at + 1] != "," and not _ends_open(ctx, q):
                continue  # 'He read "The Salt Road" twice': a title after a verb, not a quote
        speaker: Speaker | None = ctx.speaker(f.mention)
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
    quotes.sort(key=lambda qq: (qq.start, qq.end))
    return quotes


def _carrier(q: Quoted, c: CueHit, ctx: Context, indirect: list[Quote]) -> Quote | None:
    """The indirect quote whose reported clause holds a partial quote: its own cue's, else the
    nearest one before it (the partial is part of what that verb reports)."""
    holding = [i for i in indirect if i.start <= q.start and q.end <= i.end and i.cue is not None]
    same = [i for i in holding if i.cue is not None and i.cue.start == ctx.ws(c.first)]
    if same:
        return same[0]
    return max(holding, key=lambda i: i.cue.start if i.cue else -1, default=None)


def _cue(ctx: Context, c: CueHit) -> Cue:
    if c.kind == "colon":  # a colon or a dash standing for the verb
        return Cue(ctx.text[c.at], c.at, c.at + 1)
    start, end = ctx.ws(c.first), ctx.we(c.last - 1)
    return Cue(ctx.text[start:end], start, end)


def _title_like(content: str, config: QuoteConfig) -> bool:
    """A short run of capitalised words in quotes is a title or a name, not a quote ("No." is one)."""
    words = content.split()
    if content.rstrip()[-1:] in ".!?" and len(words) < 3:
        return False
    return len(words) < config.min_direct_words and all(w[:1].isupper() or not w[:1].isalpha() for w in words)


@dataclass(frozen=True, slots=True)
class _Found:
    kind: QuoteKind
    mention: Mention
    cue: CueHit
    carrier: tuple[int, int] | None = None  # the reported clause holding a partial quote, when known


def _attribute(ctx: Context, q: Quoted, cues: list[CueHit], cue_at: dict[int, CueHit]) -> _Found | None:
    """How a quoted span is attributed (kind, speaker mention, cue), or None."""
    text, lay = ctx.text, ctx.lay
    s_start, s_end = lay.sentence(q.open_at)
    floor = max([s_start] + [p.close_at for p in lay.quotes if s_start <= p.close_at <= q.open_at])
    intro = _INTRO.search(text, floor, q.open_at)  # "For example: ...", "... denies - ..."
    clause = intro.end() if intro else floor
    if (
        not text[q.close_at : s_end].strip(_END_PUNCT)
        and "\n" not in text[q.close_at : s_end + 1]
        and _ends_open(ctx, q)
    ):
        s_end = lay.sentence(q.close_at + 1)[1]  # '"Can we win?" Mr. Manafort asked.': one sentence
    tail_end = min([s_end] + [p.open_at for p in lay.quotes if q.close_at <= p.open_at < s_end])
    lead_words = _words_between(ctx, floor, q.open_at)
    dash = _dash(ctx, q) or _between(ctx, q, cues, floor, s_start)
    if dash is not None:
        return dash
    if not q.continued:
        after = _after(ctx, q, cue_at, tail_end) or _trailing(ctx, q, cue_at, clause, s_end)
        leads = _words_between(ctx, clause, q.open_at) > 0
        if after is not None and leads and _points_forward(ctx, after[1]):
            after = None  # 'After X said "a," Trump said: "b"': that cue introduces the next quote
        if after is not None:
            if leads and clause == s_start:
                return _Found(
                    "partial", after[0], after[1], (floor, q.close_at)
                )  # "Golf is ''a ...,'' he said."
            return _Found("direct", after[0], after[1])
    head = [c for c in cues if floor <= ctx.ws(c.first) and ctx.we(c.last - 1) <= q.open_at]
    if not head and not lead_words and floor == s_start:
        return _lead_in(ctx, q, cues)
    for c in reversed(head):
        mention = _subject(ctx, c, floor)
        if mention is None:
            continue
        rest = text[ctx.after_cue(c, q.open_at) : q.open_at]
        if c.kind in ("speech", "object", "participle", "according_to"):
            if rest.strip() == "":  # 'Smith said "...", or Smith says "..." between two cities'
                return _Found("direct", mention, c)
            opener = rest.split(None, 1)[0].lower() if rest.split() else ""
            addressee = c.kind in ("object", "participle") and len(rest.split()) <= 5  # "told his aides,"
            if (
                rest.rstrip().endswith((",", ":"))
                and len(rest.split()) <= ctx.lex.max_lead_words
                and (opener not in ctx.lex.clause_openers or addressee)
            ):  # 'Smith said last week in Tel Aviv, "..."'
                return _Found("direct", mention, c)
        sentence_final = text[q.close_at : tail_end].strip(_END_PUNCT) == ""
        if rest.rstrip().endswith(":") and sentence_final:  # "... recites the line: '...'"
            return _Found("direct", mention, c)
        return _Found("partial", mention, c)
    colon = text[floor : q.open_at].rstrip()
    if colon.endswith(":") and lead_words:
        at = floor + len(colon) - 1
        m = ctx.colon_speaker(floor, at)
        if m is None and floor == s_start:  # "She then turned to the crowd: ..."
            m = ctx.sentence_subject(s_start, ctx.lay.word_index(at))
        if m is not None:
            first = ctx.lay.word_index(m.start)
            return _Found("direct", m, CueHit(first, first, "colon", at))
    return None


def _between(ctx: Context, q: Quoted, cues: list[CueHit], floor: int, s_start: int) -> _Found | None:
    """'"A," Trump said, "B."': B takes the attribution between the two quotes."""
    if floor == s_start:
        return None
    head = [c for c in cues if floor <= ctx.ws(c.first) and ctx.we(c.last - 1) <= q.open_at]
    if len(head) != 1 or head[0].kind not in ("speech", "object"):
        return None
    c = head[0]
    if ctx.text[ctx.after_cue(c, q.open_at) : q.open_at].strip(" ,:"):
        return None
    if ctx.text[floor : ctx.ws(c.first)].strip(" ,\u2014\u2013-"):
        m = ctx.subject_before(c.first, floor)
    else:  # '"A," said Smith, "B."'
        m = ctx.glued_pronoun(c) or ctx.speaker_after(c.last, q.open_at)
    return _Found("direct", m, c) if m is not None else None


def _dash(ctx: Context, q: Quoted) -> _Found | None:
    """'"..." \u2015 Sonya Herridge': a quote signed by a dash and a name, on its line or the next."""
    m = _SIGNED.match(ctx.text, q.close_at)
    if m is None:
        return None
    line_end = ctx.text.find("\n", m.end())
    line_end = len(ctx.text) if line_end < 0 else line_end
    first = ctx.lay.word_index(m.end())
    if first >= len(ctx.low) or ctx.ws(first) != m.end():
        return None
    speaker = ctx.speaker_after(first, line_end)
    if speaker is None or speaker.kind == "pronoun":
        return None
    rest = ctx.text[speaker.end : line_end].strip(" .")
    if rest and not rest.startswith(","):
        return None  # "... - and then he left": a dash inside a sentence, not a signature
    return _Found("direct", speaker, CueHit(first, first, "colon", m.end("dash") - 1))


def _points_forward(ctx: Context, c: CueHit) -> bool:
    """The cue is followed by a comma or colon and an opening quote mark: it attributes that quote."""
    after = ctx.text[ctx.after_cue(c, len(ctx.text)) :].lstrip(" ,:")
    return ctx.text[ctx.after_cue(c, len(ctx.text)) :].lstrip()[:1] in (",", ":") and after[:1] in _OPENERS


def _words_between(ctx: Context, start: int, end: int) -> int:
    return ctx.lay.word_index(end) - ctx.lay.word_index(start)


def _subject(ctx: Context, c: CueHit, floor: int) -> Mention | None:
    """The speaker of a cue before a quote: its subject, or after it when the cue opens the clause."""
    if c.kind == "according_to":
        return ctx.speaker_after(c.last, len(ctx.text))
    if c.kind == "participle" and ctx.comma[c.first - 1]:
        m = _previous_speaker(ctx, c, floor)  # "..., Spicer said, adding, ..."
        if m is not None:
            return m
    if c.kind == "participle" or (c.first > 0 and ctx.low[c.first - 1] in ("and", "but", "to")):
        return ctx.clause_subject(c, floor)
    m = ctx.subject_before(c.first, floor, relative=True)
    if m is None and _words_between(ctx, floor, ctx.ws(c.first)) == 0 and c.kind in ("speech", "object"):
        m = ctx.speaker_after(c.last, len(ctx.text))  # "Continued Stone: ..."
        if m is not None and ctx.text[m.end : m.end + 2].strip()[:1] not in (":", ","):
            return None  # "Asked which county ..., he said": not an inverted speaker
    return m


def _previous_speaker(ctx: Context, c: CueHit, floor: int) -> Mention | None:
    """The subject of the reporting verb just before a participle in the same sentence."""
    s_start = ctx.lay.sentence(ctx.ws(c.first))[0]
    for k in range(c.first - 2, max(ctx.lay.word_index(s_start) - 1, c.first - 8), -1):
        w = ctx.low[k]
        hit = w in ctx.lex.cues and w not in ctx.lex.ambiguous and ctx._cue_like(k)
        if hit and any(kind == "speech" for ws, kind in ctx.lex.cues[w] if len(ws) == 1):
            m = ctx.subject_before(k, s_start)
            return m if m is not None and m.kind != "descriptor" else None
    return None


def _after(
    ctx: Context, q: Quoted, cue_at: dict[int, CueHit], tail_end: int
) -> tuple[Mention, CueHit] | None:
    """Attribution right after the closing mark: ', said Smith', ', Smith said', ', she mocked'."""
    text = ctx.text
    tail = text[q.close_at : tail_end]
    stripped = tail.lstrip(_LEAD_PUNCT)
    if not stripped or (tail[:1] not in _LEAD_PUNCT and tail[:1] != ""):
        return None
    inner = text[q.start : q.close_at].rstrip(" \"'\u201d\u2019\u00bb")
    ends_open = _ends_open(ctx, q)
    first = ctx.lay.word_index(q.close_at)
    last = first
    while last < len(ctx.low) and ctx.ws(last) < tail_end:
        last += 1
    for i in range(first, min(first + 2 * ctx.lex.max_lead_words, last)):
        c = cue_at.get(i)
        if c is None or (c.kind in ("belief", "partial") and not ends_open):
            continue
        if i == first:
            m = ctx.glued_pronoun(c)
            if m is None and ctx.low[c.first] in ctx.lex.inverting:
                m = ctx.speaker_after(c.last, tail_end)
        else:
            m = ctx.subject_before(i, q.close_at)
            if m is not None and not _leads(ctx, q.close_at, m.start):
                return None
        if m is None:
            continue
        weak = c.kind in ("belief", "partial") or (
            c.last - c.first == 1 and ctx.low[c.first] in ctx.lex.ambiguous
        )
        if weak and m.kind == "descriptor" and not ends_open:
            return None  # "his victories in various states": a noun, not a verb
        short = _words_between(ctx, ctx.we(c.last - 1), tail_end) <= 6
        named_first = (  # '"..., too" Sweeny said': a missing comma
            i > first
            and _words_between(ctx, m.end, ctx.ws(i)) == 0
            and c.kind == "speech"
            and inner[-1:] not in ".!?"
        )
        if ends_open or stripped[:1].islower() or (inner[-1:] in ".\u2026" and short) or named_first:
            return m, c
        return None
    if ends_open and 0 < last - first <= ctx.lex.max_lead_words:
        return _unknown_verb(ctx, q, first, last, tail_end)
    return None


def _trailing(
    ctx: Context, q: Quoted, cue_at: dict[int, CueHit], clause: int, s_end: int
) -> tuple[Mention, CueHit] | None:
    """'"I held and hugged" the families, he said.': a quote opening its sentence, attributed by a
    short ", Smith said." at the sentence's end."""
    if _words_between(ctx, clause, q.open_at) or q.close_at >= s_end:
        return None
    comma = ctx.text.find(",", q.close_at, s_end)
    while comma >= 0:
        first = ctx.lay.word_index(comma)
        if ctx.lay.quote_at(comma) is None:
            for i in range(first, min(first + 4, len(ctx.low))):
                c = cue_at.get(i)
                if c is not None and c.kind in ("speech", "object"):
                    m = ctx.subject_before(i, comma + 1) if i > first else ctx.speaker_after(c.last, s_end)
                    return (m, c) if m is not None else None
        comma = ctx.text.find(",", comma + 1, s_end)
    return None


def _unknown_verb(
    ctx: Context, q: Quoted, first: int, last: int, tail_end: int
) -> tuple[Mention, CueHit] | None:
    """'"...," an angry Hollande retaliated.' or '"...," retorted Smith.': after a quote that ends
    open, a short clause of a name and one lower-case verb is its attribution, known verb or not."""
    low, lex = ctx.low, ctx.lex
    if _plain_word(ctx, first):
        ent = ctx.ent_of[first + 1] if first + 1 < last else None
        if ent is not None and ent.label in PERSON_LABELS and ent.start == ctx.ws(first + 1):
            return Mention(ent.start, ent.end, "entity", ent), CueHit(first, first + 1, "speech")
    for j in range(first + 1, min(last, first + 7)):
        if not _plain_word(ctx, j):
            continue
        m = ctx.subject_before(j, q.close_at)
        if m is None or m.kind == "descriptor" and low[ctx.lay.word_index(m.start)] not in lex.determiners:
            return None
        if _words_between(ctx, q.close_at, m.start) > 0 and not _leads(ctx, q.close_at, m.start):
            return None
        return m, CueHit(j, j + 1, "speech")
    return None


def _plain_word(ctx: Context, i: int) -> bool:
    """A lower-case word that can be a verb: not a function word, not part of a name."""
    w = ctx.low[i]
    return (
        ctx.text[ctx.ws(i)].islower()
        and ctx.ent_of[i] is None
        and len(w) > 2
        and w not in ctx.lex.barriers
        and w not in ctx.lex.determiners
        and w not in ctx.lex.np_inner
        and w not in ctx.lex.subject_pronouns
    )


def _leads(ctx: Context, start: int, end: int) -> bool:
    """Only a short title or descriptor comes between a quote and its speaker's name
    ("..., Malaysian Defence Minister Hishammuddin Hussein said")."""
    first, last = ctx.lay.word_index(start), ctx.lay.word_index(end)
    if last - first > 6:
        return False
    return not any(ctx.stop[k] or ctx.low[k] in ctx.lex.barriers for k in range(first, last))


def _ends_open(ctx: Context, q: Quoted) -> bool:
    """The quote ends with a comma, a question mark, a dash...: an attribution follows."""
    inner = ctx.text[q.start : q.close_at].rstrip(" \"'\u201d\u2019\u00bb")
    return inner[-1:] in _OPEN_END


def _lead_in(ctx: Context, q: Quoted, cues: list[CueHit]) -> _Found | None:
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
            return _Found("direct", m, c)
    return None


def _continuation(
    ctx: Context, q: Quoted, previous: tuple[Quoted, Quote] | None, config: QuoteConfig
) -> Quote | None:
    """The previous direct quote when this one carries on from it with no cue in between."""
    if previous is None or previous[1].speaker is None:
        return None
    prev_q, prev = previous
    between = ctx.text[prev_q.close_at : q.open_at]
    if prev_q.continued:
        return prev if between.strip() == "" else None
    s_start, s_end = ctx.lay.sentence(q.open_at)
    if ctx.text[s_start : q.open_at].strip():
        return None  # the quote does not start its sentence
    tail = ctx.text[q.close_at : s_end]
    inner = ctx.text[q.start : q.close_at].rstrip(" \"'\u201d\u2019\u00bb")
    open_end = inner[-1:] == "," or tail.lstrip()[:1] in (",", "\u2014")
    if open_end and 0 < _words_between(ctx, q.close_at, s_end) <= 8:
        return None  # "..., an angry Hollande retaliated.": attributed, by a cue we do not know
    if ("\n" in between and not (config.continue_across_paragraphs or q.continued)) or len(between) > 160:
        return None
    cue = prev.cue
    if between.strip(" \n,.;:") and not (cue is not None and prev_q.close_at <= cue.start < q.open_at):
        return None
    return prev
