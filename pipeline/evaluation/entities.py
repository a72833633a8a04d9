"""`wirestream eval entities [PATH]`: per-label precision, recall and F1 of the entities stage, and
canonicalisation accuracy, on our own annotated stories (default: tests/data/entities/).

A story is one JSON line: `{"id", "lang", "markup"}` with `[[mention|LABEL]]` or
`[[mention|LABEL|canonical]]` marks, or `{"id", "lang", "text", "entities": [{"start", "end", "label",
"canonical"}]}`. A mention counts as found when the stage gives the same span and label. Canonical
accuracy is over gold mentions whose span the stage found; "linked" is the part of those whose canonical
name differs from the mention ("Warren" -> "Steve Warren").
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.entities import extract_entities, load_entity_rules
from pipeline.evaluation import prf
from pipeline.nlp import ModelRegistry, ModelUnavailable
from pipeline.records import Entity

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "tests" / "data" / "entities"
_MARK = re.compile(r"\[\[([^\[\]|]+)\|([A-Za-z_]+)(?:\|([^\[\]|]+))?\]\]")


@dataclass(frozen=True, slots=True)
class Gold:
    id: str
    lang: str
    text: str
    entities: list[Entity]


def parse_markup(markup: str) -> tuple[str, list[Entity]]:
    """Text without the marks, and the gold mentions they make."""
    parts: list[str] = []
    entities: list[Entity] = []
    pos = 0
    length = 0
    for found in _MARK.finditer(markup):
        before = markup[pos : found.start()]
        parts.append(before)
        length += len(before)
        mention, label, canonical = found.group(1), found.group(2), found.group(3)
        entities.append(Entity(mention, label, length, length + len(mention), canonical or mention))
        parts.append(mention)
        length += len(mention)
        pos = found.end()
    parts.append(markup[pos:])
    return "".join(parts), entities


def load_gold(path: Path) -> list[Gold]:
    files = sorted(path.rglob("*.jsonl")) if path.is_dir() else [path]
    stories: list[Gold] = []
    for file in files:
        for n, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            obj: dict[str, Any] = json.loads(line)
            sid, lang = str(obj.get("id", f"{file.stem}:{n}")), str(obj.get("lang", "en"))
            if "markup" in obj:
                text, ents = parse_markup(obj["markup"])
            else:
                text = obj["text"]
                ents = [
                    Entity(
                        text[e["start"] : e["end"]],
                        e["label"],
                        e["start"],
                        e["end"],
                        e.get("canonical") or text[e["start"] : e["end"]],
                    )
                    for e in obj["entities"]
                ]
            stories.append(Gold(sid, lang, text, ents))
    return stories


@dataclass(slots=True)
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def prf(self) -> tuple[float, float, float]:
        return prf(self.tp, self.tp + self.fp, self.tp + self.fn)


@dataclass(slots=True)
class Scores:
    labels: dict[str, Counts] = field(default_factory=dict)
    spans: Counts = field(default_factory=Counts)  # span only, label ignored
    canonical: list[int] = field(default_factory=lambda: [0, 0])  # correct, total
    linked: list[int] = field(default_factory=lambda: [0, 0])
    errors: list[str] = field(default_factory=list)
    stories: int = 0

    def add(self, story: Gold, predicted: Iterable[Entity]) -> None:
        self.stories += 1
        gold = {(e.start, e.end, e.label): e for e in story.entities}
        pred = {(e.start, e.end, e.label): e for e in predicted}
        for key in gold.keys() | pred.keys():
            counts = self.labels.setdefault(key[2], Counts())
            if key in gold and key in pred:
                counts.tp += 1
            elif key in pred:
                counts.fp += 1
                self.errors.append(f"{story.id} FP {key[2]:<8} {pred[key].text!r}")
            else:
                counts.fn += 1
                self.errors.append(f"{story.id} FN {key[2]:<8} {gold[key].text!r}")
        gold_spans = {(s, e): g for (s, e, _), g in gold.items()}
        pred_spans = {(s, e): p for (s, e, _), p in pred.items()}
        self.spans.tp += len(gold_spans.keys() & pred_spans.keys())
        self.spans.fp += len(pred_spans.keys() - gold_spans.keys())
        self.spans.fn += len(gold_spans.keys() - pred_spans.keys())
        for span, g in gold_spans.items():
            p = pred_spans.get(span)
            if p is None:
                continue
            ok = p.canonical == g.canonical
            self.canonical[0] += ok
            self.canonical[1] += 1
            if g.canonical != g.text:
                self.linked[0] += ok
                self.linked[1] += 1
            if not ok:
                self.errors.append(f"{story.id} CANON {g.text!r} -> {p.canonical!r}, gold {g.canonical!r}")

    def micro(self) -> Counts:
        total = Counts()
        for c in self.labels.values():
            total.tp, total.fp, total.fn = total.tp + c.tp, total.fp + c.fp, total.fn + c.fn
        return total


def raw_entities(doc: Any) -> list[Entity]:
    """The model's mentions as they come, for the baseline: no trimming, fixing or linking."""
    return [Entity(e.text, e.label_, e.start_char, e.end_char, e.text) for e in doc.ents]


def evaluate(
    stories: list[Gold], registry: ModelRegistry, *, baseline: bool = False
) -> tuple[Scores, dict[str, Any]]:
    scores = Scores()
    info: dict[str, Any] = {
        "models": {},
        "skipped": [],
        "ner_ms": 0.0,
        "extract_ms": 0.0,
        "stories": 0,
        "languages": {},  # lang -> Scores of that language's stories alone
        "ms_per_story": {},  # lang -> NER + extract_entities, per story
    }
    by_lang: dict[str, list[Gold]] = {}
    for story in stories:
        by_lang.setdefault(story.lang, []).append(story)
    for lang, group in sorted(by_lang.items()):
        model = registry.get(lang)
        if model is None:
            info["skipped"].extend(s.id for s in group)
            continue
        info["models"][lang] = model.name
        rules = load_entity_rules(lang)
        own = info["languages"][lang] = Scores()
        model.pipe([group[0].text])  # a first call may load weights (CoreNLP): not a story's cost
        started = time.perf_counter()
        docs = model.pipe([s.text for s in group])
        ner_ms = (time.perf_counter() - started) * 1000
        info["ner_ms"] += ner_ms
        extract_before = info["extract_ms"]
        for story, doc in zip(group, docs, strict=True):
            started = time.perf_counter()
            predicted = raw_entities(doc) if baseline else extract_entities(doc, rules=rules)
            info["extract_ms"] += (time.perf_counter() - started) * 1000
            if baseline:  # numbers and dates are not annotated: leave them out of the baseline too
                predicted = [e for e in predicted if not rules.keep_labels or e.label in rules.keep_labels]
            scores.add(story, predicted)
            own.add(story, predicted)
            info["stories"] += 1
        info["ms_per_story"][lang] = (ner_ms + info["extract_ms"] - extract_before) / len(group)
    return scores, info


def report(scores: Scores, info: dict[str, Any]) -> str:
    lines = [f"{'label':<12}{'gold':>6}{'pred':>6}{'P':>8}{'R':>8}{'F1':>8}"]
    for label, c in sorted(scores.labels.items()):
        p, r, f = c.prf()
        lines.append(f"{label:<12}{c.tp + c.fn:>6}{c.tp + c.fp:>6}{p:>8.3f}{r:>8.3f}{f:>8.3f}")
    for name, c in (("micro", scores.micro()), ("spans only", scores.spans)):
        p, r, f = c.prf()
        lines.append(f"{name:<12}{c.tp + c.fn:>6}{c.tp + c.fp:>6}{p:>8.3f}{r:>8.3f}{f:>8.3f}")
    ok, n = scores.canonical
    lok, ln = scores.linked
    lines.append(
        f"canonical accuracy {ok}/{n} = {ok / max(1, n):.3f}; "
        f"linked mentions {lok}/{ln} = {lok / max(1, ln):.3f}"
    )
    stories = max(1, info["stories"])
    lines.append(
        f"{info['stories']} stories, models {info['models']}; NER {info['ner_ms'] / stories:.2f} ms/story, "
        f"extract_entities {info['extract_ms'] / stories:.3f} ms/story"
    )
    if info["skipped"]:
        lines.append(f"skipped (no model): {', '.join(info['skipped'])}")
    if len(info["languages"]) > 1:
        lines += ["", *language_table(info)]
    return "\n".join(lines)


def _f1(scores: Scores, *labels: str) -> str:
    counts = [scores.labels[label] for label in labels if label in scores.labels]
    if not counts:
        return "-"
    total = Counts(sum(c.tp for c in counts), sum(c.fp for c in counts), sum(c.fn for c in counts))
    return f"{total.prf()[2]:.3f}"


def language_table(info: dict[str, Any]) -> list[str]:
    """One line per language: its model, person / organisation / place F1, micro P/R/F1 and speed."""
    head = f"{'lang':<5}{'model':<24}{'stories':>8}{'PER F1':>8}{'ORG F1':>8}{'LOC F1':>8}"
    lines = [head + f"{'P':>7}{'R':>7}{'F1':>7}{'ms/story':>10}"]
    for lang, scores in sorted(info["languages"].items()):
        p, r, f = scores.micro().prf()
        lines.append(
            f"{lang:<5}{info['models'][lang]:<24}{scores.stories:>8}{_f1(scores, 'PER', 'PERSON'):>8}"
            f"{_f1(scores, 'ORG'):>8}{_f1(scores, 'LOC', 'GPE'):>8}{p:>7.3f}{r:>7.3f}{f:>7.3f}"
            f"{info['ms_per_story'][lang]:>10.2f}"
        )
    return lines


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="wirestream eval entities", description=__doc__.splitlines()[0])
    parser.add_argument(
        "path", nargs="?", type=Path, default=DEFAULT_PATH, help="a .jsonl file or a folder of them"
    )
    parser.add_argument("--lang", help="only stories in these languages (comma-separated)")
    parser.add_argument("--baseline", action="store_true", help="score the model's raw mentions (no rules)")
    parser.add_argument(
        "--errors", action="store_true", help="list every miss, false alarm and wrong canonical"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if not args.path.exists():
        print(f"wirestream eval entities: {args.path} does not exist", file=sys.stderr)
        return 2
    stories = load_gold(args.path)
    if args.lang:
        wanted = {c.strip() for c in args.lang.split(",")}
        stories = [s for s in stories if s.lang in wanted]
    if not stories:
        print("wirestream eval entities: no stories to evaluate", file=sys.stderr)
        return 2
    try:
        scores, info = evaluate(stories, ModelRegistry(), baseline=args.baseline)
    except ModelUnavailable as exc:
        print(f"wirestream eval entities: {exc} (start it: make corenlp)", file=sys.stderr)
        return 2
    if args.json:
        out: dict[str, Any] = {
            "labels": {
                k: dict(zip(("precision", "recall", "f1"), map(lambda x: round(x, 4), c.prf()), strict=True))
                | {"gold": c.tp + c.fn, "predicted": c.tp + c.fp}
                for k, c in scores.labels.items()
            },
            "micro_f1": round(scores.micro().prf()[2], 4),
            "span_f1": round(scores.spans.prf()[2], 4),
            "canonical_accuracy": round(scores.canonical[0] / max(1, scores.canonical[1]), 4),
            "linked_accuracy": round(scores.linked[0] / max(1, scores.linked[1]), 4),
            **info,
            "languages": {
                lang: {
                    "model": info["models"][lang],
                    "stories": own.stories,
                    "person_f1": _f1(own, "PER", "PERSON"),
                    "micro_f1": round(own.micro().prf()[2], 4),
                    "ms_per_story": round(info["ms_per_story"][lang], 2),
                }
                for lang, own in info["languages"].items()
            },
        }
        print(json.dumps(out, indent=2))
    else:
        print(report(scores, info))
        if args.errors:
            print("\n".join(scores.errors))
    return 0
