"""Entities stage: the model's mentions, trimmed, fixed by data rules and canonicalised within a story.

One pass over `doc.ents` and one regex pass over the text (no re-parsing, no POS tags or sentences):

1. Trim each mention: a leading article ("the Harlow council"), a leading title on people ("Colonel Steve
   Warren" -> "Steve Warren") and a trailing possessive ("Warren's" -> "Warren"); split "World Health
   Organization (WHO" into the name and its acronym. The trimmed span stays a true substring of the body,
   so `body[start:end] == text`. Roles tagged as names ("ministre des Transports") go.
2. Fix obvious model mistakes with rules from `resources/entities/<lang>.json`: a mention whose words are
   part of a person's name in the same story is that person (a surname tagged ORG); a one-word mention
   after a title ("Mr. Brandt") is a person; a lone "person" after "in"/"from" that is nobody's name in
   the story is a place; a surname or acronym the model tagged once but missed elsewhere is added.
3. Link partial mentions to the fullest name of the same entity in the story ("Warren" -> "Steve Warren",
   "Authority" -> "Valmora Port Authority", "VPA" -> "Valmora Port Authority"); when two full names share
   the part, the one mentioned nearest before wins.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from spacy.tokens import Doc, Span

from pipeline.records import Entity

_MAX_TITLE_TOKENS = 3
_SPACE = re.compile(r"\s+")
_ACRONYM = re.compile(r"[A-Z](?:\.?[A-Z0-9]){1,7}\.?")
_NAME = re.compile(r"[^\W\d_][\w'\u2019-]*")


@dataclass(frozen=True, slots=True)
class EntityRules:
    """Titles and fix-up rules for one language, loaded from `resources/entities/<lang>.json`."""

    lang: str
    keep_labels: frozenset[str]  # empty: keep every label the model gives
    person_label: str
    link_groups: tuple[frozenset[str], ...]  # labels whose partial mentions link to a fuller name
    relabel_to_person: frozenset[str]
    titles: frozenset[str]  # normalised: lower-case, no periods, single spaces
    determiners: frozenset[str]
    keep_determiner: frozenset[str]  # names whose article is part of the name ("The Hague")
    possessives: tuple[str, ...]
    acronym_skip: frozenset[str]
    place_label: str = "GPE"
    name_particles: frozenset[str] = frozenset()  # "de" in "Luca de Meo": part of a surname
    generic_heads: frozenset[str] = frozenset()  # "groupe" in "groupe Renault": not part of the name
    place_prepositions: frozenset[str] = frozenset()  # a lone unknown "person" after these is a place
    min_surname_chars: int = 3
    # inflected languages: endings cut off a word before mentions are matched ("Лаврова" -> "Лавров"),
    # longest first, when at least `min_stem_chars` are left; offsets and surfaces are never cut
    match_suffixes: tuple[str, ...] = ()
    min_stem_chars: int = 3
    drop_words: frozenset[str] = frozenset()  # a one-word mention of these is no name ("Según", casefolded)
    first_names: frozenset[str] = frozenset()  # a 2-4 word non-person mention opening with one is a person
    # "Президент России Владимир Путин": natasha tags the genitive place as a person right before the name
    person_before_person_is_place: bool = False
    # "ministra de Defensa": a name right after one of these titles and links is the role's portfolio,
    # not an entity of the story (Spanish and Italian models tag it ORG); "presidente de Uruguay" is a place
    portfolio_titles: frozenset[str] = frozenset()
    portfolio_links: tuple[str, ...] = ()

    @property
    def person_labels(self) -> frozenset[str]:
        return frozenset({self.person_label, "PERSON", "PER"})


def _norm_title(text: str) -> str:
    return _SPACE.sub(" ", text.lower().replace(".", "")).strip()


@cache
def load_entity_rules(lang: str = "en") -> EntityRules:
    """The rules for `lang`, or the language-neutral defaults when there is no file for it."""
    folder = resources.files("pipeline.resources.entities")
    name = f"{lang}.json" if folder.joinpath(f"{lang}.json").is_file() else "default.json"
    data: dict[str, Any] = json.loads(folder.joinpath(name).read_text(encoding="utf-8"))
    return EntityRules(
        lang=lang,
        keep_labels=frozenset(data["keep_labels"]),
        person_label=data["person_label"],
        link_groups=tuple(frozenset(g) for g in data["link_groups"]),
        relabel_to_person=frozenset(data["relabel_to_person"]),
        titles=frozenset(_norm_title(t) for t in data["titles"]),
        determiners=frozenset(d.lower() for d in data["determiners"]),
        keep_determiner=frozenset(k.lower() for k in data["keep_determiner"]),
        possessives=tuple(sorted(data["possessives"], key=len, reverse=True)),
        acronym_skip=frozenset(data["acronym_skip"]),
        place_label=data.get("place_label", "GPE"),
        place_prepositions=frozenset(data.get("place_prepositions", ())),
        name_particles=frozenset(data.get("name_particles", ())),
        generic_heads=frozenset(data.get("generic_heads", ())),
        min_surname_chars=int(data.get("min_surname_chars", 3)),
        match_suffixes=tuple(sorted(data.get("match_suffixes", ()), key=len, reverse=True)),
        min_stem_chars=int(data.get("min_stem_chars", 3)),
        drop_words=frozenset(w.casefold() for w in data.get("drop_words", ())),
        first_names=_first_names() if data.get("first_names") else frozenset(),
        person_before_person_is_place=bool(data.get("person_before_person_is_place", False)),
        portfolio_titles=frozenset(_norm_title(t) for t in data.get("portfolio_titles", ())),
        portfolio_links=tuple(data.get("portfolio_links", ())),
    )


@cache
def _first_names() -> frozenset[str]:
    """Common given names (resources/entities/first_names.txt), casefolded."""
    text = (
        resources.files("pipeline.resources.entities").joinpath("first_names.txt").read_text(encoding="utf-8")
    )
    return frozenset(
        w.casefold() for line in text.splitlines() if not line.startswith("#") for w in line.split()
    )


@dataclass(slots=True)
class _Mention:
    start: int
    end: int
    label: str
    words: tuple[str, ...]  # casefolded, for matching
    after_title: bool = False
    before: str = ""  # the word before the mention, lower-case
    before_start: int = -1  # where that word starts in the text
    first_word: str = ""  # the first word as written, casefolded (not cut to its stem)
    capitalised: bool = False  # every word starts with a capital


def _title_length(tokens: Sequence[Any], rules: EntityRules) -> int:
    """How many leading tokens form a title, if a capitalised name follows them; else 0."""
    for k in range(min(_MAX_TITLE_TOKENS, len(tokens) - 1), 0, -1):
        text = "".join(t.text_with_ws for t in tokens[:k])
        if _norm_title(text) in rules.titles and tokens[k].text[:1].isupper():
            return k
    return 0


def _trim(span: Span, text: str, rules: EntityRules, is_person: bool) -> tuple[int, int, bool, int] | None:
    """Character bounds of the mention without article, title, possessive or trailing space; None if empty."""
    tokens = list(span)
    for i, tok in enumerate(tokens):  # a mention never runs across a paragraph break
        if tok.is_space and "\n" in tok.text:
            tokens = tokens[:i]
            break
    after_title = False
    if len(tokens) > 1 and tokens[0].lower_ in rules.determiners:
        whole = _SPACE.sub(" ", "".join(t.text_with_ws for t in tokens).strip().lower())
        if whole not in rules.keep_determiner:
            tokens = tokens[1:]
    while len(tokens) > 1 and tokens[0].lower_ in rules.drop_words:  # "Según Díaz": a sentence opener
        tokens = tokens[1:]
    if len(tokens) > 1 and tokens[0].text in rules.generic_heads:  # "groupe Renault", "usine de Douai"
        rest = tokens[1:]
        while len(rest) > 1 and rest[0].lower_ in rules.name_particles:
            rest = rest[1:]
        if rest[0].text[:1].isupper():
            tokens = rest
    if is_person:
        while cut := _title_length(tokens, rules):  # "Lt. Col. Ana Ruiz": titles may follow each other
            tokens, after_title = tokens[cut:], True
        if not after_title and len(tokens) == 1 and _norm_title(tokens[0].text) in rules.titles:
            return None  # "President" alone is a role, not a name
    elif tokens and tokens[0].text[:1].islower() and _norm_title(tokens[0].text) in rules.titles:
        return None  # "ministre des Transports": a role, not an organisation's name
    while tokens and (tokens[-1].is_punct or tokens[-1].is_space or tokens[-1].text in rules.possessives):
        tokens = tokens[:-1]
    while tokens and (tokens[0].is_punct or tokens[0].is_space):
        tokens = tokens[1:]
    if not tokens:
        return None
    start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)
    end = _strip_closing(text, start, end)
    for suffix in rules.possessives:  # a possessive the tokenizer left attached
        if text.endswith(suffix, start, end) and end - start > len(suffix) + 1:
            end -= len(suffix)
            break
    if not any(ch.isalnum() for ch in text[start:end]):
        return None
    return start, end, after_title, tokens[0].i


_CLOSING = frozenset(")]}>-–—,;:!?»\"”")


def _strip_closing(text: str, start: int, end: int) -> int:
    """The end without trailing brackets, dashes and stops a tokenizer left on the last word ("EFE).-")."""
    while end > start + 1:
        if text[end - 1] in _CLOSING or (text[end - 1] == "." and not text[end - 2].isalnum()):
            end -= 1
        else:
            break
    return end


def _is_portfolio(text: str, start: int, rules: EntityRules) -> bool:
    """Whether the text before `start` ends with a lower-case title and a portfolio link ("ministro del ")."""
    if not rules.portfolio_links:
        return False
    before = _SPACE.sub(" ", text[max(0, start - 60) : start]).rstrip()
    for link in rules.portfolio_links:
        if before.lower().endswith(" " + link):
            head = before[: -len(link)].rstrip().rsplit(" ", 1)[-1].strip(",;:(")
            return head[:1].islower() and _norm_title(head) in rules.portfolio_titles
    return False


def _split_parenthesis(doc: Doc, ent: Span) -> list[Span]:
    """ "World Health Organization (WHO" tagged as one: the name, and the acronym in brackets on its own."""
    for i in range(ent.start + 1, ent.end):
        if doc[i].text == "(":
            inner = [t for t in doc[i + 1 : ent.end] if t.text != ")"]
            spans = [doc[ent.start : i]]
            if len(inner) == 1 and _ACRONYM.fullmatch(inner[0].text):
                spans.append(doc[inner[0].i : inner[0].i + 1])
            return spans
    return [ent]


def _words(text: str, rules: EntityRules) -> tuple[str, ...]:
    """The casefolded words of a mention, each cut to its stem in an inflected language."""
    words = _SPACE.sub(" ", text).casefold().split(" ")
    if rules.match_suffixes:
        words = [_stem(w, rules) for w in words]
    return tuple(words)


def _stem(word: str, rules: EntityRules) -> str:
    for suffix in rules.match_suffixes:
        if word.endswith(suffix) and len(word) - len(suffix) >= rules.min_stem_chars:
            return word[: -len(suffix)]
    return word


def _contains(hay: tuple[str, ...], needle: tuple[str, ...]) -> bool:
    n = len(needle)
    return any(hay[i : i + n] == needle for i in range(len(hay) - n + 1))


def extract_entities(doc: Doc, *, rules: EntityRules) -> list[Entity]:
    """One Entity per mention in `doc.ents` (plus missed surnames of named people); offsets index doc.text."""
    text = doc.text
    person = rules.person_labels
    mentions: list[_Mention] = []
    for ent in doc.ents:
        label = ent.label_
        if rules.keep_labels and label not in rules.keep_labels:
            continue
        for span in _split_parenthesis(doc, ent):
            bounds = _trim(span, text, rules, label in person)
            if bounds is None:
                continue
            start, end, after_title, first = bounds
            before = doc[first - 1].text if first > 0 else ""
            before_start = doc[first - 1].idx if first > 0 else -1
            mention = _Mention(
                start,
                end,
                label,
                _words(text[start:end], rules),
                after_title,
                before.lower(),
                before_start,
                text[start:end].split()[0].casefold(),
                all(w[:1].isupper() for w in text[start:end].split()),
            )
            if len(mention.words) == 1 and text[start:end].casefold() in rules.drop_words:
                continue
            if label not in person and _is_portfolio(text, start, rules):
                continue
            if label not in person and len(mention.words) == 1:
                mention.after_title = _norm_title(before) in rules.titles and before[:1].isupper()
            mentions.append(mention)
    _fix_labels(mentions, rules)
    _dateline_place(text, mentions, rules)
    _extend_particles(mentions, rules)
    mentions = _add_missed_names(text, mentions, rules)
    canon = _canonicals(text, mentions, rules)
    return [
        Entity(text=text[m.start : m.end], label=m.label, start=m.start, end=m.end, canonical=c)
        for m, c in zip(mentions, canon, strict=True)
    ]


def _fix_labels(mentions: list[_Mention], rules: EntityRules) -> None:
    """A non-person mention that is part of a person's name in this story, or follows a title, is a person.

    A one-word name tagged both ways ("Brandt" as PERSON once and ORG once) follows the majority of its
    tags (ties go to the person), so one wrong PERSON tag on a place does not spread.
    """
    person = rules.person_labels
    for m in mentions:  # "Mark Rutte" tagged MISC: a given name opens it
        if m.label not in person and m.label in rules.relabel_to_person and 2 <= len(m.words) <= 4:
            if m.first_word in rules.first_names and m.capitalised:  # not "Santiago de Chile"
                m.label = rules.person_label
    full = [m.words for m in mentions if m.label in person and len(m.words) > 1]
    if rules.person_before_person_is_place:
        _places_before_names(mentions, rules, full)
    as_person: dict[tuple[str, ...], int] = {}
    as_other: dict[tuple[str, ...], int] = {}
    for m in mentions:
        if len(m.words) == 1:
            counts = as_person if m.label in person else as_other
            counts[m.words] = counts.get(m.words, 0) + 1
    for m in mentions:
        if m.label in person or m.label not in rules.relabel_to_person:
            continue
        if len(m.words) == 1:
            fix = m.after_title or any(_contains(name, m.words) for name in full)
            fix = fix or as_person.get(m.words, 0) >= max(1, as_other.get(m.words, 0))
        else:
            fix = any(_contains(name, m.words) for name in full if len(name) >= len(m.words))
        if fix:
            m.label = rules.person_label
    for m in mentions:  # "a teacher from Glasgow" tagged PERSON, with no person of that name in the story
        if (
            m.label in person
            and len(m.words) == 1
            and m.before in rules.place_prepositions
            and not m.after_title
            and not any(_contains(name, m.words) for name in full)
        ):
            m.label = rules.place_label


_DATELINE_END = re.compile(r"\s*(?:,|\(|[-–—]\s)")


def _dateline_place(text: str, mentions: list[_Mention], rules: EntityRules) -> None:
    """ "MADRID (EFE).-", "BERLIN, 3. März": an upper-case name opening the story is its dateline, a place."""
    if not mentions or text[: mentions[0].start].strip():
        return
    first = mentions[0]
    name = text[first.start : first.end]
    if name.isupper() and len(name) > 2 and _DATELINE_END.match(text, first.end):
        first.label = rules.place_label


def _places_before_names(mentions: list[_Mention], rules: EntityRules, full: list[tuple[str, ...]]) -> None:
    """A one-word mention right before a full name, and nobody's name in the story, is a place, even after
    a title ("Глава Татарстана Рустам Минниханов": the title is the person's)."""
    person = rules.person_labels
    for m, after in zip(mentions, mentions[1:], strict=False):
        if (
            (m.label in person or m.label == rules.place_label)
            and len(m.words) == 1
            and after.label in person
            and len(after.words) > 1
            and after.start - m.end <= 1
            and not any(_contains(name, m.words) for name in full)
        ):
            m.label, m.after_title = rules.place_label, False


def _extend_particles(mentions: list[_Mention], rules: EntityRules) -> None:
    """ "Meo" after "de" is "de Meo" when "Luca de Meo" is named in the story."""
    person = rules.person_labels
    full = [m.words for m in mentions if m.label in person and len(m.words) > 1]
    for m in mentions:
        if m.label in person and m.before in rules.name_particles and m.before_start >= 0:
            longer = (m.before, *m.words)
            if any(_contains(name, longer) for name in full):
                m.start, m.words, m.before, m.before_start = m.before_start, longer, "", -1


def _add_missed_names(text: str, mentions: list[_Mention], rules: EntityRules) -> list[_Mention]:
    """Names the model tagged somewhere but missed elsewhere, found by one regex pass over the text:
    surnames of people named in full, and acronyms ("WHO") it tagged at least once."""
    person = rules.person_labels
    names: dict[str, str] = {}
    for m in mentions:
        surface = text[m.start : m.end]
        if m.label in person and len(m.words) > 1:
            surname = surface.split()[-1]
            if len(surname) >= rules.min_surname_chars and surname[:1].isupper() and _NAME.fullmatch(surname):
                names.setdefault(surname, rules.person_label)
        elif m.label not in person and _ACRONYM.fullmatch(surface) and "." not in surface:
            names.setdefault(surface, m.label)
    if not names:
        return mentions
    pattern = re.compile(
        r"(?<![\w\-])(?:" + "|".join(map(re.escape, sorted(names, key=len, reverse=True))) + r")(?![\w\-])"
    )
    starts = [m.start for m in mentions]
    added: list[_Mention] = []
    for found in pattern.finditer(text):
        s, e = found.span()
        i = bisect.bisect_right(starts, s) - 1
        if i >= 0 and mentions[i].end > s:  # already inside a mention
            continue
        if i + 1 < len(mentions) and mentions[i + 1].start < e:
            continue
        if _next_word_capitalised(text, e):  # "Lindqvist Shipping": part of another name
            continue
        added.append(_Mention(s, e, names[found.group()], _words(found.group(), rules)))
    if not added:
        return mentions
    return sorted(mentions + added, key=lambda m: m.start)


def _next_word_capitalised(text: str, end: int) -> bool:
    rest = text[end : end + 40]
    if not rest.startswith(" "):
        return False
    word = rest[1:].split(" ", 1)[0]
    return word[:1].isupper()


def _canonicals(text: str, mentions: list[_Mention], rules: EntityRules) -> list[str]:
    """The fullest name in the story for each mention, within its link group."""
    surface: dict[tuple[str, tuple[str, ...]], str] = {}  # first surface form of each (group, words)
    where: dict[tuple[str, tuple[str, ...]], list[int]] = {}
    groups: list[str] = []
    for m in mentions:
        group = _group_of(m.label, rules)
        groups.append(group)
        key = (group, m.words)
        surface.setdefault(key, _SPACE.sub(" ", text[m.start : m.end]))
        where.setdefault(key, []).append(m.start)
    by_group: dict[str, list[tuple[str, ...]]] = {}
    for group, words in surface:
        by_group.setdefault(group, []).append(words)
    out: list[str] = []
    for m, group in zip(mentions, groups, strict=True):
        own = surface[(group, m.words)]
        if not group.startswith("link:"):  # cut to stems, "Österreichs" and "Österreich" share a key
            out.append(_SPACE.sub(" ", text[m.start : m.end]) if rules.match_suffixes else own)
            continue
        fuller = [w for w in by_group[group] if len(w) > len(m.words) and _contains(w, m.words)]
        if not fuller and len(m.words) == 1 and _ACRONYM.fullmatch(own):
            fuller = [
                w for w in by_group[group] if _initials(surface[(group, w)], rules) == own.replace(".", "")
            ]
        if not fuller:
            out.append(own)
            continue
        best = _pick(fuller, m.start, group, where)
        out.append(surface[(group, best)])
    return out


def _group_of(label: str, rules: EntityRules) -> str:
    for i, group in enumerate(rules.link_groups):
        if label in group:
            return f"link:{i}"
    return f"own:{label}"


def _initials(name: str, rules: EntityRules) -> str:
    words = [w for w in name.split() if w not in rules.acronym_skip]
    return "".join(w[0] for w in words if w[:1].isupper()) if len(words) > 1 else ""


def _pick(
    fuller: list[tuple[str, ...]], at: int, group: str, where: dict[tuple[str, tuple[str, ...]], list[int]]
) -> tuple[str, ...]:
    """The candidate mentioned nearest before `at` (else first after), then the fullest name containing it."""

    def distance(words: tuple[str, ...]) -> tuple[int, int]:
        starts = where[(group, words)]
        i = bisect.bisect_right(starts, at) - 1
        return (at - starts[i] if i >= 0 else 10**9 + starts[0], -len(words))

    nearest = min(fuller, key=distance)
    return max((w for w in fuller if _contains(w, nearest)), key=lambda w: (len(w), -distance(w)[0]))
