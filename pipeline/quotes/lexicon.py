"""Quote lexicons: cue verbs and the small word classes the quotes stage reasons with, per language.

All words live in `resources/quotes/<lang>.json`; this module only turns them into lookup tables.
Phrases are matched word by word on lower-cased words, so "pointed out" or "a déclaré" are cues too.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from pipeline.quotes.layout import WORD

Phrases = dict[str, tuple[tuple[str, ...], ...]]  # first (or last) word -> phrases, longest first
CUE_KINDS = ("speech", "object", "participle", "according_to", "partial", "belief", "stance", "unsourced")
# kinds that report a stance or a thought, never a quote of their own ("X backed the 'plan'")
WEAK_KINDS = frozenset({"belief", "partial", "stance"})


@dataclass(frozen=True, slots=True)
class QuoteLexicon:
    """Cue phrases (by kind) and word classes for one language; built by `load_quote_lexicon`."""

    lang: str
    cues: dict[str, tuple[tuple[tuple[str, ...], str], ...]]  # first word -> ((words, kind), ...)
    inverting: frozenset[str]  # cue words that may come before their subject ("said Smith")
    object_case: frozenset[str]  # pronouns that cannot be a subject ("him"): speakers only after a cue
    subject_pronouns: dict[str, str]  # pronoun -> "m", "f", "p" (plural), "s" (speaker), "n" (neuter)
    object_words: Phrases
    determiners: frozenset[str]
    np_inner: frozenset[str]
    np_words: frozenset[str]  # words ending in -ly that are not adverbs ("family", "ally")
    ambiguous: frozenset[str]  # cue words that are also nouns ("report", "claims"): need a named subject
    not_clause: frozenset[str]  # words that cannot open a reported clause ("with", "about")
    relatives: frozenset[str]  # "who": a subject standing for the phrase before it
    clause_links: frozenset[str]  # "that", "which": a subject phrase may start right after them
    standalone: frozenset[str]  # "another", "others": determiners that can be a whole subject
    parentheticals: frozenset[str]  # "however", "too": set off by commas between subject and verb
    quantities: frozenset[str]  # "half", "most": open a subject phrase ("half of voters say")
    numbers: frozenset[str]  # number words: "one in five" is a share of people, like "42%"
    share_links: frozenset[str]  # "in" of "four in 10"
    share_leads: Phrases  # "more than", "only": open a share of people ("nearly half of voters")
    progressive_aux: frozenset[str]  # "is" of "is seeking": skipped between a subject and a cue ...
    progressive_suffix: str  # ... that ends so
    plural_suffix: str  # "s" of "critics fear": a plural subject before a plain verb form
    passive_by: frozenset[str]  # "by" of "backed by the mayor": the source follows ...
    passive_aux: frozenset[str]  # ... and these words before the verb are not what was backed
    unsourced_links: frozenset[str]  # words that may follow an unsourced cue though not opening a clause
    documents: frozenset[str]  # "poll", "records": a descriptor with this head is a source in its own right
    question_cues: frozenset[str]  # "asked": "Asked whether ..., Smith said" reports a question ...
    question_leads: frozenset[str]  # ... after nothing or one of these ("when") ...
    question_by: frozenset[str]  # ... asked by whoever follows this word ("by")
    question_openers: frozenset[str]  # "whether", "about": where the question put to someone starts
    coordinators: frozenset[str]  # "and", "but", "while": may open another speaker's clause
    turns: frozenset[str]  # "but", "while" after a comma: the reported clause has ended
    subordinators: frozenset[str]  # "while", "if" opening a sentence: its first comma ends a clause in it
    participle_leads: frozenset[str]  # words before a participle that make it the clause's verb
    barriers: frozenset[str]
    skip_before: Phrases  # keyed by last word: matched backwards from a cue
    skip_after: Phrases
    clause_openers: frozenset[str]
    intro_words: frozenset[str]  # words opening an introductory phrase ("In March, ...")
    abbreviations: frozenset[str]
    gender_titles: dict[str, str]
    first_names: dict[str, str]  # "hillary" -> "f": shared by every language (first_names.json)
    inverted_glue: tuple[str, ...]  # French "dit-il", "estime-t-elle": text gluing a pronoun to a cue
    min_clause_words: int = 3
    max_speaker_words: int = 8
    max_lead_words: int = 10
    max_title_words: int = 16
    max_label_words: int = 4
    # "and", "but", "to" before a cue: its subject is the clause's ("he laughed and said", "und sagte")
    verb_links: frozenset[str] = frozenset({"and", "but", "to"})
    # German "so": an according-to cue only right after a comma ("..., so Müller.")
    comma_sources: frozenset[str] = frozenset()
    # German "zufolge": an according-to cue after its source ("Müller zufolge ...")
    postposed_sources: frozenset[str] = frozenset()
    # "wie", "como", "как": between a comma and a postposed speaker ("..., wie Müller sagte.")
    source_links: frozenset[str] = frozenset()
    subject_after: bool = False  # any cue may have its subject right after it ("Am Montag sagte Müller, ...")
    capitalised_nouns: bool = False  # every noun is capitalised (German): a capital does not make a name
    dialogue: bool = False  # speech after a paragraph-opening dash ("—Vamos —dijo el ministro.")
    pro_drop: bool = False  # a cue needs no subject ("—Vamos —dijo."): it continues the last speaker
    surname_genders: dict[str, str] = dataclasses.field(default_factory=dict)  # Russian "-ова" -> "f"
    that_words: frozenset[str] = frozenset({"that"})  # open a reported clause after a phrase ("dass", "que")
    comma_opens_clause: bool = False  # "sagte nach der Sitzung, die Inflation ...": the comma opens it
    # articles of role phrases in the language's own shapes, as regular expressions (titles.py; none:
    # only the English shapes of resolve.roles)
    role_articles: tuple[str, ...] = ()
    particles: Phrases = dataclasses.field(default_factory=dict)  # "mit" of "teilte ... mit": ends a clause
    named_sources: frozenset[str] = frozenset()  # Italian "per": a source only before a name and a comma
    role_window: int = 1  # words before a name that may be its title ("Губернатор области Сергей Ткачев")
    stem_roles: bool = False  # a role matches its inflected forms ("губернатора" is the "губернатор")
    head_first: bool = False  # a noun phrase's head comes first ("il comandante provinciale")
    leading_roles: bool = False  # "la ministra del Interior, Paula Cárdenas": a role before the name
    not_labels: frozenset[str] = frozenset()  # "update", "photo": line labels that are not speakers
    answers: frozenset[str] = frozenset()  # "yes", "so": a one-word reported clause ("said so")
    nominal_cues: Phrases = dataclasses.field(default_factory=dict)  # "criticism of": nouns of saying
    # "his" -> "m": owners of those nouns
    possessives: dict[str, str] = dataclasses.field(default_factory=dict)
    max_held_words: int = 40
    max_clause_words: int = 120  # no reported clause is longer; bounds the work per cue
    # "with" of "with Smith saying ...": a participle's subject follows
    absolute_leads: frozenset[str] = frozenset()
    # "like": a stance word that right after a comma is a preposition ("Smith, like most economists, ...")
    prepositional: frozenset[str] = frozenset()
    # "whether", "to": where what is told or asked starts after its listener ("urged her peers to ...")
    listener_ends: frozenset[str] = frozenset()
    # "quick" of "was quick to condemn": the stance after "to" is the subject's own
    stance_leads: frozenset[str] = frozenset()
    aspect_verbs: frozenset[str] = frozenset()  # "continues": before "to" it says how, not what
    past_suffix: str = ""  # "ed": a verb after a noun phrase ("criticism of the toll surprised ...")


def norm(word: str) -> str:
    return word.lower().replace("\u2019", "'")


def words_of(phrase: str) -> tuple[str, ...]:
    return tuple(norm(m.group()) for m in WORD.finditer(phrase))


def phrases(items: list[str], *, backwards: bool = False) -> Phrases:
    table: dict[str, list[tuple[str, ...]]] = {}
    for item in items:
        item_words = words_of(item)
        if item_words:
            table.setdefault(item_words[-1] if backwards else item_words[0], []).append(item_words)
    return {k: tuple(sorted(set(v), key=len, reverse=True)) for k, v in table.items()}


def match_forward(lowered: list[str], i: int, table: Phrases) -> int:
    """Words of the longest phrase starting at word i (0 when none)."""
    for item_words in table.get(lowered[i], ()) if i < len(lowered) else ():
        if tuple(lowered[i : i + len(item_words)]) == item_words:
            return len(item_words)
    return 0


def match_backward(lowered: list[str], i: int, table: Phrases) -> int:
    """Words of the longest phrase ending at word i (0 when none)."""
    for item_words in table.get(lowered[i], ()) if i >= 0 else ():
        j = i + 1 - len(item_words)
        if j >= 0 and tuple(lowered[j : i + 1]) == item_words:
            return len(item_words)
    return 0


@cache
def _first_names() -> dict[str, str]:
    path = resources.files("pipeline.resources.quotes").joinpath("first_names.json")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return {norm(n): g for g in ("m", "f") for n in data[g]}


def _names(data: dict[str, Any]) -> dict[str, str]:
    """Shared first names, and the language's own ("first_names": {"m": [...], "f": [...]})."""
    own = data.get("first_names", {})
    return {**_first_names(), **{norm(n): g for g in ("m", "f") for n in own.get(g, [])}}


@cache
def load_quote_lexicon(lang: str) -> QuoteLexicon | None:
    """The lexicon for `lang` from its data file, or None when there are no resources for it."""
    path = resources.files("pipeline.resources.quotes").joinpath(f"{lang}.json")
    if not path.is_file():
        return None
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))

    def words(key: str) -> frozenset[str]:
        """A word list of the data file, normalised."""
        return frozenset(map(norm, data.get(key, [])))

    cues: dict[str, dict[tuple[str, ...], str]] = {}
    pronouns = {norm(k): v for k, v in data["subject_pronouns"].items()}
    aux = set(map(norm, data.get("inverted_aux", [])))
    glue = tuple(data.get("inverted_glue", []))
    for kind in CUE_KINDS:  # earlier kinds win when a phrase is listed twice
        for item in data.get(kind, []):
            item_words = words_of(item)
            if not item_words:
                continue
            cues.setdefault(item_words[0], {}).setdefault(item_words, kind)
            if item_words[0] in aux and len(item_words) > 1:  # "a déclaré" -> "a-t-il déclaré", "ont-ils dit"
                for p in pronouns:
                    for g in glue:
                        inv = (item_words[0], *words_of(g), p, *item_words[1:])
                        cues[item_words[0]].setdefault(inv, kind)
    return QuoteLexicon(
        lang=lang,
        cues={k: tuple(sorted(v.items(), key=lambda kv: -len(kv[0]))) for k, v in cues.items()},
        inverting=words("inverting"),
        object_case=words("object_case"),
        subject_pronouns=pronouns,
        object_words=phrases(data.get("object_pronouns", [])),
        determiners=words("determiners"),
        np_inner=words("np_inner"),
        np_words=words("np_words"),
        ambiguous=words("ambiguous"),
        not_clause=words("not_clause"),
        coordinators=words("coordinators"),
        turns=words("turns"),
        subordinators=words("subordinators"),
        parentheticals=words("parentheticals"),
        relatives=words("relatives"),
        clause_links=words("clause_links"),
        standalone=words("standalone"),
        quantities=words("quantities"),
        numbers=words("numbers"),
        share_links=words("share_links"),
        share_leads=phrases(data.get("share_leads", [])),
        progressive_aux=words("progressive_aux"),
        progressive_suffix=str(data.get("progressive_suffix", "")),
        plural_suffix=str(data.get("plural_suffix", "")),
        passive_by=words("passive_by"),
        passive_aux=words("passive_aux"),
        unsourced_links=words("unsourced_links"),
        documents=words("documents"),
        question_cues=words("question_cues"),
        question_leads=words("question_leads"),
        question_by=words("question_by"),
        question_openers=words("question_openers"),
        participle_leads=words("participle_leads"),
        barriers=words("barriers"),
        skip_before=phrases(data.get("skip_before_cue", []), backwards=True),
        skip_after=phrases(data.get("skip_after_cue", [])),
        clause_openers=words("clause_openers"),
        intro_words=words("intro_words"),
        abbreviations=words("abbreviations"),
        gender_titles={norm(k): v for k, v in data.get("gender_titles", {}).items() if v},
        first_names=_names(data),
        inverted_glue=glue,
        min_clause_words=int(data.get("min_clause_words", 3)),
        max_speaker_words=int(data.get("max_speaker_words", 8)),
        max_lead_words=int(data.get("max_lead_words", 10)),
        max_title_words=int(data.get("max_title_words", 16)),
        max_label_words=int(data.get("max_label_words", 4)),
        verb_links=words("verb_links") if "verb_links" in data else frozenset({"and", "but", "to"}),
        comma_sources=words("comma_sources"),
        postposed_sources=words("postposed_sources"),
        source_links=words("source_links"),
        subject_after=bool(data.get("subject_after", False)),
        capitalised_nouns=bool(data.get("capitalised_nouns", False)),
        dialogue=bool(data.get("dialogue", False)),
        pro_drop=bool(data.get("pro_drop", False)),
        surname_genders={norm(k): v for k, v in data.get("surname_genders", {}).items()},
        that_words=words("that_words") if "that_words" in data else frozenset({"that"}),
        comma_opens_clause=bool(data.get("comma_opens_clause", False)),
        role_articles=tuple(data.get("role_articles", ())),
        leading_roles=bool(data.get("leading_roles", False)),
        head_first=bool(data.get("head_first", False)),
        role_window=int(data.get("role_window", 1)),
        named_sources=words("named_sources"),
        particles=phrases(data.get("particles", [])),
        stem_roles=bool(data.get("stem_roles", False)),
        not_labels=words("not_labels"),
        answers=words("answers"),
        nominal_cues=phrases(data.get("nominal_cues", [])),
        possessives={norm(k): v for k, v in data.get("possessives", {}).items()},
        max_held_words=int(data.get("max_held_words", 40)),
        max_clause_words=int(data.get("max_clause_words", 120)),
        past_suffix=str(data.get("past_suffix", "")),
        aspect_verbs=words("aspect_verbs"),
        absolute_leads=words("absolute_leads"),
        stance_leads=words("stance_leads"),
        listener_ends=words("listener_ends"),
        prepositional=words("prepositional"),
    )
