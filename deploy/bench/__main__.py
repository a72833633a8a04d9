"""`make bench`: offline chain against the hand-rolled baseline, per-stage cost, dedup alone.

All figures come from one run on the same invented stories (600-1,000 words, ~5% redeliveries), so
the ratios are comparable even on a shared, noisy machine. Writes build/bench.json and prints a table.
Not part of `make test`.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from pipeline.chain import Chain
from pipeline.config import PipelineConfig
from pipeline.evaluation.storygen import stories
from pipeline.records import Enriched, Story

STAGES = ("clean", "language", "dedup", "entities", "quotes")
TARGETS = {
    "chain_vs_naive": (">=", 1.8),
    "quotes_share_of_entities": ("<=", 0.25),
    "cheap_stages_share_of_entities": ("<=", 0.10),
    "entity_stage_vs_ner_only": ("<=", 1.10),
    "dedup_stories_per_second": (">=", 2000.0),
    "e2e_one_worker_vs_offline": (">=", 0.85),
    "e2e_two_workers_vs_one": (">=", 1.7),
    "p99_latency_half_load_seconds": ("<", 2.0),
    "peak_rss_mb_per_worker": ("<", 1500.0),
}


def corpus(n: int, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    out = [
        s for i in range(n) for s in stories(1, seed=seed + i, words=rng.randint(600, 1000), prefix=f"b{i}")
    ]
    redeliveries = [dict(s, id=f"{s['id']}-again") for s in rng.sample(out, max(1, n // 20))]
    mixed = out + redeliveries
    rng.shuffle(mixed)
    return [json.dumps(s).encode() for s in mixed]


def naive(lines: list[bytes], chain: Chain) -> float:
    """The loop a user would hand-roll: full default spaCy pipeline per story, plus language and dedup."""
    import spacy

    from pipeline.dedup import Deduplicator, MemoryStore

    name = chain.models.resolve("en")
    assert name is not None, "run make setup: no English model"
    nlp = spacy.load(name)
    dedup = Deduplicator(MemoryStore())
    started = time.perf_counter()
    for line in lines:
        story = Story.from_json(json.loads(line))
        lang = chain.detector.detect(story.body).code
        dedup.check(story, story.body, lang, now=time.time())
        doc = nlp(story.body)
        _ = [(e.text, e.label_, e.start_char, e.end_char) for e in doc.ents]
    return time.perf_counter() - started


def ner_only(bodies: list[str], chain: Chain) -> float:
    model = chain.models.get("en")
    assert model is not None
    started = time.perf_counter()
    for doc in model.nlp.pipe(bodies, batch_size=chain.config.models.batch_size):
        _ = doc.ents
    return time.perf_counter() - started


def dedup_alone(records: list[Enriched]) -> float:
    from pipeline.dedup import Deduplicator, MemoryStore

    dedup = Deduplicator(MemoryStore())
    started = time.perf_counter()
    for r in records:
        dedup.check(r.story, r.body, r.language.code, now=1_800_000_000.0)
    return len(records) / (time.perf_counter() - started)


def check(name: str, value: float) -> bool:
    op, bound = TARGETS[name]
    return {">=": value >= bound, "<=": value <= bound, "<": value < bound}[op]


def run(n: int, seed: int, e2e_stories: int, half_load: int) -> dict[str, Any]:
    lines = corpus(n, seed)
    words = sum(len(json.loads(x)["body"].split()) for x in lines)
    config = PipelineConfig()
    chain = Chain(replace(config, language=replace(config.language, preload=True)))
    chain.warm_up(("en",))  # model loading is not what we measure

    started = time.perf_counter()
    outcomes = list(chain.run(lines))
    chain_s = time.perf_counter() - started
    records = [o for o in outcomes if isinstance(o, Enriched)]
    full = [r for r in records if r.enrichment == "full"]
    per_stage = {s: statistics.mean(r.stages.get(s, 0.0) for r in full) for s in STAGES}
    per_stage["dedup"] = statistics.mean(r.stages.get("dedup", 0.0) for r in records)

    naive_s = naive(lines, chain)
    ner_s = ner_only([r.body for r in full], chain)
    ner_ms = 1000 * ner_s / len(full)
    figures = {
        "stories": len(lines),
        "words": words,
        "chain_stories_per_second": len(lines) / chain_s,
        "chain_tokens_per_second": words / chain_s,
        "naive_stories_per_second": len(lines) / naive_s,
        "chain_vs_naive": naive_s / chain_s,
        "ms_per_story": per_stage,
        "ner_only_ms_per_story": ner_ms,
        "entity_stage_vs_ner_only": per_stage["entities"] / ner_ms,
        "quotes_share_of_entities": per_stage["quotes"] / per_stage["entities"],
        "cheap_stages_share_of_entities": (per_stage["clean"] + per_stage["language"] + per_stage["dedup"])
        / per_stage["entities"],
        "dedup_stories_per_second": dedup_alone(records),
        "duplicates": sum(1 for r in records if r.dedup.status == "duplicate"),
        "not_measured": "end-to-end (run with --e2e-stories > 0)",
    }
    if e2e_stories:
        from deploy.bench.e2e import run_config

        build = Path("build") / "bench"
        build.mkdir(parents=True, exist_ok=True)
        runs = [run_config(lines[:e2e_stories], w, half_load, build) for w in (1, 2)]
        one, two = runs
        offline_same = figures["chain_stories_per_second"]
        figures["e2e"] = runs
        figures["e2e_one_worker_vs_offline"] = one["stories_per_second"] / offline_same
        figures["e2e_two_workers_vs_one"] = two["stories_per_second"] / one["stories_per_second"]
        figures["p99_latency_half_load_seconds"] = max(r["latency_seconds"]["p99"] for r in runs)
        figures["peak_rss_mb_per_worker"] = max(max(r["peak_rss_mb"]) for r in runs)
        figures["not_measured"] = ""
    figures["targets"] = {
        name: {
            "target": f"{op} {bound}",
            "value": round(float(figures[name]), 4),
            "met": check(name, float(figures[name])),
        }
        for name, (op, bound) in TARGETS.items()
        if name in figures
    }
    return figures


def table(f: dict[str, Any]) -> str:
    rows = [
        f"wirestream bench: {f['stories']} stories, {f['words']} words ({f['duplicates']} redeliveries)",
        f"  offline chain    {f['chain_stories_per_second']:8.1f} stories/s"
        f"  {f['chain_tokens_per_second']:9.0f} tokens/s",
        f"  naive baseline   {f['naive_stories_per_second']:8.1f} stories/s  (full spaCy pipeline per story)",
        "  ms per story:    " + "  ".join(f"{k} {v:.2f}" for k, v in f["ms_per_story"].items()),
        f"  NER-only spaCy   {f['ner_only_ms_per_story']:.2f} ms/story",
        f"  dedup alone      {f['dedup_stories_per_second']:.0f} stories/s (one core)",
        "  targets:",
    ]
    for name, t in f["targets"].items():
        rows.append(f"    {name:34} {t['value']:10.3f}  {t['target']:8}  {'met' if t['met'] else 'NOT MET'}")
    for r in f.get("e2e", []):
        lat = r["latency_seconds"]
        rows.insert(
            -len(f["targets"]) - 1,
            f"  end-to-end {r['workers']}w    {r['stories_per_second']:8.1f} stories/s  at half load "
            f"({r['offered_load_per_second']:.1f}/s) p50 {lat['p50']:.2f}s p95 {lat['p95']:.2f}s "
            f"p99 {lat['p99']:.2f}s  peak RSS {max(r['peak_rss_mb']):.0f} MB",
        )
    if f.get("not_measured"):
        rows.append(f"  not measured here: {f['not_measured']}")
    return "\n".join(rows)


def plot(f: dict[str, Any], path: Path) -> bool:
    """Throughput bars and the latency CDF at half load; False when matplotlib is not installed."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    fig, (bars, cdf) = plt.subplots(1, 2, figsize=(11, 4))
    labels = ["naive", "offline chain"] + [f"e2e {r['workers']}w" for r in f.get("e2e", [])]
    values = [f["naive_stories_per_second"], f["chain_stories_per_second"]] + [
        r["stories_per_second"] for r in f.get("e2e", [])
    ]
    bars.bar(labels, values, color=["#999999", "#1f77b4", "#2ca02c", "#17becf"][: len(values)])
    bars.set_ylabel("stories/s")
    bars.set_title("throughput (same stories, one run)")
    for r in f.get("e2e", []):
        lat = r["latency_seconds"]["all"]
        if lat:
            cdf.plot(lat, [(i + 1) / len(lat) for i in range(len(lat))], label=f"{r['workers']} worker(s)")
    cdf.set_xlabel("publish to output (s)")
    cdf.set_ylabel("fraction of stories")
    cdf.set_title("latency at half the maximum load")
    cdf.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return True


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=300)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, default=Path("build") / "bench.json")
    parser.add_argument("--e2e-stories", type=int, default=200, help="stories through the broker (0: skip)")
    parser.add_argument("--half-load-stories", type=int, default=60, help="stories at half the maximum load")
    args = parser.parse_args()
    figures = run(args.stories, args.seed, args.e2e_stories, args.half_load_stories)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=2))
    print(table(figures))
    png = args.out.with_suffix(".png")
    print(f"wrote {args.out}" + (f" and {png}" if plot(figures, png) else " (no plot: matplotlib missing)"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
