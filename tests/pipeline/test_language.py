"""Language stage: lingua on a prefix; und when unsure; the hint only when detection cannot decide."""

from __future__ import annotations

import pytest

from pipeline.config import LanguageConfig
from pipeline.language import LanguageDetector

DETECTOR = LanguageDetector()


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("The central bank kept its main interest rate unchanged on Thursday.", "en"),
        ("La banque centrale a maintenu son taux directeur inchangé jeudi.", "fr"),
        ("Die Zentralbank hat ihren Leitzins am Donnerstag unverändert gelassen.", "de"),
        ("El banco central mantuvo sin cambios su tipo de interés el jueves.", "es"),
        ("Il governo ha approvato la nuova legge di bilancio nella notte.", "it"),
        ("O governo aprovou o novo orçamento durante a madrugada de sexta-feira.", "pt"),
    ],
)
def test_one_sentence_flashes(text: str, code: str) -> None:
    result = DETECTOR.detect(text)
    assert result.code == code and 0.5 <= result.confidence <= 1.0


def test_too_short_is_und_without_hint_and_hinted_with_one() -> None:
    assert DETECTOR.detect("OK 12").code == "und"
    hinted = DETECTOR.detect("OK 12", "fr-FR")
    assert hinted.code == "fr" and hinted.confidence == 0.0


def test_confident_detection_beats_a_wrong_hint() -> None:
    assert DETECTOR.detect("The council voted to fund the night bus network from spring.", "fr").code == "en"


def test_languages_are_configurable() -> None:
    only = LanguageDetector(LanguageConfig(languages=("en", "fr")))
    assert only.detect("Die Regierung hat am Dienstag einen neuen Haushalt beschlossen.").code in (
        "en",
        "fr",
        "und",
    )
    with pytest.raises(ValueError, match="xx"):
        _ = LanguageDetector(LanguageConfig(languages=("xx",))).lingua
