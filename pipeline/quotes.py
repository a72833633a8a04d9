"""Quotes stage: direct quotes found by their marks, attributed through cue verbs next to them.

Rule-based on purpose: it needs only the text and the entity mentions (no parser), so it costs a
small share of the entity stage. Cue verbs, pronouns and descriptor openers are per-language data
files in `resources/quotes/`. What cannot be trusted (an unclosed mark, a short quote with no cue,
which is a scare quote or a title) is left out rather than guessed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from pipeline.config import QuoteConfig
from pipeline.records import Cue, Entity, Quote, Speaker

OPENERS = {"\u201c": "\u201d", "\u00ab": "\u00bb", "\u201e": "\u201c", '"': '"', "\u2039": "\u203a"}
_SPK = r"[^,.;:!?\u201c\u201d\u00ab\u00bb\"\n]"
_APPOSITION = rf"(?:,{_SPK}{{1,90}},)?"  # "Smith, a spokesman for the ministry, said"
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")
PERSON_LABELS = frozenset({"PERSON", "PER"})


@dataclass(frozen=True, slots=True)
class QuoteLexicon:
    lang: str
    after_inverted: re.Pattern[str]  # ", said Smith"
    after_plain: re.Pattern[str]  # ", Smith said"
    before: re.Pattern[str]  # "Smith said: "
    partial: re.Pattern[str]  # "Smith called it a "
    according: re.Pattern[str]  # "according to Smith,"
    pronouns: dict[str, str]
    descriptor_starts: frozenset[str]
    max_speaker_words: int


def _alternation(items: list[str]) -> str:
    return "|".join(re.escape(i) for i in sorted(items, key=len, reverse=True))


@cache
def load_lexicon(lang: str) -> QuoteLexicon | None:
    """The lexicon for `lang`, or None when there are no resources for it."""
    path = resources.files("pipeline.resources.quotes").joinpath(f"{lang}.json")
    if not path.is_file():
        return None
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    cues = _alternation(data["cues"])
    partial = _alternation(data["partial_cues"])
    according = _alternation(data["according_to"])
    n = int(data.get("max_speaker_words", 12))
    return QuoteLexicon(
        lang=lang,
        after_inverted=re.compile(rf"^[\s,\u2014\u2013-]*(?P<cue>{cues})\s+(?P<spk>{_SPK}{{1,120}})", re.I),
        after_plain=re.compile(
            rf"^[\s,\u2014\u2013-]*(?P<spk>{_SPK}{{1,90}}?){_APPOSITION}\s+(?P<cue>{cues})\b", re.I
        ),
        before=re.compile(rf"(?P<spk>{_SPK}{{1,90}}?){_APPOSITION}\s+(?P<cue>{cues})\s*[,:]?\s*$", re.I),
        partial=re.compile(
            rf"(?P<spk>{_SPK}{{1,90}}?){_APPOSITION}\s+(?P<cue>{partial})\b[^\u201c\u00ab\"]*$", re.I
        ),
        according=re.compile(rf"(?P<cue>{according})\s+(?P<spk>{_SPK}{{1,90}})", re.I),
        pronouns={k.lower(): v for k, v in data["pronouns"].items()},
        descriptor_starts=frozenset(w.lower() for w in data["descriptor_starts"]),
        max_speaker_words=n,
    )


@dataclass(frozen=True, slots=True)
class _Span:
    start: int  # of the content, inside the marks
    end: int
    open_at: int  # index of the opening mark
    close_at: int  # index just past the closing mark (or the paragraph end for a continued quote)


def _opener(text: str, i: int) -> tuple[str, str] | None:
    """The opening mark at i and its closer; typewriter '' and `` pairs count as double quotes."""
    two = text[i : i + 2]
    if two in ("''", "``"):
        return two, "''"
    ch = text[i]
    closer = OPENERS.get(ch)
    return None if closer is None else (ch, closer)


def find_quoted(text: str) -> list[_Span]:
    """Quoted spans; a paragraph left open is closed at its end when the next one reopens (news style).

    A paragraph ends at a line break: news bodies put one paragraph per line or leave a blank line.
    """
    spans: list[_Span] = []
    i, n = 0, len(text)
    while i < n:
        mark = _opener(text, i)
        if mark is None:
            i += 1
            continue
        opener, closer = mark
        para_end = text.find("\n", i)
        para_end = n if para_end < 0 else para_end
        j = text.find(closer, i + len(opener), para_end)
        if j < 0:
            nxt = para_end
            while nxt < n and text[nxt].isspace():
                nxt += 1
            if para_end < n and nxt < n and text.startswith(opener, nxt):
                spans.append(_span(text, i + len(opener), para_end, i, para_end))
                i = nxt
                continue
            i = para_end  # unclosed and not continued: untrusted, skip the paragraph's rest
            continue
        spans.append(_span(text, i + len(opener), j, i, j + len(closer)))
        i = j + len(closer)
    return [s for s in spans if s.end > s.start]


def _span(text: str, start: int, end: int, open_at: int, close_at: int) -> _Span:
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] == ","):
        end -= 1
    return _Span(start, end, open_at, close_at)


def extract_quotes(
    text: str,
    entities: Sequence[Entity],
    *,
    lexicon: QuoteLexicon,
    config: QuoteConfig = QuoteConfig(),
    doc: Any = None,
) -> list[Quote]:
    """Direct and partial quotes of `text` with their cue and speaker; offsets index `text`."""
    people = sorted((e for e in entities if e.label in PERSON_LABELS), key=lambda e: e.start)
    quotes: list[Quote] = []
    previous: Quote | None = None
    for span in find_quoted(text):
        content = text[span.start : span.end]
        words = len(content.split())
        found = _attribute_after(text, span, lexicon, entities, people) or _attribute_before(
            text, span, lexicon, entities, people
        )
        kind = "direct"
        if found is None:
            found = _attribute_partial(text, span, lexicon, entities, people)
            if found is not None:
                kind = "partial"
        if found is None:
            if words < config.min_direct_words:
                continue  # a scare quote or a title
            if previous is not None and previous.speaker is not None and _adjacent(text, previous, span):
                quotes.append(Quote(content, span.start, span.end, "direct", previous.speaker, None))
                previous = quotes[-1]
            continue
        speaker, cue = found
        if kind == "direct" and words < config.min_direct_words and _inside_sentence(text, span):
            kind = "partial"
        quote = Quote(content, span.start, span.end, kind, speaker, cue)  # type: ignore[arg-type]
        quotes.append(quote)
        previous = quote
    return quotes


def _adjacent(text: str, previous: Quote, span: _Span) -> bool:
    """The quote follows the previous one closely: one paragraph break and one short sentence at most."""
    between = text[previous.end + 1 : span.open_at]
    return len(between) < 200 and between.count("\n\n") <= 1


def _inside_sentence(text: str, span: _Span) -> bool:
    before = text[max(0, span.open_at - 2) : span.open_at].strip()
    return bool(before) and before[-1].isalnum()


def _sentence_before(text: str, at: int) -> tuple[int, str]:
    para = text.rfind("\n", 0, at) + 1
    chunk = text[para:at]
    last = None
    for m in _SENTENCE_END.finditer(chunk):
        last = m
    start = para + (last.end() if last else 0)
    return start, text[start:at]


def _attribute_after(
    text: str, span: _Span, lex: QuoteLexicon, ents: Sequence[Entity], people: list[Entity]
) -> Any:
    tail_end = text.find("\n", span.close_at)
    tail = text[span.close_at : span.close_at + 160 if tail_end < 0 else min(tail_end, span.close_at + 160)]
    if not tail or tail[0].isalnum():
        return None
    if not re.match(r"^[\s,\u2014\u2013-]", tail) and not content_ends_with_comma(text, span):
        return None
    for pattern in (lex.after_inverted, lex.after_plain):
        m = pattern.match(tail)
        if m:
            spk = _speaker(
                text,
                span.close_at + m.start("spk"),
                span.close_at + m.end("spk"),
                lex,
                ents,
                people,
                span.start,
            )
            if spk is not None:
                cue = Cue(m.group("cue"), span.close_at + m.start("cue"), span.close_at + m.end("cue"))
                return spk, cue
    return None


def content_ends_with_comma(text: str, span: _Span) -> bool:
    return text[span.end - 1 : span.end] in (",", ".", "?", "!")


def _attribute_before(
    text: str, span: _Span, lex: QuoteLexicon, ents: Sequence[Entity], people: list[Entity]
) -> Any:
    start, head = _sentence_before(text, span.open_at)
    m = lex.before.search(head)
    if m is None:
        m2 = lex.according.search(head)
        if m2 is None or not head.rstrip().endswith(","):
            return None
        m = m2
    spk = _speaker(text, start + m.start("spk"), start + m.end("spk"), lex, ents, people, span.start)
    if spk is None:
        return None
    return spk, Cue(m.group("cue"), start + m.start("cue"), start + m.end("cue"))


def _attribute_partial(
    text: str, span: _Span, lex: QuoteLexicon, ents: Sequence[Entity], people: list[Entity]
) -> Any:
    start, head = _sentence_before(text, span.open_at)
    if not head.strip():
        return None
    m = lex.partial.search(head) or lex.before.search(head)
    if m is None:
        return None
    spk = _speaker(text, start + m.start("spk"), start + m.end("spk"), lex, ents, people, span.start)
    if spk is None:
        return None
    return spk, Cue(m.group("cue"), start + m.start("cue"), start + m.end("cue"))


def _speaker(
    text: str,
    start: int,
    end: int,
    lex: QuoteLexicon,
    ents: Sequence[Entity],
    people: list[Entity],
    quote_at: int,
) -> Speaker | None:
    """The speaker mention inside [start, end): a person entity, a pronoun, or a short descriptor."""
    inside = [e for e in ents if e.start >= start and e.end <= end]
    person = next((e for e in inside if e.label in PERSON_LABELS), None)
    if person is not None:
        return Speaker(person.text, person.start, person.end, person.canonical)
    org = next((e for e in inside if e.label in ("ORG", "NORP", "GPE")), None)
    phrase = text[start:end].strip()
    s = start + text[start:end].index(phrase) if phrase else start
    words = phrase.split()
    if not words or len(words) > lex.max_speaker_words:
        return None
    first = words[0].lower()
    if len(words) == 1 and first in lex.pronouns:
        ref = _recent_person(people, s)
        return Speaker(phrase, s, s + len(phrase), ref.canonical if ref else phrase)
    if first in lex.descriptor_starts or first.rstrip("'\u2019") + "'" in lex.descriptor_starts:
        return Speaker(phrase, s, s + len(phrase), org.canonical if org and len(words) <= 3 else phrase)
    if org is not None:
        return Speaker(org.text, org.start, org.end, org.canonical)
    if phrase[0].isupper() and len(words) <= 4:  # a name the model missed: link it by surname
        named = next((p.canonical for p in reversed(people) if p.canonical.split()[-1] == words[-1]), phrase)
        return Speaker(phrase, s, s + len(phrase), named)
    return None


def _recent_person(people: list[Entity], before: int) -> Entity | None:
    best = None
    for e in people:
        if e.start < before:
            best = e
        else:
            break
    return best
