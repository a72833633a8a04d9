"""`python -m deploy.bench.languages` (part of `make bench`): the entity stage per language, and the
worker's memory with the default languages' models loaded.

Stories: our annotated ones (tests/data/entities/<lang>/, and the English and French files), each run
through `Chain.annotate` in batches as the worker does (one model call per language per batch, the
CoreNLP path batched), after a warm-up batch. Per language: the `entities` stage time per story and per
1,000 characters, and its ratio to English (target: within 2x). Memory: a fresh process builds the worker's
chain (lingua preloaded) and runs a story in each of en, fr, es, ru and de; its peak RSS is the worker's
footprint less Faust (target: under 2 GB). The CoreNLP server is a separate process: its RSS is reported
beside it.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
from pathlib import Path

from pipeline.chain import Chain, Prepared
from pipeline.evaluation.entities import DEFAULT_PATH, load_gold
from pipeline.records import Language

ROOT = Path(__file__).resolve().parents[2]
MEMORY_LANGS = ("en", "fr", "es", "ru", "de")


def prepared(chain: Chain, lang: str, texts: list[str], round_: int) -> list[Prepared]:
    out: list[Prepared] = []
    for i, text in enumerate(texts):
        story = {"id": f"bench-{lang}-{round_}-{i}", "body": text, "language": lang}
        front = chain.front(json.dumps(story, ensure_ascii=False))
        if isinstance(front, Prepared):
            front.language = Language(lang, 1.0)  # the hint's, whatever a short story is detected as
            result = chain.dedup_or_dead(front)
            if isinstance(result, Prepared):
                out.append(result)
    return out


def stage_speed(chain: Chain, lang: str, texts: list[str], rounds: int, batch: int) -> dict[str, float]:
    """The entities stage per story (median over rounds) and per 1,000 characters."""
    chain.annotate(prepared(chain, lang, texts[:batch], -1))  # loads the model, warms the server
    per_story: list[float] = []
    for r in range(rounds):
        todo = prepared(chain, lang, texts, r)
        for start in range(0, len(todo), batch):
            for p in todo[start : start + batch]:
                p.stages.pop("entities", None)
            chain.annotate(todo[start : start + batch])
        per_story.append(statistics.mean(p.stages.get("entities", 0.0) for p in todo))
    chars = statistics.mean(len(t) for t in texts)
    ms = statistics.median(per_story)
    return {"ms_per_story": ms, "chars_per_story": chars, "ms_per_1k_chars": ms * 1000 / chars}


def memory() -> dict[str, float]:
    """Peak RSS of a fresh process holding what a worker holds: the chain with lingua's models preloaded
    (as the worker does) and the default languages' NER models, each used on a story."""
    code = (
        "import json, resource\n"
        "from dataclasses import replace\n"
        "from pipeline.chain import Chain\n"
        "from pipeline.config import PipelineConfig\n"
        "config = PipelineConfig()\n"
        "chain = Chain(replace(config, language=replace(config.language, preload=True)))\n"
        "chain.warm_up(())\n"
        f"langs = {MEMORY_LANGS!r}\n"
        "stories = [json.dumps({'id': l, 'language': l, 'body': 'Anna Schmidt spoke in Berlin, Madrid and "
        "Moscow on Monday about the talks.'}) for l in langs]\n"
        "list(chain.run(stories))\n"
        "for lang in langs: chain.models.get(lang)\n"
        "print(json.dumps({'peak_rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "
        "'models': {k: v.name for k, v in chain.models.loaded().items()}}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    pidfile = ROOT / "deploy" / "corenlp" / "run" / "server-9000.pid"
    if pidfile.is_file():
        status = Path(f"/proc/{pidfile.read_text().strip()}/status")
        if status.is_file():
            rss = next(line for line in status.read_text().splitlines() if line.startswith("VmRSS"))
            result["corenlp_server_rss_mb"] = int(rss.split()[1]) / 1024
    return result


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m deploy.bench.languages", description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--out", type=Path, default=Path("build") / "bench-languages.json")
    args = p.parse_args(argv)
    by_lang: dict[str, list[str]] = {}
    for story in load_gold(DEFAULT_PATH):
        by_lang.setdefault(story.lang, []).append(story.text)
    chain = Chain()
    speeds = {}
    for lang, texts in sorted(by_lang.items()):
        if chain.models.get(lang) is not None:
            speeds[lang] = stage_speed(chain, lang, texts, args.rounds, args.batch)
    english = speeds["en"]["ms_per_1k_chars"]
    print(f"{'lang':<5}{'model':<24}{'ms/story':>10}{'chars':>8}{'ms/1k chars':>13}{'x English':>11}")
    for lang, s in speeds.items():
        s["ratio_to_english"] = s["ms_per_1k_chars"] / english
        name = chain.models.loaded()[lang].name
        print(
            f"{lang:<5}{name:<24}{s['ms_per_story']:>10.2f}{s['chars_per_story']:>8.0f}"
            f"{s['ms_per_1k_chars']:>13.2f}{s['ratio_to_english']:>11.2f}"
        )
    mem = memory()
    print(f"peak RSS with {', '.join(MEMORY_LANGS)} loaded: {mem['peak_rss_mb']:.0f} MB (target < 2048)")
    if "corenlp_server_rss_mb" in mem:
        print(f"CoreNLP server (separate process) RSS: {mem['corenlp_server_rss_mb']:.0f} MB")
    print(f"this process peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"speed": speeds, "memory": mem}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
