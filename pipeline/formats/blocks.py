"""An XML story's body as paragraphs: NITF `body.content`, XHTML in G2 `inlineXML`, NewsML 1.2 `DataContent`.

All three are the same problem: block elements (`p`, `hl2`, `li`, ...) inside containers (`block`, `div`,
`bq`, ...), inline markup to flatten, and things that must never reach the body (media and captions, tables,
notes and editor's notes, sign-off rules). Which element is which is data (`resources/formats/body.json`),
so an agency's own tag can be added without code. Paragraphs come back as squashed text, in document order.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from lxml import etree, html

from pipeline.formats.xml import Element, local, squash


@dataclass(frozen=True, slots=True)
class BodyRules:
    blocks: frozenset[str]
    containers: frozenset[str]
    excluded: frozenset[str]
    excluded_classes: frozenset[str]
    separators: re.Pattern[str]  # one alternation of the data file's patterns


@lru_cache(maxsize=1)
def load_body_rules() -> BodyRules:
    """`resources/formats/body.json`, read once per process."""
    data = json.loads(resources.files("pipeline.resources.formats").joinpath("body.json").read_text("utf-8"))
    return BodyRules(
        blocks=frozenset(data["blocks"]),
        containers=frozenset(data["containers"]),
        excluded=frozenset(data["excluded"]),
        excluded_classes=frozenset(data["excluded_classes"]),
        separators=re.compile("|".join(f"(?:{p})" for p in data["separators"]), re.I),
    )


def paragraphs(element: Element | None, rules: BodyRules | None = None) -> list[str]:
    """The paragraphs of the text under `element` (itself a container), separators dropped."""
    if element is None:
        return []
    rules = rules or load_body_rules()
    out: list[str] = []
    for text in _walk(element, rules):
        for para in _split_pre(text):
            if para and not rules.separators.match(para):
                out.append(para)
    return out


def markup_text(markup: str) -> str:
    """The text of an HTML fragment sent as plain text, its line breaks kept (lxml's HTML parser: no
    DTD, no network), so `plain_paragraphs` can still read the layout."""
    parser = html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True, default_doctype=False)
    try:
        fragment = html.fragment_fromstring(markup, create_parent="div", parser=parser)
    except (etree.ParserError, ValueError):
        return markup
    return _inline(fragment, load_body_rules(), keep_lines=True)


def body_text(element: Element | None, headline: str | None = None, rules: BodyRules | None = None) -> str:
    """Paragraphs joined by blank lines: the body the chain receives. A first paragraph that only repeats
    the headline (XHTML renditions often open with it as `h1`) is left out."""
    paras = paragraphs(element, rules)
    if paras and headline and paras[0].casefold() == " ".join(headline.split()).casefold():
        paras = paras[1:]
    return "\n\n".join(paras)


def _name(element: Element) -> str:
    return local(element).lower()


def _excluded(element: Element, rules: BodyRules) -> bool:
    if _name(element) in rules.excluded:
        return True
    classes = (element.get("class") or "").lower().split()
    return any(c in rules.excluded_classes for c in classes)


def _structural(element: Element, rules: BodyRules) -> bool:
    """A block or container child: it starts a paragraph of its own."""
    name = _name(element)
    return name in rules.blocks or name in rules.containers


def _walk(element: Element, rules: BodyRules) -> Iterator[str]:
    name = _name(element)
    if name in rules.blocks and (
        len(element) == 0 or not any(isinstance(c.tag, str) and _structural(c, rules) for c in element)
    ):
        text = _inline(element, rules, keep_lines=name == "pre")
        if text:
            yield text
        return
    # a container (or a block holding blocks): loose text between its blocks is a paragraph of its own
    loose: list[str] = [element.text or ""]
    for c in element:
        if not isinstance(c.tag, str):
            loose.append(c.tail or "")
            continue
        if _excluded(c, rules):
            loose.append(c.tail or "")
            continue
        if _structural(c, rules):
            if flushed := squash("".join(loose)):
                yield flushed
            loose = []
            yield from _walk(c, rules)
        else:
            loose.append(_inline(c, rules, keep_lines=False))
        loose.append(c.tail or "")
    if rest := squash("".join(loose)):
        yield rest


def _inline(element: Element, rules: BodyRules, *, keep_lines: bool) -> str:
    """The element's text with inline markup flattened; `br` is a line break; excluded parts left out."""
    if len(element) == 0 and not keep_lines:  # the usual paragraph: text only
        return " ".join((element.text or "").split())
    parts: list[str] = []

    def visit(e: Element) -> None:
        if e.text:
            parts.append(e.text)
        for c in e:
            if isinstance(c.tag, str) and not _excluded(c, rules):
                if _name(c) == "br":
                    parts.append("\n")
                else:
                    visit(c)
            if c.tail:
                parts.append(c.tail)

    visit(element)
    text = "".join(parts)
    if keep_lines:
        return text
    return " ".join(text.split())


_BLANK_LINE = re.compile(r"\n[ \t\f\v]*\n")
_SENTENCE_END = re.compile(r"[.!?:…»«“”\"')\]]\s*$")


def _split_pre(text: str) -> list[str]:
    if "\n" not in text:
        return [text.strip()]
    return plain_paragraphs(text)


def plain_paragraphs(text: str) -> list[str]:
    """Paragraphs of plain wire text (G2 `inlineData`, NITF `pre`, NewsML 1.2 text, a feed's text).

    Blank lines separate paragraphs. Without them, agencies mark a paragraph by indenting its first line
    (ANPA and 7901 habit, kept by ANSA and others); lines that are neither indented nor end a sentence
    are hard wraps, joined with a space. So a line break is a paragraph break after an indentation
    signal or a sentence end, never in mid-sentence.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    out: list[str] = []
    for chunk in _BLANK_LINE.split(text):
        lines = [line for line in chunk.split("\n") if line.strip()]
        indented = any(line[:1] in (" ", "\t") for line in lines[1:])
        current: list[str] = []
        for line in lines:
            if indented:
                starts = line[:1] in (" ", "\t")
            else:
                starts = bool(current and _SENTENCE_END.search(current[-1]))
            if current and starts:
                out.append(" ".join(" ".join(current).split()))
                current = []
            current.append(line)
        if current:
            out.append(" ".join(" ".join(current).split()))
    return [p for p in out if p]
