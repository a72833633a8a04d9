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


def test_low_accuracy_mode_still_names_story_length_text() -> None:
    """WIRESTREAM_LANGUAGE_LOW_ACCURACY: lingua's trigram models only, enough for a story's prefix."""
    low = LanguageDetector(LanguageConfig(low_accuracy=True))
    story = (
        "The regional council voted on Tuesday to keep the night bus network running through the winter, "
        "after drivers and riders asked it to reverse a plan to cut the late routes from January."
    )
    french = (
        "Le conseil r\u00e9gional a vot\u00e9 mardi le maintien du r\u00e9seau de bus de nuit pendant "
        "l'hiver, apr\u00e8s que les conducteurs et les usagers lui ont demand\u00e9 de renoncer "
        "\u00e0 son projet."
    )
    assert low.detect(story).code == "en" and low.detect(french).code == "fr"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Flood closes Harlow bridge.", "en"),
        ("Séisme dans la capitale.", "fr"),
        ("Erdbeben erschüttert Hauptstadt.", "de"),
        ("Jordskalv skakar huvudstaden.", "sv"),
        ("Трое погибли во время шторма.", "ru"),
        ("沿海风暴造成三人死亡。", "zh"),
        ("沿岸部で嵐、三人が死亡。", "ja"),
        ("해안 폭풍으로 세 명 사망.", "ko"),
        ("مقتل ثلاثة أشخاص في عاصفة.", "ar"),
    ],
)
def test_short_flashes_in_many_scripts(text: str, code: str) -> None:
    assert DETECTOR.detect(text).code == code


@pytest.mark.parametrize(
    "text",
    [
        "The mayor of Harlow opened the bridge on Monday. Le maire de Harlow a ouvert le pont lundi.",
        "Die Regierung hat den Haushalt beschlossen. The government approved the budget on Tuesday night.",
    ],
)
def test_mixed_text_is_und_or_the_hint(text: str) -> None:
    assert DETECTOR.detect(text).code == "und"
    assert DETECTOR.detect(text, "fr").code == "fr"


def test_a_story_with_a_foreign_quote_is_not_mixed() -> None:
    text = (
        "The French minister visited the flooded valley on Tuesday and promised help for the farmers. "
        "\u201cNous serons l\u00e0,\u201d she told them, before meeting the regional council for two hours. "
        "Officials said the repairs to the main road would take at least three weeks to complete."
    )
    assert DETECTOR.detect(text).code == "en"


@pytest.mark.parametrize(
    ("hint", "code"), [("no", "nb"), ("NB", "nb"), ("pt_BR", "pt"), ("iw", "he"), ("", "und")]
)
def test_hint_codes_are_normalised(hint: str, code: str) -> None:
    assert DETECTOR.detect("12:30", hint).code == code


def test_close_languages_follow_a_hint_on_a_flash() -> None:
    flash = "Tre døde i storm langs kysten."  # the same words in Danish and Bokmål
    assert {DETECTOR.detect(flash, "da").code, DETECTOR.detect(flash, "nb").code} == {"da", "nb"}


def test_detection_reads_a_bounded_prefix() -> None:
    config = LanguageConfig(prefix_chars=120)
    english = "The council voted on Monday to keep the night buses running until spring. " * 2
    german = "Die Regierung hat am Dienstag einen neuen Haushalt für das kommende Jahr beschlossen. " * 40
    assert LanguageDetector(config).detect(english + german).code == "en"


def test_a_leading_run_of_punctuation_does_not_hide_the_text() -> None:
    body = "\u201c" * 5000 + " said the mayor of Harlow on Monday, before the council voted on the budget."
    assert DETECTOR.detect(body).code == "en"


def test_a_decimal_point_is_not_a_sentence_end_and_flashes_score_whole() -> None:
    flash = "The central bank of Norland kept its main interest rate at 3.25 percent on Thursday."
    result = DETECTOR.detect(flash)
    assert result.code == "en" and result.confidence >= 0.8


@pytest.mark.parametrize("hint", ["zz", "xx-YY", "qq", "e1", "ß"])
def test_a_hint_that_is_no_iso_639_1_code_never_becomes_the_code(hint: str) -> None:
    """CONTRACT.md: language.code is "ISO 639-1 or "und"", whatever the publisher's hint says."""
    assert DETECTOR.detect("12:30", hint).code == "und"
    assert DETECTOR.detect("Hi there.", hint).code == "und"


def test_a_valid_hint_lingua_does_not_know_is_kept_when_detection_cannot_decide() -> None:
    assert DETECTOR.detect("12:30", "mt").code == "mt"  # Maltese: ISO 639-1, not among lingua's languages


STORY_EN = (
    "The regional council voted on Tuesday to keep the night bus network running through the winter, "
    "after drivers and riders asked it to reverse a plan to cut the late routes from January. The vote "
    "followed three hours of debate in which members of every party said the buses were a lifeline for "
    "shift workers, students and people without cars. Officials said the cost would be met from reserves."
)
STORY_FR = (
    "Le conseil r\u00e9gional a vot\u00e9 mardi le maintien du r\u00e9seau de bus de nuit pendant l'hiver, "
    "apr\u00e8s que les conducteurs et les usagers lui ont demand\u00e9 de renoncer \u00e0 son projet de "
    "supprimer les lignes tardives d\u00e8s janvier. Le vote a suivi trois heures de d\u00e9bat au cours "
    "desquelles des \u00e9lus de tous les partis ont d\u00e9fendu ces bus, indispensables aux travailleurs."
)


def test_story_length_text_is_answered_by_the_screen_alone() -> None:
    """A story's prefix never loads lingua's high-accuracy models (0.7 GB and 5 s for 30 languages)."""
    detector = LanguageDetector()
    english, french = detector.detect(STORY_EN), detector.detect(STORY_FR)
    assert (english.code, french.code) == ("en", "fr") and min(english.confidence, french.confidence) >= 0.9
    assert detector.high_accuracy_languages == frozenset()


def test_a_flash_is_scored_in_high_accuracy_among_the_screens_candidates_only() -> None:
    flash = "Un feribot cu patru sute de pasageri a e\u0219uat l\u00e2ng\u0103 insul\u0103."
    assert LanguageDetector(LanguageConfig(low_accuracy=True)).detect(flash).code != "ro"  # trigrams alone
    detector = LanguageDetector()
    assert detector.detect(flash).code == "ro"
    loaded = detector.high_accuracy_languages
    assert "ro" in loaded and len(loaded) <= detector.config.max_candidates + 2  # the halves' best too


def test_a_hinted_language_joins_the_candidates() -> None:
    detector = LanguageDetector()
    detector.detect("Tre d\u00f8de i storm langs kysten.", "da")
    assert "da" in detector.high_accuracy_languages


def test_a_long_text_with_a_misleading_half_is_checked_in_high_accuracy() -> None:
    """The screen reads the whole as Romanian but a short half as Swedish (mixed?): high accuracy on the
    candidates of both clears it."""
    text = (
        "Instan\u021ba a declarat ilegale noile reguli de pescuit. Duminic\u0103 locuitorii \u00ee\u0219i "
        "aleg noul primar. Un feribot cu patru sute de pasageri a e\u0219uat l\u00e2ng\u0103 insul\u0103."
    )
    detector = LanguageDetector()
    assert detector.detect(text).code == "ro" and "ro" in detector.high_accuracy_languages


def test_a_long_mixed_text_is_und() -> None:
    text = STORY_EN[:200] + " " + STORY_FR[:200]
    assert LanguageDetector().detect(text).code == "und"


def test_detecting_stories_stays_small_in_memory() -> None:
    """Peak RSS of a process that detects an English and a French story: the screen's trigram models
    only (the high-accuracy models of every Latin-script language took it past 600 MB)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from pipeline.language import LanguageDetector\n"
        "d = LanguageDetector()\n"
        "assert [d.detect(t).code for t in sys.argv[1:]] == ['en', 'fr']\n"
        "print([ln for ln in open('/proc/self/status') if ln.startswith('VmHWM')][0].split()[1])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, STORY_EN, STORY_FR], capture_output=True, text=True, check=True
    )
    assert int(out.stdout.strip()) / 1024 < 200  # MB
