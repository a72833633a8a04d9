"""The dedup evaluation: its labelled stream and the targets it must meet on our own stories."""

from __future__ import annotations

from collections import Counter

from pipeline.evaluation.dedup import build_cases, format_result, run


def test_cases_cover_every_transformation_and_status() -> None:
    cases = build_cases(12, seed=3)
    kinds = Counter(c.kind for c in cases)
    for kind in (
        "base",
        "redelivery-chrome",
        "quote-style-whitespace",
        "truncation",
        "headline-change",
        "reordered",
        "write-thru-version",
        "write-thru-same-source",
        "correction-note",
        "corrected-headline",
        "same-event-rewrite",
        "translation",
    ):
        assert kinds[kind] > 0, kind
    assert {c.status for c in cases} == {"unique", "duplicate", "update", "correction"}


def test_targets_hold_on_a_small_stream() -> None:
    r = run(30, seed=5)
    p, rec = r.precision_recall("duplicate")
    assert p >= 0.99 and rec >= 0.97
    upd = sum(r.confusion[(s, s)] for s in ("update", "correction"))
    total = sum(v for (g, _), v in r.confusion.items() if g in ("update", "correction"))
    assert upd / total >= 0.95
    assert r.rewrites_as_duplicate == 0
    assert r.confusion[("unique", "duplicate")] == 0  # translations and rewrites stay unique
    assert "duplicate" in format_result(r)
