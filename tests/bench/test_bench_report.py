"""The benchmark's pure parts: percentiles, targets, bench.json's shape, the table, the corpus, the
metrics parsing and per-hop latency split. Nothing here is timed or needs a broker."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from deploy.bench.corpus import REDELIVERY_SUFFIX, build
from deploy.bench.e2e import assigned, hop_latencies, partition_of
from deploy.bench.report import (
    TARGETS,
    assemble,
    evaluate,
    finite,
    latency_summary,
    note,
    percentile,
    ratio,
    table,
)


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [
        ([1.0, 2.0, 3.0, 4.0, 5.0], 50, 3.0),
        ([5.0, 1.0, 4.0, 2.0, 3.0], 50, 3.0),  # order does not matter
        ([1.0, 2.0, 3.0, 4.0, 5.0], 0, 1.0),
        ([1.0, 2.0, 3.0, 4.0, 5.0], 100, 5.0),
        ([1.0, 2.0, 3.0, 4.0, 5.0], 25, 2.0),
        ([0.0, 10.0], 95, 9.5),  # linear between closest ranks
        ([0.0, 10.0], 99, 9.9),
        ([7.0], 99, 7.0),
    ],
)
def test_percentile_interpolates_like_numpy(values: list[float], q: float, expected: float) -> None:
    assert percentile(values, q) == pytest.approx(expected)


def test_percentile_of_nothing_is_nan_and_q_is_checked() -> None:
    assert math.isnan(percentile([], 50))
    with pytest.raises(ValueError):
        percentile([1.0], 101)


def test_latency_summary_on_hundred_values() -> None:
    got = latency_summary([i / 100 for i in range(1, 101)])
    assert got["p50"] == pytest.approx(0.505)
    assert got["p99"] == pytest.approx(0.9901)
    assert got["max"] == 1.0 and got["mean"] == pytest.approx(0.505)


@pytest.mark.parametrize(
    ("name", "passing", "failing"),
    [
        ("chain_vs_naive", 1.8, 1.79),
        ("quotes_vs_entities", 0.25, 0.26),
        ("cheap_vs_entities", 0.10, 0.11),
        ("e2e_1w_vs_offline", 0.85, 0.84),
        ("e2e_2w_vs_1w", 1.7, 1.69),
        ("p99_half_load_s", 1.99, 2.0),  # strictly below
        ("rss_per_worker_gb", 1.0, 1.01),
        ("enrich_process_vs_naive", 1.5, 1.49),
        ("enrich_rss_gb", 0.6, 0.61),
        ("first_output_s", 10.0, 10.1),
        ("dedup_hop_stories_per_s", 1000.0, 999.0),
        ("routes_100_rules_ms", 0.99, 1.0),  # strictly below
        ("routes_10k_names_ms", 1.99, 2.0),
    ],
)
def test_each_target_compares_in_its_direction(name: str, passing: float, failing: float) -> None:
    target = next(t for t in TARGETS if t.name == name)
    assert target.met(passing) and not target.met(failing)
    assert not target.met(math.nan)


def test_ratio_is_nan_when_a_side_is_missing() -> None:
    assert ratio(3.0, 2.0) == 1.5
    assert math.isnan(ratio(None, 2.0)) and math.isnan(ratio(3.0, 0.0))


def _offline() -> dict[str, Any]:
    return {
        "tokens": 90_000,
        "blocks": 2,
        "chain": {
            "stories_per_second": 10.0,
            "tokens_per_second": 9000.0,
            "seconds": 10.0,
            "cpu_seconds": 9.8,
        },
        "naive": {
            "stories_per_second": 4.0,
            "tokens_per_second": 3600.0,
            "seconds": 25.0,
            "cpu_seconds": 24.0,
        },
        "stages": {
            "records": 95,
            "ms_per_story": {"clean": 2.0, "language": 2.0, "dedup": 1.0, "entities": 80.0, "quotes": 4.0},
            "by_language": {
                "en": {
                    "records": 85,
                    "ms_per_story": {
                        "clean": 2.0,
                        "language": 2.0,
                        "dedup": 1.0,
                        "entities": 82.0,
                        "quotes": 3.0,
                    },
                }
            },
            "wall_ms_per_story": 100.0,
            "other_ms_per_story": 1.5,
            "ner_pipe_ms_per_story": 75.0,
        },
        "dedup_alone": {
            "stories": 95,
            "words_per_story": 800.0,
            "repeats": 3,
            "stage": {"stories_per_second": 3100.0, "stories_per_cpu_second": 3200.0, "ms_per_story": 0.32},
            "agent": {"stories_per_second": 2400.0, "stories_per_cpu_second": 2500.0, "ms_per_story": 0.42},
        },
        "routes": {"records": 100.0, "hundred_rules_ms": 0.125, "watch_10k_ms": 0.0625},
    }


def _e2e(workers: int, sps: float, p99: float, rss: list[float]) -> dict[str, Any]:
    lat = [0.2, 0.3, p99]
    return {
        "workers": workers,
        "partitions": 2,
        "max": {
            "stories_per_second": sps,
            "cpu_cores_used": {"workers": [0.6] * workers, "broker": 0.1, "bench": 0.05, "machine": 1.7},
        },
        "half_load": {
            "offered_per_second": sps / 2,
            "received": 3,
            "latency_s": {"p50": 0.3, "p95": p99, "p99": p99, "max": p99, "mean": 0.5},
            "hops_s": {"prepare": {"p50": 0.01, "p95": 0.02}, "annotate": {"p50": 0.2, "p95": 0.4}},
            "latencies": lat,
        },
        "peak_rss_gb": rss,
    }


def _process() -> dict[str, Any]:
    run = {"seconds": 8.0, "peak_rss_gb": 0.45, "runs": [8.0, 7.5, 8.4], "lines": 84}
    return {
        "enrich": {
            "stories": 84,
            "languages": {"en": 76, "fr": 8},
            "words_per_story": 750,
            "repeats": 3,
            "enrich": run,
            "naive": dict(run, seconds=14.0, peak_rss_gb=0.62),
        },
        "first_output": {
            "stories": 1,
            "received": 1,
            "ready_seconds": 9.0,
            "first_output_seconds": 6.5,
            "peak_rss_gb": 0.5,
        },
        "dedup_hop": {
            "stories": 4000,
            "received": 4000,
            "outputs": {"stage.annotate": 3800, "duplicates": 200},
            "seconds": 3.2,
            "stories_per_second": 1250.0,
            "stories_per_cpu_second": 1300.0,
            "peak_rss_gb": 0.2,
        },
    }


def _figures(e2e: list[dict[str, Any]], process: dict[str, Any] | None = None) -> dict[str, Any]:
    corpus = {
        "stories": 100,
        "languages": {"en": 90, "fr": 10},
        "redeliveries": 5,
        "words": 80_000,
        "words_per_story": {"min": 600, "mean": 800.0, "max": 1000},
    }
    host = {"cpus": 2, "loadavg_start": 0.5}
    process = _process() if process is None else process
    return assemble(
        corpus=corpus, offline=_offline(), e2e=e2e, host=host, note=note(host, e2e, 0.5), process=process
    )


def test_assemble_computes_every_target_ratio() -> None:
    f = _figures([_e2e(1, 9.0, 1.2, [0.9]), _e2e(2, 16.0, 1.5, [0.8, 0.95])])
    r = f["ratios"]
    assert r["chain_vs_naive"] == pytest.approx(2.5)
    assert r["quotes_vs_entities"] == pytest.approx(0.05)
    assert r["cheap_vs_entities"] == pytest.approx(5 / 80)
    assert r["e2e_1w_vs_offline"] == pytest.approx(0.9)
    assert r["e2e_2w_vs_1w"] == pytest.approx(16 / 9)
    assert r["p99_half_load_s"] == 1.5  # the worst configuration
    assert r["rss_per_worker_gb"] == 0.95  # the largest worker
    assert r["dedup_stories_per_s"] == 3200.0  # the stage alone per CPU-s, not the agent with its hand-over
    assert r["routes_100_rules_ms"] == 0.125 and r["routes_10k_names_ms"] == 0.0625
    assert r["enrich_process_vs_naive"] == pytest.approx(14.0 / 8.0)  # naive seconds over enrich seconds
    assert r["enrich_rss_gb"] == 0.45 and r["first_output_s"] == 6.5
    assert r["dedup_hop_stories_per_s"] == 1250.0  # through the broker, per wall second
    assert f["process"]["dedup_hop"]["outputs"] == {"stage.annotate": 3800, "duplicates": 200}
    assert [t["name"] for t in f["targets"]] == [t.name for t in TARGETS]
    assert all(t["met"] for t in f["targets"]) and f["passed"] is True


def test_a_missed_target_fails_the_run_and_says_which() -> None:
    f = _figures([_e2e(1, 9.0, 2.5, [1.1]), _e2e(2, 10.0, 1.5, [1.0, 1.2])])
    verdicts = {t["name"]: t["met"] for t in f["targets"]}
    assert verdicts["p99_half_load_s"] is False and verdicts["e2e_2w_vs_1w"] is False
    assert verdicts["rss_per_worker_gb"] is False  # 1.2 GB: over the 1.0 GB a worker with en + fr may take
    assert verdicts["chain_vs_naive"] is True and f["passed"] is False


def test_slow_start_heavy_enrich_and_a_slow_dedup_hop_each_fail() -> None:
    process = _process()
    process["enrich"]["enrich"] = dict(process["enrich"]["enrich"], seconds=10.0, peak_rss_gb=0.87)
    process["first_output"]["first_output_seconds"] = 12.0
    process["dedup_hop"]["stories_per_second"] = 110.0
    f = _figures([_e2e(1, 9.0, 1.2, [0.9]), _e2e(2, 16.0, 1.5, [0.8, 0.95])], process)
    verdicts = {t["name"]: (t["value"], t["met"]) for t in f["targets"]}
    assert verdicts["enrich_process_vs_naive"] == (pytest.approx(1.4), False)  # 14.0 s / 10.0 s
    assert verdicts["enrich_rss_gb"] == (0.87, False)
    assert verdicts["first_output_s"] == (12.0, False)
    assert verdicts["dedup_hop_stories_per_s"] == (110.0, False)
    assert verdicts["chain_vs_naive"][1] is True and f["passed"] is False


def test_without_end_to_end_those_targets_are_not_measured() -> None:
    process = _process()
    del process["first_output"], process["dedup_hop"]  # no broker in this run: enrich only
    f = finite(_figures([], process))
    verdicts = {t["name"]: (t["value"], t["met"]) for t in f["targets"]}
    assert verdicts["e2e_1w_vs_offline"] == (None, None)
    assert verdicts["rss_per_worker_gb"] == (None, None)
    assert verdicts["first_output_s"] == (None, None)
    assert verdicts["dedup_hop_stories_per_s"] == (None, None)
    assert verdicts["enrich_process_vs_naive"][1] is True
    assert verdicts["chain_vs_naive"][1] is True
    assert f["passed"] is False  # an unmeasured target is not a pass
    json.dumps(f, allow_nan=False)  # strict JSON: NaN became null


def test_evaluate_keeps_target_order_and_bounds() -> None:
    rows = evaluate({"chain_vs_naive": 2.0})
    assert rows[0] == {
        "name": "chain_vs_naive",
        "what": TARGETS[0].what,
        "target": ">= 1.8",
        "value": 2.0,
        "met": True,
    }
    rss = next(row for row in rows if row["name"] == "rss_per_worker_gb")
    assert rss["target"] == "<= 1" and rss["met"] is None
    hop = next(row for row in rows if row["name"] == "dedup_hop_stories_per_s")
    assert hop["target"] == ">= 1000" and hop["met"] is None
    assert rows[-1]["name"] == "routes_10k_names_ms" and rows[-1]["target"] == "< 2"


def test_routing_targets_come_from_the_offline_routes_figures() -> None:
    offline = _offline()
    offline["routes"] = {"records": 100.0, "hundred_rules_ms": 1.5, "watch_10k_ms": 0.5}
    f = assemble(corpus={}, offline=offline, e2e=[], host={}, note="")
    verdicts = {t["name"]: t["met"] for t in f["targets"]}
    assert verdicts["routes_100_rules_ms"] is False and verdicts["routes_10k_names_ms"] is True
    del offline["routes"]  # an older run without them: not measured, so not passed
    f = finite(assemble(corpus={}, offline=offline, e2e=[], host={}, note=""))
    assert {t["name"]: t["value"] for t in f["targets"]}["routes_100_rules_ms"] is None


def test_table_shows_throughput_stage_ratios_latency_and_verdicts() -> None:
    text = table(finite(_figures([_e2e(1, 9.0, 1.2, [1.1]), _e2e(2, 10.0, 2.4, [1.0, 1.2])])))
    assert "2.50x" in text.split("chain / naive", 1)[1].splitlines()[0]
    assert "quotes / entities                        5.0%" in text
    assert "(clean + language + dedup) / entities    6.2%" in text
    assert "80.00" in text and "en (85)" in text
    assert "e2e_2w_vs_1w" in text and "FAIL" in text and "PASS" in text
    assert "1.10" in text and "1.00 1.20" in text  # RSS per worker
    assert "annotate 0.20/0.40" in text
    assert "dedup stage alone (95 cleaned bodies, 800 words, fresh state): 3,200 stories per CPU-s" in text
    assert (
        "desk routes over 100 records, CPU time: 100 rules 0.125 ms/record (target < 1), "
        "a 10,000-name watch list 0.062 ms/record (target < 2)"
    ) in text
    assert "84 stories (76 en, 8 fr), ~750 words, median of 3 runs each" in text
    assert "naive / enrich                  1.75x" in text
    assert "worker start to first output 6.5 s" in text
    assert "drained 4000/4000 hand-overs at 1,250 stories/s, 1,300 per worker CPU-s" in text
    for t in TARGETS:
        assert t.name in text


def test_note_reports_cpu_shares_per_configuration() -> None:
    text = note({"cpus": 2, "loadavg_start": 1.0}, [_e2e(2, 10.0, 1.0, [1.0, 1.0])], 0.5)
    assert "2 CPUs" in text and "workers 0.60+0.60" in text and "other 0.35" in text
    assert note({"cpus": 2}, [], 0.5).startswith("end to end not measured")


def test_corpus_mixes_languages_and_redelivers_after_the_original() -> None:
    c = build(100, seed=3, french_share=0.2, redelivery_share=0.05)
    summary = c.summary()
    assert summary["stories"] == 100 and summary["redeliveries"] == 5
    assert sum(summary["languages"].values()) == 100
    assert 19 <= summary["languages"]["fr"] <= 19 + 5  # 20% of 95 originals, plus their redeliveries
    assert 550 <= summary["words_per_story"]["min"] and summary["words_per_story"]["max"] <= 1100
    ids = c.ids
    for i, sid in enumerate(ids):
        if sid.endswith(REDELIVERY_SUFFIX):
            original = sid[: -len(REDELIVERY_SUFFIX)]
            assert ids.index(original) < i
            assert c.stories[i]["body"] == c.stories[ids.index(original)]["body"]
    assert build(100, seed=3, french_share=0.2).ids == ids  # deterministic


def test_french_stories_are_french() -> None:
    c = build(20, seed=5, french_share=0.5, redelivery_share=0.0)
    french = [s for s in c.stories if c.languages[s["id"]] == "fr"]
    assert french and all(" le " in s["body"] or " la " in s["body"] for s in french)
    assert all(" the " not in s["body"] for s in french)


def test_covering_takes_each_partition_and_language() -> None:
    c = build(40, seed=1, french_share=0.5, redelivery_share=0.0, id_prefix="warm")
    warm = c.covering(2, lambda sid, n: int(sid[-1]) % n, per_cell=2)
    cells = [(int(sid[-1]) % 2, warm.languages[sid]) for sid in warm.ids]
    assert sorted(set(cells)) == [(0, "en"), (0, "fr"), (1, "en"), (1, "fr")]
    assert all(cells.count(cell) == 2 for cell in set(cells))


def test_partition_of_matches_kafka_default_partitioner() -> None:
    from aiokafka.partitioner import DefaultPartitioner

    for sid in ("bench-en-00001", "warm-fr-00002", "x"):
        assert partition_of(sid, 2) == DefaultPartitioner()(sid.encode(), [0, 1], [0, 1])


METRICS = """# HELP wirestream_consumer_lag_messages lag
wirestream_consumer_lag_messages{topic="p.raw",partition="1"} 0.0
wirestream_consumer_lag_messages{topic="p.stage.annotate",partition="1"} 3.0
wirestream_consumer_lag_messages{topic="p.stage.dedup",partition="0"} 0.0
wirestream_consumer_lag_messages{topic="other.raw",partition="0"} 0.0
wirestream_topic_end_offset{topic="p.raw",partition="0"} 12.0
"""


def test_assigned_reads_partitions_from_lag_gauges() -> None:
    assert assigned(METRICS, "p") == {"raw": [1], "stage.annotate": [1], "stage.dedup": [0]}
    assert assigned("", "p") == {}


def test_hop_latencies_split_publish_to_output() -> None:
    sent = {"a": 10.0, "b": 11.0, "c": 12.0}
    hops = {"stage.dedup": {"a": 10.1, "b": 11.2, "c": 12.1}, "stage.annotate": {"a": 10.3, "b": 11.3}}
    got = {"a": (10.8, "enriched"), "b": (11.3, "duplicates"), "c": (12.9, "enriched")}
    out = hop_latencies(sent, hops, got)
    # only "a" went through every hop to enriched
    assert out["prepare"] == [pytest.approx(0.1)]
    assert out["dedup"] == [pytest.approx(0.2)]
    assert out["annotate"] == [pytest.approx(0.5)]


def test_whole_process_peak_rss_is_the_child_s_own(tmp_path: Any) -> None:
    """The child's VmHWM, read while it runs (ru_maxrss would carry the forking bench's own peak)."""
    import sys

    from deploy.bench.process import measured

    code = "import time; block = bytearray(300_000_000); time.sleep(0.5); print('done')"
    got = measured([sys.executable, "-c", code], tmp_path / "out", tmp_path / "err")
    assert 0.3 <= got["peak_rss_gb"] < 0.45 and got["lines"] == 1 and got["seconds"] >= 0.5
