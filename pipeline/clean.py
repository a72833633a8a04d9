"""Clean stage: strip HTML remnants, control characters and site chrome; drop repeated paragraphs.

The body keeps every sentence of the story: only whole lines that are chrome (matched in full by a
pattern from `resources/clean/chrome.txt`), paragraphs printed twice (a repeated photo caption) and
credit lines (kept aside as metadata) are removed. All later offsets index the cleaned body.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from pipeline.config import CleanConfig

_TAG = re.compile(
    r"<\s*(script|style)\b[^>]*>.*?<\s*/\s*\1\s*>|<!--.*?-->|<[/!]?[a-zA-Z][^<>]{0,500}>", re.S | re.I
)
_BLOCK_TAG = re.compile(r"<\s*(br|/p|p|/div|div|/li|li|/h[1-6]|h[1-6])\b[^>]*>", re.I)
# C0/C1 controls except tab and newline; NUL included. Zero-width and BOM characters too.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u200c\u200d\u2060\ufeff]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_PARA_BREAK = re.compile(r"\n\s*\n+")


def _patterns(name: str) -> tuple[re.Pattern[str], ...]:
    text = resources.files("pipeline.resources.clean").joinpath(name).read_text(encoding="utf-8")
    lines = [ln.strip() for ln in text.splitlines()]
    return tuple(re.compile(rf"(?:{ln})", re.I) for ln in lines if ln and not ln.startswith("#"))


@dataclass(frozen=True, slots=True)
class CleanRules:
    """Compiled chrome and credit patterns, loaded from data files once."""

    chrome: tuple[re.Pattern[str], ...] = field(default_factory=tuple)
    credits: tuple[re.Pattern[str], ...] = field(default_factory=tuple)


@cache
def load_clean_rules() -> CleanRules:
    return CleanRules(chrome=_patterns("chrome.txt"), credits=_patterns("credits.txt"))


@dataclass(frozen=True, slots=True)
class Cleaned:
    body: str
    credits: list[str]


def _normalise(text: str) -> str:
    if "<" in text:
        text = _BLOCK_TAG.sub("\n", text)
        text = _TAG.sub("", text)
    if "&" in text:
        text = html.unescape(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    text = _CONTROL.sub("", text)
    text = unicodedata.normalize("NFC", text)
    return text


def _is_chrome(line: str, rules: CleanRules, config: CleanConfig) -> bool:
    if len(line.split()) > config.max_chrome_line_words:
        return False
    return any(p.fullmatch(line) for p in rules.chrome)


def clean_body(text: str, *, rules: CleanRules, config: CleanConfig = CleanConfig()) -> Cleaned:
    """The story text without chrome, repeats and markup; paragraphs joined by a blank line."""
    text = _normalise(text)
    paragraphs: list[str] = []
    credits: list[str] = []
    seen: set[str] = set()
    for block in _PARA_BREAK.split(text):
        lines = [_SPACES.sub(" ", ln).strip() for ln in block.split("\n")]
        kept = [ln for ln in lines if ln and not _is_chrome(ln, rules, config)]
        if not kept:
            continue
        para = (
            " ".join(kept)
            if len(kept) > 1 and not any(_ends_sentence(k) for k in kept[:-1])
            else "\n".join(kept)
        )
        if any(p.fullmatch(para) for p in rules.credits):
            credits.append(para)
            continue
        key = para.casefold()
        if key in seen:  # a paragraph printed twice, e.g. a photo caption: keep the first
            continue
        seen.add(key)
        paragraphs.append(para)
    return Cleaned(body="\n\n".join(paragraphs), credits=credits)


def _ends_sentence(line: str) -> bool:
    return line.endswith((".", "!", "?", ":", "\u201d", '"', "\u00bb", ")"))
