"""Quote lexicons are data per language; French cases.

Entities are built by hand unless a test runs the real entity stage (helpers.py).
"""

from __future__ import annotations

import pytest

from pipeline.quotes import load_quote_lexicon
from tests.pipeline.quotes.helpers import EN, FR, only, run

# -- languages ------------------------------------------------------------------------------------


def test_lexicons_exist_for_english_and_french_only_as_data() -> None:
    assert EN is not None and FR is not None and load_quote_lexicon("xx") is None
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
