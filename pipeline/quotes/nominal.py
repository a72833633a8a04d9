"""Nominal attributions for the quotes stage: a noun standing for what someone says or holds,
owned by them ("his criticism of the plan", "Smith's claim that ...", "their support for the toll").

The noun phrases are data (`nominal_cues` in `resources/quotes/<lang>.json`, each ending with the
word that opens what is held: "of", "for", "that"); the owner is a possessive pronoun or a name
with "'s" right before the noun (one or two modifiers may come between: "his repeated attacks on").
What is held runs to the end of its noun phrase, or of the clause after "that"/"to". Nouns inside
a clause another cue reports stay part of it, as nested cues do.
"""

from __future__ import annotations

from bisect import bisect_right

from pipeline.quotes.context import SPEAKER_LABELS, Context, Mention
from pipeline.quotes.lexicon import match_forward
from pipeline.quotes.resolve import speaker_of
from pipeline.records import Cue, Quote

_MODIFIERS = 2  # words between the owner and the noun ("his repeated public attacks on")


def nominal_quotes(ctx: Context, taken: list[tuple[int, int]]) -> list[Quote]:
    """Quotes for owned attribution nouns outside quotes and outside the spans in `taken`."""
    lexicon, lowered = ctx.lexicon, ctx.lowered
    if not lexicon.nominal_cues:
        return []
    spans = _merged(taken)
    starts = [a for a, _ in spans]
    out: list[Quote] = []
    for i, w in enumerate(lowered):
        if w not in lexicon.nominal_cues:
            continue
        n = match_forward(lowered, i, lexicon.nominal_cues)
        at = ctx.word_start(i)
        if (
            not n
            or i + n >= len(lowered)
            or ctx.layout.quote_at(at) is not None
            or not ctx.text[at].islower()
        ):
            continue
        k = bisect_right(starts, at) - 1
        if k >= 0 and at < spans[k][1]:
            continue  # inside a clause another cue reports
        owner = _owner(ctx, i)
        if owner is None:
            continue
        start = ctx.word_start(i + n)
        end = _held_end(
            ctx, i + n, clause=lowered[i + n - 1] in lexicon.clause_links or lowered[i + n - 1] == "to"
        )
        if end <= start:
            continue
        ce = ctx.word_end(i + n - 1)
        out.append(
            Quote(
                ctx.text[start:end],
                start,
                end,
                "indirect",
                speaker_of(ctx, owner),
                Cue(ctx.text[at:ce], at, ce),
            )
        )
    return out


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _owner(ctx: Context, i: int) -> Mention | None:
    """ "his" / "Smith's" right before the noun at word i, over at most two modifiers."""
    lexicon = ctx.lexicon
    for j in range(i - 1, max(-1, i - 2 - _MODIFIERS), -1):
        if ctx.stop[j] or ctx.comma[j]:
            return None
        w = ctx.lowered[j]
        if w in lexicon.possessives:
            return Mention(ctx.word_start(j), ctx.word_end(j), "pronoun")
        ent = ctx.ent_of[j]
        if ent is not None and ent.label in SPEAKER_LABELS and w.endswith(("'s", "s'")):
            return Mention(ent.start, ent.end, "entity", ent)
        if (
            w in lexicon.determiners
            or w in lexicon.barriers
            or w in lexicon.np_inner
            or not ctx.text[ctx.word_start(j)].islower()
        ):
            return None
    return None


def _held_end(ctx: Context, k: int, *, clause: bool) -> int:
    """Where what the noun holds ends: at the first comma or stop, or (for a noun phrase) before a
    word that starts a verb phrase or a relative clause ("support for the toll has grown")."""
    lexicon = ctx.lexicon
    end = k
    while end < len(ctx.lowered) and end - k < lexicon.max_held_words:
        w = ctx.lowered[end]
        if not clause and end > k and (w in lexicon.barriers or w in lexicon.cues or _past(ctx, end)):
            break  # "support for the toll has grown", "criticism of the toll surprised him"
        if ctx.layout.quote_at(ctx.word_start(end)) is None and ctx.stop[end] or ctx.comma[end]:
            end += 1
            break
        end += 1
    return ctx.word_end(end - 1) if end > k else ctx.word_start(k)


def _past(ctx: Context, i: int) -> bool:
    """A lower-case word with the past-tense ending ("surprised"): the noun phrase has ended."""
    suffix = ctx.lexicon.past_suffix
    return bool(suffix) and ctx.lowered[i].endswith(suffix) and ctx.text[ctx.word_start(i)].islower()
