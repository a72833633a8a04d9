"""The dedup evaluation: our data files, its labelled stream, and the targets it must meet."""

from __future__ import annotations

from collections import Counter

import pytest

from pipeline.evaluation.dedup import (
    DATA,
    Result,
    _config,
    build_cases,
    format_result,
    load_records,
    prepare,
    score,
    throughput,
)

KINDS = (
    "base",
    "redelivery-chrome",
    "quote-style-whitespace",
    "dateline",
    "truncation",
    "headline-change",
    "reordered",
    "redelivery-same-id",
    "upper-case",
    "html",
    "light-edit",
    "older-version-late",
    "write-thru-same-source",
    "write-thru-version",
    "write-thru-new-lead",
    "write-thru-expanded",
    "correction-version",
    "correction-note-new-id",
    "corrected-headline",
    "same-event-rewrite",
    "translation",
)


def test_our_stories_cover_several_languages_with_rewrites_translations_and_corrections() -> None:
    records = load_records()
    assert len({r["id"] for r in records}) == len(records)
    assert {r["language"] for r in records} >= {"en", "fr", "de", "es", "it", "pt", "zh"}
    events = Counter(r["event"] for r in records)
    assert sum(1 for n in events.values() if n >= 2) >= 8  # every event has a rewrite or a translation
    for r in records:
        assert r["body"].count("\n\n") >= 3, r["id"]
        fix = r.get("correction")
        if fix:
            assert fix["old"] in r["body"] and fix["old"] != fix["new"], r["id"]
    assert (DATA / "chrome.json").exists()


def test_cases_cover_every_transformation_and_status_in_feed_order() -> None:
    cases = build_cases(12, seed=3)
    kinds = Counter(c.kind for c in cases)
    for kind in KINDS:
        assert kinds[kind] > 0, kind
    assert {c.status for c in cases} == {"unique", "duplicate", "update", "correction"}
    first: dict[str, int] = {}
    for i, c in enumerate(cases):
        first.setdefault(c.story.id, i)
        if c.of is not None:  # every derived story comes after the story it derives from
            assert first.get(c.of, len(cases)) < i, (c.kind, c.story.id)
    versions = [(c.story.id, c.story.version) for c in cases if c.kind.endswith("version")]
    assert all(v > 1 for _, v in versions)


@pytest.fixture(scope="module")
def result() -> Result:
    return score(prepare(build_cases(24, seed=5)))


def test_targets_hold_on_our_stream(result: Result) -> None:
    p, r = result.precision_recall("duplicate")
    assert p >= 0.99 and r >= 0.97
    assert result.update_accuracy() >= 0.95
    assert result.rewrites_as_duplicate == 0
    assert result.confusion[("unique", "duplicate")] == 0  # translations and rewrites stay unique
    assert result.of_right == result.of_total


def test_every_transformation_is_mostly_right(result: Result) -> None:
    for kind in KINDS:
        right, wrong = result.by_kind[(kind, True)], result.by_kind[(kind, False)]
        assert right + wrong > 0 and right / (right + wrong) >= 0.9, (kind, right, wrong)


def test_report_shows_each_status_and_transformation(result: Result) -> None:
    text = format_result(result)
    for word in ("duplicate", "update", "correction", "unique", "same-event-rewrite", "translation"):
        assert word in text


def test_hard_negatives_share_names_and_numbers_but_not_wording() -> None:
    """Each same-language retelling shares names and figures with the first telling, few phrases."""
    import re

    from pipeline.dedup.sketch import Sketcher, jaccard

    sk = Sketcher()
    first: dict[tuple[str, str], dict[str, object]] = {}
    pairs = 0
    for r in load_records():
        key = (r["event"], r["language"])
        if key not in first:
            first[key] = r
            continue
        base = str(first[key]["body"])
        numbers = set(re.findall(r"\d+", base)) & set(re.findall(r"\d+", r["body"]))
        names = set(re.findall(r"\b[A-Z][a-z]+", base)) & set(re.findall(r"\b[A-Z][a-z]+", r["body"]))
        a, b = sk.sketch(base).signature, sk.sketch(r["body"]).signature
        assert a is not None and b is not None and jaccard(a, b) < 0.3, r["id"]
        assert len(numbers) >= 2 and (len(names) >= 3 or r["language"] == "zh"), (r["id"], numbers, names)
        pairs += 1
    assert pairs >= 8


def test_config_overrides_parse_to_the_fields_types() -> None:
    config = _config(["threshold=0.7", "min_band_hits=1"])
    assert (config.threshold, config.min_band_hits) == (0.7, 1)
    with pytest.raises(SystemExit):
        _config(["nope=1"])


def test_throughput_is_measured_on_600_word_bodies() -> None:
    rate, words = throughput(stories=200, words=600, repeats=1)
    assert 550 < words < 700 and rate > 0
