"""The benchmark's pure parts: percentiles, the targets, bench.json's shape and the printed table.

Nothing here times or touches a broker, so tests/bench checks it all quickly. Every target is a ratio
or a bound measured in the same run: machines are noisy, so ratios are what we claim.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

STAGES = ("clean", "language", "dedup", "entities", "quotes")
CHEAP = ("clean", "language", "dedup")
SCHEMA = 3  # bump when bench.json changes shape


@dataclass(frozen=True, slots=True)
class Target:
    name: str
    what: str
    op: str  # ">=", "<=" or "<"
    bound: float

    def met(self, value: float) -> bool:
        if math.isnan(value):
            return False
        if self.op == ">=":
            return value >= self.bound
        if self.op == "<=":
            return value <= self.bound
        if self.op == "<":
            return value < self.bound
        raise ValueError(f"unknown comparison {self.op!r}")


TARGETS = (
    Target("chain_vs_naive", "offline chain / naive baseline, stories/s", ">=", 1.8),
    Target("quotes_vs_entities", "quotes ms / entities ms per story", "<=", 0.25),
    Target("cheap_vs_entities", "(clean + language + dedup) ms / entities ms", "<=", 0.10),
    Target(
        "dedup_stories_per_s", "dedup stage alone on cleaned bodies, stories per CPU-second", ">=", 2000.0
    ),
    Target("e2e_1w_vs_offline", "end-to-end 1 worker / offline chain, stories/s", ">=", 0.85),
    Target("e2e_2w_vs_1w", "end-to-end 2 workers / 1 worker, stories/s", ">=", 1.7),
    Target("p99_half_load_s", "p99 publish-to-output latency at half load (worst config), s", "<", 2.0),
    Target("rss_per_worker_gb", "peak RSS (VmHWM) of the largest worker (en + fr), GB", "<=", 1.0),
    Target(
        "enrich_process_vs_naive",
        "whole-process enrich / naive loop on the small file, start-up included (naive s / enrich s)",
        ">=",
        1.5,
    ),
    Target("enrich_rss_gb", "peak RSS of the whole-process enrich on the small file, GB", "<=", 0.6),
    Target("first_output_s", "seconds from `wirestream worker` start to its first output", "<=", 10.0),
    Target(
        "dedup_hop_stories_per_s",
        "a --stages dedup worker draining a backlog via the broker, stories/s",
        ">=",
        1000.0,
    ),
    Target("routes_100_rules_ms", "desk routes: 100 rules of every kind, CPU ms per record", "<", 1.0),
    Target("routes_10k_names_ms", "desk routes: a 10,000-name watch list, CPU ms per record", "<", 2.0),
)


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) with linear interpolation between closest ranks (numpy's default);
    NaN for no values."""
    if not 0 <= q <= 100:
        raise ValueError(f"percentile must be within 0-100, got {q}")
    if not values:
        return math.nan
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    low = math.floor(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def latency_summary(latencies: Sequence[float]) -> dict[str, float]:
    """p50/p95/p99/max/mean in seconds."""
    return {
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "p99": percentile(latencies, 99),
        "max": max(latencies) if latencies else math.nan,
        "mean": sum(latencies) / len(latencies) if latencies else math.nan,
    }


def ratio(a: float | None, b: float | None) -> float:
    """a / b, NaN when either is missing or b is zero (a missing figure never passes a target)."""
    if a is None or b is None or b == 0 or math.isnan(a) or math.isnan(b):
        return math.nan
    return a / b


def _e2e(e2e: Sequence[Mapping[str, Any]], workers: int) -> Mapping[str, Any] | None:
    return next((r for r in e2e if r["workers"] == workers), None)


def _get(mapping: Mapping[str, Any] | None, *keys: str) -> float:
    """A nested figure, NaN when any level is missing (not measured in this run)."""
    value: Any = mapping
    for key in keys:
        if not isinstance(value, Mapping) or value.get(key) is None:
            return math.nan
        value = value[key]
    return float(value)


def derived(
    offline: Mapping[str, Any], e2e: Sequence[Mapping[str, Any]], process: Mapping[str, Any] | None = None
) -> dict[str, float]:
    """The figures the targets name, computed from the measured ones."""
    ms = offline["stages"]["ms_per_story"]
    one, two = _e2e(e2e, 1), _e2e(e2e, 2)
    one_sps = one["max"]["stories_per_second"] if one else None
    two_sps = two["max"]["stories_per_second"] if two else None
    p99s = [r["half_load"]["latency_s"]["p99"] for r in e2e]
    rss = [gb for r in e2e for gb in r["peak_rss_gb"]]
    return {
        "chain_vs_naive": ratio(
            offline["chain"]["stories_per_second"], offline["naive"]["stories_per_second"]
        ),
        "quotes_vs_entities": ratio(ms["quotes"], ms["entities"]),
        "cheap_vs_entities": ratio(sum(ms[s] for s in CHEAP), ms["entities"]),
        # "on one core": per CPU-second, so other load on the machine does not count against it
        "dedup_stories_per_s": offline.get("dedup_alone", {})
        .get("stage", {})
        .get("stories_per_cpu_second", math.nan),
        "e2e_1w_vs_offline": ratio(one_sps, offline["chain"]["stories_per_second"]),
        "e2e_2w_vs_1w": ratio(two_sps, one_sps),
        "p99_half_load_s": max(p99s) if p99s else math.nan,
        "rss_per_worker_gb": max(rss) if rss else math.nan,
        "routes_100_rules_ms": offline.get("routes", {}).get("hundred_rules_ms", math.nan),
        "routes_10k_names_ms": offline.get("routes", {}).get("watch_10k_ms", math.nan),
        # a time ratio: naive seconds over enrich seconds, both whole processes on the same file
        "enrich_process_vs_naive": ratio(
            _get(process, "enrich", "naive", "seconds"), _get(process, "enrich", "enrich", "seconds")
        ),
        "enrich_rss_gb": _get(process, "enrich", "enrich", "peak_rss_gb"),
        "first_output_s": _get(process, "first_output", "first_output_seconds"),
        "dedup_hop_stories_per_s": _get(process, "dedup_hop", "stories_per_second"),
    }


def per_cpu(offline: Mapping[str, Any], e2e: Sequence[Mapping[str, Any]]) -> dict[str, float]:
    """The throughput ratios per CPU-second used instead of per wall second: not targets, but what stays
    comparable when other processes take CPU from one contestant more than from another."""
    chain = offline["chain"].get("stories_per_cpu_second", math.nan)
    out = {"chain_vs_naive": ratio(chain, offline["naive"].get("stories_per_cpu_second", math.nan))}
    for r in e2e:
        out[f"e2e_{r['workers']}w_vs_offline"] = ratio(r["max"].get("stories_per_worker_cpu_second"), chain)
    return out


def evaluate(values: Mapping[str, float]) -> list[dict[str, Any]]:
    """One entry per target: value, bound, and met (None when the figure was not measured)."""
    out = []
    for t in TARGETS:
        value = values.get(t.name, math.nan)
        measured = not math.isnan(value)
        out.append(
            {
                "name": t.name,
                "what": t.what,
                "target": f"{t.op} {t.bound:g}",
                "value": value if measured else None,
                "met": t.met(value) if measured else None,
            }
        )
    return out


def assemble(
    *,
    corpus: Mapping[str, Any],
    offline: Mapping[str, Any],
    e2e: Sequence[Mapping[str, Any]],
    host: Mapping[str, Any],
    note: str,
    process: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """bench.json: every measured number, the derived ratios, the targets and pass/fail per target.
    `process` holds the whole-process figures: enrich vs naive, first output, the dedup hop."""
    ratios = derived(offline, e2e, process)
    targets = evaluate(ratios)
    judged = [t["met"] for t in targets if t["met"] is not None]
    return {
        "schema": SCHEMA,
        "host": dict(host),
        "corpus": dict(corpus),
        "offline": dict(offline),
        "e2e": [dict(r) for r in e2e],
        "process": dict(process or {}),
        "ratios": {k: (None if math.isnan(v) else v) for k, v in ratios.items()},
        "ratios_per_cpu_second": {
            k: (None if math.isnan(v) else v) for k, v in per_cpu(offline, e2e).items()
        },
        "targets": targets,
        "passed": bool(judged) and all(judged) and len(judged) == len(targets),
        "note": note,
    }


def _num(value: float | None, fmt: str = ".2f") -> str:
    return "-" if value is None or (isinstance(value, float) and math.isnan(value)) else format(value, fmt)


def table(f: Mapping[str, Any]) -> str:
    """The report printed to stdout."""
    c, off = f["corpus"], f["offline"]
    langs = ", ".join(f"{n} {lang}" for lang, n in c["languages"].items())
    rows = [
        f"wirestream bench: {c['stories']} stories ({langs}; {c['redeliveries']} redeliveries), "
        f"{c['words']:,} words, {off['tokens']:,} tokens, "
        f"{c['words_per_story']['min']}-{c['words_per_story']['max']} words/story; "
        f"{f['host'].get('cpus', '?')} CPUs",
        "",
        f"offline, same stories, chain and baseline interleaved in {off['blocks']} blocks",
        f"  {'':28}{'stories/s':>10}{'tokens/s':>11}{'seconds':>9}{'CPU s':>8}{'st/CPU-s':>10}",
    ]
    for key, label in (("naive", "naive baseline (full spaCy)"), ("chain", "wirestream chain")):
        r = off[key]
        rows.append(
            f"  {label:28}{r['stories_per_second']:10.2f}{r['tokens_per_second']:11,.0f}"
            f"{r['seconds']:9.1f}{r['cpu_seconds']:8.1f}{_num(r.get('stories_per_cpu_second')):>10}"
        )
    ratios = f["ratios"]
    rows.append(f"  {'chain / naive':28}{_num(ratios['chain_vs_naive']):>9}x")
    st = off["stages"]
    ms = st["ms_per_story"]
    rows += [
        "",
        f"per stage, ms per story ({st['records']} enriched stories; entities includes the amortised "
        "nlp.pipe)",
        f"  {'':12}" + "".join(f"{s:>10}" for s in STAGES),
        f"  {'all':12}" + "".join(f"{ms[s]:10.2f}" for s in STAGES),
    ]
    for lang, sub in st.get("by_language", {}).items():
        label = f"{lang} ({sub['records']})"
        rows.append(f"  {label:12}" + "".join(f"{sub['ms_per_story'][s]:10.2f}" for s in STAGES))
    rows += [
        f"  chain wall time {st['wall_ms_per_story']:.2f} ms per story over all {c['stories']}, of which "
        f"{st['other_ms_per_story']:.2f} outside the five stages (parse, batching, records)",
        f"  nlp.pipe alone (NER-only, same bodies): {st['ner_pipe_ms_per_story']:.2f} ms/story",
        f"  quotes / entities                      {_pct(ratios['quotes_vs_entities'])}   (target <= 25%)",
        f"  (clean + language + dedup) / entities  {_pct(ratios['cheap_vs_entities'])}   (target <= 10%)",
    ]
    dd = off.get("dedup_alone")
    if dd:
        rows += [
            f"  dedup stage alone ({dd['stories']} cleaned bodies, {dd['words_per_story']:.0f} words, fresh "
            f"state): {_num(dd['stage']['stories_per_cpu_second'], ',.0f')} stories per CPU-s "
            f"(target >= 2,000), {dd['stage']['stories_per_second']:,.0f} per second",
            f"  dedup agent minus the broker (+ hand-over JSON in and out): "
            f"{_num(dd['agent']['stories_per_cpu_second'], ',.0f')} stories per CPU-s",
        ]
    routed = off.get("routes")
    if routed:
        rows += [
            f"  desk routes over {routed['records']:.0f} records, CPU time: 100 rules "
            f"{_num(routed['hundred_rules_ms'], '.3f')} ms/record (target < 1), a 10,000-name watch list "
            f"{_num(routed['watch_10k_ms'], '.3f')} ms/record (target < 2)",
        ]
    rows += _process_rows(f.get("process") or {}, ratios)
    if f["e2e"]:
        rows += [
            "",
            f"end to end through the local broker ({f['e2e'][0]['partitions']} partitions)",
            f"  {'workers':>7}{'max st/s':>10}{'offered/s':>11}{'p50 s':>8}{'p95 s':>8}{'p99 s':>8}"
            f"{'n':>5}{'st/CPU-s':>10}  peak RSS GB",
        ]
        for r in f["e2e"]:
            lat = r["half_load"]["latency_s"]
            rows.append(
                f"  {r['workers']:>7}{r['max']['stories_per_second']:10.2f}"
                f"{r['half_load']['offered_per_second']:11.2f}{_num(lat['p50']):>8}{_num(lat['p95']):>8}"
                f"{_num(lat['p99']):>8}{r['half_load']['received']:>5}"
                f"{_num(r['max'].get('stories_per_worker_cpu_second')):>10}  "
                + " ".join(f"{g:.2f}" for g in r["peak_rss_gb"])
            )
        for r in f["e2e"]:
            hops = r["half_load"].get("hops_s", {})
            if hops:
                rows.append(
                    f"  {r['workers']} worker(s), latency per agent p50/p95 s: "
                    + ", ".join(f"{h} {_num(v['p50'])}/{_num(v['p95'])}" for h, v in hops.items())
                )
    else:
        rows += ["", "end to end: not measured (--e2e 0)"]
    cpu_ratios = f.get("ratios_per_cpu_second") or {}
    if cpu_ratios:
        rows += [
            "",
            "per CPU-second instead of per second (not targets; robust to other load on the machine): "
            + ", ".join(f"{k} {_num(v)}" for k, v in cpu_ratios.items()),
        ]
    rows += ["", "targets"]
    for t in f["targets"]:
        verdict = "not measured" if t["met"] is None else ("PASS" if t["met"] else "FAIL")
        rows.append(
            f"  {t['name']:20}{_num(t['value'], '.3f'):>9}  {t['target']:>7}  {verdict:5}  {t['what']}"
        )
    if f.get("note"):
        rows += ["", *textwrap.wrap("note: " + f["note"], width=110, subsequent_indent="  ")]
    return "\n".join(rows)


def _process_rows(process: Mapping[str, Any], ratios: Mapping[str, Any]) -> list[str]:
    """The whole-process section: what a user meets first (start-up, memory) and the dedup hop."""
    rows: list[str] = []
    small = process.get("enrich")
    if small:
        langs = ", ".join(f"{n} {lang}" for lang, n in small["languages"].items())
        rows += [
            "",
            f"whole processes, start-up included: {small['stories']} stories ({langs}), "
            f"~{small['words_per_story']} words, median of {small['repeats']} runs each",
            f"  {'':28}{'seconds':>9}{'peak RSS GB':>13}",
        ]
        for key, label in (("naive", "naive loop (full spaCy)"), ("enrich", "wirestream enrich")):
            r = small[key]
            rows.append(f"  {label:28}{_num(r['seconds']):>9}{_num(r['peak_rss_gb']):>13}")
        rows.append(f"  {'naive / enrich':28}{_num(ratios.get('enrich_process_vs_naive')):>8}x")
    first = process.get("first_output")
    if first:
        rows.append(
            f"  worker start to first output {_num(first['first_output_seconds'], '.1f')} s "
            f"(a story waiting; partitions reported after {_num(first['ready_seconds'], '.1f')} s), "
            f"peak RSS then {_num(first['peak_rss_gb'])} GB"
        )
    hop = process.get("dedup_hop")
    if hop:
        outs = ", ".join(f"{n} {t}" for t, n in hop["outputs"].items())
        rows.append(
            f"  dedup hop via the broker: a --stages dedup worker drained {hop['received']}/{hop['stories']} "
            f"hand-overs at {_num(hop['stories_per_second'], ',.0f')} stories/s, "
            f"{_num(hop.get('stories_per_cpu_second'), ',.0f')} per worker CPU-s ({outs})"
        )
    return rows


def _pct(value: float | None) -> str:
    return "-" if value is None or math.isnan(value) else f"{100 * value:5.1f}%"


def note(host: Mapping[str, Any], e2e: Sequence[Mapping[str, Any]], batch_within: float) -> str:
    """What the end-to-end figures are bound by, from the CPU time measured during the maximum runs."""
    if not e2e:
        return "end to end not measured in this run."
    parts = [
        f"{host.get('cpus', '?')} CPUs are shared by the broker, the workers, this process and anything "
        f"else on the machine (load average {host.get('loadavg_start', '?')} at the start)."
    ]
    for r in e2e:
        cpu = r["max"]["cpu_cores_used"]
        ours = sum(cpu["workers"]) + (cpu["broker"] or 0.0) + cpu["bench"]
        parts.append(
            f"{r['workers']} worker(s), maximum run: machine busy {cpu['machine']:.2f} cores = workers "
            + "+".join(f"{w:.2f}" for w in cpu["workers"])
            + f", broker {_num(cpu['broker'])}, bench {cpu['bench']:.2f}, other {cpu['machine'] - ours:.2f}."
        )
    n = min(r["half_load"]["received"] for r in e2e)
    parts.append(
        f"Latency is per story from our send() to the output record's Kafka timestamp, {n}+ stories per "
        f"configuration (p99 is close to the maximum at that count); it includes the annotate agent's "
        f"batch wait of up to {batch_within:g} s (WIRESTREAM_BATCH_WITHIN)."
    )
    return " ".join(parts)


def finite(obj: Any) -> Any:
    """NaN/inf -> None everywhere, so bench.json is strict JSON."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, Mapping):
        return {k: finite(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [finite(v) for v in obj]
    return obj
