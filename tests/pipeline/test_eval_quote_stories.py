"""Our annotated stories as a quote benchmark: the annotation, canonical speaker scoring, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.evaluation.quote_stories import evaluate_language, load_stories, parse_story, score_story
from pipeline.evaluation.quotes import main
from pipeline.records import Quote, Speaker

LINE = {
    "id": "de-x",
    "lang": "de",
    "markup": "„Wir bleiben“, sagte [[Anna Berger|PER]]. Die Lage sei ernst, so [[Berger|PER|Anna Berger]].",
    "quotes": [
        {"text": "Wir bleiben", "speaker": "Anna Berger", "kind": "direct"},
        {"text": "Die Lage sei ernst", "speaker": "Anna Berger", "kind": "indirect"},
    ],
}


def test_parse_story_strips_markup_and_places_the_gold_quotes() -> None:
    story = parse_story(LINE)
    assert story.text.startswith("„Wir bleiben“, sagte Anna Berger.")
    assert [story.text[s:e] for q in story.quotes for s, e in q.content] == [
        "Wir bleiben",
        "Die Lage sei ernst",
    ]
    assert [e.canonical for e in story.entities] == ["Anna Berger", "Anna Berger"]


def test_a_gold_quote_missing_from_the_text_is_refused() -> None:
    with pytest.raises(ValueError, match="not in the text"):
        parse_story({**LINE, "quotes": [{"text": "Nie gesagt", "speaker": None, "kind": "direct"}]})


def test_the_speaker_is_right_by_canonical_name_and_wrong_otherwise() -> None:
    story = parse_story(LINE)
    at = story.text.index("Wir bleiben")
    berger = Speaker("Berger", 0, 6, "Anna Berger")
    other = Speaker("Müller", 0, 6, "Hans Müller")
    right = [Quote("Wir bleiben", at, at + 11, "direct", berger)]
    wrong = [Quote("Wir bleiben", at, at + 11, "direct", other)]
    assert score_story(story, right)[1].right == 1 and score_story(story, wrong)[1].right == 0
    assert score_story(story, right)[0].gold == 1  # one direct gold quote


def test_stories_run_through_the_stage_with_gold_entities(tmp_path: Path) -> None:
    (tmp_path / "de").mkdir()
    (tmp_path / "de" / "s.jsonl").write_text(json.dumps(LINE, ensure_ascii=False) + "\n", encoding="utf-8")
    report = evaluate_language(load_stories(tmp_path, "de"), "de", entities="gold")
    assert (report.entities, report.stories, report.all.right, report.all.gold) == ("gold", 1, 2, 2)


def test_cli_scores_languages(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "de").mkdir()
    (tmp_path / "de" / "s.jsonl").write_text(json.dumps(LINE, ensure_ascii=False) + "\n", encoding="utf-8")
    assert main(["--lang", "de", "--stories", str(tmp_path), "--entities", "gold", "--json"]) == 0
    [figures] = json.loads(capsys.readouterr().out)
    assert figures["lang"] == "de" and figures["all"]["f1"] == 1.0
    assert main(["--lang", "xx", "--stories", str(tmp_path)]) == 2
