"""Direct and partial quotes for the quotes stage: how a quoted span is attributed.

In order: a signature ('"..." - Name'), an attribution between two quotes of one sentence, one
right after the closing mark (', said Smith', ', Smith said', '"...?" Smith asked.'), one at the
end of the sentence (', he said.'), one before the opening mark ('Smith said: "..."', 'According
to Smith, "..."'), a colon ('Smith: "..."'), a lead-in paragraph ending with a colon. A quoted
fragment inside a sentence whose verb has a subject is partial; a cue-less quote right after an
attributed one continues it.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from pipeline.config import QuoteConfig
from pipeline.quotes.context import PERSON_LABELS, Context, CueHit, Mention
from pipeline.quotes.layout import CLOSING_MARKS, Quoted
from pipeline.quotes.lexicon import WEAK_KINDS
from pipeline.quotes.speaker import (
    after_cue,
    clause_subject,
    colon_speaker,
    dropped_subject,
    glued_pronoun,
    sentence_subject,
    speaker_after,
    subject_before,
    subject_following,
)
from pipeline.records import Quote, QuoteKind

_LEAD_PUNCT = " \t\u00a0,\u2014\u2013-:'\u2019"
_INTRO = re.compile(r".*(?:[:;]|\s[-\u2014\u2013]{1,2})\s+", re.S)
_SIGNED = re.compile(r"[ \t\u00a0]*(?:\n\s*)?(?P<dash>[\u2015\u2014\u2013]|--?)[ \t\u00a0]*")
_DASH_BEFORE = re.compile(r"(?:\s[-\u2014\u2013]{1,2}|\u2014)\s*$")
_OPENERS = (
    '"',
    "\u201c",
    "\u00ab",
    "'",
    "\u2018",
    "\u201e",
    "`",
    "\u00bb",
    "\u2039",
    "\u203a",
    "\u300c",
    "\u300e",
)
_END_PUNCT = " .,;!?)" + CLOSING_MARKS
_OPEN_END = ",?!-\u2014\u2013\u2026"  # a quote ending so is attributed right after it
_TAG_WORDS = 5  # '"..." Smith said.': the most words of a sentence that only attributes a quote


@dataclass(frozen=True, slots=True)
class Attribution:
    kind: QuoteKind
    mention: Mention
    cue: CueHit
    carrier: tuple[int, int] | None = None  # the reported clause holding a partial quote, when known


def attribute(ctx: Context, q: Quoted, cues: list[CueHit], cue_at: dict[int, CueHit]) -> Attribution | None:
    """How a quoted span is attributed (kind, speaker mention, cue), or None."""
    text, story_layout = ctx.text, ctx.layout
    s_start, s_end = story_layout.sentence(q.open_at)
    k = (
        bisect_right(story_layout.quote_opens, q.open_at) - 1
    )  # q itself: quotes do not overlap, in text order
    prev_q = story_layout.quotes[k - 1] if k > 0 else None
    floor = max(s_start, prev_q.close_at) if prev_q is not None and prev_q.close_at <= q.open_at else s_start
    intro = _INTRO.search(text, floor, q.open_at)  # "For example: ...", "... denies - ..."
    clause = intro.end() if intro else floor
    if (
        not text[q.close_at : s_end].strip(_END_PUNCT)
        and "\n" not in text[q.close_at : s_end + 1]
        and (ends_open(ctx, q) or _tag_sentence(ctx, s_end, cue_at))
    ):
        s_end = story_layout.sentence(q.close_at + 1)[1]  # '"Can we win?" Mr. Manafort asked.': one sentence
    next_q = story_layout.quotes[k + 1] if k + 1 < len(story_layout.quotes) else None
    tail_end = min(s_end, next_q.open_at) if next_q is not None and q.close_at <= next_q.open_at else s_end
    lead_words = words_between(ctx, floor, q.open_at)
    dash = _dash(ctx, q) or _between(ctx, q, cues, floor, s_start)
    if dash is not None:
        return dash
    if not q.continued:
        after = _after(ctx, q, cue_at, tail_end) or _trailing(ctx, q, cue_at, clause, s_end)
        leads = words_between(ctx, clause, q.open_at) > 0
        if after is not None and leads and _points_forward(ctx, after[1]):
            after = None  # 'After X said "a," Trump said: "b"': that cue introduces the next quote
        if after is not None:
            if leads and clause == s_start:
                return Attribution(
                    "partial", after[0], after[1], (floor, q.close_at)
                )  # "Golf is ''a ...,'' he said."
            return Attribution("direct", after[0], after[1])
    head = cues_between(ctx, cues, floor, q.open_at)
    if not head and not lead_words and floor == s_start:
        return _lead_in(ctx, q, cues)
    signed = _dash_colon(ctx, q, floor, head)
    if signed is not None:
        return signed
    for k, c in reversed(list(enumerate(head))):
        if c.kind == "stance" and any(h.kind not in WEAK_KINDS for h in head[:k]):
            continue  # 'Smith said the council had chosen a "failing strategy"': Smith's words
        mention = _subject(ctx, c, floor)
        if mention is None:
            continue
        rest = text[after_cue(ctx, c, q.open_at) : q.open_at]
        if c.kind in ("speech", "object", "participle", "according_to"):
            if rest.strip() == "":  # 'Smith said "...", or Smith says "..." between two cities'
                return Attribution("direct", mention, c)
            opener = rest.split(None, 1)[0].lower() if rest.split() else ""
            addressee = c.kind in ("object", "participle") and len(rest.split()) <= 5  # "told his aides,"
            if (
                rest.rstrip().endswith((",", ":"))
                and len(rest.split()) <= ctx.lexicon.max_lead_words
                and (opener not in ctx.lexicon.clause_openers or addressee)
            ):  # 'Smith said last week in Tel Aviv, "..."'
                return Attribution("direct", mention, c)
        sentence_final = text[q.close_at : tail_end].strip(_END_PUNCT) == ""
        if rest.rstrip().endswith(":") and sentence_final and c.kind not in WEAK_KINDS:
            return Attribution("direct", mention, c)
        return Attribution("partial", mention, c)
    colon = text[floor : q.open_at].rstrip()
    if colon.endswith(":") and lead_words:
        at = floor + len(colon) - 1
        m = colon_speaker(ctx, floor, at) or _name_before(ctx, floor, at)  # "... surprise pollster Ann Ruiz:"
        if m is None and floor == s_start:  # "She then turned to the crowd: ..."
            m = sentence_subject(ctx, s_start, ctx.layout.word_index(at))
        if m is not None:
            first = ctx.layout.word_index(m.start)
            return Attribution("direct", m, CueHit(first, first, "colon", at))
    return None


def _dash_colon(ctx: Context, q: Quoted, floor: int, head: list[CueHit]) -> Attribution | None:
    """'Pollsters agree - Carl Bialik: "..."': after a dash, a name and a colon speak, whatever
    verb came before the dash (a digest's headline, then its source)."""
    colon = ctx.text[floor : q.open_at].rstrip()
    if not head or not colon.endswith(":"):
        return None
    at = floor + len(colon) - 1
    m = _name_before(ctx, floor, at)
    if m is None or not _DASH_BEFORE.search(ctx.text, max(floor, m.start - 4), m.start):
        return None
    first = ctx.layout.word_index(m.start)
    return Attribution("direct", m, CueHit(first, first, "colon", at))


def _name_before(ctx: Context, floor: int, colon: int) -> Mention | None:
    """A person's name ending right at the colon."""
    i = ctx.layout.word_index(colon) - 1
    ent = ctx.ent_of[i] if 0 <= i < len(ctx.lowered) else None
    if (
        ent is None
        or ent.label not in PERSON_LABELS
        or ent.start < floor
        or ctx.text[ent.end : colon].strip()
    ):
        return None
    return Mention(ent.start, ent.end, "entity", ent)


def cues_between(ctx: Context, cues: list[CueHit], start: int, end: int) -> list[CueHit]:
    """The cues (in text order) lying within text[start:end], found by bisection."""
    i = bisect_left(cues, ctx.layout.word_index(start), key=lambda c: c.first)
    out = []
    while i < len(cues) and ctx.word_start(cues[i].first) < end:
        if ctx.word_end(cues[i].last - 1) <= end:
            out.append(cues[i])
        i += 1
    return out


def _between(ctx: Context, q: Quoted, cues: list[CueHit], floor: int, s_start: int) -> Attribution | None:
    """'"A," Trump said, "B."': B takes the attribution between the two quotes."""
    if floor == s_start:
        return None
    head = cues_between(ctx, cues, floor, q.open_at)
    if len(head) != 1 or head[0].kind not in ("speech", "object"):
        return None
    c = head[0]
    if ctx.text[after_cue(ctx, c, q.open_at) : q.open_at].strip(" ,:"):
        return None
    if ctx.text[floor : ctx.word_start(c.first)].strip(" ,\u2014\u2013-"):
        m = subject_before(ctx, c.first, floor)
    else:  # '"A," said Smith, "B."'
        m = glued_pronoun(ctx, c) or speaker_after(ctx, c.last, q.open_at)
    return Attribution("direct", m, c) if m is not None else None


def _dash(ctx: Context, q: Quoted) -> Attribution | None:
    """'"..." \u2015 Sonya Herridge': a quote signed by a dash and a name, on its line or the next."""
    m = _SIGNED.match(ctx.text, q.close_at)
    if m is None:
        return None
    line_end = ctx.text.find("\n", m.end())
    line_end = len(ctx.text) if line_end < 0 else line_end
    first = ctx.layout.word_index(m.end())
    if first >= len(ctx.lowered) or ctx.word_start(first) != m.end():
        return None
    speaker = speaker_after(ctx, first, line_end)
    if speaker is None or speaker.kind == "pronoun":
        return None
    if m.group("dash").startswith("-") and speaker.kind != "entity":
        return None  # a hyphen signs a quote only with a name: '"..." - Sanders.'
    rest = ctx.text[speaker.end : line_end].strip(" .")
    if rest and not rest.startswith(","):
        return None  # "... - and then he left": a dash inside a sentence, not a signature
    return Attribution("direct", speaker, CueHit(first, first, "colon", m.end("dash") - 1))


def _points_forward(ctx: Context, c: CueHit) -> bool:
    """The cue is followed by a comma or colon and an opening quote mark: it attributes that quote."""
    after = ctx.text[after_cue(ctx, c, len(ctx.text)) :].lstrip(" ,:")
    return ctx.text[after_cue(ctx, c, len(ctx.text)) :].lstrip()[:1] in (",", ":") and after[:1] in _OPENERS


def words_between(ctx: Context, start: int, end: int) -> int:
    return ctx.layout.word_index(end) - ctx.layout.word_index(start)


def _subject(ctx: Context, c: CueHit, floor: int) -> Mention | None:
    """The speaker of a cue before a quote: its subject, or after it when the cue opens the clause."""
    if c.kind == "according_to":
        if ctx.lowered[c.first] in ctx.lexicon.postposed_sources:  # "Der Polizei zufolge: ..."
            return subject_before(ctx, c.first, floor)
        return speaker_after(ctx, c.last, len(ctx.text))
    if c.kind == "participle" and ctx.comma[c.first - 1]:
        m = _previous_speaker(ctx, c, floor)  # "..., Spicer said, adding, ..."
        if m is not None:
            return m
    if c.kind == "participle" or (c.first > 0 and ctx.lowered[c.first - 1] in ctx.lexicon.verb_links):
        return clause_subject(ctx, c, floor)
    m = subject_before(ctx, c.first, floor, relative=True)
    if (
        m is None
        and words_between(ctx, floor, ctx.word_start(c.first)) == 0
        and c.kind in ("speech", "object")
    ):
        m = speaker_after(ctx, c.last, len(ctx.text))  # "Continued Stone: ..."
        if m is not None and ctx.text[m.end : m.end + 2].strip()[:1] not in (":", ","):
            return None  # "Asked which county ..., he said": not an inverted speaker
    if (m is None or m.kind == "descriptor") and ctx.lexicon.subject_after and c.kind in ("speech", "object"):
        following = subject_following(ctx, c, len(ctx.text))  # "Am Montag sagte Müller: ..."
        if following is not None and (m is None or following.kind in ("entity", "pronoun")):
            m = following
    return m


def _previous_speaker(ctx: Context, c: CueHit, floor: int) -> Mention | None:
    """The subject of the reporting verb just before a participle in the same sentence."""
    s_start = ctx.layout.sentence(ctx.word_start(c.first))[0]
    for k in range(c.first - 1, max(ctx.layout.word_index(s_start) - 1, c.first - 8), -1):
        w = ctx.lowered[k]
        hit = w in ctx.lexicon.cues and w not in ctx.lexicon.ambiguous and ctx.cue_like(k)
        if hit and any(
            kind in ("speech", "object") for cue_words, kind in ctx.lexicon.cues[w] if len(cue_words) == 1
        ):
            m = subject_before(ctx, k, s_start)
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
    inner = text[q.start : q.close_at].rstrip(" " + CLOSING_MARKS)
    open_end = ends_open(ctx, q)
    first = ctx.layout.word_index(q.close_at)
    last = first
    while last < len(ctx.lowered) and ctx.word_start(last) < tail_end:
        last += 1
    for i in range(first, min(first + 2 * ctx.lexicon.max_lead_words, last)):
        c = cue_at.get(i)
        if c is None or c.kind in WEAK_KINDS:
            continue
        if i == first:
            m = glued_pronoun(ctx, c)
            if m is None and ctx.lowered[c.first] in ctx.lexicon.inverting:
                m = speaker_after(ctx, c.last, tail_end)
            if m is None and ctx.lexicon.pro_drop and _ends_after(ctx, c, tail_end):
                m = dropped_subject(ctx, c)  # '«Vamos a ganar», dijo.': the speaker named before
        else:
            m = subject_before(ctx, i, q.close_at)
            if m is not None and not _leads(ctx, q.close_at, m.start):
                return None
        if m is None:
            continue
        weak = c.kind in WEAK_KINDS or (
            c.last - c.first == 1 and ctx.lowered[c.first] in ctx.lexicon.ambiguous
        )
        if weak and m.kind == "descriptor" and not open_end:
            return None  # "his victories in various states": a noun, not a verb
        short = words_between(ctx, ctx.word_end(c.last - 1), tail_end) <= 6
        named_first = (  # '"..., too" Sweeny said': a missing comma
            i > first
            and words_between(ctx, m.end, ctx.word_start(i)) == 0
            and c.kind == "speech"
            and inner[-1:] not in ".!?"
        )
        if open_end or stripped[:1].islower() or (inner[-1:] in ".\u2026" and short) or named_first:
            return m, c
        return None
    if open_end and 0 < last - first <= ctx.lexicon.max_lead_words:
        return _unknown_verb(ctx, q, first, last, tail_end)
    return None


def _ends_after(ctx: Context, c: CueHit, tail_end: int) -> bool:
    """Nothing but time phrases and punctuation after a cue up to `tail_end`: it has no subject."""
    return not ctx.text[after_cue(ctx, c, tail_end) : tail_end].strip(_END_PUNCT + "\u2014\u2013")


def _trailing(
    ctx: Context, q: Quoted, cue_at: dict[int, CueHit], clause: int, s_end: int
) -> tuple[Mention, CueHit] | None:
    """'"I held and hugged" the families, he said.': a quote opening its sentence, attributed by a
    short ", Smith said." at the sentence's end."""
    if words_between(ctx, clause, q.open_at) or q.close_at >= s_end:
        return None
    comma = ctx.text.find(",", q.close_at, s_end)
    while comma >= 0:
        first = ctx.layout.word_index(comma)
        if ctx.layout.quote_at(comma) is None:
            for i in range(first, min(first + 4, len(ctx.lowered))):
                c = cue_at.get(i)
                if c is not None and c.kind in ("speech", "object"):
                    m = subject_before(ctx, i, comma + 1) if i > first else speaker_after(ctx, c.last, s_end)
                    return (m, c) if m is not None else None
        comma = ctx.text.find(",", comma + 1, s_end)
    return None


def _unknown_verb(
    ctx: Context, q: Quoted, first: int, last: int, tail_end: int
) -> tuple[Mention, CueHit] | None:
    """'"...," an angry Hollande retaliated.' or '"...," retorted Smith.': after a quote that ends
    open, a short clause of a name and one lower-case verb is its attribution, known verb or not."""
    lowered, lexicon = ctx.lowered, ctx.lexicon
    if _plain_word(ctx, first):
        ent = ctx.ent_of[first + 1] if first + 1 < last else None
        if ent is not None and ent.label in PERSON_LABELS and ent.start == ctx.word_start(first + 1):
            return Mention(ent.start, ent.end, "entity", ent), CueHit(first, first + 1, "speech")
    for j in range(first + 1, min(last, first + 7)):
        if not _plain_word(ctx, j):
            continue
        m = subject_before(ctx, j, q.close_at)
        if (
            m is None
            or m.kind == "descriptor"
            and lowered[ctx.layout.word_index(m.start)] not in lexicon.determiners
        ):
            return None
        if words_between(ctx, q.close_at, m.start) > 0 and not _leads(ctx, q.close_at, m.start):
            return None
        return m, CueHit(j, j + 1, "speech")
    return None


def _plain_word(ctx: Context, i: int) -> bool:
    """A lower-case word that can be a verb: not a function word, not part of a name."""
    w = ctx.lowered[i]
    return (
        ctx.text[ctx.word_start(i)].islower()
        and ctx.ent_of[i] is None
        and len(w) > 2
        and w not in ctx.lexicon.barriers
        and w not in ctx.lexicon.determiners
        and w not in ctx.lexicon.np_inner
        and w not in ctx.lexicon.subject_pronouns
    )


def _leads(ctx: Context, start: int, end: int) -> bool:
    """Only a short title or descriptor comes between a quote and its speaker's name
    ("..., Malaysian Defence Minister Hishammuddin Hussein said")."""
    first, last = ctx.layout.word_index(start), ctx.layout.word_index(end)
    if last - first > 6:
        return False
    return not any(ctx.stop[k] or ctx.lowered[k] in ctx.lexicon.barriers for k in range(first, last))


def _tag_sentence(ctx: Context, s_end: int, cue_at: dict[int, CueHit]) -> bool:
    """'"... missing." Trump said.': a closed quote, then a sentence that is only its speaker and
    a speaking verb (a stray full stop for a comma)."""
    if ctx.text[s_end : s_end + 1] in ("", "\n"):
        return False
    start, end = ctx.layout.sentence(s_end + 1)
    first, last = ctx.layout.word_index(start), ctx.layout.word_index(end)
    if (
        not 0 < last - first <= _TAG_WORDS
        or ctx.layout.quote_at(start) is not None
        or "\n" in ctx.text[start:end]
        or ":" in ctx.text[start:end]  # 'He added: "..."' introduces a quote of its own
        or any(start <= p.open_at < end for p in ctx.layout.quotes)
    ):
        return False
    return any(
        (c := cue_at.get(i)) is not None and c.kind in ("speech", "object") for i in range(first, last)
    )


def ends_open(ctx: Context, q: Quoted) -> bool:
    """The quote ends with a comma, a question mark, a dash...: an attribution follows."""
    inner = ctx.text[q.start : q.close_at].rstrip(" " + CLOSING_MARKS)
    return inner[-1:] in _OPEN_END


def _lead_in(ctx: Context, q: Quoted, cues: list[CueHit]) -> Attribution | None:
    """A quote opening a paragraph after a lead-in ending with a colon ("Dr. Ward stated:")."""
    text = ctx.text
    para = text.rfind("\n", 0, q.open_at)
    if para <= 0 or text[:para].rstrip()[-1:] != ":":
        return None
    end = len(text[:para].rstrip()) - 1
    s_start, _ = ctx.layout.sentence(end)
    for c in reversed(
        [c for c in cues if s_start <= ctx.word_start(c.first) and ctx.word_end(c.last - 1) <= end]
    ):
        if c.kind in WEAK_KINDS:
            continue
        m = _subject(ctx, c, s_start)
        if m is not None:
            return Attribution("direct", m, c)
    return None


def continuation(
    ctx: Context, q: Quoted, previous: tuple[Quoted, Quote] | None, config: QuoteConfig
) -> Quote | None:
    """The previous direct quote when this one carries on from it with no cue in between."""
    if previous is None or previous[1].speaker is None:
        return None
    prev_q, prev = previous
    between = ctx.text[prev_q.close_at : q.open_at]
    if prev_q.continued:
        return prev if between.strip() == "" else None
    s_start, s_end = ctx.layout.sentence(q.open_at)
    if ctx.text[s_start : q.open_at].strip():
        return None  # the quote does not start its sentence
    tail = ctx.text[q.close_at : s_end]
    inner = ctx.text[q.start : q.close_at].rstrip(" " + CLOSING_MARKS)
    open_end = inner[-1:] == "," or tail.lstrip()[:1] in (",", "\u2014")
    if open_end and 0 < words_between(ctx, q.close_at, s_end) <= 8:
        return None  # "..., an angry Hollande retaliated.": attributed, by a cue we do not know
    if ("\n" in between and not (config.continue_across_paragraphs or q.continued)) or len(between) > 160:
        return None
    cue = prev.cue
    if between.strip(" \n,.;:") and not (cue is not None and prev_q.close_at <= cue.start < q.open_at):
        return None
    return prev
