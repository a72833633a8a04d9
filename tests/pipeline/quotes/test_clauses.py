"""Reported clauses with the real entity stage: titles, relative clauses, shares, answers.

Entities are built by hand unless a test runs the real entity stage (helpers.py).
"""

from __future__ import annotations

import pytest

from tests.pipeline.quotes.helpers import FR, direct, only, person, run

# -- with the real entity stage -------------------------------------------------------------------


def test_french_stance_and_unsourced_views() -> None:
    text = "Marie Dupont a soutenu le projet de loi. Le projet semble voué à l'échec."
    found = [q for q in run(text, ("Marie Dupont", "PER", "Marie Dupont"), lex=FR) if q.kind == "indirect"]
    assert [(q.speaker.text if q.speaker else None, q.text) for q in found] == [
        ("Marie Dupont", "le projet de loi"),
        (None, "Le projet semble voué à l'échec"),
    ]


@pytest.mark.parametrize(
    ("text", "speaker", "content"),
    [
        (
            "The harbour wall will hold until spring, Dr. Haddad said.",
            "Dr. Haddad",
            "The harbour wall will hold until spring",
        ),
        (
            "For now, though, ferries are safe, Professor Haddad said.",
            "Professor Haddad",
            "For now, though, ferries are safe",
        ),
    ],
)
def test_postposed_speaker_with_a_title_before_the_name(text: str, speaker: str, content: str) -> None:
    q = only(run(text, person("Haddad", "Nadia Haddad")), "indirect")
    assert q.text == content
    assert q.speaker is not None and q.speaker.canonical == "Nadia Haddad"
    assert text[q.speaker.start : q.speaker.end] in speaker


def test_a_relative_clause_ends_where_the_main_verb_comes_back() -> None:
    text = "Nadia Haddad, who estimated that half the boats were idle, said the port would shrink."
    found = [q for q in run(text, person("Nadia Haddad")) if q.kind == "indirect"]
    assert [(q.cue.text if q.cue else None, q.text) for q in found] == [
        ("estimated", "that half the boats were idle"),
        ("said", "the port would shrink"),
    ]
    assert found[1].speaker is not None and found[1].speaker.canonical == "Nadia Haddad"


def test_a_speaker_inside_a_relative_clause() -> None:
    text = "The council kept back a file that harbour officials said would alarm the fishermen."
    q = only(run(text), "indirect")
    assert q.speaker is not None and q.speaker.text == "harbour officials"
    assert q.text == "would alarm the fishermen"


@pytest.mark.parametrize(
    ("text", "speaker", "content"),
    [
        ("While only 7 percent said they would move, most stayed.", "7 percent", "they would move"),
        (
            "Most residents said the ferry was late, and more than six in 10 said the fares were too high.",
            "six in 10",
            "the fares were too high",
        ),
    ],
)
def test_shares_led_by_only_or_more_than(text: str, speaker: str, content: str) -> None:
    found = run(text)
    assert any(q.speaker is not None and (q.speaker.text, q.text) == (speaker, content) for q in found)


def test_records_after_the_clause_are_its_source() -> None:
    text = "Most of the grant went to the marina, county spending records show."
    q = only(run(text), "indirect")
    assert q.speaker is not None and q.speaker.text == "county spending records"
    assert q.text == "Most of the grant went to the marina"


@pytest.mark.parametrize(
    ("text", "first", "second"),
    [
        (
            "Most owners said the toll was fair, even some fishermen said it was too low.",
            "the toll was fair",
            "it was too low",
        ),
        (
            "Older residents say the ferry is too slow, most in the harbour say it is fine.",
            "the ferry is too slow",
            "it is fine",
        ),
    ],
)
def test_a_clause_ends_where_a_new_subject_follows_a_comma(text: str, first: str, second: str) -> None:
    found = [q.text for q in run(text) if q.kind == "indirect"]
    assert found == [first, second]


def test_a_comma_closing_a_quote_still_ends_the_clause() -> None:
    text = 'Nadia Haddad said the new toll was "a tax on sailors," adding that she would fight it.'
    found = run(text, person("Nadia Haddad"))
    assert 'the new toll was "a tax on sailors,"' in [q.text for q in found if q.kind == "indirect"]


def test_a_verb_holding_a_phrase_may_hold_a_single_name() -> None:
    text = "Nadia Haddad praised Brandt on Monday."
    q = only(run(text, person("Nadia Haddad"), person("Brandt")), "indirect")
    assert (q.text, q.cue.text if q.cue else None) == ("Brandt on Monday", "praised")
    assert q.speaker is not None and q.speaker.canonical == "Nadia Haddad"


@pytest.mark.parametrize("answer", ["yes", "no", "so"])
def test_one_word_answers_are_reported(answer: str) -> None:
    text = f"Asked whether the pier should close, 61 percent of residents said {answer}."
    found = run(text)
    assert any(q.text == answer and q.speaker and q.speaker.text == "61 percent of residents" for q in found)


def test_shares_joined_by_and_each_report_their_own_answer() -> None:
    text = "Some 30 percent said the toll was too high and 12 percent said it was too low."
    found = [(q.speaker.text if q.speaker else None, q.text) for q in run(text) if q.kind == "indirect"]
    assert found == [("Some 30 percent", "the toll was too high"), ("12 percent", "it was too low")]


def test_a_comma_inside_a_number_does_not_end_a_phrase() -> None:
    text = "Nadia Haddad backed moving 12,000 boats to the new marina."
    q = only(run(text, person("Nadia Haddad")), "indirect")
    assert q.text == "moving 12,000 boats to the new marina"


@pytest.mark.parametrize(
    ("text", "cue", "content"),
    [
        ("Nadia Haddad played down the risk of a second flood.", "played down", "the risk of a second flood"),
        ("Nadia Haddad foresees a long fight over the pier.", "foresees", "a long fight over the pier"),
        ("Nadia Haddad chided the council for its delay.", "chided", "the council for its delay"),
        ("Nadia Haddad came out against the new toll.", "came out against", "the new toll"),
    ],
)
def test_more_stance_and_belief_phrases(text: str, cue: str, content: str) -> None:
    q = only(run(text, person("Nadia Haddad")), "indirect")
    assert (q.cue.text if q.cue else None, q.text) == (cue, content)
    assert q.speaker is not None and q.speaker.canonical == "Nadia Haddad"


def test_a_quote_closed_by_a_full_stop_then_its_speaker() -> None:
    text = "\u201cThe pier will not reopen this year.\u201d Nadia Haddad said. The council met later."
    [q] = direct(run(text, person("Nadia Haddad")))
    assert q.text == "The pier will not reopen this year."
    assert q.speaker is not None and q.speaker.canonical == "Nadia Haddad"


def test_a_closed_quote_before_a_longer_sentence_is_not_attributed_by_it() -> None:
    text = (
        "\u201cThe pier will not reopen this year.\u201d Nadia Haddad said the council would meet on Monday."
    )
    assert direct(run(text, person("Nadia Haddad"))) == []
