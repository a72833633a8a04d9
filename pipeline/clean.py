"""Clean stage: strip markup, control characters and site chrome; keep repeated paragraphs once.

The body keeps every sentence of the story. What goes: whole lines that are chrome (matched in full by a
pattern from `resources/clean/chrome.txt`), a banner printed before a story line ("BREAKING NEWS: ..."),
a paragraph or caption printed twice, and credit lines (kept aside as metadata). Paragraphs come out
joined by a blank line; hard-wrapped lines inside a paragraph are joined by a space. All later offsets
index this cleaned body.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

from pipeline.config import CleanConfig

_SCRIPT = re.compile(r"<\s*(script|style|noscript|template)\b[^>]*>.*?<\s*/\s*\1\s*>|<!--.*?-->", re.S | re.I)
_BLOCK_TAG = re.compile(
    r"<\s*/?\s*(br|p|div|li|ul|ol|h[1-6]|blockquote|figure|figcaption|section|article|header|footer|tr|table"
    r"|aside|nav|pre|hr)\b[^<>]{0,500}>",
    re.I,
)
_TAG = re.compile(r"<[/!?]?[a-zA-Z][\w:-]*(?:\s[^<>]{0,500})?/?>")
# C0/C1 controls except tab and newline, soft hyphen, zero-width space, word joiner and BOM. The zero-width
# (non-)joiners stay: Persian and Indic spelling needs them.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\u00ad\u200b\u2060\ufeff\ufffe]")
_SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_PARA_BREAK = re.compile(r"\n[ \t\u00a0]*\n\s*")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)\]]*\s+(?=[\"'“‘«(\[]?[A-Z0-9À-Ý])")
_ENDS_SENTENCE = (".", "!", "?", "…", ":", "\u201d", '"', "\u00bb", ")", "]")
_NOT_ALNUM = re.compile(r"[\W_]+")
_CREDIT_TAIL = 1000  # characters at the end of a paragraph searched for credit sentences
_WRAP_WIDTH = 50  # a line at least this long that does not end a sentence is taken as hard-wrapped


def _read_lines(name: str) -> list[str]:
    text = resources.files("pipeline.resources.clean").joinpath(name).read_text(encoding="utf-8")
    lines = [ln.strip() for ln in text.splitlines()]
    return [ln for ln in lines if ln and not ln.startswith("#")]


def _compile(name: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(rf"(?:{ln})", re.I) for ln in _read_lines(name))


@dataclass(frozen=True, slots=True)
class CleanRules:
    """Compiled chrome, banner, credit and byline patterns, loaded from data files once."""

    chrome: tuple[re.Pattern[str], ...] = ()
    banners: tuple[re.Pattern[str], ...] = ()
    credits: tuple[re.Pattern[str], ...] = ()
    bylines: tuple[re.Pattern[str], ...] = ()
    abbreviations: frozenset[str] = frozenset()


@cache
def load_clean_rules() -> CleanRules:
    return CleanRules(
        chrome=_compile("chrome.txt"),
        banners=_compile("banners.txt"),
        credits=_compile("credits.txt"),
        bylines=_compile("bylines.txt"),
        abbreviations=frozenset(_read_lines("abbreviations.txt")),
    )


@dataclass(frozen=True, slots=True)
class Cleaned:
    body: str
    credits: list[str]


def normalise(text: str) -> str:
    """Markup, entities and control characters out; line breaks unified; Unicode NFC."""
    if "<" in text:
        text = _SCRIPT.sub("", text)
        text = _BLOCK_TAG.sub("\n", text)
        text = _TAG.sub("", text)
    if "&" in text:
        text = html.unescape(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x85", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n\n")
    text = _CONTROL.sub("", text)
    return unicodedata.normalize("NFC", text)


def clean_body(text: str, *, rules: CleanRules, config: CleanConfig = CleanConfig()) -> Cleaned:
    """The story text without chrome, repeats and markup, and the credit lines taken out of it."""
    paragraphs: list[str] = []
    credits: list[str] = []
    seen: set[str] = set()
    for block in _PARA_BREAK.split(normalise(text)):
        lines: list[str] = []
        for raw in block.split("\n"):
            line = _undouble(_SPACES.sub(" ", raw).strip(), config)
            if not line or _is_chrome(line, rules, config):
                continue
            line = _strip_banner(line, rules)
            if (
                not paragraphs
                and not lines
                and len(credits) < config.byline_lines
                and _is_byline(line, rules)
            ):
                credits.append(line)
                continue
            if _complete(line):  # a caption line printed twice is kept once
                if _repeat(line, seen, config):
                    continue
                seen.add(_key(line))
            lines.append(line)
        if not lines:
            continue
        para = _join(lines)
        rest, found = _credit_sentences(para, rules)
        if found and not rest:
            credits.extend(found)
            continue
        single = len(lines) == 1 and _complete(lines[0])  # then already checked as a line
        if not single and _repeat(para, seen, config):  # a paragraph printed twice: keep the first
            continue
        seen.add(_key(para))
        paragraphs.append(para)
    if paragraphs:  # credit sentences closing the story ("... said. Jane Doe contributed to this report.")
        rest, found = _credit_sentences(paragraphs[-1], rules)
        if found:
            paragraphs[-1] = rest
            credits.extend(found)
    return Cleaned(body="\n\n".join(paragraphs), credits=credits)


def _is_chrome(line: str, rules: CleanRules, config: CleanConfig) -> bool:
    if line.count(" ") >= config.max_chrome_line_words:
        return False
    return any(p.fullmatch(line) for p in rules.chrome)


def _strip_banner(line: str, rules: CleanRules) -> str:
    for pattern in rules.banners:
        found = pattern.match(line)
        if found and found.end() < len(line):
            return line[found.end() :]
    return line


def _is_byline(line: str, rules: CleanRules) -> bool:
    return any(p.fullmatch(line) for p in rules.bylines)


def _is_credit(text: str, rules: CleanRules) -> bool:
    return any(p.fullmatch(text) for p in rules.credits)


def _key(text: str) -> str:
    """What two printings of the same paragraph share: letters and digits, case-folded."""
    return _NOT_ALNUM.sub("", text.casefold())


def _repeat(text: str, seen: set[str], config: CleanConfig) -> bool:
    key = _key(text)
    return len(key) >= config.min_repeat_chars and key in seen


def _complete(line: str) -> bool:
    return line[:1].isupper() and line.endswith(_ENDS_SENTENCE)


def _undouble(line: str, config: CleanConfig) -> str:
    """A line holding the same caption-sized text twice in a row (a caption printed twice) keeps it once.

    Longer runs are left alone: a body that repeats itself at length is the publisher's, not chrome.
    """
    n = len(line)
    if n < 2 * config.min_repeat_chars or n > 2 * config.max_caption_chars + 3 or " " not in line:
        return line
    for gap in range(4):
        half = (n - gap) // 2
        if 2 * half + gap == n and line[:half] == line[n - half :] and not line[half : n - half].strip():
            return line[:half]
    return line


def _join(lines: list[str]) -> str:
    """Hard-wrapped lines become one paragraph; lines that end a sentence keep their line break."""
    out = [lines[0]]
    for prev, line in zip(lines, lines[1:], strict=False):
        wrapped = not prev.endswith(_ENDS_SENTENCE) and (len(prev) >= _WRAP_WIDTH or line[:1].islower())
        out.append((" " if wrapped else "\n") + line)
    return "".join(out)


def _credit_sentences(para: str, rules: CleanRules) -> tuple[str, list[str]]:
    """The paragraph without the credit sentences that end it, and those sentences (last first checked)."""
    found: list[str] = []
    end = len(para)
    tail = max(0, len(para) - _CREDIT_TAIL)  # credits are short: only the end of a long paragraph can be one
    boundaries = [(m.start(), m.end()) for m in _SENTENCE_END.finditer(para, tail)]
    for dot, cut in [*reversed(boundaries), *([(0, 0)] if tail == 0 else [])]:
        if cut and _abbreviation(para, dot, rules):
            continue
        sentence = para[cut:end].strip()
        if not _is_credit(sentence, rules):
            break
        found.insert(0, sentence)
        end = cut
    return para[:end].rstrip(), found


def _abbreviation(text: str, dot: int, rules: CleanRules) -> bool:
    """Whether the period at `dot` closes an abbreviation or an initial rather than a sentence."""
    if text[dot] != ".":
        return False
    before = text[max(0, dot - 40) : dot]
    word = before.rsplit(None, 1)[-1] if before.strip() else ""
    word = word.lstrip("(\"'“‘")
    return len(word) == 1 or word.lower() in rules.abbreviations
