"""Routing cost: ms per enriched record for 100 rules, and for a rules file watching 10,000 names.

Records are the bench's own enriched output (real entity and quote lists); the rules mix every filter
kind (language, source, dedup, names, speakers, headline and body words, all/any/not), so the figure is
what a desk's rules file costs, not one cheap lookup.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

from pipeline.routes import compile_routes


def hundred_rules() -> list[dict[str, Any]]:
    """100 routes of every filter kind; a few match ordinary stories, most do not."""
    kinds: list[dict[str, Any]] = [
        {"language": ["fr", "de"]},
        {"source": ["AFP", "dpa", "Reuters"]},
        {"not": {"dedup": "duplicate"}},
        {"organisations": ["Airbus", "Siemens", "United Nations"]},
        {"people": ["Jane Doe", "Karim Haddad"]},
        {"quote_by": ["Jane Doe"]},
        {"headline": ["earthquake", "interest rate", "election"]},
        {"body": ["ceasefire", "central bank", "strike"]},
        {"any": [{"places": ["Paris", "Berlin"]}, {"text": ["storm"]}]},
        {"all": [{"language": "en"}, {"not": {"pubstatus": "canceled"}}, {"entities": ["Geneva"]}]},
    ]
    return [{"name": f"r{i}", "alert": i % 10 == 0, "match": kinds[i % len(kinds)]} for i in range(100)]


def watch_list_rules(names: int = 10_000) -> list[dict[str, Any]]:
    """One route per entity group over a 10,000-name watch list, plus a speaker list."""
    watched = [f"Watched Name {i}" for i in range(names)]
    return [
        {"name": "people", "alert": True, "match": {"people": watched}},
        {"name": "orgs", "alert": True, "match": {"organisations": watched}},
        {"name": "places", "match": {"places": watched}},
        {"name": "speakers", "match": {"quote_by": watched}},
    ]


def per_record_ms(
    rules: list[dict[str, Any]], records: Sequence[Mapping[str, Any]], rounds: int = 5
) -> float:
    """Best of `rounds` passes over the records (the machine is shared: the best pass is the cost)."""
    router = compile_routes(rules)
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        for record in records:
            router.route(record)
        best = min(best, time.perf_counter() - started)
    return best * 1000 / max(1, len(records))


def run(records: Sequence[Mapping[str, Any]]) -> dict[str, float]:
    return {
        "records": float(len(records)),
        "hundred_rules_ms": per_record_ms(hundred_rules(), records),
        "watch_10k_ms": per_record_ms(watch_list_rules(), records),
    }
