"""Speakers for the quotes stage: the mention next to a cue, and who it is.

A mention is an entity, a pronoun or a short descriptor noun phrase ("the spokesman"), found by
walking words away from the cue without a parser. Pronouns resolve to the most recent compatible
person outside quotes; descriptors resolve when the story names them through an apposition
("Steve Warren, a spokesman,") or a title ("spokesman Steve Warren").
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field

from pipeline.quotes_layout import Layout
from pipeline.quotes_lexicon import QuoteLexicon, match_backward, match_forward, norm
from pipeline.records import Entity, Speaker

PERSON_LABELS = frozenset({"PERSON", "PER"})
_DASH = re.compile(r"\s[-\u2014\u2013]{1,2}\s|\u2014")
_HARD = re.compile(r"[.;:!?()\[\]\u2014\u2013]")
_ARTICLES = frozenset({"the", "a", "an", "his", "her", "their", "its", "our", "my", "your", "whose"})
SPEAKER_LABELS = frozenset({"PERSON", "PER", "ORG", "NORP", "GPE"})
_PUNCT_GAP = re.compile(r"[.;:!?\"\u201c\u201d\u00ab\u00bb()\[\]\u2014\u2013]|\s-\s|--|''")
_MARK_OR_COMMA = re.compile(r",|[.;:!?\"\u201c\u201d\u00ab\u00bb()\[\]\u2014\u2013]|\s-\s|--|''")


@dataclass(frozen=True, slots=True)
class CueHit:
    first: int  # word indices: [first, last)
    last: int
    kind: str  # a lexicon cue kind, or "colon" for "Speaker: ..."
    at: int = -1  # the colon's offset for kind "colon"


@dataclass(frozen=True, slots=True)
class Mention:
    start: int
    end: int
    kind: str  # "entity", "pronoun" or "descriptor"
    entity: Entity | None = None


@dataclass(slots=True)
class Context:
    """One story as the quotes stage reads it: layout, lower-cased words, entities by word."""

    text: str
    lay: Layout
    lex: QuoteLexicon
    entities: Sequence[Entity]
    low: list[str] = field(default_factory=list)
    ent_of: list[Entity | None] = field(default_factory=list)
    stop: list[bool] = field(default_factory=list)  # punctuation after word i ends a noun phrase
    comma: list[bool] = field(default_factory=list)  # a comma follows word i
    _people: list[Entity] | None = None
    _roles: dict[str, list[Entity]] | None = None

    def __post_init__(self) -> None:
        self.low = [norm(self.text[s:e]) for s, e in self.lay.words]
        self.ent_of = [None] * len(self.low)
        for ent in self.entities:
            i = self.lay.word_index(ent.start)
            while i < len(self.low) and self.lay.words[i][0] < ent.end:
                self.ent_of[i] = ent
                i += 1
        self.stop, self.comma = self._punctuation()

    def _punctuation(self) -> tuple[list[bool], list[bool]]:
        """Per word: does punctuation that ends a noun phrase follow it (a period after "Mr" or a
        single initial does not), and does a comma? One pass over the punctuation marks."""
        n = len(self.low)
        hard, dot, comma = [False] * n, [False] * n, [False] * n
        starts = self.lay.word_starts
        for m in _MARK_OR_COMMA.finditer(self.text):
            i = bisect_right(starts, m.start()) - 1
            if i < 0 or m.start() < self.we(i):
                continue
            if m.group() == ",":
                comma[i] = True
            elif m.group() == "." and m.start() == self.we(i):
                dot[i] = True
            else:
                hard[i] = True
        abbreviations = self.lex.abbreviations
        stop = [
            hard[i]
            or (
                dot[i]
                and not (
                    self.low[i] in abbreviations
                    or (len(self.low[i]) == 1 and self.text[self.ws(i)].isupper())
                )
            )
            for i in range(n)
        ]
        return stop, comma

    def ws(self, i: int) -> int:
        return self.lay.words[i][0]

    def we(self, i: int) -> int:
        return self.lay.words[i][1]

    def gap(self, i: int) -> str:
        """The text between word i and the next one."""
        end = self.ws(i + 1) if i + 1 < len(self.low) else len(self.text)
        return self.text[self.we(i) : end]

    def cues(self) -> list[CueHit]:
        """Cue phrases outside quotes, longest match first, left to right. A cue word is lower-case
        (or opens a sentence), outside names, and not a noun after an article ("the report")."""
        out: list[CueHit] = []
        low, cues = self.low, self.lex.cues
        i = 0
        while i < len(low):
            for words, kind in cues.get(low[i], ()):
                if tuple(low[i : i + len(words)]) != words or not self._cue_like(i):
                    continue
                out.append(CueHit(i, i + len(words), kind))
                i += len(words) - 1
                break
            i += 1
        return out

    def _cue_like(self, i: int) -> bool:
        start, text = self.ws(i), self.text
        if start > 0 and text[start - 1] in "-\u2010":  # "self-described"
            return False
        prev = self.low[i - 1] if i > 0 and not self.stop[i - 1] else ""
        possessive = prev.endswith("'s") and prev[:-2] not in self.lex.subject_pronouns  # not "he's said"
        if prev in _ARTICLES or possessive:
            return False  # "the report", "Rubio's proposed credit"
        if self.ent_of[i] is not None or self.lay.quote_at(start) is not None:
            return False
        return not text[start].isupper() or self.lay.sentence(start)[0] == start

    def after_cue(self, c: CueHit, limit: int) -> int:
        """Char offset after a cue, its object ("told reporters") and time phrases ("on Monday")."""
        i = c.last
        if c.kind == "according_to":
            m = self.speaker_after(i, limit)
            return m.end if m is not None else self.we(c.last - 1)
        if c.kind == "object" and i < len(self.low) and self.ws(i) < limit:
            n = match_forward(self.low, i, self.lex.object_words)
            ent = self.ent_of[i]
            if n:
                i += n
            elif ent is not None:
                while i < len(self.low) and self.ent_of[i] is ent:
                    i += 1
        while i < len(self.low) and self.ws(i) < limit:
            n = match_forward(self.low, i, self.lex.skip_after)
            if not n:
                break
            i += n
        return self.we(i - 1) if i > c.first else self.ws(c.first)

    # -- finding mentions ---------------------------------------------------------------------

    def subject_before(self, cue: int, floor: int, *, relative: bool = False) -> Mention | None:
        """The subject mention ending just before word `cue`, not before char `floor`; with
        `relative`, also the phrase a relative clause hangs on ("an official who asked ..., said")."""
        lex, i = self.lex, cue - 1
        while i >= 0 and self.ws(i) >= floor and not self.stop[i]:
            n = match_backward(self.low, i, lex.skip_before)
            w = self.low[i]
            if not n and (w.endswith("n't") or (w.endswith("ly") and len(w) > 4 and w not in lex.np_words)):
                n = 1  # "doesn't want", "falsely suggesting"
            if not n:
                break
            i -= n
        if i < 0 or self.ws(i) < floor:
            return None
        if i > 0 and self.comma[i] and self.low[i] in lex.parentheticals and self.comma[i - 1]:
            i -= 1  # "Others, however, say ..."
            m = self._np_ending(i, floor)
            if (
                m is not None
                and m.kind != "descriptor"
                or (m is not None and self.low[i] not in lex.np_inner)
            ):
                return m
        gap = self.gap(i)
        if _DASH.search(gap) and not self.comma[i]:  # "insiders in two states - Nevada and Ohio - said"
            k = i - 1
            while k >= 0 and self.ws(k) >= floor and i - k < 10 and not _DASH.search(self.gap(k)):
                k -= 1
            return self._np_ending(k, floor) if k >= 0 and self.ws(k) >= floor and i - k < 10 else None
        if gap.strip().lstrip(".").startswith(")"):  # "Gov. John Kasich (R-OH) said"
            opening = self.text.rfind("(", floor, self.we(i))
            if opening < 0 or self.we(i) - opening > 40:
                return None
            i = self.lay.word_index(opening) - 1
            if i < 0 or self.ws(i) < floor:
                return None
            return self._np_ending(i, floor)
        if "," in gap or self.stop[i]:
            if self.stop[i]:
                return None
            j = self._before_apposition(i, floor)
            ent = self.ent_of[i]
            if j < 0 and ent is not None and ent.label in PERSON_LABELS:
                j = i  # "the White House spokesman, Josh Earnest, said": the name is the apposition
            if j < 0:
                return None
            i = j
        m = self._np_ending(i, floor)
        return m if m is not None or not relative else self._before_relative(i, floor)

    def _before_relative(self, i: int, floor: int) -> Mention | None:
        """ "a White House official who spoke anonymously said": the phrase before "who"."""
        for k in range(i, max(-1, i - 12), -1):
            if self.ws(k) < floor or self.stop[k]:
                return None
            if self.low[k] in ("who", "whose") and k > 0 and not self.stop[k - 1]:
                m = self._np_ending(k - 1, floor)
                return m if m is not None and m.kind != "pronoun" else None
        return None

    def _before_apposition(self, i: int, floor: int) -> int:
        """Word ending the noun phrase before an apposition that ends at word i, or -1: the
        earliest person ("Smith, editor of The Forward, a weekly, said"), else the nearest name."""
        best = -1
        for k in range(i - 1, max(-1, i - 24), -1):
            if self.ws(k) < floor:
                break
            g = self.gap(k)
            if self.stop[k]:
                break
            if "," not in g:
                continue
            ent = self.ent_of[k]
            if ent is not None and ent.label in PERSON_LABELS:
                best = k
            elif best < 0 and (
                (ent is not None and ent.label in SPEAKER_LABELS) or self.low[k] in self.lex.subject_pronouns
            ):
                best = k
        return best

    def _np_ending(self, i: int, floor: int) -> Mention | None:
        lex, low = self.lex, self.low
        ent = self.ent_of[i]
        if ent is not None and ent.label in SPEAKER_LABELS and ent.end <= self.we(i) + 1:
            return Mention(ent.start, ent.end, "entity", ent)
        pronoun = low[i].split("'")[0]  # "he's said", "they've argued"
        if pronoun in lex.subject_pronouns and pronoun not in lex.object_case:
            return Mention(self.ws(i), self.ws(i) + len(pronoun), "pronoun")
        if low[i] in lex.barriers or low[i] in lex.determiners or low[i] in lex.np_inner or low[i].isdigit():
            return None
        k = i
        while k - 1 >= 0 and self.ws(k - 1) >= floor and i - k < lex.max_speaker_words:
            if self.stop[k - 1] or self.comma[k - 1] or low[k - 1] in lex.barriers:
                break
            k -= 1
            if low[k] in lex.determiners:
                break
        while k < i and low[k] in lex.np_inner and low[k] not in lex.determiners:
            k += 1
        if i - k + 1 > lex.max_speaker_words:
            return None
        if low[k] in lex.determiners or any(self.ent_of[j] is not None for j in range(k, i + 1)):
            return Mention(self.ws(k), self.we(i), "descriptor")  # "the spokesman", "Sanders' campaign"
        if all(self.text[self.ws(j)].isupper() for j in range(k, i + 1)) and i - k < 5:
            return Mention(self.ws(k), self.we(i), "descriptor")  # a name the model missed
        if low[k][:1].isdigit() or low[k] in lex.quantities:  # "52 percent of registered voters say"
            return Mention(self.ws(k), self.we(i), "descriptor")
        at_clause_start = k == 0 or self.ws(k) == floor or self.stop[k - 1] or self.comma[k - 1]
        opens_sentence = self.lay.sentence(self.ws(k))[0] == self.ws(k)  # "Recent polling shows"
        plain = opens_sentence or all(not low[j].endswith(("ly", "ing", "ed")) for j in range(k, i + 1))
        if at_clause_start and plain and i - k < 3:
            return Mention(self.ws(k), self.we(i), "descriptor")  # "Officials said", "Critics argue"
        return None

    def speaker_after(self, i: int, limit: int, *, any_phrase: bool = False) -> Mention | None:
        """The speaker mention starting at word i ("said Smith", "said the spokesman"); with
        `any_phrase`, a bare noun phrase too ("according to state law")."""
        lex, low = self.lex, self.low
        if i >= len(low) or self.ws(i) >= limit:
            return None
        alone = self.stop[i] or self.comma[i] or i + 1 >= len(low) or self.ws(i + 1) >= limit
        if low[i] in lex.subject_pronouns and (low[i] not in lex.object_case or alone):
            return Mention(self.ws(i), self.we(i), "pronoun")  # "said he", "according to him,"
        end = i
        while end < len(low) and self.ws(end) < limit and end - i < lex.max_speaker_words:
            ent = self.ent_of[end]
            if ent is not None and ent.label in SPEAKER_LABELS and end - i <= 4:
                if ent.label in PERSON_LABELS or not any(
                    (e := self.ent_of[j]) is not None and e.label in PERSON_LABELS
                    for j in range(end, min(end + 4, len(low)))
                    if self.ws(j) < limit
                ):
                    return Mention(ent.start, ent.end, "entity", ent)
            if end > i and low[end] in lex.barriers:
                break
            if self.stop[end] or self.comma[end]:
                end += 1
                break
            end += 1
        if low[i] not in lex.determiners and not self.text[self.ws(i)].isupper() and not any_phrase:
            return None
        last = end - 1
        while last > i and (low[last] in lex.np_inner or low[last] in lex.barriers):
            last -= 1
        if last < i or (last == i and low[i] in lex.determiners):
            return None
        return Mention(self.ws(i), self.we(last), "descriptor")

    def glued_pronoun(self, c: CueHit) -> Mention | None:
        """A subject pronoun inside an inverted cue ("a-t-il dit") or glued after it ("dit-elle")."""
        for j in range(c.first + 1, c.last):
            if self.low[j] in self.lex.subject_pronouns:
                return Mention(self.ws(j), self.we(j), "pronoun")
        end = self.we(c.last - 1)
        for k in range(c.last, min(c.last + 2, len(self.low))):
            if (
                self.low[k] in self.lex.subject_pronouns
                and self.text[end : self.ws(k)] in self.lex.inverted_glue
            ):
                return Mention(self.ws(k), self.we(k), "pronoun")
        return None

    def clause_subject(self, c: CueHit, floor: int) -> Mention | None:
        """The subject of a participle ("Smith left, saying") or of a second verb ("and said")."""
        s_start = self.lay.sentence(self.ws(c.first))[0]
        prev = self.low[c.first - 1] if c.first > 0 else ""
        if prev in ("and", "but") and c.first >= 3 and self.ws(c.first - 3) >= floor:
            pronoun = self.low[c.first - 3]  # "he laughed and said"
            if pronoun in self.lex.subject_pronouns and pronoun not in self.lex.object_case:
                return Mention(self.ws(c.first - 3), self.we(c.first - 3), "pronoun")
        if c.first > 0 and not self.comma[c.first - 1] and prev not in ("and", "but", "to"):
            m = self.subject_before(c.first, floor)  # "Trump reportedly yelling"
            if m is not None and m.kind != "descriptor":
                return m
        return self.sentence_subject(s_start, c.first) or self.subject_before(c.first, floor)

    def colon_speaker(self, floor: int, colon: int) -> Mention | None:
        """The speaker of "Smith: ..." or "HEADLINE - Pew Research: ...": a name ending at the colon,
        or the whole short phrase before it."""
        i = self.lay.word_index(colon) - 1
        if i < 0 or self.ws(i) < floor or self.text[self.we(i) : colon].strip():
            return None
        start = max(
            floor, self.text.rfind(" - ", floor, colon) + 3, self.text.rfind("\u2014", floor, colon) + 1
        )
        first = self.lay.word_index(start)
        ent = self.ent_of[i]
        if ent is not None and ent.label in SPEAKER_LABELS and ent.end >= self.we(i):
            if self.lay.word_index(ent.start) - first <= 2:  # only the name (and a title) before the colon
                return Mention(ent.start, ent.end, "entity", ent)
            return None
        if 0 < i - first + 1 <= self.lex.max_speaker_words // 2 and self.text[self.ws(first)].isupper():
            if any(self.low[k] in self.lex.barriers for k in range(first, i + 1)):
                return None
            return Mention(self.ws(first), self.we(i), "descriptor")
        return None

    def sentence_subject(self, start: int, cue: int) -> Mention | None:
        """The main subject of a sentence, for participles ("..., saying") and "and said": the
        first name or pronoun outside quotes, after a dateline ("WASHINGTON (AP) -") or an opening
        phrase ("In March, ...", "After the vote, ...")."""
        i = self.lay.word_index(start)
        for k in range(i, min(cue, i + 8)):
            if _DASH.search(self.gap(k)):
                i = k + 1
                break
        if i < len(self.low) and self.low[i] in self.lex.intro_words:
            for k in range(i, min(cue, i + 20)):
                if self.stop[k]:
                    break
                if self.comma[k]:
                    i = k + 1
                    break
        if i < cue and self.low[i] in self.lex.determiners and self.lay.quote_at(self.ws(i)) is None:
            end = i + 1  # "The president noted ...": a short noun phrase up to a verb-like word
            while end < min(cue, i + 3) and not self.stop[end - 1] and not self.comma[end - 1]:
                w = self.low[end]
                if w in self.lex.barriers or w in self.lex.cues or w.endswith("ed") or self.ent_of[end]:
                    break
                end += 1
            if self.ent_of[end] is None or end - i > 1:
                return Mention(self.ws(i), self.we(end - 1), "descriptor") if end - i > 1 else None
        seen = 0
        for k in range(i, cue):
            if self.lay.quote_at(self.ws(k)) is not None:
                continue
            seen += 1
            ent = self.ent_of[k]
            if ent is not None and ent.label in SPEAKER_LABELS and ent.start >= start:
                if self.text[ent.end : ent.end + 2] in ("'s", "\u2019s"):  # "Clinton's right-hand woman"
                    return self._possessive(ent, k, cue)
                if ent.label not in PERSON_LABELS:  # "Republican presidential hopeful Ted Cruz"
                    for j in range(k + 1, min(cue, k + 6)):
                        if self.stop[j - 1] or self.comma[j - 1]:
                            break
                        person = self.ent_of[j]
                        if person is not None and person.label in PERSON_LABELS:
                            return Mention(person.start, person.end, "entity", person)
                return Mention(ent.start, ent.end, "entity", ent)
            pronoun = self.low[k].split("'")[0]  # "he's comparing"
            if pronoun in self.lex.subject_pronouns and pronoun not in ("it", "you", *self.lex.object_case):
                return Mention(self.ws(k), self.ws(k) + len(pronoun), "pronoun")
            if seen >= 14 or (self.stop[k] and _HARD.search(self.gap(k))):
                return None
        return None

    def _possessive(self, ent: Entity, k: int, cue: int) -> Mention:
        end = k + 1
        while end < min(cue, k + 4) and not self.stop[end - 1] and not self.comma[end - 1]:
            if self.low[end] in self.lex.barriers or self.low[end] in self.lex.np_inner:
                break
            end += 1
        return Mention(ent.start, self.we(end - 1), "descriptor")

    # -- who a mention is ---------------------------------------------------------------------

    def speaker(self, m: Mention) -> Speaker:
        surface = self.text[m.start : m.end]
        if m.entity is not None:
            return Speaker(m.entity.text, m.entity.start, m.entity.end, m.entity.canonical)
        if m.kind == "pronoun":
            ref = self._pronoun_referent(norm(surface), m.start)
            return Speaker(surface, m.start, m.end, ref.canonical if ref else surface)
        return Speaker(surface, m.start, m.end, self._descriptor_referent(m) or surface)

    def people(self) -> list[Entity]:
        if self._people is None:
            lay = self.lay
            self._people = [
                e for e in self.entities if e.label in PERSON_LABELS and lay.quote_at(e.start) is None
            ]
            self._people.sort(key=lambda e: e.start)
        return self._people

    def gender(self, person: Entity) -> str | None:
        """ "m" or "f" from a title before a mention of this person ("Mrs. Clinton"), else from the
        first name of its canonical name ("Hillary Clinton"), else None."""
        for e in self.people():
            if e.canonical != person.canonical:
                continue
            before = self.text[max(0, e.start - 16) : e.start].rstrip(" .")
            title = norm(before.rsplit(None, 1)[-1]) if before.split() else ""
            if title in self.lex.gender_titles:
                return self.lex.gender_titles[title]
        names = person.canonical.split()
        return self.lex.first_names.get(norm(names[0])) if len(names) > 1 else None

    def _pronoun_referent(self, pronoun: str, before: int) -> Entity | None:
        gender = self.lex.subject_pronouns.get(pronoun)
        if gender not in ("m", "f"):
            if gender == "p":
                for e in reversed([e for e in self.entities if e.end <= before]):
                    if e.label in ("ORG", "NORP") and self.lay.quote_at(e.start) is None:
                        return e
            return None
        people = self.people()
        k = bisect_right([e.start for e in people], before)
        for e in reversed(people[:k]):
            g = self.gender(e)
            if g is None or g == gender:
                return e
        return None

    def roles(self) -> dict[str, list[Entity]]:
        """Role words naming people: "Steve Warren, a spokesman," or "spokesman Steve Warren"."""
        if self._roles is None:
            self._roles = {}
            for e in self.people():
                after = re.match(r",\s+(?:an?|the)\s+([^,.;]{2,60})", self.text[e.end : e.end + 64])
                head = _head(after.group(1), self.lex) if after else None
                j = self.lay.word_index(e.start) - 1
                titled = self.low[j] if j >= 0 and not self.text[self.ws(j)].isupper() else None
                for role in {head, titled} - {None}:
                    assert role is not None
                    self._roles.setdefault(role, []).append(e)
        return self._roles

    def _descriptor_referent(self, m: Mention) -> str | None:
        head = _head(self.text[m.start : m.end], self.lex)
        named = self.roles().get(head or "", [])
        if not named:
            return None
        earlier = [e for e in named if e.start < m.start]
        if earlier:
            return earlier[-1].canonical
        return named[0].canonical if len({e.canonical for e in named}) == 1 else None


def _head(phrase: str, lex: QuoteLexicon) -> str | None:
    """The head noun of a short noun phrase: its last word before a preposition."""
    words = [norm(w) for w in re.findall(r"[^\W_]+(?:['\u2019][^\W_]+)*", phrase)]
    for k, w in enumerate(words):
        if k and w in lex.np_inner:
            words = words[:k]
            break
    words = [w for w in words if w not in lex.determiners]
    return words[-1] if words else None
