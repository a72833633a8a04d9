"""Nouns of saying owned by someone ('his criticism of', "Smith's claim that").

Entities are built by hand unless a test runs the real entity stage (helpers.py).
"""

from __future__ import annotations

import pytest

from tests.pipeline.quotes.helpers import FR, person, run


@pytest.mark.parametrize(
    ("text", "speaker", "cue", "content"),
    [
        ("His sharp criticism of the toll surprised Brandt.", "His", "criticism of", "the toll"),
        ("Ruiz's calls for a new pier have grown louder.", "Ruiz", "calls for", "a new pier"),
        (
            "After his claim that the pier was unsafe, Brandt left.",
            "his",
            "claim that",
            "the pier was unsafe",
        ),
    ],
)
def test_nouns_of_saying_owned_by_someone(text: str, speaker: str, cue: str, content: str) -> None:
    found = run(text, person("Brandt", "Tomas Brandt"), person("Ruiz", "Elena Ruiz"))
    [q] = [q for q in found if q.cue is not None and q.cue.text == cue]
    assert (q.kind, q.text) == ("indirect", content)
    assert q.speaker is not None and q.speaker.text == speaker


def test_a_possessive_owner_resolves_like_a_pronoun() -> None:
    text = "Tomas Brandt spoke first. His criticism of the toll surprised the council."
    found = run(text, person("Tomas Brandt"))
    [q] = [q for q in found if q.cue is not None and q.cue.text == "criticism of"]
    assert q.speaker is not None and (q.speaker.text, q.speaker.canonical) == ("His", "Tomas Brandt")


def test_a_noun_of_saying_inside_a_reported_clause_stays_part_of_it() -> None:
    text = "Nadia Haddad said his criticism of the toll was unfair."
    found = run(text, person("Nadia Haddad"))
    assert [(q.cue.text if q.cue else None, q.text) for q in found] == [
        ("said", "his criticism of the toll was unfair")
    ]


def test_unowned_nouns_of_saying_are_not_attributions() -> None:
    assert run("The criticism of the toll grew over the summer.") == []


def test_french_noun_of_saying() -> None:
    text = "Marie Dupont a renouvelé son appel à la grève."
    found = run(text, ("Marie Dupont", "PER", "Marie Dupont"), lex=FR)
    assert any(q.text == "la grève" and q.speaker and q.speaker.text == "son" for q in found)
