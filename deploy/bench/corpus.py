"""The benchmark's stories: invented, 600-1,000 words, mostly English, some French, ~5% redeliveries.

English comes from `pipeline.evaluation.storygen`; French from the small template set in `french.json`
(invented sentences, same shape as storygen's). A redelivery is the same body sent again under a new id
(`<id>-again`) somewhere after its original, so dedup has real work and the NLP stages are skipped for it.
Deterministic for a seed.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pipeline.evaluation.storygen import story as english_story

FRENCH = Path(__file__).with_name("french.json")
REDELIVERY_SUFFIX = "-again"


@cache
def french_pools() -> dict[str, Any]:
    """The French templates and word pools (data, loaded once)."""
    pools: dict[str, Any] = json.loads(FRENCH.read_text(encoding="utf-8"))
    return pools


def _french_sentence(rng: random.Random, pools: dict[str, Any]) -> str:
    values: dict[str, Any] = {
        "place": rng.choice(pools["places"]),
        "place2": rng.choice(pools["places"]),
        "org": rng.choice(pools["orgs"]),
        "org2": rng.choice(pools["orgs"]),
        "topic": rng.choice(pools["topics"]),
        "day": rng.choice(pools["days"]),
        "n": rng.randint(12, 9800),
        "m": rng.randint(2, 60),
        "year": rng.randint(1990, 2025),
        "First": rng.choice(pools["first"]),
        "Last": rng.choice(pools["last"]),
        "role": rng.choice(pools["roles"]),
        "verb": rng.choice(pools["verbs"]),
        "scare": rng.choice(pools["scare"]),
    }
    values["Org"] = values["org"][0].upper() + values["org"][1:]
    values["quote"] = rng.choice(pools["quotes"]).format(**values)
    sentence: str = rng.choice(pools["templates"]).format(**values)
    return sentence[0].upper() + sentence[1:]


def french_story(i: int, rng: random.Random, words: int, prefix: str = "fr") -> dict[str, Any]:
    """One invented French story of about `words` words, in paragraphs of 1-3 sentences."""
    pools = french_pools()
    paragraphs: list[str] = []
    count = 0
    while count < words:
        para = " ".join(_french_sentence(rng, pools) for _ in range(rng.randint(1, 3)))
        paragraphs.append(para)
        count += len(para.split())
    return {
        "id": f"{prefix}-{i:05d}",
        "source": rng.choice(["Dépêche Sud", "Courrier de l'Orbe"]),
        "headline": f"{rng.choice(pools['topics']).capitalize()} : {rng.choice(pools['orgs'])} réagit",
        "published_at": f"2026-11-{rng.randint(1, 24):02d}T{rng.randint(0, 23):02d}:00:00Z",
        "body": "\n\n".join(paragraphs),
    }


@dataclass(frozen=True, slots=True)
class Corpus:
    """The stories in publish order, and what they are made of."""

    stories: list[dict[str, Any]]
    languages: dict[str, str]  # id -> language the story was written in (redeliveries included)

    @property
    def lines(self) -> list[bytes]:
        """One raw message per story, as a producer would send it."""
        return [json.dumps(s, ensure_ascii=False).encode("utf-8") for s in self.stories]

    @property
    def ids(self) -> list[str]:
        return [str(s["id"]) for s in self.stories]

    @property
    def words(self) -> int:
        return sum(len(s["body"].split()) for s in self.stories)

    def covering(self, partitions: int, partition_of: Callable[[str, int], int], per_cell: int = 1) -> Corpus:
        """The first `per_cell` stories of each (partition, language) pair, in order: a warm-up that makes
        every worker load every language's model before timing starts (models load lazily)."""
        taken: dict[tuple[int, str], int] = {}
        keep = []
        for s in self.stories:
            cell = (partition_of(str(s["id"]), partitions), self.languages[str(s["id"])])
            if taken.get(cell, 0) < per_cell:
                taken[cell] = taken.get(cell, 0) + 1
                keep.append(s)
        return Corpus(keep, {str(s["id"]): self.languages[str(s["id"])] for s in keep})

    def summary(self) -> dict[str, Any]:
        """Counts for bench.json: stories per language, redeliveries, words per story."""
        per_story = [len(s["body"].split()) for s in self.stories]
        langs: dict[str, int] = {}
        for lang in self.languages.values():
            langs[lang] = langs.get(lang, 0) + 1
        return {
            "stories": len(self.stories),
            "languages": dict(sorted(langs.items())),
            "redeliveries": sum(1 for s in self.stories if str(s["id"]).endswith(REDELIVERY_SUFFIX)),
            "words": sum(per_story),
            "words_per_story": {
                "min": min(per_story, default=0),
                "mean": sum(per_story) / len(per_story) if per_story else 0.0,
                "max": max(per_story, default=0),
            },
        }


def build(
    n: int,
    seed: int = 42,
    *,
    french_share: float = 0.1,
    redelivery_share: float = 0.05,
    words: tuple[int, int] = (600, 1000),
    id_prefix: str = "bench",
) -> Corpus:
    """`n` stories in all: originals (a `french_share` of them French) plus redeliveries of earlier ones."""
    rng = random.Random(seed)
    copies = round(n * redelivery_share)
    originals = n - copies
    french = set(rng.sample(range(originals), round(originals * french_share)))
    made: list[tuple[float, dict[str, Any]]] = []
    languages: dict[str, str] = {}
    for i in range(originals):
        length = rng.randint(*words)
        if i in french:
            s = french_story(i, rng, length, prefix=f"{id_prefix}-fr")
            languages[s["id"]] = "fr"
        else:
            s = english_story(i, rng, length, prefix=f"{id_prefix}-en")
            languages[s["id"]] = "en"
        made.append((float(i), s))
    for k in sorted(rng.sample(range(max(0, originals - 1)), min(copies, max(0, originals - 1)))):
        original = made[k][1]
        again = dict(original, id=f"{original['id']}{REDELIVERY_SUFFIX}")
        languages[again["id"]] = languages[original["id"]]
        made.append((rng.uniform(k + 1, originals), again))  # always after its original
    made.sort(key=lambda pair: pair[0])
    return Corpus([s for _, s in made], languages)
