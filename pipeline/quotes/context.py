"""The story as the quotes stage reads it: layout, lower-cased words, entities and punctuation by
word, and the cue phrases found in it. Built once per story; the other `pipeline.quotes` modules read it."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field

from pipeline.quotes.layout import Layout
from pipeline.quotes.lexicon import QuoteLexicon, norm
from pipeline.records import Entity

PERSON_LABELS = frozenset({"PERSON", "PER"})
SPEAKER_LABELS = frozenset({"PERSON", "PER", "ORG", "NORP", "GPE"})
_ARTICLES = frozenset({"the", "a", "an", "his", "her", "their", "its", "our", "my", "your", "whose"})
_MARK_OR_COMMA = re.compile(r",|[.;:!?\"\u201c\u201d\u00ab\u00bb()\[\]\u2014\u2013]|\s-\s|--|''")


@dataclass(frozen=True, slots=True)
class CueHit:
    first: int  # word indices: [first, last)
    last: int
    kind: str  # a lexicon cue kind, or "colon" for "Speaker: ..." (a colon or a signing dash)
    at: int = -1  # the mark's offset for kind "colon"


@dataclass(frozen=True, slots=True)
class Mention:
    start: int
    end: int
    # "entity", "pronoun", "descriptor", "relative" ("who", naming `antecedent`) or "dropped" (no
    # subject in the text: `entity` is the person named last, a stand-in the stage may better)
    kind: str
    entity: Entity | None = None
    antecedent: Mention | None = None


@dataclass(slots=True)
class Context:
    """One story as the quotes stage reads it: layout, lower-cased words, entities by word."""

    text: str
    layout: Layout
    lexicon: QuoteLexicon
    entities: Sequence[Entity]
    lowered: list[str] = field(default_factory=list)
    ent_of: list[Entity | None] = field(default_factory=list)
    stop: list[bool] = field(default_factory=list)  # punctuation after word i ends a noun phrase
    comma: list[bool] = field(default_factory=list)  # a comma follows word i
    language_roles: dict[str, list[Entity]] | None = None  # role words in other languages' shapes (titles)
    people_cache: list[Entity] | None = None
    roles_cache: dict[str, list[Entity]] | None = None
    titles_cache: list[tuple[int, int]] | None = None

    def __post_init__(self) -> None:
        self.lowered = [norm(self.text[s:e]) for s, e in self.layout.words]
        self.ent_of = [None] * len(self.lowered)
        for ent in self.entities:
            i = self.layout.word_index(ent.start)
            while i < len(self.lowered) and self.layout.words[i][0] < ent.end:
                self.ent_of[i] = ent
                i += 1
        self.stop, self.comma = self._punctuation()

    def _punctuation(self) -> tuple[list[bool], list[bool]]:
        """Per word: does punctuation that ends a noun phrase follow it (a period after "Mr" or a
        single initial does not), and does a comma? One pass over the punctuation marks."""
        n = len(self.lowered)
        hard, dot, comma = [False] * n, [False] * n, [False] * n
        starts = self.layout.word_starts
        for m in _MARK_OR_COMMA.finditer(self.text):
            i = bisect_right(starts, m.start()) - 1
            if i < 0 or m.start() < self.word_end(i):
                continue
            if m.group() == ",":
                comma[i] = not self.in_number(m.start())
            elif m.group() == "." and m.start() == self.word_end(i):
                dot[i] = True
            else:
                hard[i] = True
        abbreviations = self.lexicon.abbreviations
        stop = [
            hard[i]
            or (
                dot[i]
                and not (
                    self.lowered[i] in abbreviations
                    or (len(self.lowered[i]) == 1 and self.text[self.word_start(i)].isupper())
                )
            )
            for i in range(n)
        ]
        return stop, comma

    def in_number(self, at: int) -> bool:
        """Is the comma at `at` a thousands separator ("10,000")? Then it ends no phrase."""
        return 0 < at < len(self.text) - 1 and self.text[at - 1].isdigit() and self.text[at + 1].isdigit()

    def find_comma(self, start: int, end: int) -> int:
        """The first comma in text[start:end] that is not inside a number, or -1."""
        at = self.text.find(",", start, end)
        while at >= 0 and self.in_number(at):
            at = self.text.find(",", at + 1, end)
        return at

    def rfind_comma(self, start: int, end: int) -> int:
        """The last comma in text[start:end] that is not inside a number, or -1."""
        at = self.text.rfind(",", start, end)
        while at >= 0 and self.in_number(at):
            at = self.text.rfind(",", start, at)
        return at

    def word_start(self, i: int) -> int:
        return self.layout.words[i][0]

    def word_end(self, i: int) -> int:
        return self.layout.words[i][1]

    def gap(self, i: int) -> str:
        """The text between word i and the next one."""
        end = self.word_start(i + 1) if i + 1 < len(self.lowered) else len(self.text)
        return self.text[self.word_end(i) : end]

    def cues(self) -> list[CueHit]:
        """Cue phrases outside quotes, longest match first, left to right. A cue word is lower-case
        (or opens a sentence), outside names, and not a noun after an article ("the report")."""
        out: list[CueHit] = []
        lowered, cues = self.lowered, self.lexicon.cues
        i = 0
        while i < len(lowered):
            nxt = lowered[i + 1] if i + 1 < len(lowered) else ""
            for words, kind in cues.get(lowered[i], ()):
                if len(words) > 1 and words[1] != nxt:  # a cheap test first: "is" opens many phrases
                    continue
                if tuple(lowered[i : i + len(words)]) != words or not self.cue_like(i):
                    continue
                if words[0] in self.lexicon.comma_sources and not (i > 0 and self.comma[i - 1]):
                    continue  # German "so" is a source only in "..., so Müller"
                if words[0] in self.lexicon.named_sources and not self._names_source(i, len(words)):
                    continue  # Italian "per" is a source only in "Per il ministro Rossi, ..."
                out.append(CueHit(i, i + len(words), kind))
                i += len(words) - 1
                break
            i += 1
        return out

    def _names_source(self, i: int, n: int) -> bool:
        """A preposition that is a source ("Per X, ...", "Para X, ...") only opening its sentence
        and followed, within four words, by a person's or an organisation's name and then a comma."""
        start = self.word_start(i)
        if self.layout.sentence(start)[0] != start:
            return False
        for k in range(i + n, min(i + n + 4, len(self.lowered))):
            ent = self.ent_of[k]
            if ent is not None and ent.label in SPEAKER_LABELS:
                return self.text[ent.end : ent.end + 1] == ","
            if self.stop[k] or self.comma[k]:
                return False
        return False

    def cue_like(self, i: int) -> bool:
        start, text = self.word_start(i), self.text
        if start > 0 and text[start - 1] in "-\u2010":  # "self-described"
            return False
        prev = self.lowered[i - 1] if i > 0 and not self.stop[i - 1] else ""
        possessive = prev.endswith("'s") and prev[:-2] not in self.lexicon.subject_pronouns  # not "he's said"
        if prev in _ARTICLES or possessive:
            return False  # "the report", "Rubio's proposed credit"
        ent = self.ent_of[i]
        slip = text[start].islower() and (ent is not None and (ent.start == start or ent.label == "MISC"))
        if ent is not None and not slip:  # a name; not a lower-case word the model swept into a span
            return False  # ("aseguró" tagged ORG, "El técnico confirmó" MISC)
        if self.layout.quote_at(start) is not None:
            return False
        return not text[start].isupper() or self.layout.sentence(start)[0] == start or self.in_title(start)

    def in_title(self, at: int) -> bool:
        """Is `at` on a short line in title case ("Mayor Backs Harbour Plan"), where verbs are
        capitalised like everything else?"""
        if self.titles_cache is None:
            self.titles_cache = []
            pos = 0
            for line in self.text.split("\n"):
                words = [w for w in line.split() if w[:1].isalpha()]
                if 3 <= len(words) <= self.lexicon.max_title_words:
                    upper = sum(1 for w in words if w[:1].isupper())
                    if upper * 4 >= len(words) * 3:
                        self.titles_cache.append((pos, pos + len(line)))
                pos += len(line) + 1
        return any(a <= at < b for a, b in self.titles_cache)
