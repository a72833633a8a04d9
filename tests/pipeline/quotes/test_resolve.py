"""Who a speaker mention is: pronouns, descriptors, canonical names.

Entities are built by hand unless a test runs the real entity stage (helpers.py).
"""

from __future__ import annotations

from tests.pipeline.quotes.helpers import direct, only, person, run

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
