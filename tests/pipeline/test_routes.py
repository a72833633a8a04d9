"""Desk routes: the filter language, its checks, and which records each route takes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pipeline.routes import RouteError, alert_of, compile_routes, load_routes

ROOT = Path(__file__).resolve().parents[2]


def record(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "r1",
        "headline": "Airbus wins record order as interest rates fall",
        "source": "dpa",
        "body": "Airbus said on Monday it had won its largest order.\n\nThe deal lifts the shares.",
        "language": {"code": "en", "confidence": 0.99},
        "dedup": {"status": "unique", "of": None, "similarity": None},
        "people": [{"name": "Guillaume Faury", "mentions": 2}],
        "organisations": [{"name": "Airbus", "mentions": 3}],
        "places": [{"name": "Toulouse", "mentions": 1}],
        "quotes": [
            {
                "text": "This is a great day",
                "kind": "direct",
                "speaker": {"text": "Faury", "start": 0, "end": 5, "canonical": "Guillaume Faury"},
            }
        ],
    }
    base.update(changes)
    return base


def names(rules: Any, rec: dict[str, Any]) -> list[str]:
    return [m.route.name for m in compile_routes(rules).route(rec)]


def one(match: Any) -> list[dict[str, Any]]:
    return [{"name": "r", "match": match}]


@pytest.mark.parametrize(
    ("match", "taken"),
    [
        ({"language": "en"}, True),
        ({"language": ["fr", "de"]}, False),
        ({"source": "DPA"}, True),
        ({"dedup": "duplicate"}, False),
        ({"not": {"dedup": "duplicate"}}, True),
        ({"pubstatus": "usable"}, True),  # our JSON stories carry none: usable
        ({"pubstatus": "canceled"}, False),
        ({"organisations": ["airbus"]}, True),
        ({"people": ["Airbus"]}, False),  # another group
        ({"entities": ["Toulouse"]}, True),
        ({"places": "Paris"}, False),
        ({"quote_by": "Guillaume Faury"}, True),
        ({"quote_by": "Faury"}, False),  # the canonical name, not the mention
        ({"headline": "interest rates"}, True),
        ({"headline": "interest"}, True),
        ({"headline": "inter"}, False),  # whole words only
        ({"body": ["shares"]}, True),
        ({"headline": "shares"}, False),
        ({"text": "shares"}, True),
        ({"all": [{"language": "en"}, {"source": "AFP"}]}, False),
        ({"any": [{"language": "fr"}, {"source": "dpa"}]}, True),
        ({"language": "en", "source": "AFP"}, False),  # keys of one mapping: all must hold
        ({}, True),
    ],
)
def test_each_filter(match: Any, taken: bool) -> None:
    assert names(one(match), record()) == (["r"] if taken else [])


def test_format_fields_and_signals_route() -> None:
    rec = record(pubstatus="canceled", format="nitf", signals=["correction"])
    assert names(one({"pubstatus": "canceled", "format": "NITF", "signals": "correction"}), rec) == ["r"]


def test_routes_in_file_order_with_default_topics() -> None:
    router = compile_routes(
        {"routes": [{"name": "b", "match": {}}, {"name": "a", "topic": "desk.a", "match": {}}]}, prefix="x"
    )
    assert [(r.name, r.topic) for r in router.routes] == [("b", "x.route.b"), ("a", "desk.a")]


def test_alert_names_what_matched() -> None:
    rules = [
        {
            "name": "watch",
            "alert": True,
            "match": {"any": [{"organisations": ["Airbus", "Boeing"]}, {"quote_by": ["Guillaume Faury"]}]},
        }
    ]
    [match] = compile_routes(rules).route(record())
    alert = alert_of(record(), match)
    assert alert["route"] == "watch" and alert["id"] == "r1" and alert["language"] == "en"
    assert alert["names"] == ["Airbus"]
    assert alert["quotes"] == [{"text": "This is a great day", "speaker": "Guillaume Faury"}]


def test_a_negated_filter_names_nothing() -> None:
    rules = [{"name": "w", "alert": True, "match": {"not": {"organisations": "Boeing"}}}]
    [match] = compile_routes(rules).route(record())
    assert match.names == ()


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ({"routes": [{"name": "Bad Name", "match": {}}]}, "route #1: 'name'"),
        ({"routes": [{"name": "a", "match": {"langauge": "en"}}]}, "route 'a': unknown filter 'langauge'"),
        ({"routes": [{"name": "a"}]}, "route 'a': no 'match'"),
        ({"routes": [{"name": "a", "match": {}}, {"name": "a", "match": {}}]}, "route 'a': the name is used"),
        ({"routes": [{"name": "a", "match": {"any": []}}]}, "'any' takes a non-empty list"),
        ({"routes": [{"name": "a", "match": {"people": 3}}]}, "'people' takes a string"),
        ({"routes": [{"name": "a", "alert": "yes", "match": {}}]}, "'alert' must be true or false"),
        ({"routes": [{"name": "a", "topic": "bad topic", "match": {}}]}, "'topic' must be a Kafka topic"),
        ({"routes": [{"name": "a", "match": {"headline": "!!"}}]}, "holds no word"),
        ({"routes": [{"name": "a", "match": {}, "filter": {}}]}, "unknown key 'filter'"),
        ({"routs": []}, "unknown top-level key 'routs'"),
        ({"routes": [{"name": "a", "match": {"people": {"file": "missing.txt"}}}]}, "cannot read list file"),
    ],
)
def test_bad_rules_are_refused_with_one_line(rules: Any, message: str, tmp_path: Path) -> None:
    with pytest.raises(RouteError) as err:
        compile_routes(rules, base=tmp_path)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_the_shipped_rules_file_compiles_and_reads_its_list(tmp_path: Path) -> None:
    router = load_routes(ROOT / "deploy" / "routes.yml", prefix="wire")
    taken = {m.route.name for m in router.route(record())}
    assert "business-watch" in taken and "archive" in taken and "french-desk" not in taken
    assert {m.route.name for m in router.route(record(pubstatus="canceled"))} >= {"kills"}


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "routes.yml"
    path.write_text("routes:\n  - name: a\n    match: {language: [en\n", "utf-8")
    with pytest.raises(RouteError, match="line"):
        load_routes(path)


def test_list_files_are_relative_to_the_rules_and_skip_comments(tmp_path: Path) -> None:
    (tmp_path / "lists").mkdir()
    (tmp_path / "lists" / "people.txt").write_text("# desk list\nGuillaume Faury  # CEO\n\n", "utf-8")
    (tmp_path / "r.yml").write_text("routes:\n- name: p\n  match: {people: {file: lists/people.txt}}\n")
    assert [m.route.name for m in load_routes(tmp_path / "r.yml").route(record())] == ["p"]


def test_hundred_rules_and_ten_thousand_watched_names() -> None:
    """Large rule sets route right (their cost is measured in `make bench`, not here)."""
    watched = [f"Company {i}" for i in range(10_000)] + ["Airbus"]
    rules: list[dict[str, Any]] = [
        {"name": f"r{i}", "match": {"any": [{"headline": f"word{i}"}, {"source": f"src{i}"}]}}
        for i in range(99)
    ]
    rules.append({"name": "watch", "alert": True, "match": {"organisations": watched}})
    router = compile_routes(rules)
    assert [(m.route.name, m.names) for m in router.route(record(body="word " * 5000))] == [
        ("watch", ("Airbus",))
    ]
    assert [m.route.name for m in router.route(record(headline="word42 today"))] == ["r42", "watch"]
