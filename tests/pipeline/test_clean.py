"""Clean stage: chrome, repeats, markup and credits go; every sentence of the story stays."""

from __future__ import annotations

import pytest

from pipeline.clean import clean_body, load_clean_rules

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
