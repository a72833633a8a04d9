"""Who a speaker mention is: names give their canonical form (the entity stage's fullest name),
pronouns the most recent compatible person outside quotes (gender from titles and first names),
descriptors the person the story names with that role ("Steve Warren, a spokesman," then "the
spokesman said"), "who" its antecedent; otherwise the mention itself."""

from __future__ import annotations

import re
from bisect import bisect_right

from pipeline.quotes.context import PERSON_LABELS, Context, Mention
from pipeline.quotes.lexicon import QuoteLexicon, norm
from pipeline.quotes.titles import title_referent
from pipeline.records import Entity, Speaker


def speaker_of(ctx: Context, m: Mention) -> Speaker:
    surface = ctx.text[m.start : m.end]
    if m.antecedent is not None:  # "who": the person the relative clause hangs on
        return Speaker(surface, m.start, m.end, speaker_of(ctx, m.antecedent).canonical)
    if m.entity is not None:
        return Speaker(m.entity.text, m.entity.start, m.entity.end, m.entity.canonical)
    if m.kind == "pronoun":
        ref = _pronoun_referent(ctx, norm(surface), m.start)
        return Speaker(surface, m.start, m.end, ref.canonical if ref else surface)
    titled = title_referent(ctx, m)  # the name after it, or its role in the language's own shapes
    canonical = titled.canonical if titled is not None else _descriptor_referent(ctx, m)
    return Speaker(surface, m.start, m.end, canonical or surface)


def outside_people(ctx: Context) -> list[Entity]:
    if ctx.people_cache is None:
        story_layout = ctx.layout
        ctx.people_cache = [
            e for e in ctx.entities if e.label in PERSON_LABELS and story_layout.quote_at(e.start) is None
        ]
        ctx.people_cache.sort(key=lambda e: e.start)
    return ctx.people_cache


def gender_of(ctx: Context, person: Entity) -> str | None:
    """ "m" or "f" from a title before a mention of this person ("Mrs. Clinton"), else from the
    first name of its canonical name ("Hillary Clinton"), else None."""
    for e in outside_people(ctx):
        if e.canonical != person.canonical:
            continue
        before = ctx.text[max(0, e.start - 16) : e.start].rstrip(" .")
        title = norm(before.rsplit(None, 1)[-1]) if before.split() else ""
        if title in ctx.lexicon.gender_titles:
            return ctx.lexicon.gender_titles[title]
    names = person.canonical.split()
    first = ctx.lexicon.first_names.get(norm(names[0])) if len(names) > 1 else None
    return first or _surname_gender(ctx.lexicon, names[-1] if names else "")


def _surname_gender(lexicon: QuoteLexicon, surname: str) -> str | None:
    """Gender from a surname's ending where the language marks it (Russian "Захарова", "Песков")."""
    word = norm(surname)
    for ending in sorted(lexicon.surname_genders, key=len, reverse=True):
        if word.endswith(ending) and len(word) > len(ending) + 1:
            return lexicon.surname_genders[ending]
    return None


def _pronoun_referent(ctx: Context, pronoun: str, before: int) -> Entity | None:
    gender = ctx.lexicon.subject_pronouns.get(pronoun) or ctx.lexicon.possessives.get(
        pronoun
    )  # "his criticism"
    if gender not in ("m", "f"):
        if gender == "p":
            for e in reversed([e for e in ctx.entities if e.end <= before]):
                if e.label in ("ORG", "NORP") and ctx.layout.quote_at(e.start) is None:
                    return e
        return None
    persons = outside_people(ctx)
    k = bisect_right([e.start for e in persons], before)
    for e in reversed(persons[:k]):
        g = gender_of(ctx, e)
        if g is None or g == gender:
            return e
    return None


def roles(ctx: Context) -> dict[str, list[Entity]]:
    """Role words naming people: "Steve Warren, a spokesman," or "spokesman Steve Warren"."""
    if ctx.roles_cache is None:
        ctx.roles_cache = {}
        for e in outside_people(ctx):
            after = re.match(r",\s+(?:an?|the)\s+([^,.;]{2,60})", ctx.text[e.end : e.end + 64])
            head = _head(after.group(1), ctx.lexicon) if after else None
            j = ctx.layout.word_index(e.start) - 1
            titled = ctx.lowered[j] if j >= 0 and not ctx.text[ctx.word_start(j)].isupper() else None
            for role in {head, titled} - {None}:
                assert role is not None
                ctx.roles_cache.setdefault(role, []).append(e)
    return ctx.roles_cache


def _descriptor_referent(ctx: Context, m: Mention) -> str | None:
    head = _head(ctx.text[m.start : m.end], ctx.lexicon)
    named = roles(ctx).get(head or "", [])
    if not named:
        return None
    earlier = [e for e in named if e.start < m.start]
    if earlier:
        return earlier[-1].canonical
    return named[0].canonical if len({e.canonical for e in named}) == 1 else None


def _head(phrase: str, lexicon: QuoteLexicon) -> str | None:
    """The head noun of a short noun phrase: its last word before a preposition."""
    words = [norm(w) for w in re.findall(r"[^\W_]+(?:['\u2019][^\W_]+)*", phrase)]
    for k, w in enumerate(words):
        if k and w in lexicon.np_inner:
            words = words[:k]
            break
    words = [w for w in words if w not in lexicon.determiners]
    return words[-1] if words else None
