"""Indirect speech for the quotes stage: the clause a cue reports, with the cue's subject as speaker.

Shapes, all within one sentence (outside quotes):
  Smith said (that) CLAUSE.          CLAUSE, Smith said.        CLAUSE, said Smith.
  The plan, Smith said, will fail.   According to Smith, CLAUSE. CLAUSE, according to Smith.
  Smith left, saying CLAUSE.         Smith told reporters CLAUSE.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from typing import Literal

from pipeline.config import QuoteConfig
from pipeline.quotes.context import Context, CueHit, Mention
from pipeline.quotes.layout import Quoted
from pipeline.quotes.lexicon import match_forward, norm
from pipeline.quotes.resolve import speaker_of
from pipeline.quotes.speaker import (
    after_cue,
    clause_subject,
    dropped_subject,
    glued_pronoun,
    speaker_after,
    subject_before,
    subject_following,
)
from pipeline.records import Cue, Quote

_DATELINE = re.compile(r"[A-Z][A-Z.'\- ]+(?:,[\w. ]+)?(?:\([^)]{1,20}\))?\s*(?:[-\u2014\u2013]{1,2}|:)\s+")
_TRIM = " \t\n,.;:\u2014\u2013-"
_PHRASE_WORDS = 5  # a phrase between a verb and its clause ("said in politics it ...") is this short
_PHRASE_STOP = re.compile(r"[:;]|\s[-\u2014\u2013]{1,2}\s|\u2014")
_SCARE_WORDS = 3  # a quote this short that the sentence runs on through is a scare quote
_GAP_WORDS = 3  # words between a postposed speaker and its verb ("Smith, 42, also said")
_NEAR_WORDS = 32  # a cue's speaker and asides lie within this many words of it
_CLOSING = "\"\u201d\u2019'\u00bb"


def indirect_quotes(ctx: Context, cues: list[CueHit], config: QuoteConfig) -> list[Quote]:
    """Indirect quotes for cues not already attributing a direct quote."""
    found: list[tuple[CueHit, Mention | None, int, int]] = []
    subjects: dict[int, Mention] = {}  # sentence start -> subject of its last reporting verb
    for c in cues:
        if c.kind == "colon":
            continue
        got: tuple[Mention | None, int, int] | None
        if c.kind == "unsourced":
            got = _unsourced(ctx, c)
        else:
            got = _passive(ctx, c) or _reported(ctx, c, subjects) or _asked(ctx, c)
        if got is not None:
            found.append((c, *got))
    out: list[Quote] = []
    firsts = [c.first for c, _, _, _ in found]  # cues in text order: each clause looks only near itself
    reach = _NEAR_WORDS
    for c, mention, start, end in found:
        lo = bisect_left(firsts, ctx.layout.word_index(start) - reach)
        hi = bisect_right(firsts, ctx.layout.word_index(end) + reach)
        end = _cut(ctx, c, start, end, found[lo:hi])
        start, end = _trim(ctx.text, start, end)
        content = ctx.text[start:end]
        least = (
            max(config.min_indirect_words, ctx.lexicon.min_clause_words)
            if c.kind not in ("stance", "partial")
            else 1
        )
        if len(content.split()) < least and norm(content) not in ctx.lexicon.answers:
            continue  # "said yes", "said so" are whole answers
        q = ctx.layout.quote_at(start)
        if q is not None and q.open_at == start - 1 and q.close_at >= end:
            continue  # the clause is one quote: a direct quote, handled (or refused) as such
        cs, ce = ctx.word_start(c.first), ctx.word_end(c.last - 1)
        speaker = speaker_of(ctx, mention) if mention is not None else None
        out.append(Quote(content, start, end, "indirect", speaker, Cue(ctx.text[cs:ce], cs, ce)))
    kinds = {ctx.word_start(c.first): c.kind for c, _, _, _ in found}
    at = [q.cue.start if q.cue is not None else q.start for q in out]  # in text order, as the cues
    cue_words = [ctx.layout.word_index(a) for a in at]
    span = ctx.lexicon.max_clause_words + _NEAR_WORDS
    kept = []
    for quote, w in zip(out, cue_words, strict=True):
        lo = bisect_left(cue_words, w - span)
        hi = bisect_right(cue_words, w + span)
        if not _nested(quote, out[lo:hi], kinds):
            kept.append(quote)
    return kept


def _nested(q: Quote, out: list[Quote], kinds: dict[int, str]) -> bool:
    """ "Smith said the council wants to close the depot": a cue inside the clause another cue
    reports is part of what is reported, not a second attribution (PolNeAR annotates the outer
    one; the inner words stay in its content)."""
    if q.cue is None or kinds.get(q.cue.start) is None:
        return False
    return any(
        o is not q
        and o.cue is not None
        and kinds.get(o.cue.start) is not None
        and o.start <= q.cue.start < o.end
        for o in out
    )


def _cut(
    ctx: Context, cue: CueHit, start: int, end: int, found: list[tuple[CueHit, Mention | None, int, int]]
) -> int:
    """End a clause where another speaker's attribution starts after a comma or a dash
    ("Some say X - others say Y"): Y is not part of what the first ones say."""
    for c2, _, _, _ in found:
        k = c2.first - 1
        if k > 0 and start < ctx.word_start(k) < end and ctx.lowered[k] in ctx.lexicon.coordinators:
            end = ctx.word_start(
                k
            )  # "called the plan a gamble and said ...": each verb reports its own clause
    end = _comma_turn(ctx, start, end)
    for c2, m, _, _ in found:
        k = c2.first - 1  # "Smith, who estimated X, said Y": X ends where the main verb comes back
        if m is not None and m.start < start < ctx.word_start(c2.first) < end and k >= 0 and ctx.comma[k]:
            end = min(end, ctx.word_end(k))
    own = ctx.word_end(cue.last - 1)
    for c2, m, _, _ in found:
        if m is not None and c2 is not cue and start < m.start < end:
            if own < m.start and not ctx.text[own : m.start].strip(" ,"):
                continue  # "Even then, he said, he has learned ...": the clause goes on past its own cue
            before = ctx.text[start : _titled(ctx, m, start)].rstrip()
            if _intro(ctx, before):
                continue  # "In Seattle, marchers honored X, the TV said": an opening phrase, not a clause
            last = before.rsplit(None, 1)[-1].lower() if before.split() else ""
            if before.endswith((",", ";", "\u2014", "\u2013", " -")):
                return _titled(ctx, m, start)
            if last in ctx.lexicon.coordinators and before[: -len(last)].rstrip().endswith(","):
                return start + len(before) - len(last)  # "X say A, but Y says B": A ends at "but"
            if last in ctx.lexicon.coordinators and _share_mention(ctx, m):
                return start + len(before) - len(last)  # "21% said A and 14% said B"
            comma = before.rfind(",")
            lead = before[comma + 1 :].split()
            if comma > 0 and len(lead) <= 3 and norm(lead[0]) not in ctx.lexicon.clause_links:
                if ctx.layout.quote_at(start + comma) is None:
                    return start + comma  # "X say A, even some allies say B", "A, most in Ohio say B"
    return end


def _intro(ctx: Context, before: str) -> bool:
    """Is `before` only an opening phrase and its comma ("In Seattle,", "On Monday,")?"""
    words = before.rstrip(",").split()
    return (
        before.endswith(",")
        and 0 < len(words) <= _PHRASE_WORDS
        and norm(words[0]) in ctx.lexicon.intro_words
        and "," not in before[:-1]
    )


def _share_mention(ctx: Context, m: Mention) -> bool:
    """Does the mention open with a number or a quantity ("14 percent", "most voters")?"""
    k = ctx.layout.word_index(m.start)
    w = ctx.lowered[k] if k < len(ctx.lowered) else ""
    return m.kind == "descriptor" and (
        w[:1].isdigit() or w in ctx.lexicon.numbers or w in ctx.lexicon.quantities
    )


def _titled(ctx: Context, m: Mention, floor: int) -> int:
    """Where a name's title run starts ("Mr. Smith", "Professor Ruiz", "State Sen. Lee"): the
    entity alone often leaves the title out, and the comma that sets the speaker off is before it."""
    k = ctx.layout.word_index(m.start)
    if m.kind != "entity" or k >= len(ctx.lowered) or ctx.word_start(k) != m.start:
        return m.start
    j = k
    while (
        j > 0
        and k - j < 3
        and ctx.word_start(j - 1) >= floor
        and not ctx.comma[j - 1]
        and not ctx.stop[j - 1]
    ):
        if not ctx.text[ctx.word_start(j - 1)].isupper() or ctx.lowered[j - 1] in ctx.lexicon.cues:
            break
        j -= 1
    return ctx.word_start(j)


def _comma_turn(ctx: Context, start: int, end: int) -> int:
    """End a clause at a comma that turns to something else: a contrast (", but he also noted"),
    or a participle ("..., calling it a gamble"), which reports on its own."""
    i = ctx.layout.word_index(start)
    while i < len(ctx.lowered) - 1 and ctx.word_end(i) < end:
        if ctx.comma[i] and ctx.word_start(i + 1) < end and _outside(ctx, ctx.word_end(i)):
            w = ctx.lowered[i + 1]
            aside = ctx.comma[i + 1] and w in ctx.lexicon.parentheticals  # ", though," goes on
            participle = any(k == "participle" for _, k in ctx.lexicon.cues.get(w, ()))
            if (w in ctx.lexicon.turns and not aside) or participle:
                return _past_quote(ctx, ctx.word_end(i))  # '"...," adding': the clause ends after the quote
        i += 1
    return end


def _past_quote(ctx: Context, at: int) -> int:
    """`at`, or the end of the closing marks of the quote holding `at` (a clause keeps its marks paired)."""
    q = ctx.layout.quote_at(at)
    return at if q is None else q.close_at


def _outside(ctx: Context, comma: int) -> bool:
    """Is the comma at `comma` outside quotes, or the last mark of a quote ('"a gamble," adding')?"""
    if ctx.layout.quote_at(comma) is None:
        return True
    after = comma + 1
    return ctx.text[after : after + 1] in _CLOSING and ctx.layout.quote_at(after + 1) is None


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in _TRIM:
        start += 1
    while end > start and text[end - 1] in _TRIM:
        end -= 1
    return start, end


def _sentence(ctx: Context, at: int) -> tuple[int, int]:
    """The sentence holding `at`, cut to `max_clause_words` words either side: a clause is never
    longer, and a run-on "sentence" of thousands of words costs each cue a bounded look."""
    start, end = ctx.layout.sentence(at)
    k = ctx.layout.word_index(at)
    reach = ctx.lexicon.max_clause_words
    if k - reach > 0:
        start = max(start, ctx.word_start(k - reach))
    if k + reach < len(ctx.lowered):
        end = min(end, ctx.word_end(k + reach))
    return start, end


def _floor(ctx: Context, s_start: int, at: int) -> int:
    """Where the clause holding `at` starts: the sentence start, or after a quote or a semicolon."""
    floor = s_start
    quotes = ctx.layout.quotes
    k = (
        bisect_right(ctx.layout.quote_opens, at) - 1
    )  # quotes do not overlap: the last one closing before `at`
    while k >= 0 and quotes[k].close_at > at:
        k -= 1
    while k >= 0 and quotes[k].close_at >= s_start and _scare(ctx, quotes[k]):
        k -= 1  # 'Trump's "excesses" are sickening, Hollande said': a word in quotes opens no clause
    if k >= 0 and quotes[k].close_at >= s_start:
        floor = quotes[k].close_at
    semi = ctx.text.rfind(";", s_start, at)
    floor = max(floor, semi + 1)
    dateline = _DATELINE.match(ctx.text, floor, at)  # "HARLOW, England (AP) - "
    return dateline.end() if dateline else floor


def _postposed_start(ctx: Context, floor: int, cs: int) -> int:
    """Where the clause a postposed source ("..., according to X") vouches for starts: after an
    unclosed parenthesis ("(the number is closer to 15, according to X)"), or at the last relative
    clause set off by a comma ("the gap, which stood at 263, according to X")."""
    floor = _after_paren(ctx, floor, cs)
    k = ctx.layout.word_index(floor)
    start = floor
    while k < len(ctx.lowered) and ctx.word_start(k) < cs:
        if (
            k > 0
            and ctx.comma[k - 1]
            and ctx.lowered[k] in ctx.lexicon.relatives
            and ctx.word_start(k) > floor
        ):
            start = ctx.word_start(k)
        k += 1
    return start


def _after_paren(ctx: Context, floor: int, at: int) -> int:
    """After a parenthesis still open at `at`, else `floor`."""
    paren = ctx.text.rfind("(", floor, at)
    return paren + 1 if paren >= 0 and ctx.text.find(")", paren, at) < 0 else floor


def _scare(ctx: Context, q: Quoted) -> bool:
    """A short quote the sentence runs on through (no punctuation after it): a scare quote."""
    inner = ctx.text[q.start : q.end]
    after = ctx.text[q.close_at : q.close_at + 2]
    return (
        len(inner.split()) <= _SCARE_WORDS
        and inner[-1:].isalnum()
        and after[:1] == " "
        and after[1:].isalnum()
    )


def _reported(ctx: Context, c: CueHit, subjects: dict[int, Mention]) -> tuple[Mention, int, int] | None:
    """(speaker mention, content start, content end) for one cue, or None."""
    text, lexicon = ctx.text, ctx.lexicon
    cue_start, cue_end = ctx.word_start(c.first), ctx.word_end(c.last - 1)
    s_start, s_end = _sentence(ctx, cue_start)
    floor = _floor(ctx, s_start, cue_start)
    semi = text.find(";", cue_end, s_end)
    clause_end = s_end if semi < 0 else semi
    if c.kind == "according_to":
        return _according_to(ctx, c, floor, cue_start, clause_end)
    found = _cue_subject(ctx, c, floor, s_start, subjects)
    if found is False:
        return None
    m = found
    if m is not None and m.kind == "descriptor" and lexicon.subject_after and not ctx.comma[c.first - 1]:
        m = _named_after(ctx, c, clause_end) or m  # "Am Rande des Treffens sagte Lang, ...": Lang
    after = after_cue(ctx, c, clause_end)
    if m is not None:
        clause_end = _subordinate_end(ctx, floor, m, after, clause_end)
    if m is None or (
        ctx.comma[c.first - 1] and ctx.lowered[c.first] in lexicon.inverting and m.kind == "descriptor"
    ):
        inverted = _inverted(ctx, c, floor, clause_end)  # "CLAUSE, said Smith."
        if inverted is None and m is None:
            inverted = _verb_first(ctx, c, floor, clause_end)
        if inverted is not None or m is None:
            return inverted
    named = m.kind != "descriptor" or _document(ctx, m) or _agrees(ctx, m, c)
    if c.kind == "stance":
        return _stance(ctx, c, m, after, clause_end)
    if c.kind == "partial" and not named and ctx.lowered[c.first] in lexicon.ambiguous:
        return None
    that = ctx.lowered[c.last] if c.last < len(ctx.lowered) else ""
    if ctx.lowered[c.first] in lexicon.ambiguous and c.last - c.first == 1 and not named and that != "that":
        return None  # "the 95-page report", "his survey shows": nouns more often than verbs
    postposed = _postposed_clause(ctx, c, m, floor, after, clause_end)
    if postposed is not None:
        return None if postposed is False else postposed
    return _content_after(ctx, c, m, named, floor, after, clause_end)


def _according_to(
    ctx: Context, c: CueHit, floor: int, cue_start: int, clause_end: int
) -> tuple[Mention, int, int] | None:
    """ "According to Smith, CLAUSE" or "CLAUSE, according to Smith, an analyst at ..."."""
    text, lexicon = ctx.text, ctx.lexicon
    if ctx.lowered[c.first] in lexicon.postposed_sources:
        return _source_before(ctx, c, floor, clause_end)
    m = glued_pronoun(ctx, c) or speaker_after(  # "по его словам": the pronoun inside the cue
        ctx, c.last, clause_end, any_phrase=ctx.lowered[c.first] not in lexicon.comma_sources
    )
    if m is None:
        return None
    k = ctx.layout.word_index(m.end)
    if m.kind == "descriptor" and k < len(ctx.lowered) and ctx.lowered[k] in lexicon.passive_by:
        m = speaker_after(ctx, k + 1, clause_end) or m  # "according to an analysis by Pew"
    comma = ctx.find_comma(m.end, clause_end)
    lead = text[floor:cue_start]
    if comma >= 0 and (
        len(lead.split()) <= 1
        or (lead.rstrip().endswith(",") and len(lead.split()) <= lexicon.max_lead_words)
    ):
        return m, comma + 1, clause_end  # "According to Smith, CLAUSE", "In May, according to him, CLAUSE"
    if lexicon.subject_after and text[m.end : clause_end].strip(_TRIM) and not lead.rstrip().endswith(","):
        if lead.strip():  # "Die Ursache ist laut Bahn noch unklar": the whole clause, its source inside
            return m, _postposed_start(ctx, floor, cue_start), clause_end
        return m, m.end, clause_end  # "Laut Müller wird die Steuer sinken": the verb comes second
    return m, _postposed_start(ctx, floor, cue_start), cue_start


def _source_before(ctx: Context, c: CueHit, floor: int, clause_end: int) -> tuple[Mention, int, int] | None:
    """A source before its according-to word ("Der Polizei zufolge wurden ...", "..., dem Minister
    zufolge."): what follows it to the clause end, or the clause before it."""
    m = subject_before(ctx, c.first, floor)
    if m is None:
        return None
    cue_end = ctx.word_end(c.last - 1)
    if ctx.text[cue_end:clause_end].strip(_TRIM):
        return m, cue_end, clause_end
    lead_end = ctx.rfind_comma(floor, m.start)
    return (m, floor, lead_end) if lead_end > floor else None


def _named_after(ctx: Context, c: CueHit, clause_end: int) -> Mention | None:
    """A name or pronoun right after the cue, the subject when the verb comes second."""
    m = subject_following(ctx, c, clause_end) if c.kind in ("speech", "object") else None
    return m if m is not None and m.kind in ("entity", "pronoun") else None


def _verb_first(ctx: Context, c: CueHit, floor: int, clause_end: int) -> tuple[Mention, int, int] | None:
    """A cue before its subject where the language allows it ("Am Montag sagte Müller, ...",
    "Añadió que ..." with the subject dropped): the clause after the subject."""
    lexicon = ctx.lexicon
    if c.kind not in ("speech", "object"):
        return None
    m = subject_following(ctx, c, clause_end) if lexicon.subject_after else None
    after = m.end if m is not None else ctx.word_end(c.last - 1)
    if m is None and lexicon.pro_drop and not ctx.text[floor : ctx.word_start(c.first)].strip(_TRIM):
        m = dropped_subject(ctx, c)  # "Añadió que ...": the speaker named before
    if m is None:
        return None
    k = ctx.layout.word_index(after)
    while k < len(ctx.lowered) and ctx.word_start(k) < clause_end:
        n = match_forward(ctx.lowered, k, lexicon.skip_after)
        if not n:
            break
        k += n
    start = ctx.word_start(k) if k < len(ctx.lowered) else clause_end
    rest = ctx.text[after:start].strip(_TRIM) if k < len(ctx.lowered) else ""
    if rest or start >= clause_end:
        return None
    if not (ctx.text[after:start].strip().startswith(",") or ctx.lowered[k] in lexicon.clause_links):
        return None  # "sagte Müller der Zeitung": no clause follows
    return m, start, clause_end


def _cue_subject(
    ctx: Context, c: CueHit, floor: int, s_start: int, subjects: dict[int, Mention]
) -> Mention | None | Literal[False]:
    """Who the cue's subject is (None: not found before it); False when the cue reports nothing
    ("with all precincts reporting"). A subject found is remembered for later participles of its sentence."""
    lexicon = ctx.lexicon
    prev = ctx.lowered[c.first - 1] if c.first > 0 else ""
    if c.first > 1 and not ctx.comma[c.first - 2] and _adverb(ctx, c.first - 1):
        prev = (
            ctx.lowered[c.first - 2] if ctx.lowered[c.first - 2] in ("and", "but") else prev
        )  # "and formally backed"
    suffix = lexicon.progressive_suffix
    gerund = bool(suffix) and c.first > 0 and ctx.comma[c.first - 1] and ctx.lowered[c.first].endswith(suffix)
    if c.kind == "participle" or gerund:  # "..., calling it a gamble": the sentence's subject calls
        absolute = _absolute(ctx, c, floor)  # "..., with Smith saying that ..."
        if absolute is None and not ctx.comma[c.first - 1] and prev not in lexicon.participle_leads:
            if not _set_off(ctx, c.first, prev):
                return False  # "with all precincts reporting": not a reporting verb of the sentence
        return absolute or subjects.get(s_start) or clause_subject(ctx, c, floor)
    if prev in lexicon.verb_links:
        return clause_subject(ctx, c, floor)  # "and said", "continues to insist"
    m = subject_before(ctx, c.first, floor)
    if m is not None:
        subjects[s_start] = m
    return m


def _postposed_clause(
    ctx: Context, c: CueHit, m: Mention, floor: int, after: int, clause_end: int
) -> tuple[Mention, int, int] | Literal[False] | None:
    """ "CLAUSE, Smith said." (nothing or a short tail after the cue): the clause before the speaker;
    False when the "cue" is far from its subject (a noun, not a verb); None when this is not that shape."""
    text, lexicon = ctx.text, ctx.lexicon
    tail = text[after:clause_end]
    place = _place_comma(ctx, after, clause_end)  # "CLAUSE, Smith said in Paris, noting ..."
    if place >= 0:
        tail = text[place:clause_end]
    nxt = ctx.layout.word_index(after if place < 0 else place)
    then_participle = nxt < len(ctx.lowered) and any(
        k == "participle" for cue_words, k in lexicon.cues.get(ctx.lowered[nxt], ()) if len(cue_words) == 1
    )  # "CLAUSE, Spicer said, adding ..."
    if not (
        tail.strip(_TRIM + ")") == ""
        or (tail.lstrip().startswith(",") and (_short_tail(tail) or then_participle))
    ):
        return None
    lead = text[floor : _titled(ctx, m, floor)].rstrip()
    link = lead.rsplit(None, 1)[-1] if lead.split() else ""
    if norm(link) in lexicon.source_links and lead[: -len(link)].rstrip().endswith(","):
        lead = lead[: -len(link)].rstrip()  # "CLAUSE, wie Müller sagte."
    if not lead.endswith(",") or c.first - ctx.layout.word_index(m.end) > _GAP_WORDS:
        return False  # "..., a mix of idealism, pragmatism and hope.": the speaker is far, a noun
    end = floor + len(lead) - 1
    before = ctx.rfind_comma(floor, end)  # "CLAUSE, the mayor, Elena Ruiz, said."
    if before > floor and ctx.layout.word_index(end) - ctx.layout.word_index(before) <= 4:
        k = ctx.layout.word_index(before)
        if k < len(ctx.lowered) and ctx.lowered[k] in lexicon.determiners:
            end = before
    return m, _after_paren(ctx, floor, end), end  # "(CLAUSE, Smith said)"


def _content_after(
    ctx: Context, c: CueHit, m: Mention, named: bool, floor: int, after: int, clause_end: int
) -> tuple[Mention, int, int] | None:
    """What a cue followed by its content reports: a clause, an infinitive, an answer, a held phrase."""
    text, lexicon = ctx.text, ctx.lexicon
    rest = text[after:clause_end]
    if rest.lstrip().startswith(","):
        if text[floor : _titled(ctx, m, floor)].rstrip().endswith(","):
            return m, floor, clause_end  # "The plan, Smith said, will fail."
        return m, after, clause_end
    words = rest.split(None, 1)
    first = words[0].strip("\"\u201c\u2018'(,").lower() if words else ""
    if c.kind == "belief" and first == "to" and (named or ctx.lowered[c.first] not in lexicon.ambiguous):
        return m, after, clause_end  # "Clinton wants to bring back the 1990s"
    if first in lexicon.answers and c.kind in ("speech", "object"):
        k = ctx.layout.word_index(after)
        return m, ctx.word_start(k), ctx.word_end(k)  # "said so in December"
    if first in lexicon.not_clause and c.kind != "partial" and not (first == "to" and c.kind == "object"):
        return _later_clause(ctx, c, m, after, clause_end)
    takes_object = c.kind == "belief" and named  # "Smith wants no repeat", "the study found gains"
    if c.kind == "object" and (first not in lexicon.clause_openers or first == "the"):
        later = _that_later(ctx, after, clause_end) or _after_listener(ctx, after, clause_end)
        if later is not None:  # "told Fox News anchor Ann Ruiz that ...", "told Breitbart News he'd ..."
            return m, later, clause_end
    if c.kind in ("belief", "object") and first not in lexicon.clause_openers and not words[0][:1].isupper():
        if takes_object:
            return m, after, _phrase_end(ctx, after, clause_end)
        if words[0][:1] not in '"\u201c\u2018':
            return None
    if c.kind == "partial":  # "called the plan a gamble": a phrase
        return m, after, _phrase_end(ctx, after, clause_end)
    return m, after, clause_end


def _later_clause(
    ctx: Context, c: CueHit, m: Mention, after: int, clause_end: int
) -> tuple[Mention, int, int] | None:
    """A cue followed by a word that opens no clause ("said on Friday in a statement that ...")."""
    later = _that_later(ctx, after, clause_end)
    if later is None and c.kind == "speech":
        later = _pronoun_later(ctx, after, clause_end)  # "said in politics it takes time"
    if later is not None:
        return m, later, clause_end
    if (
        ctx.text[after:clause_end].split(None, 1)[0].strip("\"\u201c\u2018'(,").lower() == "to"
        and c.kind in ("speech", "belief")
        and ctx.lowered[c.first] not in ctx.lexicon.aspect_verbs  # "continues to lead": not a view
        and _infinitive(ctx, after)
    ):
        return m, after, clause_end  # "agreed to pay", "promised to act"
    return None  # "responded with a smile", "told him about the war"


def _subordinate_end(ctx: Context, floor: int, m: Mention, after: int, clause_end: int) -> int:
    """ "While only 7 percent said they would move, most stayed": a reported clause inside a
    fronted subordinate clause ends at its first comma, where the main clause starts."""
    k = ctx.layout.word_index(floor)
    if (
        k >= len(ctx.lowered)
        or ctx.lowered[k] not in ctx.lexicon.subordinators
        or m.start <= ctx.word_start(k)
    ):
        return clause_end
    i = ctx.layout.word_index(after)
    while i < len(ctx.lowered) and ctx.word_end(i) < clause_end:
        if ctx.comma[i] and ctx.layout.quote_at(ctx.word_end(i)) is None:
            return ctx.word_end(i)
        i += 1
    return clause_end


def _absolute(ctx: Context, c: CueHit, floor: int) -> Mention | None:
    """ "with Smith tweeting that ...": a name or pronoun after "with" is the participle's subject."""
    if c.first == 0 or ctx.comma[c.first - 1]:
        return None
    m = subject_before(ctx, c.first, floor)
    if m is None or m.kind not in ("entity", "pronoun"):
        return None
    k = ctx.layout.word_index(m.start) - 1
    return (
        m if k >= 0 and ctx.word_start(k) >= floor and ctx.lowered[k] in ctx.lexicon.absolute_leads else None
    )


def _set_off(ctx: Context, i: int, prev: str) -> bool:
    """A participle at word i that is the clause's own verb though no comma precedes it: after a
    pronoun's auxiliary ("he's suggesting"), or after an adverb that follows a comma or a lead
    word ("..., quickly adding")."""
    if "'" in prev and prev.split("'")[0] in ctx.lexicon.subject_pronouns:
        return True
    if i > 1 and _adverb(ctx, i - 1):
        return ctx.comma[i - 2] or ctx.lowered[i - 2] in ctx.lexicon.participle_leads
    return False


def _adverb(ctx: Context, i: int) -> bool:
    """ "formally", "also": a word between "and" and its verb."""
    w = ctx.lowered[i]
    return w in ctx.lexicon.parentheticals or (
        w.endswith("ly") and len(w) > 4 and w not in ctx.lexicon.np_words
    )


def _phrase_end(ctx: Context, after: int, clause_end: int) -> int:
    """What a verb holds as its object ends at the first comma outside quotes ("backed the plan,
    which ..."), or where a second verb phrase or a subordinate clause starts ("backed the plan and
    said ...", "backed the plan because ...")."""
    end = clause_end
    comma = ctx.find_comma(after, clause_end)
    while comma >= 0:
        if _outside(ctx, comma):  # '"a hypocrite," linking ...': a comma closing a quote counts
            end = _past_quote(ctx, comma)
            break
        comma = ctx.find_comma(comma + 1, clause_end)
    colon = _PHRASE_STOP.search(ctx.text, after, end)
    if colon is not None and ctx.layout.quote_at(colon.start()) is None:
        end = colon.start()  # "cites the crowds as an example: ..."
    lexicon = ctx.lexicon
    i = ctx.layout.word_index(after) + 1
    while i < len(ctx.lowered) and ctx.word_start(i) < end:
        w = ctx.lowered[i]
        if ctx.layout.quote_at(ctx.word_start(i)) is None and (
            w in lexicon.subordinators
            or (w in lexicon.coordinators and i + 1 < len(ctx.lowered) and _verbish(ctx, i + 1))
        ):
            return ctx.word_end(i - 1)
        i += 1
    return end


def _verbish(ctx: Context, i: int) -> bool:
    """Does word i start a verb phrase ("said", "did note", "slamming")?"""
    w, lexicon = ctx.lowered[i], ctx.lexicon
    if w in lexicon.progressive_aux or w in lexicon.passive_aux and w not in lexicon.np_inner:
        return True
    if any(len(cue_words) == 1 for cue_words, _ in lexicon.cues.get(w, ())) and w not in lexicon.ambiguous:
        return True
    suffix = lexicon.progressive_suffix
    return bool(suffix) and w.endswith(suffix) and ctx.text[ctx.word_start(i)].islower()


def _asked_by(ctx: Context, c: CueHit, end: int) -> tuple[Mention, int, int] | None:
    """The question put by whoever follows "by": what comes after them, to the clause end."""
    limit = next(
        (
            ctx.word_start(k)
            for k in range(c.last + 1, min(c.last + 12, len(ctx.lowered)))
            if ctx.lowered[k] in ctx.lexicon.question_openers
        ),
        end,
    )  # "by a reporter whether ...": the asker ends where the question starts
    asker = speaker_after(ctx, c.last + 1, min(limit, end), any_phrase=True)
    if asker is None:
        return None
    k = ctx.layout.word_index(asker.end)
    if ctx.comma[k - 1]:  # "by host Jane Doe, who ..., whether": skip the aside
        comma = ctx.find_comma(asker.end + 1, end)
        k = ctx.layout.word_index(comma + 1) if comma >= 0 else k
    if k >= len(ctx.lowered) or ctx.word_start(k) >= end:
        return None
    return asker, ctx.word_start(k), end


def _unsourced(ctx: Context, c: CueHit) -> tuple[Mention | None, int, int] | None:
    """ "The plan seems to work", "the vote is expected to pass", "he reportedly left": a view
    nobody in the text holds; the content is the whole clause (its subject too), the source none."""
    cs = ctx.word_start(c.first)
    s_start, s_end = _sentence(ctx, cs)
    floor = _floor(ctx, s_start, cs)
    semi = ctx.text.find(";", cs, s_end)
    end = s_end if semi < 0 else semi
    nxt = ctx.lowered[c.last] if c.last < len(ctx.lowered) and ctx.word_start(c.last) < end else ""
    if nxt in ctx.lexicon.question_by and ctx.lowered[c.last - 1] in ctx.lexicon.question_cues:
        return _asked_by(ctx, c, end)  # "Smith was asked by a reporter whether ..."
    if not nxt or (nxt in ctx.lexicon.not_clause and nxt not in ctx.lexicon.unsourced_links):
        return None  # "she appeared on television": not a view
    subject = subject_before(ctx, c.first, floor)
    if subject is not None and subject.kind != "relative":
        return None, subject.start, end
    lead = ctx.text[floor:cs]
    if (
        subject is None
        and lead.strip()
        and "," not in lead
        and len(lead.split()) <= ctx.lexicon.max_speaker_words
    ):
        return (
            None,
            floor,
            end,
        )  # "there seems to be ...", "his ability to act seemed shaky": the whole clause
    return None  # the clause needs its subject ("seems to work" alone is a fragment)


def _passive(ctx: Context, c: CueHit) -> tuple[Mention, int, int] | None:
    """ "The plan was backed by the mayor", "a bill praised by both parties": the source follows
    "by"; what it backs or says is the phrase before the verb, back to the clause start."""
    lexicon = ctx.lexicon
    if (
        c.kind in ("participle", "according_to")
        or c.last >= len(ctx.lowered)
        or ctx.lowered[c.last] not in lexicon.passive_by
    ):
        return None
    if ctx.lowered[c.last - 1].endswith(lexicon.progressive_suffix or "\0"):
        return None  # "standing by": not a passive
    cs = ctx.word_start(c.first)
    s_start, s_end = _sentence(ctx, cs)
    floor = _floor(ctx, s_start, cs)
    source = speaker_after(ctx, c.last + 1, s_end)
    if source is None:
        return None
    start = max(floor, ctx.rfind_comma(floor, cs) + 1)
    k = c.first - 1
    while k >= 0 and ctx.word_start(k) >= start and ctx.lowered[k] in lexicon.passive_aux:
        k -= 1
    if k == c.first - 1:
        return None  # no "was" or "been": a noun and its modifier ("a video released by"), not a clause
    end = ctx.word_end(k) if k >= 0 and ctx.word_start(k) >= start else start
    if not ctx.text[start:end].strip(_TRIM):
        return None
    return source, start, end


def _asked(ctx: Context, c: CueHit) -> tuple[Mention | None, int, int] | None:
    """ "Asked whether the pier would close, the mayor ...", "When asked by a reporter about the
    toll, ...": the question, up to the comma, asked by the one after "by" or by nobody named."""
    lexicon = ctx.lexicon
    if ctx.lowered[c.first] not in lexicon.question_cues:
        return None
    cs = ctx.word_start(c.first)
    s_start, s_end = _sentence(ctx, cs)
    lead = ctx.text[_floor(ctx, s_start, cs) : cs].split()
    if len(lead) > 1 or (lead and norm(lead[0]) not in lexicon.question_leads):
        return None
    comma = ctx.find_comma(ctx.word_end(c.last - 1), s_end)
    if comma < 0:
        return None
    asker = None
    start = ctx.word_end(c.last - 1)
    if c.last < len(ctx.lowered) and ctx.lowered[c.last] in lexicon.question_by:
        asker = speaker_after(ctx, c.last + 1, comma)
        if asker is not None:
            start = asker.end
    if not ctx.text[start:comma].strip(_TRIM):
        return None
    return asker, start, comma


def _agrees(ctx: Context, m: Mention, c: CueHit) -> bool:
    """ "critics fear", "analysts expect": a plural subject right before a plain verb form reads
    as subject and verb, not as one noun phrase ("public fears"); the plural ending is data."""
    k = ctx.layout.word_index(m.end) - 1
    last, cue, plural = (
        ctx.lowered[k] if 0 <= k < len(ctx.lowered) else "",
        ctx.lowered[c.first],
        ctx.lexicon.plural_suffix,
    )
    if not plural or k != c.first - 1 or cue.endswith(plural):
        return False
    return last.endswith(plural) and not last.endswith(("'" + plural, plural + plural))


def _document(ctx: Context, m: Mention) -> bool:
    """A descriptor naming a poll, a study, records...: "the latest poll shows" is a verb, not
    a noun ("the poll shows" reads like "Smith shows"), so it counts as a named source."""
    k = ctx.layout.word_index(m.end) - 1
    return 0 <= k < len(ctx.lowered) and ctx.lowered[k] in ctx.lexicon.documents


def _that_later(ctx: Context, after: int, clause_end: int) -> int | None:
    """Where "that" opens the reported clause after a phrase that qualifies the verb ("said on
    Friday during a visit to Ohio that ..."): within a few words, with no full stop between."""
    i = ctx.layout.word_index(after)
    for k in range(i, min(i + ctx.lexicon.max_lead_words + 6, len(ctx.lowered))):
        if ctx.word_start(k) >= clause_end or (k > i and ctx.stop[k - 1]):
            return None
        if ctx.lowered[k] in ctx.lexicon.that_words and k > i:
            return ctx.word_start(k)
        if k > i and ctx.comma[k - 1] and ctx.lexicon.comma_opens_clause:
            return ctx.word_start(k)  # "sagte nach der Sitzung, die Inflation sei ..."
    return None


def _after_listener(ctx: Context, after: int, clause_end: int) -> int | None:
    """Where the clause starts after a listener of a few words ("told Breitbart News he would
    ...", "urged her peers to spurn ..."): at a subject pronoun, "whether"/"if", or "to"."""
    i = ctx.layout.word_index(after)
    lexicon = ctx.lexicon
    for k in range(i + 1, min(i + _PHRASE_WORDS, len(ctx.lowered))):
        if ctx.word_start(k) >= clause_end or ctx.stop[k - 1] or ctx.comma[k - 1]:
            return None
        w = ctx.lowered[k].split("'")[0]
        if (
            w in lexicon.subject_pronouns and w not in lexicon.object_case and w not in lexicon.np_inner
        ) or w in lexicon.listener_ends:
            return ctx.word_start(k)
    return None


def _pronoun_later(ctx: Context, after: int, clause_end: int) -> int | None:
    """Where a clause opened by a subject pronoun starts after a short phrase that qualifies the
    verb ("said in politics it takes time"), with no comma or stop between."""
    i = ctx.layout.word_index(after)
    lexicon = ctx.lexicon
    for k in range(i + 1, min(i + _PHRASE_WORDS, len(ctx.lowered))):
        if ctx.word_start(k) >= clause_end or ctx.stop[k - 1] or ctx.comma[k - 1]:
            return None
        w = ctx.lowered[k]
        if w in lexicon.subject_pronouns and w not in lexicon.object_case and w not in lexicon.np_inner:
            return ctx.word_start(k)
    return None


def _infinitive(ctx: Context, after: int) -> bool:
    """ "to" before a verb ("to pay"), not before a noun phrase ("to reporters", "to the board")."""
    i = ctx.layout.word_index(after) + 1
    if i >= len(ctx.lowered) or ctx.ent_of[i] is not None or not ctx.text[ctx.word_start(i)].islower():
        return False
    w = ctx.lowered[i]
    lexicon = ctx.lexicon
    return not (
        w in lexicon.determiners
        or w in lexicon.subject_pronouns
        or w in lexicon.np_inner
        or w in lexicon.object_words
    )


def _inverted(ctx: Context, c: CueHit, floor: int, clause_end: int) -> tuple[Mention, int, int] | None:
    """ "CLAUSE, said Smith." or "CLAUSE, said Smith, a professor.": the speaker after the cue."""
    cs = ctx.word_start(c.first)
    if c.kind not in ("speech", "object") or not ctx.text[floor:cs].rstrip().endswith(","):
        return None
    inverted = glued_pronoun(ctx, c) or speaker_after(ctx, c.last, clause_end, any_phrase=True)
    tail = (
        ctx.text[_skipped(ctx, inverted.end, clause_end) : clause_end].strip()
        if inverted is not None
        else "-"
    )
    if inverted is not None and _particle_only(ctx, tail):
        tail = ""  # "..., teilte das Unternehmen mit.": the verb's separable particle
    if inverted is None or (tail.strip(_TRIM) and not tail.startswith(",")):  # ", a professor at ..."
        return None
    if (
        ctx.lexicon.subject_after
        and ctx.lowered[ctx.layout.word_index(inverted.start)] in ctx.lexicon.that_words
    ):
        return None  # "X, Y señaló que ...": the clause after the verb, not its subject
    return inverted, floor, cs


def _particle_only(ctx: Context, tail: str) -> bool:
    """Is `tail` only a separable verb particle and punctuation ("mit.", "hinzu")?"""
    words = [norm(w) for w in re.findall(r"[^\W\d_]+", tail)]
    return bool(words) and match_forward(words, 0, ctx.lexicon.particles) == len(words)


def _skipped(ctx: Context, at: int, end: int) -> int:
    """`at`, or past the time and place phrases after it ("..., said Smith on Monday.")."""
    k = ctx.layout.word_index(at)
    while k < len(ctx.lowered) and ctx.word_start(k) < end:
        n = match_forward(ctx.lowered, k, ctx.lexicon.skip_after)
        if not n:
            break
        k += n
    return ctx.word_end(k - 1) if k > ctx.layout.word_index(at) else at


def _stance(
    ctx: Context, c: CueHit, m: Mention, after: int, clause_end: int
) -> tuple[Mention, int, int] | None:
    """ "Smith backed the plan", "the group refused to comment": a stance verb right after its
    subject holds what follows it, a noun phrase, an infinitive or a clause, to the clause end.
    Not an infinitive ("to back": the verb before it reports), not a passive ("backed by"), and
    a word that is also a noun ("support", "attacks") only after a name or a pronoun."""
    rest = ctx.text[after:clause_end]
    if not rest.strip(_TRIM) or rest.lstrip()[:1] in ",;:)":
        return None  # "..., Smith agreed.": nothing held, or a postposed verb
    prev = ctx.lowered[c.first - 1] if c.first > 0 else ""
    nxt = ctx.layout.word_index(after)
    first = ctx.lowered[nxt] if nxt < len(ctx.lowered) else ""
    if c.first > 0 and ctx.comma[c.first - 1] and ctx.lowered[c.first] in ctx.lexicon.prepositional:
        return None  # "Smith, like most economists, ...": right after a comma it is not the verb
    if first == "by" or (
        prev == "to" and not (c.first > 1 and ctx.lowered[c.first - 2] in ctx.lexicon.stance_leads)
    ):
        return None  # "backed by", "agreed to back" (the verb before reports); not "was quick to back"
    single = c.last - c.first == 1  # "was critical of": a phrase may end before its preposition
    if (single and first in ctx.lexicon.not_clause and first != "to") or first[:1].isdigit():
        return None  # "backed down", "declined 40 percent": not a stance on something
    if m.kind == "descriptor" and ctx.lowered[c.first] in ctx.lexicon.ambiguous and not _document(ctx, m):
        return None
    return m, after, _phrase_end(ctx, after, clause_end)  # a phrase: "backed the plan, which ..."


def _place_comma(ctx: Context, after: int, clause_end: int) -> int:
    """The comma ending a short phrase right after a cue that opens with a preposition ("said in
    Paris, noting ..."), or -1."""
    i = ctx.layout.word_index(after)
    if (
        i >= len(ctx.lowered)
        or ctx.word_start(i) >= clause_end
        or ctx.lowered[i] not in ctx.lexicon.not_clause
    ):
        return -1
    for k in range(i, min(i + _PHRASE_WORDS, len(ctx.lowered))):
        if ctx.word_start(k) >= clause_end or ctx.stop[k]:
            return -1
        if ctx.comma[k]:
            return ctx.word_end(k) if ctx.layout.quote_at(ctx.word_end(k)) is None else -1
    return -1


def _short_tail(rest: str) -> bool:
    """What follows a postposed cue is only a short phrase (", adding nothing.")."""
    return len(rest.split()) <= 3
