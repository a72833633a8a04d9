"""Who a descriptor is, in the shapes other languages give a person's role: the name right after the
descriptor ("dijo la comisaria de Medio Ambiente, Inés Lindqvist"), a role before a name and its comma
("la ministra del Interior, Paula Cárdenas" ... "la ministra"), a capitalised title ("Bauministerin Anna
Seidel" ... "die Ministerin"), a title run ("Губернатор области Сергей Ткачев" ... "по словам
губернатора"). Which shapes a language has is data (`role_articles`, `leading_roles`, `head_first`,
`capitalised_nouns`, `role_window`, `stem_roles`); English's own shapes stay in `resolve.roles`.
"""

from __future__ import annotations

import re

from pipeline.quotes.context import PERSON_LABELS, Context, Mention
from pipeline.quotes.lexicon import QuoteLexicon, norm
from pipeline.records import Entity

_PHRASE_WORDS = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")
_REACH = 64  # characters either side of a name where its role is looked for


def title_referent(ctx: Context, m: Mention) -> Entity | None:
    """The person a descriptor names: the one right after it and its comma, else the one the story
    named with the descriptor's role in the language's own shapes (the latest before it, or the only one)."""
    apposed = _apposed(ctx, m)
    if apposed is not None or not _has_shapes(ctx.lexicon):
        return apposed
    head = role_head(ctx.text[m.start : m.end], ctx.lexicon)
    if head is None:
        return None
    named = sorted(
        (e for role, people in _roles(ctx).items() if _same_role(ctx.lexicon, role, head) for e in people),
        key=lambda e: e.start,
    )
    earlier = [e for e in named if e.start < m.start]
    if earlier:
        return earlier[-1]
    return named[0] if named and len({e.canonical for e in named}) == 1 else None


def role_head(phrase: str, lexicon: QuoteLexicon) -> str | None:
    """The head noun of a short role phrase: before a preposition, its first word where heads come
    first ("il comandante provinciale"), else its last ("Leiterin"); glued articles go ("l'istituto")."""
    words = [_elided(norm(w), lexicon) for w in _PHRASE_WORDS.findall(phrase)]
    for k, w in enumerate(words):
        if k and w in lexicon.np_inner:
            words = words[:k]
            break
    words = [w for w in words if w not in lexicon.determiners]
    if not words:
        return None
    return words[0] if lexicon.head_first else words[-1]


def _has_shapes(lexicon: QuoteLexicon) -> bool:
    return bool(lexicon.role_articles) or lexicon.capitalised_nouns or lexicon.role_window > 1


def _apposed(ctx: Context, m: Mention) -> Entity | None:
    """The person named right after a descriptor and its comma ("the spokesman, Josh Earnest")."""
    k = ctx.layout.word_index(m.end)
    if k >= len(ctx.lowered) or ctx.text[m.end : ctx.word_start(k)].strip() != ",":
        return None
    ent = ctx.ent_of[k]
    return ent if ent is not None and ent.label in PERSON_LABELS and ent.start == ctx.word_start(k) else None


def _roles(ctx: Context) -> dict[str, list[Entity]]:
    """Role words naming the story's people, in the language's shapes; built once per story."""
    if ctx.language_roles is None:
        ctx.language_roles = {}
        people = sorted(
            (e for e in ctx.entities if e.label in PERSON_LABELS and ctx.layout.quote_at(e.start) is None),
            key=lambda e: e.start,
        )
        for e in people:
            for role in _roles_of(ctx, e):
                ctx.language_roles.setdefault(role, []).append(e)
    return ctx.language_roles


def _roles_of(ctx: Context, e: Entity) -> set[str]:
    """The role words around one mention of a person."""
    lexicon, out = ctx.lexicon, set()
    articles = "|".join(lexicon.role_articles)
    if articles:  # "Paula Cárdenas, la ministra del Interior,"
        after = re.match(rf",\s+(?:{articles})\s+([^,.;]{{2,60}})", ctx.text[e.end : e.end + _REACH], re.I)
        out.add(role_head(after.group(1), lexicon) if after else None)
    if articles and lexicon.leading_roles:  # "la ministra del Interior, Paula Cárdenas": the nearest article
        before = ctx.text[max(0, e.start - _REACH) : e.start]
        leading = re.search(rf"(?s)(?:^|.*[\s(])(?:{articles})\s+([^,.;]{{2,60}}?),?\s*$", before, re.I)
        out.add(role_head(leading.group(1), lexicon) if leading else None)
    j = ctx.layout.word_index(e.start) - 1
    if j >= 0 and lexicon.capitalised_nouns and ctx.ent_of[j] is None and not ctx.stop[j]:
        out.add(ctx.lowered[j])  # "Bauministerin Anna Seidel"
    out.update(_title_run(ctx, j))
    return {r for r in out if r}


def _title_run(ctx: Context, j: int) -> list[str]:
    """The words of a title run ending at word j, up to `role_window` of them, stopped by punctuation,
    another name or a capital inside a sentence ("Губернатор области Сергей Ткачев")."""
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


def _same_role(lexicon: QuoteLexicon, role: str, head: str) -> bool:
    """Does a role word name the descriptor's head: the same word, a German compound ending in it
    ("Bauministerin" for "Ministerin"), or, with `stem_roles`, another form of it ("губернатора")."""
    if role == head:
        return True
    if lexicon.capitalised_nouns and role.endswith(head):
        return True
    return lexicon.stem_roles and len(head) >= 5 and _same_stem(role, head)


def _same_stem(role: str, word: str) -> bool:
    """Two forms of one noun: they differ only in an ending of at most two letters."""
    common = 0
    while common < min(len(role), len(word)) and role[common] == word[common]:
        common += 1
    return len(role) - common <= 2 and len(word) - common <= 2 and common >= 4


def _elided(word: str, lexicon: QuoteLexicon) -> str:
    """ "l'istituto" -> "istituto": an article or a preposition glued on by an apostrophe goes."""
    glued, _, rest = word.partition("'")
    return rest if rest and (glued in lexicon.determiners or glued in lexicon.np_inner) else word
