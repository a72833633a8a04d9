"""An HTML story body (ninjs `body_html`, `bodies[].value` as text/html) -> plain paragraphs.

The HTML parser of lxml reads no DTD, expands no external entity and fetches nothing (`no_network`).
What is not story text goes before the text is taken: scripts, media, figures and their captions, tables,
asides, the headline (`h1`) and kicker repeated in the body, and whatever the provider marks as not for
publication (`hidden`, `data-publish="false"`, an editor's-note class). Block elements become
paragraphs; `<br>` breaks one.
"""

from __future__ import annotations

import re

import lxml.etree
import lxml.html

from pipeline.formats.wire_text import paragraphs_text

_DROP = frozenset(
    {
        "script", "style", "template", "noscript", "iframe", "object", "embed", "img", "picture", "video",
        "audio", "svg", "math", "figure", "figcaption", "table", "aside", "nav", "form", "button", "head",
        "title", "meta", "link", "caption", "map", "canvas", "source", "track", "h1",
    }
)  # fmt: skip
_BLOCKS = frozenset(
    {
        "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "blockquote",
        "pre", "section", "article", "header", "footer", "address", "main", "hr", "body", "html",
    }
)  # fmt: skip
_NOT_PUBLIC_CLASSES = frozenset(
    {
        "ednote", "editornote", "editor-note", "editors-note", "editorsnote", "notpublic", "not-public",
        "nonpublic", "non-public", "internal-note", "private", "caption", "photo-caption", "credit",
        "photo-credit", "advert", "advertisement",
        # the item's own metadata repeated in its body (ninjs carries them as properties)
        "headline", "kicker", "vignette", "byline", "source",
    }
)  # fmt: skip
_SEPARATOR = re.compile(r"^(?:[_\-=*~#. ]{3,}|-?30-|end|ends)$", re.I)
_PARSER = lxml.html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True, recover=True)


def html_paragraphs(markup: str) -> list[str]:
    """The public text of `markup` as paragraphs (whitespace folded, empty ones and separators dropped)."""
    if not markup.strip():
        return []
    try:
        root = lxml.html.fragment_fromstring(markup, create_parent="div", parser=_PARSER)
    except (lxml.etree.ParserError, ValueError):
        return []
    for element in list(root.iter()):
        if element is not root and element.getparent() is not None and _hidden(element):
            element.drop_tree()
    paragraphs: list[str] = []
    buffer: list[str] = []
    _walk(root, paragraphs, buffer)
    _flush(paragraphs, buffer)
    return [p for p in paragraphs if not _SEPARATOR.match(p)]


def html_text(markup: str) -> str:
    """`html_paragraphs` joined as the chain's body (blank lines between paragraphs)."""
    return paragraphs_text(html_paragraphs(markup))


def inline_text(markup: str) -> str:
    """A one-line HTML value (a headline) as text."""
    return " ".join(" ".join(html_paragraphs(markup)).split())


def _hidden(element: lxml.html.HtmlElement) -> bool:
    """Whether an element is not story text (media, tables, asides, or marked not for publication)."""
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag.lower() in _DROP:
        return True
    attributes = element.attrib
    if "hidden" in attributes or attributes.get("aria-hidden") == "true":
        return True
    if (
        attributes.get("data-publish", "").lower() == "false"
        or attributes.get("data-public", "").lower() == "false"
    ):
        return True
    if re.search(r"display\s*:\s*none", attributes.get("style", ""), re.I):
        return True
    return any(name.lower() in _NOT_PUBLIC_CLASSES for name in attributes.get("class", "").split())


def _walk(element: lxml.html.HtmlElement, paragraphs: list[str], buffer: list[str]) -> None:
    """Inline text accumulates in `buffer`; a block element or `<br>` flushes it into a paragraph."""
    tag = element.tag.lower() if isinstance(element.tag, str) else ""
    block = tag in _BLOCKS
    if block or tag == "br":
        _flush(paragraphs, buffer)
    if element.text and tag != "br":
        buffer.append(element.text)
    for child in element:
        _walk(child, paragraphs, buffer)
        if child.tail:
            if isinstance(child.tag, str) and child.tag.lower() in _BLOCKS:
                _flush(paragraphs, buffer)
            buffer.append(child.tail)
    if block:
        _flush(paragraphs, buffer)


def _flush(paragraphs: list[str], buffer: list[str]) -> None:
    text = " ".join("".join(buffer).split())
    buffer.clear()
    if text:
        paragraphs.append(text)
