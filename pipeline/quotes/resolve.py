"""Who a speaker mention is: names give their canonical form (the entity stage's fullest name),
pronouns the most recent compatible person outside quotes (gender from titles and first names),
descriptors the person the story names with that role ("Steve Warren, a spokesman," then "the
spokesman said"), "who" its antecedent; otherwise the mention itself."""

from __future__ import annotations

import re
from bisect import bisect_right

from pipeline.quotes.context import PERSON_LABELS, Context, Mention
from pipeline.quotes.lexicon import QuoteLexicon, norm
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
    return Speaker(surface, m.start, m.end, _descriptor_referent(ctx, m) or surface)


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


def _apposed(ctx: Context, m: Mention) -> Entity | None:
    """The person named right after a descriptor and its comma ("the spokesman, Josh Earnest")."""
    k = ctx.layout.word_index(m.end)
    if k >= len(ctx.lowered) or ctx.text[m.end : ctx.word_start(k)].strip() != ",":
        return None
    ent = ctx.ent_of[k]
    return ent if ent is not None and ent.label in PERSON_LABELS and ent.start == ctx.word_start(k) else None


def roles(ctx: Context) -> dict[str, list[Entity]]:
    """Role words naming people: "Steve Warren, a spokesman," or "spokesman Steve Warren"."""
    if ctx.roles_cache is None:
        ctx.roles_cache = {}
        for e in outside_people(ctx):
            articles = "|".join(ctx.lexicon.role_articles)
            after = re.match(rf",\s+(?:{articles})\s+([^,.;]{{2,60}})", ctx.text[e.end : e.end + 64])
            head = _head(after.group(1), ctx.lexicon) if after else None
            j = ctx.layout.word_index(e.start) - 1
            lower = j >= 0 and not ctx.text[ctx.word_start(j)].isupper()
            capital_title = (
                j >= 0 and ctx.lexicon.capitalised_nouns and ctx.ent_of[j] is None and not ctx.stop[j]
            )
            titled = ctx.lowered[j] if lower or capital_title else None  # "Bauministerin Anna Seidel"
            leading = (  # with leading_roles: "la ministra del Interior, Paula Cárdenas"
                re.search(
                    rf"(?s)(?:^|.*[\s(])(?:{articles})\s+([^,.;]{{2,60}}?),?\s*$",  # the nearest article
                    ctx.text[max(0, e.start - 64) : e.start],
                    re.I,
                )
                if ctx.lexicon.leading_roles
                else None
            )
            ahead = _head(leading.group(1), ctx.lexicon) if leading else None
            for role in {head, titled, ahead, *_titles_before(ctx, j)} - {None}:
                assert role is not None
                ctx.roles_cache.setdefault(role, []).append(e)
    return ctx.roles_cache


def _titles_before(ctx: Context, j: int) -> list[str]:
    """With `role_window` > 1, the words of a title run before a name ("Губернатор области Сергей
    Ткачев" names a "губернатор"), up to punctuation or another name."""
    out: list[str] = []
    if ctx.lexicon.role_window <= 1:
        return out
    for k in range(j, max(-1, j - ctx.lexicon.role_window), -1):
        if ctx.stop[k] or ctx.comma[k] or ctx.ent_of[k] is not None:
            break
        start = ctx.word_start(k)
        if ctx.text[start].isupper() and ctx.layout.sentence(start)[0] != start:
            break
        out.append(ctx.lowered[k])
    return out


def _role_people(ctx: Context, head: str) -> list[Entity]:
    """People named with this role; with `stem_roles`, also under an inflected form ("губернатора")."""
    named = roles(ctx).get(head, [])
    if named or not ctx.lexicon.stem_roles or len(head) < 5:
        return named
    found = [
        e for role, people in roles(ctx).items() if len(role) >= 4 and _same_stem(role, head) for e in people
    ]
    return sorted(found, key=lambda e: e.start)


def _same_stem(role: str, word: str) -> bool:
    """Two forms of one noun: they differ only in an ending of at most two letters."""
    common = 0
    while common < min(len(role), len(word)) and role[common] == word[common]:
        common += 1
    return len(role) - common <= 2 and len(word) - common <= 2 and common >= 4


def _descriptor_referent(ctx: Context, m: Mention) -> str | None:
    apposed = _apposed(ctx, m)
    if apposed is not None:
        return apposed.canonical  # "dijo la comisaria de Medio Ambiente, Inés Lindqvist"
    head = _head(ctx.text[m.start : m.end], ctx.lexicon)
    named = _role_people(ctx, head or "")
    if not named and head and ctx.lexicon.capitalised_nouns:  # "die Ministerin": "Bauministerin Anna Seidel"
        named = [e for role, people in roles(ctx).items() if role.endswith(head) for e in people]
        named.sort(key=lambda e: e.start)
    if not named:
        return None
    earlier = [e for e in named if e.start < m.start]
    if earlier:
        return earlier[-1].canonical
    return named[0].canonical if len({e.canonical for e in named}) == 1 else None


def _elided(word: str, lexicon: QuoteLexicon) -> str:
    """ "l'istituto" -> "istituto": an article or preposition glued on by an apostrophe goes."""
    glued, _, rest = word.partition("'")
    return rest if rest and (glued in lexicon.determiners or glued in lexicon.np_inner) else word


def _head(phrase: str, lexicon: QuoteLexicon) -> str | None:
    """The head noun of a short noun phrase: its last word before a preposition."""
    words = [_elided(norm(w), lexicon) for w in re.findall(r"[^\W_]+(?:['\u2019][^\W_]+)*", phrase)]
    for k, w in enumerate(words):
        if k and w in lexicon.np_inner:
            words = words[:k]
            break
    words = [w for w in words if w not in lexicon.determiners]
    if not words:
        return None
    return words[0] if lexicon.head_first else words[-1]
