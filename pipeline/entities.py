"""Entities stage: spaCy NER mentions, trimmed of titles and possessives, canonicalised within a story.

A mention's canonical name is the fullest mention of the same entity in the story: a surname or a
partial name ("Warren") links to the longest person mention that ends with or contains it ("Steve
Warren"). A single-token ORG/GPE mention that is the surname of a person named in the story is
relabelled as that person (a common small-model mistake). Titles come from a data file.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from pipeline.records import Entity

_POSSESSIVES = ("'s", "\u2019s", "'", "\u2019")
_TRIM = " \t\n,;:.\"'\u201c\u201d\u2018\u2019()[]"


def _lines(name: str) -> list[str]:
    text = resources.files("pipeline.resources.entities").joinpath(name).read_text(encoding="utf-8")
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


@dataclass(frozen=True, slots=True)
class EntityRules:
    titles: tuple[str, ...]  # lower-case, longest first
    person_labels: frozenset[str]
    relabel_from: frozenset[str] = frozenset({"ORG", "GPE", "NORP", "LOC", "MISC", "FAC", "PRODUCT"})


@cache
def load_entity_rules(lang: str = "en") -> EntityRules:
    titles = sorted({t.lower() for t in _lines("titles.txt")}, key=len, reverse=True)
    return EntityRules(titles=tuple(titles), person_labels=frozenset(_lines("people_labels.txt")))


def _strip_title(text: str, start: int, rules: EntityRules) -> tuple[str, int]:
    lowered = text.lower()
    for title in rules.titles:
        if lowered.startswith(title + " ") and len(text) > len(title) + 1:
            cut = len(title) + 1
            return text[cut:], start + cut
    return text, start


def _trim(text: str, start: int, label: str, rules: EntityRules) -> tuple[str, int]:
    """Trim spaces/punctuation and a trailing possessive; people also lose a leading title."""
    left = len(text) - len(text.lstrip(_TRIM))
    text, start = text[left:], start + left
    for suffix in _POSSESSIVES:
        if text.endswith(suffix) and len(text) > len(suffix) + 1:
            text = text[: -len(suffix)]
            break
    text = text.rstrip(_TRIM.replace(".", ""))  # keep the period of "U.S." and "Corp."
    if label in rules.person_labels:
        text, start = _strip_title(text, start, rules)
    return text, start


def extract_entities(doc: Any, *, rules: EntityRules) -> list[Entity]:
    """One Entity per mention in `doc.ents`; offsets index `doc.text`."""
    raw: list[tuple[str, str, int]] = []
    for ent in doc.ents:
        text, start = _trim(ent.text, ent.start_char, ent.label_, rules)
        if text and any(ch.isalnum() for ch in text):
            raw.append((text, ent.label_, start))
    people = [t for t, label, _ in raw if label in rules.person_labels]
    person_label = next((label for _, label, _ in raw if label in rules.person_labels), "PERSON")
    # the fullest name first, so a partial mention finds it
    full_names = sorted(set(people), key=lambda n: (-len(n.split()), -len(n)))
    out: list[Entity] = []
    for text, label, start in raw:
        canonical = text
        if label in rules.person_labels:
            canonical = _fullest(text, full_names)
        elif label in rules.relabel_from and " " not in text:
            fuller = _fullest(text, full_names)
            if fuller != text:
                label, canonical = person_label, fuller
        out.append(Entity(text=text, label=label, start=start, end=start + len(text), canonical=canonical))
    return out


def _fullest(name: str, full_names: list[str]) -> str:
    """The longest person name in the story whose words contain `name`'s words in order, ending alike."""
    words = name.split()
    for cand in full_names:
        cw = cand.split()
        if len(cw) <= len(words):
            continue
        if cw[-len(words) :] == words or _contains(cw, words):
            return cand
    return name


def _contains(hay: list[str], needle: list[str]) -> bool:
    n = len(needle)
    return any(hay[i : i + n] == needle for i in range(len(hay) - n + 1))
