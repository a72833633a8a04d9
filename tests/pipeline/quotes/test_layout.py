"""Quote marks and layout: every mark style, quotes over sentences and paragraphs, what is not a quote,
odd marks and arbitrary text (offsets always valid), and the contract's content-without-marks.

Entities are built by hand unless a test runs the real entity stage (helpers.py).
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.pipeline.quotes.helpers import direct, person, run

# -- marks ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("opener", "closer"),
    [("\u201c", "\u201d"), ('"', '"'), ("''", "''"), ("\u00ab ", " \u00bb"), ("\u201e", "\u201c")],
    ids=["curly", "straight", "typewriter", "guillemets", "low-high"],
)
def test_direct_quote_in_every_mark_style(opener: str, closer: str) -> None:
    text = f"{opener}The ferry to Harlow will run again in March,{closer} said Elena Ruiz."
    [q] = run(text, person("Elena Ruiz"))
    assert (q.kind, q.text) == ("direct", "The ferry to Harlow will run again in March")
    assert q.speaker is not None and q.speaker.canonical == "Elena Ruiz"
    assert q.cue is not None and q.cue.text == "said"


def test_quote_running_over_several_sentences() -> None:
    text = (
        "\u201cThe pumps failed at noon. Nobody told us. We found out from the radio,\u201d "
        "said Tomas Brandt, who runs the marina."
    )
    [q] = run(text, person("Tomas Brandt"))
    assert q.text == "The pumps failed at noon. Nobody told us. We found out from the radio"
    assert q.speaker is not None and q.speaker.text == "Tomas Brandt"


def test_paragraph_left_open_continues_in_the_next_one() -> None:
    text = (
        "Priya Natarajan said: \u201cWe started at dawn and worked through the night.\n\n"
        "\u201cThe worst damage is in the hills, where the roads are still closed.\n\n"
        "\u201cWe expect to finish by Friday.\u201d\n\n"
        "The council meets on Monday."
    )
    found = direct(run(text, person("Priya Natarajan")))
    assert [q.text for q in found] == [
        "We started at dawn and worked through the night.",
        "The worst damage is in the hills, where the roads are still closed.",
        "We expect to finish by Friday.",
    ]
    assert {q.speaker.canonical for q in found if q.speaker} == {"Priya Natarajan"}
    assert [q.cue is not None for q in found] == [True, False, False]


def test_unclosed_quote_that_does_not_continue_is_left_out() -> None:
    text = "\u201cThe bridge is safe, said Elena Ruiz on Monday.\n\nThe council meets on Friday."
    assert direct(run(text, person("Elena Ruiz"))) == []


# -- what is not a quote --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "The so-called \u201cnight owls\u201d were not consulted about the timetable.",
        "She starred in \u201cHarbour Lights\u201d for six seasons before moving to the stage.",
        "The \u201cGreen Route\u201d opened in 2019 and carries 4,000 cyclists a day.",
        "He read \u201cThe Salt Road\u201d twice over the summer.",
    ],
)
def test_scare_quotes_and_titles_are_not_attributed_quotes(text: str) -> None:
    assert [q for q in run(text) if q.kind != "indirect"] == []


@pytest.mark.parametrize(
    "text",
    [
        "\u201cUnclosed quote that goes nowhere, said Smith.",
        "\u201d\u201c\u201d\u201c" * 500,
        '"' * 3001,
        "Words \u00bb and \u00ab more",
        "\u201c\n\u201c\n\u201c",
        "''",
        "Smith said: \u201c",
        "\u00ab",
        "",
        "\u2018Single\u2019 and \u2018unclosed",
    ],
)
def test_odd_marks_never_raise(text: str) -> None:
    found = run(text, person("Smith"))
    assert all(q.speaker is None or q.speaker.canonical == "Smith" for q in found)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                '"',
                "\u201c",
                "\u201d",
                "''",
                "\u00ab",
                "\u00bb",
                "\u2018",
                "\u2019",
                " ",
                "\n",
                ",",
                ".",
                ":",
                "said",
                "Smith",
                "he",
                "according to",
                "that",
                "the plan",
                "Mr.",
            ]
        ),
        max_size=40,
    )
)
def test_any_mix_of_marks_and_cues_gives_valid_offsets(parts: list[str]) -> None:
    text = " ".join(parts)
    run(text, person("Smith"))  # offsets are checked inside


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=120))
def test_any_text_gives_valid_offsets(text: str) -> None:
    run(text, person("Smith"))


# -- what the contract pins: content without its marks, each quote once ----------------------------


def test_a_quote_after_cue_and_colon_is_direct_and_the_next_cue_keeps_its_own() -> None:
    text = 'Nadia Brandt said: "The ferry will run again in March." She added: "No delays."'
    found = run(text, person("Nadia Brandt"))
    assert [q.kind for q in found] == ["direct", "direct"]
    first, second = found
    assert first.text == "The ferry will run again in March."
    assert first.speaker is not None and first.speaker.text == "Nadia Brandt"
    assert first.cue is not None and first.cue.text == "said"
    assert second.speaker is not None and second.speaker.text == "She"
    assert second.speaker.canonical == "Nadia Brandt"


def test_a_stray_mark_never_opens_a_reported_clause() -> None:
    text = '"The harbour tolls rose again on Monday, Nadia Brandt told reporters.'
    for q in run(text, person("Nadia Brandt")):
        assert not q.text.startswith('"')
