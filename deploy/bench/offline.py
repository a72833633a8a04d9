"""Offline part: the wirestream chain against the loop a user would hand-roll, on the same stories.

The baseline loads each language's model with every component (`spacy.load(name)`) and calls
`nlp(text)` once per story, after the same language and dedup steps (duplicates skip the model, as in
the chain). The two run interleaved block by block, alternating which goes first, so whatever else the
machine does at the time weighs on both alike. Models are loaded before timing starts.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language as SpacyLanguage

from agents.topics import encode
from deploy.bench import routes
from deploy.bench.corpus import Corpus
from deploy.bench.report import STAGES
from pipeline.chain import Chain, Outcome, Prepared, defuse
from pipeline.config import PipelineConfig
from pipeline.dedup import Deduplicator, MemoryStore, load_dedup_markers
from pipeline.language import LanguageDetector
from pipeline.records import Enriched, Story


def worker_config(pipeline: PipelineConfig) -> PipelineConfig:
    """The configuration a worker runs with (lingua's models preloaded, as `agents.stages` does)."""
    return replace(pipeline, language=replace(pipeline.language, preload=True))


def fresh_chain(pipeline: PipelineConfig) -> Chain:
    """A chain with fresh in-memory dedup state, configured as a worker's (to prepare hand-overs)."""
    return Chain(worker_config(pipeline))


@dataclass
class Naive:
    """The hand-rolled loop: language, dedup, then the full spaCy pipeline per story."""

    config: PipelineConfig
    names: dict[str, str]  # language -> model package (the one the chain resolves, loaded whole)
    detector: LanguageDetector = field(init=False)
    dedup: Deduplicator = field(init=False)
    models: dict[str, SpacyLanguage] = field(init=False)
    ms_by_language: dict[str, list[float]] = field(init=False, default_factory=dict)

    lazy: bool = False  # load a language's model at its first story (a whole-process run), not up front

    def __post_init__(self) -> None:
        self.detector = LanguageDetector(self.config.language)
        _ = self.detector.lingua
        self.dedup = Deduplicator(MemoryStore(), config=self.config.dedup, markers=load_dedup_markers())
        self.models = {} if self.lazy else {lang: spacy.load(name) for lang, name in self.names.items()}

    def run(self, lines: Sequence[bytes]) -> list[list[tuple[str, str, int, int]]]:
        """Entities per story (empty for duplicates), as the hand-rolled loop would collect them."""
        out: list[list[tuple[str, str, int, int]]] = []
        for line in lines:
            started = time.perf_counter()
            story = Story.from_json(json.loads(line))
            lang = self.detector.detect(story.body, story.language).code
            status = self.dedup.check(story, story.body, lang, now=time.time()).status
            if self.lazy and lang in self.names and lang not in self.models:
                self.models[lang] = spacy.load(self.names[lang])
            nlp = self.models.get(lang)
            if status == "duplicate" or nlp is None:
                out.append([])
                continue
            doc = nlp(story.body)
            out.append([(e.text, e.label_, e.start_char, e.end_char) for e in doc.ents])
            self.ms_by_language.setdefault(lang, []).append((time.perf_counter() - started) * 1000)
        return out


def _timed(fn: Callable[[], Any]) -> tuple[Any, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def _run_chain(chain: Chain, lines: Sequence[bytes], batch_size: int) -> list[Outcome]:
    return list(chain.run(lines, batch_size=batch_size))


def _rate(stories: int, tokens: int, seconds: float, cpu: float) -> dict[str, float]:
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "stories_per_cpu_second": stories / cpu if cpu else float("nan"),
        "stories_per_second": stories / seconds,
        "tokens_per_second": tokens / seconds,
    }


def _stage_means(records: Sequence[Enriched]) -> dict[str, float]:
    n = max(1, len(records))
    return {s: sum(r.stages.get(s, 0.0) for r in records) / n for s in STAGES}


def count_tokens(corpus: Corpus, models: dict[str, SpacyLanguage]) -> int:
    """spaCy tokens over every story's body (tokenizer of its language's model; not timed)."""
    total = 0
    for s in corpus.stories:
        nlp = models.get(corpus.languages[str(s["id"])]) or next(iter(models.values()))
        total += len(nlp.tokenizer(s["body"]))
    return total


def ner_pipe_seconds(chain: Chain, records: Sequence[Enriched], batch_size: int) -> float:
    """`nlp.pipe` alone on the NER-only models over these records' bodies: the floor of `entities`."""
    by_lang: dict[str, list[str]] = {}
    for r in records:
        if r.enrichment == "full":
            by_lang.setdefault(r.language.code, []).append(defuse(r.body))
    started = time.perf_counter()
    for lang, bodies in by_lang.items():
        model = chain.models.get(lang)
        if model is not None:
            for doc in model.pipe(bodies, batch_size=batch_size):
                _ = doc.ents
    return time.perf_counter() - started


def dedup_alone(chain: Chain, lines: Sequence[bytes], *, repeats: int = 3) -> dict[str, Any]:
    """The dedup stage alone, as a dedup-only worker runs it, on these stories after prepare (parse,
    clean, language: untimed): `chain.deduplicate` on each cleaned body (normalisation, sketch, markers,
    lookups, the store write) against a fresh in-memory store, back to back. Also the dedup agent's
    whole per-story work without Kafka: the hand-over decoded, deduplicated, encoded for the next topic.
    The median of `repeats` passes each; the worker's table adds one RocksDB write and one changelog
    record per story, the broker's fetch and send are not counted."""

    fronts = [chain.front(line) for line in lines]
    handovers = [encode(p.to_json()) for p in fronts if isinstance(p, Prepared)]

    original = chain.deduplicator

    def fresh() -> Chain:
        chain.deduplicator = Deduplicator(MemoryStore(), config=chain.config.dedup, markers=original.markers)
        return chain

    def decoded() -> list[Prepared]:
        return [Prepared.from_json(json.loads(blob)) for blob in handovers]

    def stage(items: list[Prepared]) -> None:
        c = fresh()
        for p in items:
            c.deduplicate(p, now=1_800_000_000.0)

    def agent() -> None:  # as `agents.stages` does per story, minus the broker
        c = fresh()
        for blob in handovers:
            result = c.dedup_or_dead(Prepared.from_json(json.loads(blob)))
            assert isinstance(result, Prepared)
            encode(result.to_json())

    stage_runs = []
    agent_runs = []
    try:
        for _ in range(repeats):
            _, wall, cpu = _timed(partial(stage, decoded()))
            stage_runs.append((wall, cpu))
            _, wall, cpu = _timed(agent)
            agent_runs.append((wall, cpu))
    finally:
        chain.deduplicator = original
    n = len(handovers)

    def summary(runs: list[tuple[float, float]]) -> dict[str, float]:
        wall = sorted(w for w, _ in runs)[len(runs) // 2]
        cpu = sorted(c for _, c in runs)[len(runs) // 2]
        return {
            "stories_per_second": n / wall,
            "stories_per_cpu_second": n / cpu,
            "ms_per_story": wall * 1000 / n,
        }

    words = [len(p.body.split()) for p in decoded()]
    return {
        "stories": n,
        "words_per_story": sum(words) / max(1, len(words)),
        "repeats": repeats,
        "stage": summary(stage_runs),
        "agent": summary(agent_runs),
    }


def run(
    corpus: Corpus, warm: Corpus, pipeline: PipelineConfig, *, batch_size: int, block: int
) -> dict[str, Any]:
    """Chain and baseline over the same lines, interleaved in blocks; per-stage figures from the chain.
    Both first run the `warm` stories untimed (first-call costs: allocations, vocab, caches)."""
    config = worker_config(pipeline)
    langs = sorted(set(corpus.languages.values()))
    chain = Chain(config)
    chain.warm_up(langs)
    names = {lang: name for lang in langs if (name := chain.models.resolve(lang)) is not None}
    naive = Naive(config, names)
    tokens = count_tokens(corpus, naive.models)
    _run_chain(chain, warm.lines, batch_size)
    naive.run(warm.lines)
    naive.ms_by_language.clear()

    lines = corpus.lines
    outcomes: list[Outcome] = []
    walls = {"chain": 0.0, "naive": 0.0}
    cpus = {"chain": 0.0, "naive": 0.0}
    pipe_seconds = 0.0
    blocks = [lines[i : i + block] for i in range(0, len(lines), block)]
    for b, chunk in enumerate(blocks):
        order = ("chain", "naive") if b % 2 == 0 else ("naive", "chain")
        for who in order:
            if who == "chain":
                got, wall, cpu = _timed(partial(_run_chain, chain, chunk, batch_size))
                outcomes.extend(got)
                # right after, while the machine is in the same state: the model alone on these bodies
                enriched = [o for o in got if isinstance(o, Enriched)]
                pipe_seconds += ner_pipe_seconds(chain, enriched, batch_size)
            else:
                _, wall, cpu = _timed(partial(naive.run, chunk))
            walls[who] += wall
            cpus[who] += cpu

    records = [o for o in outcomes if isinstance(o, Enriched)]
    full = [r for r in records if r.enrichment == "full"]
    n = len(lines)
    dedup = dedup_alone(chain, lines)
    all_stage_ms = sum(sum(r.stages.get(s, 0.0) for s in STAGES) for r in records)
    wall_ms = walls["chain"] * 1000 / n
    by_language = {
        lang: {"records": len(sub), "ms_per_story": _stage_means(sub)}
        for lang in langs
        if (sub := [r for r in full if r.language.code == lang])
    }
    return {
        "batch_size": batch_size,
        "block": block,
        "blocks": len(blocks),
        "tokens": tokens,
        "models": {
            "chain": {
                lang: {"name": m.name, "pipes": getattr(getattr(m, "nlp", None), "pipe_names", [m.backend])}
                for lang, m in chain.models.loaded().items()
            },
            "naive": {
                lang: {"name": names[lang], "pipes": nlp.pipe_names} for lang, nlp in naive.models.items()
            },
        },
        "chain": _rate(n, tokens, walls["chain"], cpus["chain"]),
        "naive": _rate(n, tokens, walls["naive"], cpus["naive"]),
        "outcomes": {
            "enriched": len(full),
            "duplicates": sum(1 for r in records if r.dedup.status == "duplicate"),
            "skipped": sum(1 for r in records if r.enrichment == "skipped"),
            "dead_letters": len(outcomes) - len(records),
            "languages": {lang: sum(1 for r in records if r.language.code == lang) for lang in langs},
        },
        "stages": {
            "records": len(full),
            "ms_per_story": _stage_means(full),
            "by_language": by_language,
            "wall_ms_per_story": wall_ms,
            "other_ms_per_story": wall_ms - all_stage_ms / n,
            "ner_pipe_ms_per_story": pipe_seconds * 1000 / max(1, len(full)),
        },
        "dedup_alone": dedup,
        "routes": routes.run([r.to_json() for r in records]),  # routing cost over these records
        "naive_ms_per_story_by_language": {
            lang: sum(v) / len(v) for lang, v in sorted(naive.ms_by_language.items()) if v
        },
    }


def profile(corpus: Corpus, pipeline: PipelineConfig, *, batch_size: int, out: Path) -> str:
    """pyinstrument (a sampling profiler: little overhead, full call tree) over one chain pass on the
    corpus (fresh state, models loaded first); the report is written to `out` and returned."""
    from pyinstrument import Profiler

    config = worker_config(pipeline)
    chain = Chain(config)
    chain.warm_up(sorted(set(corpus.languages.values())))
    lines = corpus.lines
    profiler = Profiler(interval=0.002)
    profiler.start()
    for _ in chain.run(lines, batch_size=batch_size):
        pass
    profiler.stop()
    text = f"==== chain over {len(lines)} stories ====\n" + profiler.output_text(
        unicode=False, color=False, show_all=False
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    return text
