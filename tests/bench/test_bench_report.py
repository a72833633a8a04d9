"""The benchmark's own pure parts: target checks and the printed table (no timing here)."""

from __future__ import annotations

import json

from deploy.bench.__main__ import TARGETS, check, corpus, table


def test_targets_compare_in_the_right_direction() -> None:
    assert check("chain_vs_naive", 1.8) and not check("chain_vs_naive", 1.79)
    assert check("quotes_share_of_entities", 0.25) and not check("quotes_share_of_entities", 0.3)
    assert check("p99_latency_half_load_seconds", 1.99) and not check("p99_latency_half_load_seconds", 2.0)
    assert set(TARGETS) >= {"e2e_one_worker_vs_offline", "e2e_two_workers_vs_one", "peak_rss_mb_per_worker"}


def test_corpus_has_long_stories_and_redeliveries() -> None:
    lines = [json.loads(x) for x in corpus(40, seed=1)]
    words = [len(s["body"].split()) for s in lines]
    assert min(words) >= 550 and len(lines) == 42
    assert sum(1 for s in lines if s["id"].endswith("-again")) == 2


def test_table_lists_every_target() -> None:
    figures = {
        "stories": 10,
        "words": 8000,
        "duplicates": 1,
        "chain_stories_per_second": 12.0,
        "chain_tokens_per_second": 9000.0,
        "naive_stories_per_second": 5.0,
        "ms_per_story": {"clean": 1.0, "language": 1.0, "dedup": 0.5, "entities": 80.0, "quotes": 2.0},
        "ner_only_ms_per_story": 85.0,
        "dedup_stories_per_second": 2100.0,
        "not_measured": "",
        "targets": {"chain_vs_naive": {"target": ">= 1.8", "value": 2.4, "met": True}},
    }
    text = table(figures)
    assert "chain_vs_naive" in text and "met" in text and "12.0 stories/s" in text
