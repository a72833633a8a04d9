"""Invented wire stories for tests and the benchmark: varied enough that no two are near-duplicates.

Every sentence is built from templates and word pools written for wirestream; nothing is copied from
published articles. `stories(n, seed)` is deterministic for a seed.
"""

from __future__ import annotations

import random
from typing import Any

FIRST = [
    "Marta",
    "Samuel",
    "Claire",
    "Tomas",
    "Priya",
    "Elena",
    "Jonas",
    "Amara",
    "Viktor",
    "Lena",
    "Rafael",
    "Ingrid",
    "Kofi",
    "Hana",
    "Oskar",
    "Nadia",
    "Felix",
    "Yara",
    "Bruno",
    "Sofia",
    "Arjun",
    "Mei",
    "Pavel",
    "Aline",
]
LAST = [
    "Lindqvist",
    "Okafor",
    "Whitmore",
    "Brandt",
    "Natarajan",
    "Ruiz",
    "Halvorsen",
    "Mensah",
    "Kowalski",
    "Moreau",
    "Castillo",
    "Eriksen",
    "Adeyemi",
    "Tanaka",
    "Novak",
    "Haddad",
    "Fischer",
    "Oyelaran",
    "Duarte",
    "Lindgren",
    "Petrov",
    "Chen",
    "Sorensen",
    "Abadi",
]
ROLES = [
    "a spokesman for the ministry",
    "the head of the regional council",
    "an economist at Northgate University",
    "the union's chief negotiator",
    "a senior police officer",
    "the company's chief executive",
    "a lawyer for the families",
    "the opposition leader",
    "a spokeswoman for the port authority",
]
PLACES = [
    "Valmora",
    "Harlow",
    "Eastbrook",
    "Millford",
    "Kestrel Bay",
    "Norland",
    "Dunmore",
    "Arkady",
    "Solvik",
    "Port Averil",
    "Brightwater",
    "Caldera",
    "Westmarch",
    "Lindenfeld",
]
ORGS = [
    "the Valmora Port Authority",
    "Northgate University",
    "the Harlow City Council",
    "Blue Shore",
    "the National Grid Company",
    "the Ministry of Health",
    "Solvik Steel",
    "the Farmers' Union",
    "the Central Bank of Norland",
    "Arkady Rail",
]
TOPICS = [
    "water prices",
    "the new rail line",
    "hospital waiting times",
    "the fishing quota",
    "teachers' pay",
    "the steel plant",
    "flood defences",
    "the housing plan",
    "bus fares",
    "the wind farm",
    "the airport expansion",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
VERBS = ["said", "told reporters", "added", "warned", "explained", "insisted"]
QUOTES = [
    "We will not accept a deal that leaves {n} families without help",
    "This is the most serious crisis {place} has faced in a decade",
    "Nobody warned us about {topic}, and now everyone pays the price",
    "The numbers are better than we feared, but the work is far from over",
    "We have asked for a meeting with {org} and we are still waiting",
    "Our teams worked through the night to restore {topic} for {n} homes",
]
TEMPLATES = [
    "Officials in {place} said on {day} that {topic} would be reviewed before the end of the year.",
    "{org} announced {n} new jobs in {place}, the largest investment in the region since {year}.",
    "{First} {Last}, {role}, said the decision on {topic} had been delayed by at least {m} weeks.",
    "\u201c{quote},\u201d {Last} {verb}.",
    "\u201c{quote},\u201d said {First} {Last}, {role}.",
    "According to {org}, about {n} people were affected in {place} and {place2}.",
    "Residents of {place} gathered outside the town hall on {day} to protest against {topic}.",
    "The figures published on {day} showed a rise of {m} percent compared with {year}.",
    "{Last} called the proposal a \u201c{scare}\u201d and asked for an independent inquiry.",
    "Critics said {topic} had been mismanaged for years, while supporters pointed to {n} new contracts.",
    "A report by {org} found that {m} of every ten households in {place} struggled to pay for {topic}.",
    "The talks between {org} and {org2} are expected to resume in {place} next {day}.",
    "Police closed the main road between {place} and {place2} for {m} hours after the accident.",
    "In a statement, {org} said it regretted the delay and promised an update within {m} days.",
    "Shares in {org} fell {m} percent after the announcement on {day}.",
]
SCARE = ["reckless gamble", "paper tiger", "missed chance", "political theatre", "quick fix"]


def _sentence(rng: random.Random) -> str:
    quote = rng.choice(QUOTES)
    values: dict[str, Any] = {
        "place": rng.choice(PLACES),
        "place2": rng.choice(PLACES),
        "org": rng.choice(ORGS),
        "org2": rng.choice(ORGS),
        "topic": rng.choice(TOPICS),
        "day": rng.choice(DAYS),
        "n": rng.randint(12, 9800),
        "m": rng.randint(2, 60),
        "year": rng.randint(1990, 2025),
        "First": rng.choice(FIRST),
        "Last": rng.choice(LAST),
        "role": rng.choice(ROLES),
        "verb": rng.choice(VERBS),
        "scare": rng.choice(SCARE),
    }
    values["quote"] = quote.format(**values)
    sentence = rng.choice(TEMPLATES).format(**values)
    return sentence[0].upper() + sentence[1:]


def story(i: int, rng: random.Random, words: int = 120, prefix: str = "gen") -> dict[str, Any]:
    """One invented English story of about `words` words, in paragraphs of 1-3 sentences."""
    paragraphs: list[str] = []
    count = 0
    while count < words:
        para = " ".join(_sentence(rng) for _ in range(rng.randint(1, 3)))
        paragraphs.append(para)
        count += len(para.split())
    place = rng.choice(PLACES)
    return {
        "id": f"{prefix}-{i:05d}",
        "source": rng.choice(["Northwire", "Coastal Press", "Metro Desk"]),
        "headline": f"{rng.choice(TOPICS).capitalize()} in {place}: {rng.choice(ORGS)} responds",
        "published_at": f"2026-11-{rng.randint(1, 24):02d}T{rng.randint(0, 23):02d}:00:00Z",
        "body": "\n\n".join(paragraphs),
    }


def stories(n: int, seed: int = 7, words: int = 120, prefix: str = "gen") -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [story(i, rng, words, prefix) for i in range(n)]
