"""Subjects and clause ends: long phrases, participles, listeners, run-on input, a whole story.

Entities are built by hand unless a test runs the real entity stage (helpers.py).
"""

from __future__ import annotations

import pytest

from pipeline.quotes import extract_quotes
from tests.pipeline.quotes.helpers import EN, direct, only, person, run


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
    found = extract_quotes(text, extract_entities(doc, rules=load_entity_rules("en")), lexicon=EN)
    by_kind = {(q.kind, q.speaker.canonical if q.speaker else None) for q in found}
    assert ("direct", "Elena Ruiz") in by_kind
    assert ("partial", "Tomas Brandt") in by_kind
    assert ("indirect", "Tomas Brandt") in by_kind
    assert any(q.kind == "indirect" and q.text.startswith("Flood defences") for q in found)
