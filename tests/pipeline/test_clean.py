"""Clean stage: chrome, repeats, markup and credits go; every sentence of the story stays."""

from __future__ import annotations

import random

import pytest

from pipeline.clean import clean_body, load_clean_rules
from pipeline.evaluation.storygen import stories

RULES = load_clean_rules()


def clean(text: str) -> str:
    return clean_body(text, rules=RULES).body


@pytest.mark.parametrize(
    "chrome",
    [
        "Home | World | Business | Sport",
        "Breaking News",
        "BREAKING:",
        "Share this article",
        "Subscribe to our newsletter",
        "Follow us on Twitter",
        "Advertisement",
        "Read more",
        "Partager cet article",
        "Abonnez-vous",
    ],
)
def test_chrome_lines_are_dropped(chrome: str) -> None:
    body = f"{chrome}\nThe mayor of Harlow opened the new bridge on Monday.\n\nTraffic was light."
    assert clean(body) == "The mayor of Harlow opened the new bridge on Monday.\n\nTraffic was light."


def test_a_sentence_that_mentions_chrome_words_stays() -> None:
    text = "Share prices fell sharply on Monday after the bank said it would subscribe to the new bond issue."
    assert clean(text) == text


def test_paragraph_printed_twice_is_kept_once() -> None:
    caption = "Photo: Crews repair a line."
    body = f"{caption}\n\nThe storm hit at night.\n\n{caption}\n\nSchools closed."
    assert clean(body) == "Photo: Crews repair a line.\n\nThe storm hit at night.\n\nSchools closed."


def test_html_entities_and_control_characters() -> None:
    body = "<p>Prices rose&nbsp;by 5&#37; &amp; wages fell.</p><p>The minister\x00 spoke<br/>briefly.</p>\x07"
    out = clean(body)
    assert out == "Prices rose by 5% & wages fell.\n\nThe minister spoke briefly."


def test_unicode_is_nfc() -> None:
    assert (
        clean("Cafe\u0301 owners in Montre\u0301al protested.")
        == "Caf\u00e9 owners in Montr\u00e9al protested."
    )


def test_credit_lines_become_metadata() -> None:
    out = clean_body("The talks ended late.\n\nJane Doe contributed to this report.", rules=RULES)
    assert out.body == "The talks ended late." and out.credits == ["Jane Doe contributed to this report."]


def test_every_sentence_survives() -> None:
    sentences = [f"Sentence number {i} tells part of the story." for i in range(30)]
    body = "Menu\n" + "\n\n".join(" ".join(sentences[i : i + 3]) for i in range(0, 30, 3)) + "\n\nShare"
    out = clean(body)
    assert all(s in out for s in sentences)


@pytest.mark.parametrize(
    ("raw", "body"),
    [
        (
            "BREAKING NEWS: Floodwater closed the main road into Harlow on Tuesday.",
            "Floodwater closed the main road into Harlow on Tuesday.",
        ),
        ("Breaking - Two ferries collided near Kestrel Bay.", "Two ferries collided near Kestrel Bay."),
        ("URGENT: Le pont de Solvik est fermé.", "Le pont de Solvik est fermé."),
        ("Update: the council will meet again on Friday.", "the council will meet again on Friday."),
    ],
)
def test_banner_before_a_story_line_is_cut(raw: str, body: str) -> None:
    assert clean(raw) == body


@pytest.mark.parametrize(
    "chrome",
    [
        "Updated 10:32 GMT",
        "Published: 12 March 2024",
        "Last updated on Monday 3 June 2025, 09:15",
        "Publié le 3 juin 2025 à 10h32",
        "© 2026 Northwire. All rights reserved.",
        "Copyright 2026 Coastal Press",
        "Facebook | Twitter | Email",
        "Share on WhatsApp",
        "Tags: flood, Harlow, weather",
        "12 comments",
        "4 min read",
        "Home > World > Europe",
        "Sign up for our daily newsletter",
        "Lire aussi :",
    ],
)
def test_more_chrome_lines(chrome: str) -> None:
    assert (
        clean(f"The river rose overnight.\n{chrome}\n\nSchools closed.")
        == "The river rose overnight.\n\nSchools closed."
    )


@pytest.mark.parametrize(
    "sentence",
    [
        "Updated figures show a rise of 3 percent.",
        "Copyright fees rose sharply.",
        "Share prices rebounded.",
        "Email records were seized.",
        "By Monday, the river had risen by two metres.",
        "Live music returns to Harlow.",
        "Follow the money, the judge told the jury.",
        "Print runs were cut by half.",
    ],
)
def test_story_sentences_that_start_like_chrome_stay(sentence: str) -> None:
    assert clean(f"{sentence}\n\nResidents left their homes.") == f"{sentence}\n\nResidents left their homes."


@pytest.mark.parametrize(
    ("raw", "body", "credits"),
    [
        (
            "The talks ended late on Friday. They resume in March. "
            "Jane Doe in Harlow contributed to this report.",
            "The talks ended late on Friday. They resume in March.",
            ["Jane Doe in Harlow contributed to this report."],
        ),
        (
            "The talks ended late.\n\n(Reporting by Jane Doe; Editing by Tom Hale)",
            "The talks ended late.",
            ["(Reporting by Jane Doe; Editing by Tom Hale)"],
        ),
        (
            "By Jane Doe and Tom Hale, Northwire\nThe council met on Monday.",
            "The council met on Monday.",
            ["By Jane Doe and Tom Hale, Northwire"],
        ),
        (
            "The vote was close. Reporting by J. Doe; editing by K. Lund.",
            "The vote was close.",
            ["Reporting by J. Doe; editing by K. Lund."],
        ),
        ("Le maire a parlé.\n\nAvec AFP", "Le maire a parlé.", ["Avec AFP"]),
        (
            "The mayor spoke.\n\nAdditional reporting by Priya Natarajan in Eastbrook.",
            "The mayor spoke.",
            ["Additional reporting by Priya Natarajan in Eastbrook."],
        ),
    ],
)
def test_credits_are_recognised(raw: str, body: str, credits: list[str]) -> None:
    out = clean_body(raw, rules=RULES)
    assert (out.body, out.credits) == (body, credits)


@pytest.mark.parametrize(
    ("raw", "body"),
    [
        (
            "A firefighter carries a child from the flooded school. "
            "A firefighter carries a child from the flooded school.\n\nThe storm hit at night.",
            "A firefighter carries a child from the flooded school.\n\nThe storm hit at night.",
        ),
        (
            "Caption: A man rows a boat down Main Street.\nThe town flooded.\n"
            "Caption: A man rows a boat down Main Street.",
            "Caption: A man rows a boat down Main Street.\nThe town flooded.",
        ),
        (
            "Photo: crews at work in Dunmore\n\nThe line was repaired.\n\nPHOTO: Crews at work in Dunmore",
            "Photo: crews at work in Dunmore\n\nThe line was repaired.",
        ),
        (
            "\u201cNo.\u201d\n\nShe paused.\n\n\u201cNo.\u201d",
            "\u201cNo.\u201d\n\nShe paused.\n\n\u201cNo.\u201d",
        ),
    ],
)
def test_repeats_are_kept_once_but_short_echoes_stay(raw: str, body: str) -> None:
    assert clean(raw) == body


def test_hard_wrapped_lines_join_into_one_paragraph() -> None:
    raw = (
        "The river burst its banks early on Monday after three\ndays of heavy rain across the northern "
        "valleys,\nofficials said.\n\nSchools closed."
    )
    assert clean(raw) == (
        "The river burst its banks early on Monday after three days of heavy rain across the "
        "northern valleys, officials said.\n\nSchools closed."
    )


@pytest.mark.parametrize(
    ("raw", "body"),
    [
        ("<script>var x = 1;</script><p>Trains ran late.</p><!-- ad -->", "Trains ran late."),
        ("Price rises &lt;5% &amp; fares&#x2019; cap held.", "Price rises <5% & fares\u2019 cap held."),
        ("Some\u00adwhere in the\u200b city\ufeff.", "Somewhere in the city."),
        ("Line one.\r\nLine two.\u2029Line three.", "Line one.\nLine two.\n\nLine three."),
        (
            "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 \u0628\u0631\u0648\u0645.",
            "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 \u0628\u0631\u0648\u0645.",
        ),
        ("Rates:\ta\u00a0b  c.", "Rates: a b c."),
    ],
)
def test_markup_controls_and_spaces(raw: str, body: str) -> None:
    assert clean(raw) == body


@pytest.mark.parametrize(
    "raw",
    ["x" * 5000, "\u201cWe will rebuild the bridge,\u201d said Elena Ruiz. " * 200, "Flood. " * 300],
)
def test_long_self_repeating_lines_are_the_publishers_and_stay(raw: str) -> None:
    assert clean(raw) == raw.strip()


CHROME = ["Share this article", "Advertisement", "Home | World | Business", "Read more", "Updated 10:32 GMT"]


@pytest.mark.parametrize("seed", range(6))
def test_every_generated_sentence_survives_chrome_and_repeats(seed: int) -> None:
    rng = random.Random(seed)
    [story] = stories(1, seed=seed, words=400)
    paragraphs = story["body"].split("\n\n")
    noisy: list[str] = []
    for para in paragraphs:
        noisy.append(para)
        if rng.random() < 0.4:
            noisy.append(rng.choice(CHROME))
        if rng.random() < 0.2:
            noisy.append(para)  # printed twice
    out = clean_body(
        "BREAKING NEWS\n" + "\n\n".join(noisy) + "\n\nJane Doe contributed to this report.", rules=RULES
    )
    assert out.body == "\n\n".join(dict.fromkeys(paragraphs))
    assert out.credits == ["Jane Doe contributed to this report."]
