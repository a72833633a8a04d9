"""Layout for the quotes stage: words, quoted spans and sentences of a story body, found once.

No parser: quote marks are paired inside a paragraph (a line), straight and typewriter marks are
oriented by the characters around them, and a paragraph left open continues into the next one when
that one opens with a mark (the news convention). Sentence ends are looked for outside quotes, so
an attribution is always searched in the sentence around a quote, not inside it.

Other languages' marks pair the same way: guillemets both ways round (French and Russian «…», German
and Swiss »…«, told apart by the spaces around them), German „…“ (its closer is the English opener),
corner brackets 「…」, and a quote of another family inside a quote (Russian «… „…“ …») is nested,
not a new quote. Secondary marks (‹…›, 『…』) count only outside primary ones, like English ‘…’.
With `dialogue`, a paragraph opened by a dash is a line of speech up to a dash that opens the
narrator's words ("—Vamos a ganar —dijo el ministro—. Ya lo verán.", "— Мы победим, — сказал он.").
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*", re.UNICODE)
MARKS = re.compile("''|``|[\"\u201c\u201d\u201e\u00ab\u00bb\u300c\u300d]")  # what opens or closes a quote
CLOSING_MARKS = "\"'\u201d\u2019\u00bb\u00ab\u201c\u203a\u2039\u300d\u300f"  # glyphs a quote may end with
_OPEN = frozenset({"\u201c", "\u201e", "\u00ab", "``", "\u300c"})
_CLOSE = frozenset({"\u201d", "\u00bb", "\u300d"})
_GUILLEMETS = frozenset({"\u00ab", "\u00bb"})
_FAMILY = {
    "\u00ab": "guillemet",
    "\u00bb": "guillemet",
    "\u201e": "low",
    "\u300c": "corner",
    "\u300d": "corner",
}
_SECONDARY = re.compile(
    r"(?:(?<=[\s(\[:\u2014\u2013])|^)(?:\u2039(?P<a>[^\u2039\u203a\n]+)\u203a|\u203a(?P<b>[^\u2039\u203a\n]+)\u2039"
    r"|\u300e(?P<c>[^\u300e\u300f\n]+)\u300f)",
    re.M,
)
_DIALOGUE_DASHES = "\u2014\u2015\u2013"
_INCISO = re.compile(r"[ \t]*[\u2014\u2015\u2013][ \t]*(?=[^\W\d_])")  # " —dijo", ", — сказал"
_DASH_OPENS = re.compile(r"[ \t]*[\u2014\u2015\u2013]")
_ANY_DASH = re.compile("[\u2014\u2015\u2013]")
_NEWLINE = re.compile("\n")
_HEADLINE_SINGLE = re.compile(r":\s+'(?P<body>[^'\n]*(?:'[a-z][^'\n]*)*)'[.;]?[ \t]*")
_TERMINAL = re.compile(r"[.!?]+")
_CLOSERS = "\"'\u201d\u2019\u00bb)]\u203a\u300d\u300f"
_STARTERS = "\"'\u201c\u2018\u00ab([`\u201e\u00bb\u2039\u203a\u300c\u300e"


@dataclass(frozen=True, slots=True)
class Quoted:
    """Content between quote marks; `open_at`/`close_at` bound the marks, `continued` runs on."""

    start: int
    end: int
    open_at: int
    close_at: int
    continued: bool = False


@dataclass(frozen=True, slots=True)
class Layout:
    text: str
    words: list[tuple[int, int]]  # word spans
    word_starts: list[int]
    quotes: list[Quoted]
    quote_opens: list[int]
    breaks: list[int]  # sentence starts outside quotes, sorted; 0 is always one

    def sentence(self, at: int) -> tuple[int, int]:
        """The sentence (outside quotes) holding `at`: its start and end, without the final space."""
        i = bisect_right(self.breaks, at) - 1
        start = self.breaks[max(i, 0)]
        end = self.breaks[i + 1] if i + 1 < len(self.breaks) else len(self.text)
        while end > start and self.text[end - 1].isspace():
            end -= 1
        return start, end

    def quote_at(self, at: int) -> Quoted | None:
        """The quoted span whose marks enclose `at`, if any."""
        i = bisect_right(self.quote_opens, at) - 1
        if i >= 0 and self.quotes[i].open_at <= at < self.quotes[i].close_at:
            return self.quotes[i]
        return None

    def word_index(self, at: int) -> int:
        """Index of the first word starting at or after `at`."""
        return bisect_left(self.word_starts, at)


def layout(text: str, abbreviations: frozenset[str], *, dialogue: bool = False) -> Layout:
    """Words, quotes and sentence starts of `text`; `dialogue`: the language prints speech after a
    dash at the start of a paragraph (Spanish, Russian)."""
    words = [m.span() for m in WORD.finditer(text)]
    quotes = find_quoted(text, dialogue=dialogue)
    breaks = _sentence_starts(text, quotes, abbreviations, _DIALOGUE_DASHES if dialogue else "")
    return Layout(text, words, [w[0] for w in words], quotes, [q.open_at for q in quotes], breaks)


def _orientation(text: str, i: int, mark: str, pending: str = "") -> str:
    """'open' or 'close' for a mark, from its glyph when curly, else from its neighbours; `pending`
    is the opener waiting for its closer (German "\u201c" closes "\u201e")."""
    before = text[i - 1] if i > 0 else " "
    after = text[i + len(mark)] if i + len(mark) < len(text) else " "
    opens_by_context = (before.isspace() or before in "([{\u2014\u2013-/:") and not after.isspace()
    closes_by_context = not before.isspace() and (after.isspace() or not after.isalnum())
    if mark in _GUILLEMETS:
        return _guillemet(mark, before, after)
    if mark == "\u201c" and pending == "\u201e" and not before.isspace():
        return "close"  # „Wir kommen wieder“ sagte er
    if mark in _OPEN:
        return "close" if before in ",.!?" and after.isspace() else "open"
    if mark in _CLOSE:
        return "open" if before.isspace() and after.isalnum() else "close"
    if opens_by_context and not closes_by_context:
        return "open"
    if closes_by_context and not opens_by_context:
        return "close"
    return "either"  # spaces on both sides (", '' said"): decided by what is pending


def _guillemet(mark: str, before: str, after: str) -> str:
    """Guillemets point either way: « opens in French and Russian but closes German »…«; a mark
    glued to the word before it and followed by a space or punctuation closes, one glued to the
    word after it opens (French spacing, « … », leaves the glyph's own reading)."""
    if mark == "\u00ab":
        glued_before = not before.isspace() and before not in "([{\u2014\u2013-/:\u201e\u00bb"
        return "close" if glued_before and not after.isalnum() else "open"
    glued_after = after.isalnum() or after in "\u201e\u00ab\u2039"
    return "open" if glued_after and (before.isspace() or before in "([{\u2014\u2013-/:") else "close"


def find_quoted(text: str, *, dialogue: bool = False) -> list[Quoted]:
    """Quoted spans, paragraph by paragraph; unpaired marks are dropped rather than guessed."""
    out: list[Quoted] = []
    pos, n = 0, len(text)
    after_speech = False
    while pos < n:
        end = text.find("\n", pos)
        end = n if end < 0 else end
        if end > pos and text[pos:end].strip():
            spoken = _dialogue(text, pos, end, after_speech=after_speech) if dialogue else []
            after_speech = bool(spoken)
            out.extend(spoken or _paragraph_quotes(text, pos, end))
        pos = end + 1
    return [q for q in out if q.end > q.start]


def _family(mark: str) -> str:
    return _FAMILY.get(mark, "plain")


def _paragraph_quotes(text: str, start: int, end: int) -> list[Quoted]:
    out: list[Quoted] = []
    pending: tuple[int, int] | None = None  # (mark index, mark length)
    inner: tuple[int, int] | None = None  # a quote nested in the pending one, of another family
    latest: tuple[int, int] | None = None  # the last opener seen inside the pending quote
    for m in MARKS.finditer(text, start, end):
        mark = m.group()
        opener = text[inner[0]] if inner else text[pending[0]] if pending else ""
        side = _orientation(text, m.start(), mark, opener)
        if pending is None:
            if side != "close":
                pending = (m.start(), len(mark))
            continue
        outer = _family(text[pending[0]])
        if inner:
            if side != "open" and _closes(opener, mark):
                inner = None  # the nested quote closes; the outer one goes on
                continue
            if side == "open":
                latest = (m.start(), len(mark))
                continue
            if _family(mark) != outer:
                continue
        elif side == "open" and _nests(outer, mark):
            inner = latest = (m.start(), len(mark))  # «… „nested“ …», «… "nested" …»
            continue
        elif side != "open" and _family(mark) not in (outer, "plain") and outer != "plain":
            continue  # „… » : a closer of another family closes nothing here
        if side != "open":
            if inner is None:  # a nested quote left open: the outer one is not trusted either
                out.append(_trimmed(text, pending[0] + pending[1], m.start(), pending[0], m.end()))
            pending, inner = None, None
        else:
            pending = (m.start(), len(mark))  # an unclosed mark: the later opener is trusted
    if inner is not None:
        pending = latest  # never closed, nor its outer quote: the latest opener is trusted, as above
    if pending is not None:
        out.extend(_continued(text, pending[0], pending[1], end))
    return _single_quoted(text, start, end, out)


def _closes(opener: str, mark: str) -> bool:
    """Does `mark` close a quote opened by `opener`: the same family, or German „ by “ or ”."""
    return _family(mark) == _family(opener) or (opener == "\u201e" and mark in "\u201c\u201d")


def _nests(outer: str, mark: str) -> bool:
    """Does an opener of this glyph inside a pending quote of family `outer` open a nested quote?
    Only inside guillemets, low-9 or corner quotes (two English openers in a row: the first one
    was left unclosed)."""
    return outer != "plain" and _family(mark) != outer


def _dialogue(text: str, start: int, end: int, *, after_speech: bool) -> list[Quoted]:
    """Speech after a dash opening a paragraph, in turns with the narrator's words: a turn runs up
    to a dash before a lower-case word (the narrator: "—dijo el ministro", ", — сказал он"), the
    next turn starts after the dash that ends the narrator's words. A dashed paragraph with no
    narrator's words is speech only right after one that had them (a list item is not speech)."""
    opener = _DASH_OPENS.match(text, start, end)
    if opener is None:
        return []
    out: list[Quoted] = []
    mark, content = opener.end() - 1, opener.end()
    while content < end:
        narrator = _narrator(text, content, end)
        if narrator is None:
            if _marked(text, content, end):
                return []
            if out or after_speech:
                out.append(_trimmed(text, content, end, mark, end))
            break
        dash = narrator.start() + len(narrator.group()) - len(narrator.group().lstrip(" \t"))
        if _marked(text, content, narrator.start()):
            return []  # quote marks around or unpaired in the speech: read the paragraph by its marks
        out.append(_trimmed(text, content, narrator.start(), mark, dash))
        back = _ANY_DASH.search(text, narrator.end(), end)  # the dash closing the narrator's words
        if back is None:
            break
        content = back.end()
        while content < end and text[content] in ".,;: \t":
            content += 1
        # the next turn opens its sentence: at its dash when one opens it ("... он. — Это"), else at its word
        mark = back.start() if not text[back.end() : content].strip() else content
    return out


def _marked(text: str, start: int, end: int) -> bool:
    """Does a dialogue turn hold an unpaired quote mark, or open or end with one?"""
    turn = text[start:end].strip(" \t.,;:")
    return len(MARKS.findall(turn)) % 2 == 1 or bool(MARKS.match(turn)) or turn[-1:] in CLOSING_MARKS


def _narrator(text: str, start: int, end: int) -> re.Match[str] | None:
    """The first dash in text[start:end] followed by a lower-case word: the narrator speaks."""
    found = _INCISO.search(text, start, end)
    while found is not None and not text[found.end()].islower():
        found = _INCISO.search(text, found.end(), end)
    return found


def _continued(text: str, at: int, length: int, end: int) -> list[Quoted]:
    """An unclosed quote continues when the next paragraph opens with a mark (news style)."""
    if end >= len(text):
        return []
    nxt = end
    while nxt < len(text) and text[nxt].isspace():
        nxt += 1
    mark = MARKS.match(text, nxt)
    if mark and _orientation(text, nxt, mark.group()) != "close":
        return [_trimmed(text, at + length, end, at, end, continued=True)]
    return []


def _single_quoted(text: str, start: int, end: int, doubles: list[Quoted]) -> list[Quoted]:
    """Curly single quotes outside double ones (headlines: Rubio: ‘You Don’t Win ...’); a closing
    mark must not be an apostrophe, so it is followed by a non-letter. Other secondary marks
    (‹…›, ›…‹, 『…』) likewise, outside primary ones."""
    out = list(doubles)
    i = text.find("\u2018", start, end)
    while i >= 0:
        inside = any(q.open_at <= i < q.close_at for q in doubles)
        before = text[i - 1] if i > start else " "
        if not inside and (before.isspace() or before in "([:\u2014\u2013-") and i + 1 < end:
            j = i + 1
            while True:
                j = text.find("\u2019", j, end)
                if j < 0 or not (j + 1 < end and text[j + 1].isalpha()):
                    break
                j += 1
            nested = text.find("\u2018", i + 1, j) if j > 0 else -1
            stray = j > 0 and MARKS.search(text, i + 1, j) is not None  # an unpaired double mark inside
            if j > 0 and nested < 0 and not stray and not any(i < q.open_at < j for q in doubles):
                out.append(_trimmed(text, i + 1, j, i, j + 1))
                i = text.find("\u2018", j + 1, end)
                continue
        i = text.find("\u2018", i + 1, end)
    for m in _SECONDARY.finditer(text, start, end):  # ‹…›, Swiss ›…‹, 『…』
        stray = MARKS.search(text, m.start() + 1, m.end() - 1) is not None
        if not stray and not any(q.open_at <= m.start() < q.close_at for q in doubles):
            group = next(g for g in ("a", "b", "c") if m.group(g) is not None)
            out.append(_trimmed(text, m.start(group), m.end(group), m.start(), m.end()))
    colon = _HEADLINE_SINGLE.search(text, start, end)  # "Reid: 'Never underestimate Trump.'"
    if colon is not None and not doubles and colon.end() == end:
        out.append(
            _trimmed(
                text, colon.start("body"), colon.end("body"), colon.start("body") - 1, colon.end("body") + 1
            )
        )
    out.sort(key=lambda q: q.open_at)
    return out


def _trimmed(text: str, start: int, end: int, open_at: int, close_at: int, continued: bool = False) -> Quoted:
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] == ","):
        end -= 1
    return Quoted(start, end, open_at, close_at, continued)


def _sentence_starts(
    text: str, quotes: list[Quoted], abbreviations: frozenset[str], starters: str = ""
) -> list[int]:
    """Sentence starts outside quotes: after a line break, or after end punctuation (and any closing
    marks) followed by a space and a capital, a digit or an opening mark; not after an abbreviation."""
    starts = {0} | {m.end() for m in _NEWLINE.finditer(text)}
    opens = [q.open_at for q in quotes]
    for m in _TERMINAL.finditer(text):
        e = m.end()
        while e < len(text) and text[e] in _CLOSERS:
            e += 1
        if e < len(text) and not text[e].isspace():
            continue
        k = bisect_right(opens, m.start()) - 1
        if k >= 0 and quotes[k].open_at < m.start() < quotes[k].close_at and e < quotes[k].close_at:
            continue  # inside a quote: not a sentence end of the text around it
        nxt = e
        while nxt < len(text) and text[nxt].isspace() and text[nxt] != "\n":
            nxt += 1
        if nxt >= len(text) or text[nxt] == "\n":
            continue
        c = text[nxt]
        if not (c.isupper() or c.isdigit() or c in _STARTERS or c in starters):
            continue
        if m.group() == "." and _abbreviation(text, m.start(), abbreviations):
            continue
        starts.add(nxt)
    return sorted(starts)


def _abbreviation(text: str, dot: int, abbreviations: frozenset[str]) -> bool:
    j = dot
    while j > 0 and (text[j - 1].isalpha() or text[j - 1] == "."):
        j -= 1
    word = text[j:dot]
    if not word:
        return False
    return (len(word) == 1 and word.isupper()) or word.lower() in abbreviations or "." in word
