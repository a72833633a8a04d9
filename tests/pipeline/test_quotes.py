"""Quotes stage, on our own invented sentences: marks, speaker positions, pronouns, descriptors,
continuation, partial and indirect quotes, scare quotes and titles, odd marks, French.

Entities are built by hand (the entity stage's job is tested elsewhere), so each case states exactly
what the quote stage is given; one test runs the real NER model end to end.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.config import QuoteConfig
from pipeline.quotes import QuoteLexicon, extract_quotes, load_lexicon
from pipeline.quotes_layout import MARKS
from pipeline.records import Entity, Quote

EN = load_lexicon("en")
EDGE_MARKS = '"\u201c\u201d\u201e\u00ab\u00bb'
FR = load_lexicon("fr")


def ents(text: str, *names: tuple[str, str, str]) -> list[Entity]:
    """Every occurrence of each (surface, label, canonical), as the entity stage would give them."""
    out = []
    for surface, label, canonical in names:
        for m in re.finditer(rf"(?<!\w){re.escape(surface)}(?!\w)", text):
            out.append(Entity(surface, label, m.start(), m.end(), canonical))
    return sorted(out, key=lambda e: e.start)


def person(surface: str, canonical: str | None = None) -> tuple[str, str, str]:
    return surface, "PERSON", canonical or surface


def run(
    text: str, *names: tuple[str, str, str], lex: QuoteLexicon | None = EN, **config: object
) -> list[Quote]:
    assert lex is not None
    found = extract_quotes(text, ents(text, *names), lexicon=lex, config=QuoteConfig(**config))  # type: ignore[arg-type]
    for q in found:  # every offset indexes the text
        assert text[q.start : q.end] == q.text
        if q.speaker is not None:
            assert text[q.speaker.start : q.speaker.end] == q.speaker.text
        if q.cue is not None:
            assert text[q.cue.start : q.cue.end] == q.cue.text
        if q.kind == "direct":  # the contract: content without its marks
            assert q.text[:1] not in EDGE_MARKS and q.text[-1:] not in EDGE_MARKS, q
        elif len(MARKS.findall(q.text)) % 2:  # a reported clause may hold a partial quote, but
            stray_edge = MARKS.match(q.text) or re.search(f"(?:{MARKS.pattern})$", q.text)
            assert not stray_edge, q  # never opens or ends on a stray mark
    return found


def direct(found: list[Quote]) -> list[Quote]:
    return [q for q in found if q.kind == "direct"]


def only(found: list[Quote], kind: str) -> Quote:
    [q] = [q for q in found if q.kind == kind]
    return q


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


# -- pronouns and descriptors ---------------------------------------------------------------------


def test_pronoun_resolves_to_the_most_recent_person() -> None:
    text = (
        "Marta Lindqvist opened the hearing. Tomas Brandt spoke next.\n\n"
        "\u201cNobody has told us what was in those tanks,\u201d he said."
    )
    q = only(run(text, person("Marta Lindqvist"), person("Tomas Brandt")), "direct")
    assert q.speaker is not None and (q.speaker.text, q.speaker.canonical) == ("he", "Tomas Brandt")


def test_pronoun_skips_a_person_of_the_wrong_gender() -> None:
    text = (
        "Mr. Brandt arrived first and Mrs. Lindqvist joined him an hour later.\n\n"
        "\u201cWe lost two boats in one night,\u201d he said. "
        "\u201cThe insurers will not pay,\u201d she said."
    )
    found = direct(run(text, person("Brandt", "Tomas Brandt"), person("Lindqvist", "Marta Lindqvist")))
    assert [q.speaker.canonical for q in found if q.speaker] == ["Tomas Brandt", "Marta Lindqvist"]


def test_pronoun_gender_from_a_first_name() -> None:
    text = (
        "Hillary Mensah chaired the inquiry and Robert Okonkwo gave evidence.\n\n"
        "\u201cThe logs were deleted,\u201d she said."
    )
    q = only(run(text, person("Hillary Mensah"), person("Robert Okonkwo")), "direct")
    assert q.speaker is not None and q.speaker.canonical == "Hillary Mensah"


def test_pronoun_ignores_names_inside_quotes() -> None:
    text = (
        "Tomas Brandt chairs the committee.\n\n"
        "\u201cI have asked Marta Lindqvist to publish the report,\u201d he said."
    )
    q = only(run(text, person("Tomas Brandt"), person("Marta Lindqvist")), "direct")
    assert q.speaker is not None and q.speaker.canonical == "Tomas Brandt"


def test_descriptor_speaker_is_resolved_when_the_story_names_it() -> None:
    text = (
        "Steve Warren, a spokesman for the ministry, confirmed the closure on Monday.\n\n"
        "\u201cThe depot will stay shut until the inquiry ends,\u201d the spokesman said."
    )
    q = only(run(text, person("Steve Warren")), "direct")
    assert q.speaker is not None
    assert (q.speaker.text, q.speaker.canonical) == ("the spokesman", "Steve Warren")


def test_descriptor_speaker_stays_the_mention_when_unnamed() -> None:
    text = "\u201cThe convoy was not warned,\u201d a U.S. military official said on condition of anonymity."
    q = only(run(text, ("U.S.", "GPE", "United States")), "direct")
    assert q.speaker is not None and q.speaker.text == "a U.S. military official"
    assert q.speaker.canonical == "a U.S. military official"


def test_canonical_speaker_is_the_fullest_name_in_the_story() -> None:
    text = (
        "Elena Ruiz was elected mayor of Harlow in May.\n\n"
        "\u201cWe will rebuild the pier first,\u201d Ruiz said."
    )
    found = run(text, person("Elena Ruiz"), person("Ruiz", "Elena Ruiz"))
    q = only(found, "direct")
    assert q.speaker is not None and (q.speaker.text, q.speaker.canonical) == ("Ruiz", "Elena Ruiz")


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


# -- partial and indirect -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "content"),
    [
        ("Claire Whitmore called the plan a \u201creckless gamble\u201d on Monday.", "reckless gamble"),
        (
            "Claire Whitmore said the council had chosen a \u201cfailing strategy\u201d for the harbour.",
            "failing strategy",
        ),
        ("She called it a \u201cfailing strategy\u201d in a letter to the board.", "failing strategy"),
    ],
)
def test_partial_quote_inside_reported_speech(text: str, content: str) -> None:
    text = "Claire Whitmore chairs the harbour board. " + text
    found = run(text, person("Claire Whitmore"))
    q = only(found, "partial")
    assert q.text == content
    assert q.speaker is not None and q.speaker.canonical == "Claire Whitmore"
    # the clause the verb reports holds the fragment (a stance inside it, "had chosen", is its own)
    [carrier] = [i for i in found if i.kind == "indirect" and i.cue == q.cue]
    assert carrier.start <= q.start and q.end <= carrier.end


@pytest.mark.parametrize(
    ("text", "speaker", "content"),
    [
        (
            "Nadia Haddad said the depot would reopen in April.",
            "Nadia Haddad",
            "the depot would reopen in April",
        ),
        ("Nadia Haddad said that the depot would reopen.", "Nadia Haddad", "that the depot would reopen"),
        (
            "According to Nadia Haddad, the depot will reopen in April.",
            "Nadia Haddad",
            "the depot will reopen in April",
        ),
        (
            "The depot will reopen in April, according to Nadia Haddad.",
            "Nadia Haddad",
            "The depot will reopen in April",
        ),
        (
            "The depot will reopen in April, Nadia Haddad said.",
            "Nadia Haddad",
            "The depot will reopen in April",
        ),
        (
            "The depot will reopen in April, said Nadia Haddad.",
            "Nadia Haddad",
            "The depot will reopen in April",
        ),
        (
            "Nadia Haddad told reporters the depot would reopen in April.",
            "Nadia Haddad",
            "the depot would reopen in April",
        ),
        (
            "Nadia Haddad left the meeting early, saying the vote had been rigged.",
            "Nadia Haddad",
            "the vote had been rigged",
        ),
        ("Nadia Haddad believes the depot will never reopen.", "Nadia Haddad", "the depot will never reopen"),
        ("Nadia Haddad wants to close the depot by May.", "Nadia Haddad", "to close the depot by May"),
        (
            "The depot, Nadia Haddad said, would close in May.",
            "Nadia Haddad",
            "The depot, Nadia Haddad said, would close in May",
        ),
    ],
)
def test_indirect_speech(text: str, speaker: str, content: str) -> None:
    q = only(run(text, person("Nadia Haddad")), "indirect")
    assert q.text == content
    assert q.speaker is not None and q.speaker.canonical == speaker


@pytest.mark.parametrize(
    ("text", "speaker", "content"),
    [
        ("Others, however, say the depot is safe.", "Others", "the depot is safe"),
        (
            "According to state law, no one may camp on the beach.",
            "state law",
            "no one may camp on the beach",
        ),
        ("Recent polling shows that the mayor is popular.", "Recent polling", "that the mayor is popular"),
        (
            "About 52 percent of residents say the tax is too high.",
            "52 percent of residents",
            "the tax is too high",
        ),
    ],
)
def test_indirect_speech_with_unnamed_sources(text: str, speaker: str, content: str) -> None:
    q = only(run(text), "indirect")
    assert q.speaker is not None and (q.speaker.text, q.text) == (speaker, content)


@pytest.mark.parametrize(
    ("text", "speaker", "content"),
    [
        ("About four in 10 said the ferry was too slow.", "four in 10", "the ferry was too slow"),
        ("Only 42% say the tax is fair.", "42%", "the tax is fair"),
        ("Among them are commuters who say the ferry is always late.", "who", "the ferry is always late"),
    ],
)
def test_shares_of_people_and_bare_relatives_are_speakers(text: str, speaker: str, content: str) -> None:
    q = only(run(text), "indirect")
    assert q.speaker is not None and (q.speaker.text, q.text) == (speaker, content)


@pytest.mark.parametrize(
    ("text", "content"),
    [
        (
            "Nadia Haddad said on Friday during a visit to the port that the depot would close.",
            "that the depot would close",
        ),
        ("Nadia Haddad agreed to pay for the new pier.", "to pay for the new pier"),
    ],
)
def test_reported_clause_after_a_qualifying_phrase_or_an_infinitive(text: str, content: str) -> None:
    q = only(run(text, person("Nadia Haddad")), "indirect")
    assert q.speaker is not None and (q.speaker.text, q.text) == ("Nadia Haddad", content)


def test_no_reported_clause_after_to_and_a_listener() -> None:
    assert run("Nadia Haddad replied to the board members on Friday.", person("Nadia Haddad")) == []


def test_indirect_clause_ends_where_another_speaker_starts() -> None:
    text = "Some residents say the depot is safe, but Nadia Haddad says it should close for good."
    found = [q for q in run(text, person("Nadia Haddad")) if q.kind == "indirect"]
    assert [(q.speaker.text if q.speaker else None, q.text) for q in found] == [
        ("Some residents", "the depot is safe"),
        ("Nadia Haddad", "it should close for good"),
    ]


@pytest.mark.parametrize(
    ("text", "content"),
    [
        ("Nadia Haddad said the depot was safe, but she also noted its age.", "the depot was safe"),
        ("Nadia Haddad said the toll would stay, adding that it was fair.", "the toll would stay"),
        ("Nadia Haddad backed the toll, which the council had cut.", "the toll"),
        ("Nadia Haddad called the toll a mistake, which surprised the council.", "the toll a mistake"),
    ],
)
def test_reported_clause_ends_where_the_sentence_turns(text: str, content: str) -> None:
    found = run(text, person("Nadia Haddad"))
    assert content in [q.text for q in found if q.kind == "indirect"]


def test_a_cue_inside_a_reported_clause_is_part_of_it() -> None:
    text = "Nadia Haddad said the council wants to close the depot by May."
    found = run(text, person("Nadia Haddad"))
    assert [(q.kind, q.cue.text if q.cue else None, q.text) for q in found] == [
        ("indirect", "said", "the council wants to close the depot by May")
    ]


def test_indirect_speech_can_be_switched_off() -> None:
    text = "Nadia Haddad said the depot would reopen in April."
    assert run(text, person("Nadia Haddad"), indirect=False) == []


@pytest.mark.parametrize(
    ("text", "speaker", "content"),
    [
        ("Nadia Haddad endorsed Tomas Berg in early June.", "Nadia Haddad", "Tomas Berg in early June"),
        ("She opposed the harbour toll.", "She", "the harbour toll"),
        ("The ferry union declined to comment on the strike.", "The ferry union", "to comment on the strike"),
        ("The Harbour Trust refused to publish the audit.", "Harbour Trust", "to publish the audit"),
        (
            "Nadia Haddad agreed with the inspectors about the depot.",
            "Nadia Haddad",
            "the inspectors about the depot",
        ),
    ],
)
def test_stance_verbs_report_what_their_subject_backs_or_rejects(
    text: str, speaker: str, content: str
) -> None:
    q = only(
        run(text, person("Nadia Haddad"), person("Tomas Berg"), ("Harbour Trust", "ORG", "Harbour Trust")),
        "indirect",
    )
    assert q.speaker is not None and (q.speaker.text, q.text) == (speaker, content)


@pytest.mark.parametrize(
    ("text", "content"),
    [
        ("Nadia Haddad is seeking a recount in the harbour ward.", "a recount in the harbour ward"),
        ("Nadia Haddad was critical of the new toll.", "of the new toll"),
        ("Nadia Haddad has been eager to settle the strike.", "to settle the strike"),
    ],
)
def test_stance_in_progressive_and_adjective_phrases(text: str, content: str) -> None:
    q = only(run(text, person("Nadia Haddad")), "indirect")
    assert q.speaker is not None and (q.speaker.text, q.text) == ("Nadia Haddad", content)


@pytest.mark.parametrize(
    ("text", "content"),
    [
        ("The new pier seems to attract more visitors.", "The new pier seems to attract more visitors"),
        ("The vote is expected to pass on Monday.", "The vote is expected to pass on Monday"),
        ("Tomas Berg reportedly left the council in May.", "Tomas Berg reportedly left the council in May"),
    ],
)
def test_views_nobody_in_the_story_holds_have_no_speaker(text: str, content: str) -> None:
    q = only(run(text, person("Tomas Berg")), "indirect")
    assert (q.speaker, q.text) == (None, content)


@pytest.mark.parametrize(
    ("text", "speaker", "content"),
    [
        (
            "The latest harbour poll shows the toll is unpopular.",
            "The latest harbour poll",
            "the toll is unpopular",
        ),
        (
            "Court records show Tomas Berg owed the city money.",
            "Court records",
            "Tomas Berg owed the city money",
        ),
    ],
)
def test_polls_and_records_are_sources_of_what_they_show(text: str, speaker: str, content: str) -> None:
    q = only(run(text, person("Tomas Berg")), "indirect")
    assert q.speaker is not None and (q.speaker.text, q.text) == (speaker, content)


@pytest.mark.parametrize(
    ("text", "asker", "content"),
    [
        ("Asked whether the pier would close, Tomas Berg shrugged.", None, "whether the pier would close"),
        ("When asked by Nadia Haddad about the toll, Tomas Berg left.", "Nadia Haddad", "about the toll"),
    ],
)
def test_questions_put_to_someone(text: str, asker: str | None, content: str) -> None:
    q = only(run(text, person("Tomas Berg"), person("Nadia Haddad")), "indirect")
    assert (q.speaker.text if q.speaker else None, q.text) == (asker, content)


def test_headline_verbs_are_capitalised() -> None:
    text = "Tomas Berg Endorses Harbour Toll After Long Debate\n\nThe council met on Monday."
    q = only(run(text, person("Tomas Berg")), "indirect")
    assert q.speaker is not None and (q.speaker.text, q.text) == (
        "Tomas Berg",
        "Harbour Toll After Long Debate",
    )


def test_a_place_after_a_name_is_not_the_speaker() -> None:
    text = "Sen. Tomas Berg of Ohio said the pier would reopen."
    q = only(run(text, person("Tomas Berg"), ("Ohio", "GPE", "Ohio")), "indirect")
    assert q.speaker is not None and q.speaker.text == "Tomas Berg"


@pytest.mark.parametrize(
    ("text", "content"),
    [
        ("Tomas Berg wants fewer cars in the old town.", "fewer cars in the old town"),
        ("Tomas Berg did not mention the harbour toll.", "the harbour toll"),
        ("Tomas Berg and Nadia Haddad have both endorsed the plan.", "the plan"),
    ],
)
def test_beliefs_holding_a_noun_phrase_and_negated_stances(text: str, content: str) -> None:
    q = only(run(text, person("Tomas Berg"), person("Nadia Haddad")), "indirect")
    assert q.speaker is not None and q.text == content


@pytest.mark.parametrize(
    ("text", "speaker", "content"),
    [
        (
            "MORALES: We will rebuild the pier before winter.",
            "MORALES",
            "We will rebuild the pier before winter.",
        ),
        (
            "Tomas Berg: Harbour toll is here to stay\n\nThe council met.",
            "Tomas Berg",
            "Harbour toll is here to stay",
        ),
    ],
)
def test_lines_labelled_with_a_speaker(text: str, speaker: str, content: str) -> None:
    q = only(run(text, person("Tomas Berg")), "indirect")
    assert q.speaker is not None and (q.speaker.text, q.text) == (speaker, content)
    assert q.cue is not None and q.cue.text == ":"


@pytest.mark.parametrize(
    "text",
    [
        "The Latest: Ferry service resumes after the storm.",
        "UPDATE: The pier reopened on Monday.",
        "Q: Will it reopen?",
    ],
)
def test_section_labels_are_not_speakers(text: str) -> None:
    assert run(text) == []


def test_passive_attributions_take_the_source_after_by() -> None:
    text = "The harbour toll was criticized by Nadia Haddad on Monday."
    q = only(run(text, person("Nadia Haddad")), "indirect")
    assert q.speaker is not None and (q.speaker.text, q.text) == ("Nadia Haddad", "The harbour toll")


def test_a_noun_and_its_modifier_is_not_a_passive_clause() -> None:
    text = "Tomas Berg watched a video released by Nadia Haddad."
    assert [
        q
        for q in run(text, person("Nadia Haddad"), person("Tomas Berg"))
        if q.cue and q.cue.text == "released"
    ] == []


def test_according_to_someone_with_an_apposition_after_the_clause() -> None:
    text = (
        "Ferry use fell by a third over the last two busy summers, "
        "according to Nadia Haddad, an analyst at the port."
    )
    q = only(run(text, person("Nadia Haddad")), "indirect")
    assert q.speaker is not None and q.speaker.text == "Nadia Haddad"
    assert q.text == "Ferry use fell by a third over the last two busy summers"


def test_according_to_a_study_by_someone() -> None:
    text = "Ferry use fell by a third, according to an analysis by the Harbour Trust."
    q = only(run(text, ("Harbour Trust", "ORG", "Harbour Trust")), "indirect")
    assert q.speaker is not None and q.speaker.text == "Harbour Trust"


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ("The complaint, which was filed in May, argued that the toll was illegal.", "The complaint"),
        ("The council, for its part, refused to publish the audit.", "The council"),
        ("Tomas Berg has not yet responded to the complaint.", "Tomas Berg"),
    ],
)
def test_subjects_before_an_aside_or_a_negation(text: str, speaker: str) -> None:
    q = only(run(text, person("Tomas Berg")), "indirect")
    assert q.speaker is not None and q.speaker.text == speaker


def test_inverted_speaker_after_a_clause_ending_in_a_phrase() -> None:
    text = "Ferry use fell among the old harbour families, whom the toll hurt most, said Nadia Haddad."
    q = only(run(text, person("Nadia Haddad")), "indirect")
    assert q.speaker is not None and q.speaker.text == "Nadia Haddad"


def test_participle_clause_of_any_cue_takes_the_sentence_subject() -> None:
    text = "Nadia Haddad spoke for an hour on Monday, calling the toll a mistake."
    q = only(run(text, person("Nadia Haddad")), "indirect")
    assert q.speaker is not None and (q.speaker.text, q.text) == ("Nadia Haddad", "the toll a mistake")


def test_a_title_after_a_verb_leaves_the_verb_its_clause() -> None:
    text = "Nadia Haddad told \u201cHarbour Watch\u201d that the pier would close in May."
    found = run(text, person("Nadia Haddad"))
    assert [q.kind for q in found] == ["indirect"]
    assert found[0].text.endswith("that the pier would close in May")


def test_a_party_word_is_part_of_the_sentence_subject() -> None:
    text = "The Republican candidate defended his record, saying the pier would reopen."
    found = run(text, ("Republican", "NORP", "Republican"))
    q = next(q for q in found if q.cue is not None and q.cue.text == "saying")
    assert q.speaker is not None and q.speaker.text == "The Republican candidate"


@pytest.mark.parametrize(
    ("text", "speaker", "content"),
    [
        (
            "Some critics fear the toll will drive families away.",
            "Some critics",
            "the toll will drive families away",
        ),
        ("Tomas Berg could oppose a smaller toll.", "Tomas Berg", "a smaller toll"),
    ],
)
def test_plural_subjects_of_plain_verbs_and_modal_stances(text: str, speaker: str, content: str) -> None:
    q = only(run(text, person("Tomas Berg")), "indirect")
    assert q.speaker is not None and (q.speaker.text, q.text) == (speaker, content)


def test_a_noun_after_an_adjective_is_not_a_verb() -> None:
    assert run("Public fears about the toll grew over the summer.") == []


def test_appearing_somewhere_is_not_a_view() -> None:
    assert run("Tomas Berg appeared on the morning show.", person("Tomas Berg")) == []


@pytest.mark.parametrize(
    "text",
    [
        "Bipartisan support for the depot grew over the summer.",  # a noun after an adjective
        "Nadia Haddad wants the council to back the plan.",  # the verb before the infinitive reports
        "The council agreed.",  # nothing held
        "The ferry union backed down after a week.",  # a particle, not something backed
        "Ferry use declined 40 percent in May.",  # a quantity
    ],
)
def test_stance_verbs_need_a_subject_and_something_held(text: str) -> None:
    found = run(text, person("Nadia Haddad"))
    assert [
        q for q in found if q.cue is not None and q.cue.text in ("support", "backed", "agreed", "declined")
    ] == []


@pytest.mark.parametrize(
    "text",
    [
        "The report, published by the Harbour Trust, lists every wreck.",  # a noun, not a reporting verb
        "Nadia Haddad responded with a shrug.",  # no reported clause
        "The United States said nothing.",  # too short to report
    ],
)
def test_no_indirect_quote_without_a_reported_clause(text: str) -> None:
    found = run(
        text,
        person("Nadia Haddad"),
        ("United States", "GPE", "United States"),
        ("Harbour Trust", "ORG", "Harbour Trust"),
    )
    assert found == []


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


# -- languages ------------------------------------------------------------------------------------


def test_lexicons_exist_for_english_and_french_only_as_data() -> None:
    assert EN is not None and FR is not None and load_lexicon("xx") is None
    assert "said" in EN.cues and "selon" in FR.cues


@pytest.mark.parametrize(
    ("text", "kind", "speaker", "canonical"),
    [
        (
            "\u00ab Nous ne pouvons plus garantir la s\u00e9curit\u00e9 \u00bb, "
            "a d\u00e9clar\u00e9 Julien Marchand.",
            "direct",
            "Julien Marchand",
            "Julien Marchand",
        ),
        (
            "Julien Marchand est arriv\u00e9 en retard. "
            "\u00ab C'est fini pour cette ann\u00e9e \u00bb, a-t-il ajout\u00e9.",
            "direct",
            "il",
            "Julien Marchand",
        ),
        (
            "Julien Marchand est arriv\u00e9 en retard. \u00ab La gr\u00e8ve va durer \u00bb, estime-t-il.",
            "direct",
            "il",
            "Julien Marchand",
        ),
        (
            "Selon Julien Marchand, la gr\u00e8ve va durer tout l'hiver.",
            "indirect",
            "Julien Marchand",
            "Julien Marchand",
        ),
        (
            "Julien Marchand a d\u00e9clar\u00e9 que la gr\u00e8ve allait durer.",
            "indirect",
            "Julien Marchand",
            "Julien Marchand",
        ),
    ],
)
def test_french(text: str, kind: str, speaker: str, canonical: str) -> None:
    q = only(run(text, ("Julien Marchand", "PER", "Julien Marchand"), lex=FR), kind)
    assert q.speaker is not None and (q.speaker.text, q.speaker.canonical) == (speaker, canonical)


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


@pytest.mark.parametrize(
    "text",
    [
        "Nadia Haddad continues to lead the race for mayor.",
        "The harbour states that have ferries are richer.",
        "Apparently the ferry left early.",
    ],
)
def test_words_that_mostly_do_not_report(text: str) -> None:
    assert [q for q in run(text, person("Nadia Haddad")) if q.kind == "indirect"] == []


@pytest.mark.parametrize(
    ("text", "cue", "speaker", "content"),
    [
        (
            "Current and former harbour officials said the pier was safe.",
            "said",
            "Current and former harbour officials",
            "the pier was safe",
        ),
        (
            "The harbour council went ahead and formally backed the toll.",
            "backed",
            "The harbour council",
            "the toll",
        ),
        (
            "Her campaign also announced a rally and said the mayor would speak.",
            "said",
            "Her campaign",
            "the mayor would speak",
        ),
    ],
)
def test_subjects_of_longer_phrases_and_second_verbs(text: str, cue: str, speaker: str, content: str) -> None:
    found = run(text)
    [q] = [q for q in found if q.cue is not None and q.cue.text == cue]
    assert q.speaker is not None and (q.speaker.text, q.text) == (speaker, content)


@pytest.mark.parametrize(
    "text",
    [
        "Ferry fares rise again - Elena Ruiz: \u201cNobody on the island can afford this any more.\u201d",
        "The rise did not surprise analyst Elena Ruiz: \u201cNobody can afford this.\u201d",
    ],
)
def test_a_name_right_before_the_colon_speaks(text: str) -> None:
    [q] = direct(run(text, person("Elena Ruiz")))
    assert q.speaker is not None and q.speaker.canonical == "Elena Ruiz"


@pytest.mark.parametrize(
    ("text", "speaker", "content"),
    [
        ("Nadia Haddad left early, quickly adding that the pier was old.", None, "that the pier was old"),
        ("He's suggesting that the pier should close.", "He", "that the pier should close"),
        ("The council met, with Nadia Haddad saying the pier was safe.", "Nadia Haddad", "the pier was safe"),
    ],
)
def test_participles_without_a_comma_before_them(text: str, speaker: str | None, content: str) -> None:
    found = run(text, person("Nadia Haddad"))
    [q] = [q for q in found if q.kind == "indirect" and q.cue is not None and q.cue.text.endswith("ing")]
    assert (q.speaker.text if q.speaker else None, q.text) == (speaker or "Nadia Haddad", content)


@pytest.mark.parametrize(
    ("text", "content"),
    [
        ("Nadia Haddad said so in May.", "so"),
        ("Nadia Haddad said in private she would resign.", "she would resign"),
    ],
)
def test_reported_clause_after_an_answer_or_a_short_phrase(text: str, content: str) -> None:
    q = only(run(text, person("Nadia Haddad")), "indirect")
    assert q.speaker is not None and (q.speaker.text, q.text) == ("Nadia Haddad", content)


@pytest.mark.parametrize(
    ("text", "speaker", "content"),
    [
        ("The pier stays open though county records show it is unsafe.", "county records", "it is unsafe"),
        ("Some like the toll. And others oppose the new toll.", "others", "the new toll"),
        (
            "The ferry is late because harbour officials say the engine failed.",
            "harbour officials",
            "the engine failed",
        ),
    ],
)
def test_subjects_right_after_a_linking_word(text: str, speaker: str, content: str) -> None:
    found = run(text)
    assert any(q.speaker is not None and (q.speaker.text, q.text) == (speaker, content) for q in found)


def test_an_unsourced_view_without_a_subject_phrase_keeps_its_whole_clause() -> None:
    q = only(run("There seems to be little interest in the ferry."), "indirect")
    assert (q.speaker, q.text) == (None, "There seems to be little interest in the ferry")


def test_a_question_put_by_someone_named_after_by() -> None:
    text = "Nadia Haddad was asked by a reporter whether the pier would close."
    q = only(run(text, person("Nadia Haddad")), "indirect")
    assert q.speaker is not None and (q.speaker.text, q.text) == (
        "a reporter",
        "whether the pier would close",
    )


@pytest.mark.parametrize(
    ("text", "content"),
    [
        ("Nadia Haddad backed the toll and said the pier would close.", "the toll"),
        ("Nadia Haddad backed the toll because the pier was old.", "the toll"),
        ("Nadia Haddad backed the toll and the new pier.", "the toll and the new pier"),
    ],
)
def test_what_a_stance_holds_ends_before_a_second_verb_or_a_reason(text: str, content: str) -> None:
    found = run(text, person("Nadia Haddad"))
    [q] = [q for q in found if q.cue is not None and q.cue.text == "backed"]
    assert q.text == content


@pytest.mark.parametrize(
    ("text", "cue", "content"),
    [
        (
            'Nadia Haddad called the toll "a tax on sailors," pointing to the empty marina.',
            "called",
            'the toll "a tax on sailors,"',
        ),
        (
            "Nadia Haddad cited the old pier as an example: it had cost a fortune.",
            "cited",
            "the old pier as an example",
        ),
    ],
)
def test_a_held_phrase_ends_at_a_quote_closing_comma_or_a_colon(text: str, cue: str, content: str) -> None:
    found = run(text, person("Nadia Haddad"))
    [q] = [q for q in found if q.kind == "indirect" and q.cue is not None and q.cue.text == cue]
    assert q.text == content


@pytest.mark.parametrize(
    "text",
    [
        "Nadia Haddad told harbour radio host Tomas Brandt that the pier would close.",
        "Nadia Haddad tells ferry workers that the pier would close.",
    ],
)
def test_the_clause_after_a_longer_listener(text: str) -> None:
    q = only(run(text, person("Nadia Haddad"), person("Tomas Brandt")), "indirect")
    assert q.speaker is not None and (q.speaker.text, q.text) == ("Nadia Haddad", "that the pier would close")


def test_a_postposed_speaker_with_a_place_then_a_participle() -> None:
    text = "The toll is a disgrace, Nadia Haddad said in Harlow, noting the empty marina."
    found = run(text, person("Nadia Haddad"))
    [q] = [q for q in found if q.cue is not None and q.cue.text == "said"]
    assert q.speaker is not None and (q.speaker.text, q.text) == ("Nadia Haddad", "The toll is a disgrace")


def test_a_one_word_answer_followed_by_a_comparison() -> None:
    text = "Asked whether the pier should close, 46 percent said yes, compared with 20 percent last year."
    found = run(text)
    assert any(q.text == "yes" and q.speaker and q.speaker.text == "46 percent" for q in found)


def test_a_scare_quote_does_not_open_the_reported_clause() -> None:
    text = "The council\u2019s \u201crescue\u201d plan will fail, Nadia Haddad said."
    found = run(text, person("Nadia Haddad"))
    [q] = [q for q in found if q.cue is not None and q.cue.text == "said"]
    assert q.text == "The council\u2019s \u201crescue\u201d plan will fail"


@pytest.mark.parametrize(
    "text",
    [
        "Sen. Nadia Haddad (D-Ore.), who has backed Tomas Brandt, said the pier would close.",
        "Sen. Nadia Haddad (R), a longtime ally of Tomas Brandt, said the pier would close.",
    ],
)
def test_a_name_with_a_party_tag_before_an_aside_speaks(text: str) -> None:
    found = run(text, person("Nadia Haddad"), person("Tomas Brandt"))
    [q] = [q for q in found if q.cue is not None and q.cue.text == "said"]
    assert q.speaker is not None and q.speaker.canonical == "Nadia Haddad"
    assert q.text == "the pier would close"


def test_a_stance_after_quick_to_is_the_subjects_own() -> None:
    found = run("The harbour council was quick to condemn the new toll.")
    [q] = [q for q in found if q.cue is not None and q.cue.text == "condemn"]
    assert q.speaker is not None and (q.speaker.text, q.text) == ("The harbour council", "the new toll")


@pytest.mark.parametrize(
    ("text", "content"),
    [
        (
            "The toll rose (the real rise was closer to 5 percent, according to harbour records).",
            "the real rise was closer to 5 percent",
        ),
        (
            "Fares rose again, which angered the fishermen, according to harbour records.",
            "which angered the fishermen",
        ),
        ("The toll rose (the rise was small, Nadia Haddad said).", "the rise was small"),
    ],
)
def test_a_postposed_source_vouches_for_its_parenthesis_or_relative_clause(text: str, content: str) -> None:
    found = run(text, person("Nadia Haddad"))
    assert content in [q.text for q in found if q.kind == "indirect"]


@pytest.mark.parametrize(
    ("text", "speaker", "content"),
    [
        ("Connolly said the ferry would run late.", "Connolly", "the ferry would run late"),
        ("The toll is higher than harbour officials say it should be.", "harbour officials", "it should be"),
    ],
)
def test_a_capitalised_ly_word_is_a_name_and_than_opens_a_clause(
    text: str, speaker: str, content: str
) -> None:
    found = run(text)
    assert any(q.speaker is not None and (q.speaker.text, q.text) == (speaker, content) for q in found)


def test_a_clause_goes_on_past_its_own_parenthetical_cue() -> None:
    text = "Even then, she said, she has learned enough about the harbour to win."
    found = [q for q in run(text) if q.kind == "indirect"]
    assert [(q.cue.text if q.cue else None, q.text) for q in found] == [
        ("said", "Even then, she said, she has learned enough about the harbour to win")
    ]


def test_an_opening_phrase_does_not_end_a_postposed_clause() -> None:
    text = "In Harlow, fishermen praised the new pier with a parade, the local radio reported."
    found = run(text)
    [q] = [q for q in found if q.cue is not None and q.cue.text == "reported"]
    assert q.text == "In Harlow, fishermen praised the new pier with a parade"


def test_like_after_a_comma_is_a_preposition() -> None:
    text = "Nadia Haddad, like most harbour officials, is still persuaded the pier is safe."
    found = run(text, person("Nadia Haddad"))
    assert not any(q.cue is not None and q.cue.text == "like" for q in found)


def test_a_noun_ending_a_list_is_not_a_postposed_verb() -> None:
    text = "On the water, Nadia Haddad saw a mix of ferries, trawlers and hope."
    found = run(text, person("Nadia Haddad"))
    assert not any(q.cue is not None and q.cue.text == "hope" for q in found)


def test_a_statement_saying_speaks_for_whoever_released_it() -> None:
    text = 'Nadia Haddad put out a statement saying, "The pier will close in May."'
    [q] = direct(run(text, person("Nadia Haddad")))
    assert q.speaker is not None and q.speaker.text == "Nadia Haddad"


@pytest.mark.parametrize(
    ("text", "content"),
    [
        ("Nadia Haddad told harbour radio she would back the toll.", "she would back the toll"),
        ("Nadia Haddad urged her fellow skippers to boycott the toll.", "to boycott the toll"),
        ("Nadia Haddad asked the harbour master whether the pier was safe.", "whether the pier was safe"),
    ],
)
def test_what_is_told_starts_after_a_listener_of_a_few_words(text: str, content: str) -> None:
    found = run(text, person("Nadia Haddad"))
    assert any(q.kind == "indirect" and q.text == content for q in found)


def test_a_long_subject_phrase_speaks() -> None:
    text = (
        "Several hundred harbour workers from rival fishing cooperatives in northern coastal towns "
        "said the pier would close."
    )
    found = run(text)
    [q] = [q for q in found if q.cue is not None and q.cue.text == "said"]
    assert q.speaker is not None and q.speaker.text.startswith("Several hundred harbour workers")
    assert q.text == "the pier would close"


@pytest.mark.parametrize(
    "unit",
    [
        "While the toll rose according to harbour records ",
        "While officials backed the toll and said the pier ",
        'he said "a" ',
        "Smith, who said the toll was fair, said ",
    ],
)
def test_a_run_on_sentence_with_thousands_of_cues_stays_cheap(unit: str) -> None:
    import time

    text = unit * 3000 + "."
    started = time.perf_counter()
    found = run(text)
    assert time.perf_counter() - started < 10  # each cue looks at a bounded window (was minutes)
    assert all(len(q.text.split()) <= EN.max_clause_words + 40 for q in found if q.kind == "indirect")


def test_with_the_entity_stage_on_a_story() -> None:
    from pipeline.entities import extract_entities, load_entity_rules
    from pipeline.nlp import ModelRegistry

    model = ModelRegistry().get("en")
    if model is None:
        pytest.skip("no English model installed")
    text = (
        "HARLOW - Flood defences along the river will be raised by a metre, the mayor, Elena Ruiz, "
        "said on Tuesday.\n\n"
        "\u201cWe cannot ask people to live behind sandbags every winter,\u201d Ruiz said. "
        "\u201cThe work starts in March.\u201d\n\n"
        "Opposition leader Tomas Brandt called the plan \u201ctoo little, too late\u201d and said the "
        "council had ignored warnings for a decade."
    )
    doc = model.nlp(text)
    assert EN is not None
    found = extract_quotes(text, extract_entities(doc, rules=load_entity_rules("en")), lexicon=EN, doc=doc)
    by_kind = {(q.kind, q.speaker.canonical if q.speaker else None) for q in found}
    assert ("direct", "Elena Ruiz") in by_kind
    assert ("partial", "Tomas Brandt") in by_kind
    assert ("indirect", "Tomas Brandt") in by_kind
    assert any(q.kind == "indirect" and q.text.startswith("Flood defences") for q in found)


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
