"""Direct quotes: where the speaker stands, signatures, headlines, continuation of a speaker.

Entities are built by hand unless a test runs the real entity stage (helpers.py).
"""

from __future__ import annotations

import pytest

from tests.pipeline.quotes.helpers import direct, only, person, run

# -- where the speaker is -------------------------------------------------------------------------

SPEAKER_CASES = [
    ("\u201cWe will appeal the ruling,\u201d said Marta Lindqvist.", "Marta Lindqvist", "said"),
    ("\u201cWe will appeal the ruling,\u201d Marta Lindqvist said.", "Marta Lindqvist", "said"),
    ("\u201cWe will appeal the ruling,\u201d Marta Lindqvist told reporters.", "Marta Lindqvist", "told"),
    ("Marta Lindqvist told reporters: \u201cWe will appeal the ruling.\u201d", "Marta Lindqvist", "told"),
    ("Marta Lindqvist said, \u201cWe will appeal the ruling.\u201d", "Marta Lindqvist", "said"),
    (
        "According to Marta Lindqvist, \u201cwe will appeal the ruling.\u201d",
        "Marta Lindqvist",
        "According to",
    ),
    (
        "\u201cWe will appeal the ruling,\u201d Marta Lindqvist, a spokeswoman for the ministry, said.",
        "Marta Lindqvist",
        "said",
    ),
    (
        "Marta Lindqvist, a spokeswoman for the ministry, said: \u201cWe will appeal the ruling.\u201d",
        "Marta Lindqvist",
        "said",
    ),
    (
        "\u201cWe will appeal the ruling,\u201d Deputy Justice Minister Marta Lindqvist said on Tuesday.",
        "Marta Lindqvist",
        "said",
    ),
    ("\u201cWe will appeal the ruling,\u201d said Sen. Marta Lindqvist (D-Ore.).", "Marta Lindqvist", "said"),
    ("Continued Marta Lindqvist: \u201cWe will appeal the ruling.\u201d", "Marta Lindqvist", "Continued"),
    ("Marta Lindqvist: \u201cWe will appeal the ruling.\u201d", "Marta Lindqvist", ":"),
]


@pytest.mark.parametrize(("text", "speaker", "cue"), SPEAKER_CASES)
def test_speaker_before_or_after_with_or_without_inversion(text: str, speaker: str, cue: str) -> None:
    q = only(run(text, person("Marta Lindqvist")), "direct")
    assert q.text.lower().startswith("we will appeal the ruling")
    assert q.speaker is not None and q.speaker.text == speaker and q.speaker.canonical == speaker
    assert q.cue is not None and q.cue.text == cue


def test_apposition_does_not_become_the_speaker() -> None:
    text = (
        "Jonas Okafor, the head of Riverside Mutual, an insurer based in Leeds, said: "
        "\u201cClaims have doubled since the storm.\u201d"
    )
    q = only(run(text, person("Jonas Okafor"), ("Riverside Mutual", "ORG", "Riverside Mutual")), "direct")
    assert q.speaker is not None and q.speaker.canonical == "Jonas Okafor"


@pytest.mark.parametrize(
    "text",
    [
        "\u201cThe port will never close while I am mayor.\u201d \u2015 Amina Diallo",
        "\u201cThe port will never close while I am mayor.\u201d\n\n- Amina Diallo, Dakar.",
    ],
)
def test_quote_signed_with_a_dash(text: str) -> None:
    q = only(run(text, person("Amina Diallo")), "direct")
    assert q.speaker is not None and q.speaker.canonical == "Amina Diallo"
    assert q.cue is not None and q.cue.text in ("\u2015", "-")


def test_headline_with_single_quotes_after_a_colon() -> None:
    text = "Amina Diallo: 'The Port Will Reopen in May.'\n\nThe mayor spoke on Monday."
    q = only(run(text, person("Amina Diallo")), "direct")
    assert q.text == "The Port Will Reopen in May." and q.speaker is not None and q.cue is not None
    assert (q.speaker.canonical, q.cue.text) == ("Amina Diallo", ":")


def test_question_then_speaker_in_the_next_sentence() -> None:
    text = "\u201cCan we win the county?\u201d Mr. Okafor asked. \u201cI doubt it.\u201d"
    found = direct(run(text, person("Okafor", "Samuel Okafor")))
    assert [q.speaker.canonical for q in found if q.speaker] == ["Samuel Okafor", "Samuel Okafor"]
    assert found[0].cue is not None and found[0].cue.text == "asked"


def test_attribution_between_two_quotes_serves_both() -> None:
    text = "\u201cWe are ready,\u201d Jonas Okafor said, \u201cand we have been for a year.\u201d"
    first, second = direct(run(text, person("Jonas Okafor")))
    assert first.cue == second.cue and second.speaker is not None and second.speaker.text == "Jonas Okafor"


# -- continuation ---------------------------------------------------------------------------------


def test_quote_without_cue_inherits_the_previous_speaker() -> None:
    text = (
        "\u201cThe water is clean again,\u201d said Marta Lindqvist. "
        "\u201cWe will keep testing every six hours until the end of the month.\u201d"
    )
    first, second = direct(run(text, person("Marta Lindqvist")))
    assert second.speaker == first.speaker and second.cue is None


def test_continuation_stops_at_a_new_attribution() -> None:
    text = (
        "\u201cThe water is clean again,\u201d said Marta Lindqvist. "
        "\u201cIt is not clean at all,\u201d retorted Tomas Brandt."
    )
    first, second = direct(run(text, person("Marta Lindqvist"), person("Tomas Brandt")))
    assert second.speaker is not None and second.speaker.canonical == "Tomas Brandt"
