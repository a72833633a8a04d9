"""Partial and indirect quotes: reported clauses, stances, polls, labelled lines, passives.

Entities are built by hand unless a test runs the real entity stage (helpers.py).
"""

from __future__ import annotations

import pytest

from tests.pipeline.quotes.helpers import only, person, run

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
