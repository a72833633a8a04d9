"""Speaker mentions for the quotes stage: the entity, pronoun or short descriptor phrase next to a
cue, found by walking words away from it without a parser ("Smith said", "said the spokesman",
"Smith, a spokesman for the ministry, said", "according to Smith")."""

from __future__ import annotations

import re

from pipeline.quotes.context import PERSON_LABELS, SPEAKER_LABELS, Context, CueHit, Mention
from pipeline.quotes.lexicon import QuoteLexicon, match_backward, match_forward
from pipeline.records import Entity

_DASH = re.compile(r"\s[-\u2014\u2013]{1,2}\s|\u2014")
_HARD = re.compile(r"[.;:!?()\[\]\u2014\u2013]")
_ADJ = frozenset({"NORP"})  # entity labels that read as adjectives ("Republican", "French")
_DROPPED_REACH = 400  # characters back to the person a dropped subject stands for
_PLAIN_WORDS = 5  # a bare noun phrase opening a clause ("Current and former officials said") is this short


def after_cue(ctx: Context, c: CueHit, limit: int) -> int:
    """Char offset after a cue, its object ("told reporters") and time phrases ("on Monday")."""
    i = c.last
    if c.kind == "according_to":
        m = speaker_after(ctx, i, limit)
        return m.end if m is not None else ctx.word_end(c.last - 1)
    if c.kind == "object" and i < len(ctx.lowered) and ctx.word_start(i) < limit:
        n = match_forward(ctx.lowered, i, ctx.lexicon.object_words)
        ent = ctx.ent_of[i]
        if n:
            i += n
        elif ent is not None:
            while i < len(ctx.lowered) and ctx.ent_of[i] is ent:
                i += 1
    while i < len(ctx.lowered) and ctx.word_start(i) < limit:
        n = match_forward(ctx.lowered, i, ctx.lexicon.skip_after)
        if not n:
            break
        i += n
    return ctx.word_end(i - 1) if i > c.first else ctx.word_start(c.first)


def subject_before(ctx: Context, cue: int, floor: int, *, relative: bool = False) -> Mention | None:
    """The subject mention ending just before word `cue`, not before char `floor`; with
    `relative`, also the phrase a relative clause hangs on ("an official who asked ..., said")."""
    lexicon, i = ctx.lexicon, cue - 1
    while i >= 0 and ctx.word_start(i) >= floor and not ctx.stop[i]:
        n = match_backward(ctx.lowered, i, lexicon.skip_before)
        w = ctx.lowered[i]
        adverb = (
            w.endswith("ly")
            and len(w) > 4
            and w not in lexicon.np_words
            and ctx.text[ctx.word_start(i)].islower()
        )
        if not n and (w.endswith("n't") or adverb):  # not "Jolly said": a capital is a name
            n = 1  # "doesn't want", "falsely suggesting"
        if not n and w in lexicon.progressive_aux and lexicon.progressive_suffix:
            n = int(ctx.lowered[cue].endswith(lexicon.progressive_suffix))  # "is seeking"
        if not n:
            break
        i -= n
    if i < 0 or ctx.word_start(i) < floor:
        return None
    if i > 0 and ctx.comma[i] and ctx.lowered[i] in lexicon.parentheticals and ctx.comma[i - 1]:
        m = _np_ending(ctx, i - 1, floor)  # "Others, however, say ..."
        if m is not None:
            return m
        i -= 1
    gap = ctx.gap(i)
    if _DASH.search(gap) and not ctx.comma[i]:  # "insiders in two states - Nevada and Ohio - said"
        k = i - 1
        while k >= 0 and ctx.word_start(k) >= floor and i - k < 10 and not _DASH.search(ctx.gap(k)):
            k -= 1
        return _np_ending(ctx, k, floor) if k >= 0 and ctx.word_start(k) >= floor and i - k < 10 else None
    if gap.strip().lstrip(".").startswith(")"):  # "Gov. John Kasich (R-OH) said"
        opening = ctx.text.rfind("(", floor, ctx.word_end(i))
        if opening < 0 or ctx.word_end(i) - opening > 40:
            return None
        i = ctx.layout.word_index(opening) - 1
        if i < 0 or ctx.word_start(i) < floor:
            return None
        return _np_ending(ctx, i, floor)
    if "," in gap or ctx.stop[i]:
        if ctx.stop[i]:
            return None
        j = _before_apposition(ctx, i, floor)
        ent = ctx.ent_of[i]
        before = ctx.ent_of[j] if j >= 0 else None
        person_first = before is not None and before.label in PERSON_LABELS
        if ent is not None and ent.label in PERSON_LABELS and (j < 0 or not person_first):
            j = i  # "the White House spokesman, Josh Earnest, said": the name is the apposition
        if j < 0:
            return _before_aside(ctx, i, floor)
        i = j
    m = _np_ending(ctx, i, floor)
    return m if m is not None or not relative else _before_relative(ctx, i, floor)


def _head_of(ctx: Context, ent: Entity, floor: int) -> Mention | None:
    """The phrase a name completes after a preposition: "Sen. Lee of Utah" is Lee, "a poll of
    Ohio voters" is the poll, not Utah or Ohio. None when the name stands alone."""
    k = ctx.layout.word_index(ent.start) - 1
    if ent.label in PERSON_LABELS or k < 1 or ctx.word_start(k) < floor or ctx.stop[k] or ctx.comma[k]:
        return None
    if ctx.lowered[k] not in ctx.lexicon.np_inner or ctx.lowered[k] in ctx.lexicon.determiners:
        return None
    owner = ctx.ent_of[k - 1]
    if owner is not None and owner.label in PERSON_LABELS and not ctx.comma[k - 1]:
        return Mention(owner.start, owner.end, "entity", owner)
    for j in range(k - 1, max(-1, k - 5), -1):
        if ctx.word_start(j) < floor or ctx.stop[j] or ctx.comma[j] or ctx.lowered[j] in ctx.lexicon.barriers:
            return None
        if ctx.lowered[j] in ctx.lexicon.determiners:
            return Mention(ctx.word_start(j), ent.end, "descriptor")
    return None


def _before_aside(ctx: Context, i: int, floor: int) -> Mention | None:
    """ "The complaint, which was filed in May, alleged": the subject before a relative clause or
    a short aside set off by commas ("The council, for its part, refused")."""
    for k in range(i - 1, max(-1, i - 24), -1):
        if ctx.word_start(k) < floor or ctx.stop[k]:
            return None
        if not ctx.comma[k]:
            continue
        opener = ctx.lowered[k + 1]
        if opener in ctx.lexicon.relatives or i - k <= 4:
            m = _np_ending(ctx, k, floor)
            return m if m is not None and m.kind in ("descriptor", "entity") else None
        return None
    return None


def _before_relative(ctx: Context, i: int, floor: int) -> Mention | None:
    """ "a White House official who spoke anonymously said": the phrase before "who"."""
    for k in range(i, max(-1, i - 12), -1):
        if ctx.word_start(k) < floor or ctx.stop[k]:
            return None
        if ctx.lowered[k] in ("who", "whose") and k > 0 and not ctx.stop[k - 1]:
            m = _np_ending(ctx, k - 1, floor)
            return m if m is not None and m.kind != "pronoun" else None
    return None


def _before_apposition(ctx: Context, i: int, floor: int) -> int:
    """Word ending the noun phrase before an apposition that ends at word i, or -1: the
    earliest person ("Smith, editor of The Forward, a weekly, said"), else the nearest name."""
    best = -1
    k = i
    while k - 1 > max(-1, i - 24):
        k -= 1
        if ctx.word_start(k) < floor:
            break
        g = ctx.gap(k)
        if ctx.stop[k] and g.strip().lstrip(".").startswith(")") and "," in g:
            opening = ctx.text.rfind("(", floor, ctx.word_end(k))  # "Sen. Ann Ruiz (D-Mo.), who ..., said"
            if opening < 0 or ctx.word_end(k) - opening > 40:
                break
            k = ctx.layout.word_index(opening)  # the loop steps to the word before the parenthesis
            if k - 1 >= 0 and ctx.word_start(k - 1) >= floor:
                ent = ctx.ent_of[k - 1]
                if ent is not None and ent.label in PERSON_LABELS:
                    best = k - 1
            continue
        if ctx.stop[k]:
            break
        if "," not in g:
            continue
        ent = ctx.ent_of[k]
        if ent is not None and ent.label in PERSON_LABELS:
            best = k
        elif best < 0 and (
            (ent is not None and ent.label in SPEAKER_LABELS)
            or ctx.lowered[k] in ctx.lexicon.subject_pronouns
        ):
            best = k
    return best


def _np_ending(ctx: Context, i: int, floor: int) -> Mention | None:
    lexicon, lowered = ctx.lexicon, ctx.lowered
    ent = ctx.ent_of[i]
    if ent is not None and ent.label in SPEAKER_LABELS and ent.end <= ctx.word_end(i) + 1:
        return _head_of(ctx, ent, floor) or Mention(ent.start, ent.end, "entity", ent)
    pronoun = lowered[i].split("'")[0]  # "he's said", "they've argued"
    if pronoun in lexicon.subject_pronouns and pronoun not in lexicon.object_case:
        return Mention(ctx.word_start(i), ctx.word_start(i) + len(pronoun), "pronoun")
    if lowered[i] in lexicon.relatives and i > 0 and ctx.word_start(i - 1) >= floor and not ctx.stop[i - 1]:
        ante = _np_ending(ctx, i - 1, floor)  # "Mike Lee, who declared ..."
        if ante is not None and ante.kind not in ("pronoun", "relative"):
            return Mention(ctx.word_start(i), ctx.word_end(i), "relative", ante.entity, ante)
        return Mention(
            ctx.word_start(i), ctx.word_end(i), "relative"
        )  # "voters who say": the mention all the same
    if lowered[i] in lexicon.standalone and (
        i == 0
        or ctx.word_start(i) == floor
        or ctx.stop[i - 1]
        or ctx.comma[i - 1]
        or _opens(lexicon, lowered[i - 1])
    ):
        return Mention(ctx.word_start(i), ctx.word_end(i), "descriptor")  # "Yet another said", "Others argue"
    if lowered[i].isdigit() or lowered[i] in lexicon.numbers:
        return _share(ctx, i, floor)
    if lowered[i] in lexicon.barriers or lowered[i] in lexicon.determiners or lowered[i] in lexicon.np_inner:
        return None
    k = i
    while k - 1 >= 0 and ctx.word_start(k - 1) >= floor and i - k < lexicon.max_speaker_words:
        if ctx.stop[k - 1] or ctx.comma[k - 1] or lowered[k - 1] in lexicon.barriers:
            break
        if lowered[k - 1] in lexicon.coordinators and (
            lowered[k][:1].isdigit() or lowered[k] in lexicon.numbers
        ):
            break  # "... and 12 percent say": a share opens after "and"
        k -= 1
        if lowered[k] in lexicon.determiners:
            break
    while k < i and lowered[k] in lexicon.np_inner and lowered[k] not in lexicon.determiners:
        k += 1
    if i - k + 1 > lexicon.max_speaker_words:
        return None
    if lowered[k] in lexicon.determiners or any(ctx.ent_of[j] is not None for j in range(k, i + 1)):
        return Mention(
            ctx.word_start(k), ctx.word_end(i), "descriptor"
        )  # "the spokesman", "Sanders' campaign"
    capitalised = not lexicon.capitalised_nouns and all(
        ctx.text[ctx.word_start(j)].isupper() for j in range(k, i + 1)
    )
    if capitalised and i - k < 5:
        return Mention(ctx.word_start(k), ctx.word_end(i), "descriptor")  # a name the model missed
    if lowered[k][:1].isdigit() or lowered[k] in lexicon.quantities:  # "52 percent of registered voters say"
        return Mention(ctx.word_start(k), ctx.word_end(i), "descriptor")
    lead = _share_lead(ctx, k, i + 1)  # "only 7 percent said", "nearly half say"
    if lead > k and (lowered[lead][:1].isdigit() or lowered[lead] in lexicon.quantities):
        return Mention(ctx.word_start(lead), ctx.word_end(i), "descriptor")
    at_clause_start = (
        k == 0
        or ctx.word_start(k) == floor
        or ctx.stop[k - 1]
        or ctx.comma[k - 1]
        or _opens(lexicon, lowered[k - 1])
    )
    # "the rules that officials say ...", "though public records show ...": a clause opens there
    opens_sentence = ctx.layout.sentence(ctx.word_start(k))[0] == ctx.word_start(k)  # "Recent polling shows"
    plain = opens_sentence or all(not lowered[j].endswith(("ly", "ing", "ed")) for j in range(k, i + 1))
    if at_clause_start and (plain or lowered[i] in lexicon.documents) and i - k < _PLAIN_WORDS:
        return Mention(ctx.word_start(k), ctx.word_end(i), "descriptor")  # "Officials said", "Critics argue"
    return None


def _share(ctx: Context, i: int, floor: int) -> Mention | None:
    """A share of people ending at word i, as polls name them: "42%", "four in 10", "one in five"
    ("About four in 10 said ..."); other numbers are not speakers."""
    lowered, lexicon = ctx.lowered, ctx.lexicon
    if ctx.text[ctx.word_end(i) : ctx.word_end(i) + 1] == "%":
        end = ctx.word_end(i) + 1
    elif (
        i >= 2
        and lowered[i - 1] in lexicon.share_links
        and (lowered[i - 2].isdigit() or lowered[i - 2] in lexicon.numbers)
    ):
        end = ctx.word_end(i)
    else:
        return None
    k = i
    while k - 1 >= 0 and ctx.word_start(k - 1) >= floor and not ctx.stop[k - 1] and i - k < 4:
        w = lowered[k - 1]
        if not (w in lexicon.share_links or w.isdigit() or w in lexicon.numbers):
            break
        k -= 1
    return Mention(ctx.word_start(k), end, "descriptor")


def _opens(lexicon: QuoteLexicon, word: str) -> bool:
    """Does a new clause (and its subject) start after this word ("that", "though", "and")?"""
    return word in lexicon.clause_links or word in lexicon.subordinators or word in lexicon.coordinators


def _share_lead(ctx: Context, k: int, end: int) -> int:
    """The first word after the share leads ("only", "more than") that open words k..end."""
    while k < end:
        n = match_forward(ctx.lowered, k, ctx.lexicon.share_leads)
        if not n:
            break
        k += n
    return min(k, end - 1)


def speaker_after(ctx: Context, i: int, limit: int, *, any_phrase: bool = False) -> Mention | None:
    """The speaker mention starting at word i ("said Smith", "said the spokesman"); with
    `any_phrase`, a bare noun phrase too ("according to state law")."""
    lexicon, lowered = ctx.lexicon, ctx.lowered
    if i >= len(lowered) or ctx.word_start(i) >= limit:
        return None
    alone = ctx.stop[i] or ctx.comma[i] or i + 1 >= len(lowered) or ctx.word_start(i + 1) >= limit
    if lowered[i] in lexicon.subject_pronouns and (lowered[i] not in lexicon.object_case or alone):
        return Mention(ctx.word_start(i), ctx.word_end(i), "pronoun")  # "said he", "according to him,"
    end = i
    while end < len(lowered) and ctx.word_start(end) < limit and end - i < lexicon.max_speaker_words:
        ent = ctx.ent_of[end]
        if ent is not None and ent.label in SPEAKER_LABELS and end - i <= 4:
            if ent.label in PERSON_LABELS or not any(
                (e := ctx.ent_of[j]) is not None and e.label in PERSON_LABELS
                for j in range(end, min(end + 4, len(lowered)))
                if ctx.word_start(j) < limit
            ):
                return Mention(ent.start, ent.end, "entity", ent)
        if end > i and lowered[end] in lexicon.barriers:
            break
        if end > i and lexicon.capitalised_nouns and _after_noun(ctx, end):
            break  # "nach Angaben der Polizei zwei Menschen ...": the phrase ends with its noun
        if ctx.stop[end] or ctx.comma[end]:
            end += 1
            break
        end += 1
    if lowered[i] not in lexicon.determiners and not ctx.text[ctx.word_start(i)].isupper() and not any_phrase:
        return None
    last = end - 1
    while last > i and (lowered[last] in lexicon.np_inner or lowered[last] in lexicon.barriers):
        last -= 1
    if last < i or (last == i and lowered[i] in lexicon.determiners):
        return None
    return Mention(ctx.word_start(i), ctx.word_end(last), "descriptor")


def _after_noun(ctx: Context, k: int) -> bool:
    """Where every noun is capitalised, a lower-case word after a noun that neither links to another
    noun ("des", "für") nor opens one ("der") starts something else: the noun phrase ended."""
    w = ctx.lowered[k]
    return (
        ctx.text[ctx.word_start(k)].islower()
        and ctx.text[ctx.word_start(k - 1)].isupper()
        and w not in ctx.lexicon.np_inner
        and w not in ctx.lexicon.determiners
    )


def glued_pronoun(ctx: Context, c: CueHit) -> Mention | None:
    """A subject pronoun inside an inverted cue ("a-t-il dit") or glued after it ("dit-elle")."""
    for j in range(c.first + 1, c.last):
        if ctx.lowered[j] in ctx.lexicon.subject_pronouns:
            return Mention(ctx.word_start(j), ctx.word_end(j), "pronoun")
    end = ctx.word_end(c.last - 1)
    for k in range(c.last, min(c.last + 2, len(ctx.lowered))):
        if (
            ctx.lowered[k] in ctx.lexicon.subject_pronouns
            and ctx.text[end : ctx.word_start(k)] in ctx.lexicon.inverted_glue
        ):
            return Mention(ctx.word_start(k), ctx.word_end(k), "pronoun")
    return None


def subject_following(ctx: Context, c: CueHit, limit: int) -> Mention | None:
    """The subject right after a cue in a language that puts the verb second ("Am Montag sagte
    Müller", "dijo el ministro", "заявил министр"): a name, a pronoun or a phrase opened by a
    determiner, after time phrases ("sagte am Montag Müller"); not a bare noun (an object)."""
    m = glued_pronoun(ctx, c)
    if m is not None:
        return m
    i = c.last
    while i < len(ctx.lowered) and ctx.word_start(i) < limit:
        n = match_forward(ctx.lowered, i, ctx.lexicon.skip_after)
        if not n:
            break
        i += n
    if i >= len(ctx.lowered) or ctx.word_start(i) >= limit or ctx.gap(c.last - 1).strip():
        return None  # "sagte, ...": a comma or a mark after the verb, its subject is not there
    lexicon = ctx.lexicon
    if ctx.lowered[i] in lexicon.barriers or ctx.lowered[i] in lexicon.that_words:
        return None  # "confirmó que el capitán Blanco ...": a clause, not a subject
    m = speaker_after(ctx, i, limit)
    if m is None or m.kind == "descriptor" and ctx.lowered[i] not in ctx.lexicon.determiners:
        return None
    return m


def dropped_subject(ctx: Context, c: CueHit) -> Mention | None:
    """The speaker of a cue with no subject in a language that drops it ("—Vamos —dijo.",
    "ha aggiunto"): the person named last before it, outside quotes, within a few sentences."""
    cue = ctx.word_start(c.first)
    named = [
        e
        for e in ctx.entities
        if cue - _DROPPED_REACH <= e.end <= cue
        and e.label in PERSON_LABELS
        and ctx.layout.quote_at(e.start) is None
    ]
    last = max(named, key=lambda e: e.end, default=None)
    return Mention(last.start, last.end, "dropped", last) if last is not None else None


def clause_subject(ctx: Context, c: CueHit, floor: int) -> Mention | None:
    """The subject of a participle ("Smith left, saying") or of a second verb ("and said")."""
    s_start = ctx.layout.sentence(ctx.word_start(c.first))[0]
    prev = ctx.lowered[c.first - 1] if c.first > 0 else ""
    if prev in ("and", "but") and c.first >= 3 and ctx.word_start(c.first - 3) >= floor:
        pronoun = ctx.lowered[c.first - 3]  # "he laughed and said"
        if pronoun in ctx.lexicon.subject_pronouns and pronoun not in ctx.lexicon.object_case:
            return Mention(ctx.word_start(c.first - 3), ctx.word_end(c.first - 3), "pronoun")
    if c.first > 0 and not ctx.comma[c.first - 1] and prev not in ctx.lexicon.verb_links:
        m = subject_before(ctx, c.first, floor)  # "Trump reportedly yelling", "a sign saying"
        if (
            m is not None
            and m.kind == "descriptor"
            and ctx.lowered[ctx.layout.word_index(m.end) - 1] in ctx.lexicon.documents
        ):
            who = sentence_subject(
                ctx, s_start, c.first
            )  # "she released a statement saying ...": she says it
            if who is not None and who.kind in ("entity", "pronoun") and who.start < m.start:
                return who
        if m is not None:
            return m
    return sentence_subject(ctx, s_start, c.first) or subject_before(ctx, c.first, floor)


def colon_speaker(ctx: Context, floor: int, colon: int) -> Mention | None:
    """The speaker of "Smith: ..." or "HEADLINE - Pew Research: ...": a name ending at the colon,
    or the whole short phrase before it."""
    i = ctx.layout.word_index(colon) - 1
    if i < 0 or ctx.word_start(i) < floor or ctx.text[ctx.word_end(i) : colon].strip():
        return None
    start = max(floor, ctx.text.rfind(" - ", floor, colon) + 3, ctx.text.rfind("\u2014", floor, colon) + 1)
    first = ctx.layout.word_index(start)
    ent = ctx.ent_of[i]
    if ent is not None and ent.label in SPEAKER_LABELS and ent.end >= ctx.word_end(i):
        if ctx.layout.word_index(ent.start) - first <= 2:  # only the name (and a title) before the colon
            return Mention(ent.start, ent.end, "entity", ent)
        return None
    if 0 < i - first + 1 <= ctx.lexicon.max_speaker_words // 2 and ctx.text[ctx.word_start(first)].isupper():
        if any(ctx.lowered[k] in ctx.lexicon.barriers for k in range(first, i + 1)):
            return None
        return Mention(ctx.word_start(first), ctx.word_end(i), "descriptor")
    return None


def sentence_subject(ctx: Context, start: int, cue: int) -> Mention | None:
    """The main subject of a sentence, for participles ("..., saying") and "and said": the
    first name or pronoun outside quotes, after a dateline ("WASHINGTON (AP) -") or an opening
    phrase ("In March, ...", "After the vote, ...")."""
    i = ctx.layout.word_index(start)
    for k in range(i, min(cue, i + 8)):
        if _DASH.search(ctx.gap(k)):
            i = k + 1
            break
    if i < len(ctx.lowered) and ctx.lowered[i] in ctx.lexicon.intro_words:
        for k in range(i, min(cue, i + 20)):
            if ctx.stop[k]:
                break
            if ctx.comma[k]:
                i = k + 1
                break
    if (
        i < cue
        and ctx.lowered[i] in ctx.lexicon.determiners
        and ctx.layout.quote_at(ctx.word_start(i)) is None
    ):
        end = i + 1  # "The president noted ...": a short noun phrase up to a verb-like word
        while end < min(cue, i + 3) and not ctx.stop[end - 1] and not ctx.comma[end - 1]:
            w = ctx.lowered[end]
            ent = ctx.ent_of[end]
            if (
                w in ctx.lexicon.barriers
                or any(
                    len(cue_words) == 1 for cue_words, _ in ctx.lexicon.cues.get(w, ())
                )  # "campaign" opens only "campaign for"
                or w.endswith("ed")
                or (ent and ent.label not in _ADJ)
            ):
                break  # "The Republican candidate": a party or nationality word is part of the phrase
            end += 1
        if end - i > 1:
            return Mention(ctx.word_start(i), ctx.word_end(end - 1), "descriptor")
        if end >= len(ctx.lowered) or ctx.ent_of[end] is None:
            return None  # a lone determiner; "The Pentagon said" goes on to the name below
    seen = 0
    for k in range(i, cue):
        if ctx.layout.quote_at(ctx.word_start(k)) is not None:
            continue
        seen += 1
        ent = ctx.ent_of[k]
        if ent is not None and ent.label in SPEAKER_LABELS and ent.start >= start:
            if ctx.text[ent.end : ent.end + 2] in ("'s", "\u2019s"):  # "Clinton's right-hand woman"
                return _possessive(ctx, ent, k, cue)
            if ent.label not in PERSON_LABELS:  # "Republican presidential hopeful Ted Cruz"
                for j in range(k + 1, min(cue, k + 6)):
                    if ctx.stop[j - 1] or ctx.comma[j - 1]:
                        break
                    person = ctx.ent_of[j]
                    if person is not None and person.label in PERSON_LABELS:
                        return Mention(person.start, person.end, "entity", person)
            return Mention(ent.start, ent.end, "entity", ent)
        pronoun = ctx.lowered[k].split("'")[0]  # "he's comparing"
        if pronoun in ctx.lexicon.subject_pronouns and pronoun not in ("it", "you", *ctx.lexicon.object_case):
            return Mention(ctx.word_start(k), ctx.word_start(k) + len(pronoun), "pronoun")
        if seen >= 14 or (ctx.stop[k] and _HARD.search(ctx.gap(k))):
            return None
    return None


def _possessive(ctx: Context, ent: Entity, k: int, cue: int) -> Mention:
    end = k + 1
    while end < min(cue, k + 4) and not ctx.stop[end - 1] and not ctx.comma[end - 1]:
        if ctx.lowered[end] in ctx.lexicon.barriers or ctx.lowered[end] in ctx.lexicon.np_inner:
            break
        end += 1
    return Mention(ent.start, ctx.word_end(end - 1), "descriptor")
