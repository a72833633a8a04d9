"""`wirestream eval dedup`: a labelled stream built from our own stories by transformation.

Base stories (invented, from `tests/storygen.py`-style templates shipped here as data-free code, plus
hand-written English/French pairs in `tests/data/dedup/translations.jsonl`) are followed by variants:
redelivery with other chrome, quote-style and whitespace changes, truncation, headline change,
reordered paragraphs (duplicates); added paragraphs under the same id or the same source (updates);
correction notes (corrections); same-event rewrites sharing names and numbers, and translations
(unique). Every story runs through the real clean and language stages and the Deduplicator with an
in-memory store; the report gives precision and recall per status.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from pipeline.records import Story

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = Path(__file__).with_name("data") / "dedup_translations.jsonl"
STATUSES = ("unique", "duplicate", "update", "correction")


@dataclass(frozen=True, slots=True)
class Case:
    story: Story
    status: str
    of: str | None  # the base story it derives from (None for unique)
    kind: str  # the transformation's name


def _paragraphs(body: str) -> list[str]:
    return [p for p in body.split("\n\n") if p.strip()]


def variants(base: Story, rng: random.Random, n: int, other: Story) -> Iterator[Case]:
    """The transformed copies of one base story (its id and source are kept where the case needs it)."""
    paras = _paragraphs(base.body)
    sid = base.id
    yield Case(
        replace(
            base,
            id=f"{sid}-agg",
            source="Aggregator",
            body=f"Home | World | Business\nBreaking News\n{base.body}"
            "\n\nShare this article\nSubscribe to our newsletter",
        ),
        "duplicate",
        sid,
        "redelivery-chrome",
    )
    yield Case(
        replace(
            base,
            id=f"{sid}-qs",
            source="Second Outlet",
            body=base.body.replace("\u201c", '"')
            .replace("\u201d", '"')
            .replace(". ", ".  ")
            .replace("\n\n", "\n\n\n"),
        ),
        "duplicate",
        sid,
        "quote-style-whitespace",
    )
    if len(paras) >= 6:
        keep = max(1, int(len(paras) * 0.85))
        yield Case(
            replace(base, id=f"{sid}-cut", source="Third Outlet", body="\n\n".join(paras[:keep])),
            "duplicate",
            sid,
            "truncation",
        )
    yield Case(
        replace(base, id=f"{sid}-hl", source="Fourth Outlet", headline=f"UPDATED HEADLINE: {base.headline}"),
        "duplicate",
        sid,
        "headline-change",
    )
    if len(paras) >= 3:
        shuffled = paras[:]
        rng.shuffle(shuffled)
        yield Case(
            replace(base, id=f"{sid}-ro", source="Fifth Outlet", body="\n\n".join(shuffled)),
            "duplicate",
            sid,
            "reordered",
        )
    more = _paragraphs(other.body)
    added = "\n\n".join(more[:3])
    fixed = "\n\n".join(more[3:6] or more[:1])
    if n % 2 == 0:
        yield Case(
            replace(base, version=2, body=f"{base.body}\n\n{added}"), "update", sid, "write-thru-version"
        )
        yield Case(
            replace(
                base,
                version=3,
                body=f"Correction: An earlier version of this story misstated a figure."
                f"\n\n{base.body}\n\n{added}",
            ),
            "correction",
            sid,
            "correction-note",
        )
    else:
        yield Case(
            replace(base, id=f"{sid}-wt", body=f"{base.body}\n\n{added}"),
            "update",
            sid,
            "write-thru-same-source",
        )
        yield Case(
            replace(
                base, id=f"{sid}-fix", headline=f"CORRECTED: {base.headline}", body=f"{base.body}\n\n{fixed}"
            ),
            "correction",
            sid,
            "corrected-headline",
        )


def rewrite(base: Story, other: Story, rng: random.Random) -> Case:
    """A different story on the same event: another text that shares the base's names and numbers."""
    names = [w for w in base.body.split() if w[:1].isupper() or w[:1].isdigit()]
    body = other.body
    for word in rng.sample(names, min(12, len(names))):
        body = body.replace(" the ", f" {word} ", 1)
    return Case(
        replace(other, id=f"{base.id}-rw", source="Rewrite Desk", body=body),
        "unique",
        None,
        "same-event-rewrite",
    )


def build_cases(n: int, seed: int) -> list[Case]:
    from pipeline.evaluation.storygen import stories

    rng = random.Random(seed)
    bases = [
        Story.from_json(s) for s in stories(n, seed=seed, words=rng.choice([300, 500, 700]), prefix="base")
    ]
    others = [Story.from_json(s) for s in stories(n, seed=seed + 1, words=400, prefix="other")]
    cases = [Case(b, "unique", None, "base") for b in bases]
    later: list[Case] = []
    for i, base in enumerate(bases):
        later.extend(variants(base, rng, i, others[i]))
        if i % 3 == 0:
            later.append(rewrite(base, others[(i + 7) % n], rng))
    if TRANSLATIONS.exists():
        for line in TRANSLATIONS.read_text(encoding="utf-8").splitlines():
            pair = json.loads(line)
            en = Story.from_json(pair["en"])
            fr = Story.from_json(pair["fr"])
            cases.append(Case(en, "unique", None, "base"))
            later.append(Case(fr, "unique", None, "translation"))
    rng.shuffle(later)
    # keep each base's versions in order (v2 before v3), as a feed delivers them
    later.sort(key=lambda c: c.story.version)
    return cases + later


@dataclass
class Result:
    confusion: Counter[tuple[str, str]]
    of_right: int
    of_total: int
    rewrites_as_duplicate: int
    stories_per_second: float
    cases: int

    def precision_recall(self, status: str) -> tuple[float, float]:
        tp = self.confusion[(status, status)]
        predicted = sum(v for (_, p), v in self.confusion.items() if p == status)
        gold = sum(v for (g, _), v in self.confusion.items() if g == status)
        return (tp / predicted if predicted else 0.0, tp / gold if gold else 0.0)


def run(n: int = 120, seed: int = 13) -> Result:
    from pipeline.clean import clean_body, load_clean_rules
    from pipeline.dedup import Deduplicator, MemoryStore
    from pipeline.language import LanguageDetector

    cases = build_cases(n, seed)
    rules = load_clean_rules()
    detector = LanguageDetector()
    prepared = []
    for case in cases:
        body = clean_body(case.story.body, rules=rules).body
        prepared.append((case, body, detector.detect(body, case.story.language).code))
    dedup = Deduplicator(MemoryStore())
    confusion: Counter[tuple[str, str]] = Counter()
    of_right = of_total = rewrites = 0
    family: dict[str, str] = {}  # story id -> base id
    started = time.perf_counter()
    for case, body, lang in prepared:
        got = dedup.check(case.story, body, lang, now=1_800_000_000.0)
        confusion[(case.status, got.status)] += 1
        if case.of is not None:
            family[case.story.id] = case.of
        if case.status == got.status and case.of is not None:
            of_total += 1
            of_right += family.get(got.of or "", got.of) == case.of
        if case.kind == "same-event-rewrite" and got.status == "duplicate":
            rewrites += 1
    elapsed = time.perf_counter() - started
    return Result(confusion, of_right, of_total, rewrites, len(prepared) / elapsed, len(prepared))


def format_result(r: Result) -> str:
    lines = [
        f"dedup evaluation: {r.cases} stories",
        f"{'status':12}{'precision':>10}{'recall':>10}{'gold':>8}",
    ]
    for status in STATUSES:
        p, rec = r.precision_recall(status)
        gold = sum(v for (g, _), v in r.confusion.items() if g == status)
        lines.append(f"{status:12}{p:10.3f}{rec:10.3f}{gold:8d}")
    upd = sum(r.confusion[(s, s)] for s in ("update", "correction"))
    upd_total = sum(v for (g, _), v in r.confusion.items() if g in ("update", "correction"))
    lines.append(f"update/correction accuracy: {upd / upd_total if upd_total else 0:.3f} ({upd}/{upd_total})")
    lines.append(f"linked to the right story: {r.of_right}/{r.of_total}")
    lines.append(f"same-event rewrites marked duplicate: {r.rewrites_as_duplicate}")
    lines.append(f"dedup stage alone: {r.stories_per_second:.0f} stories/s (one core, in-memory store)")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="wirestream eval dedup", description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=120, help="base stories to transform")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    r = run(args.stories, args.seed)
    if args.json:
        out = {s: dict(zip(("precision", "recall"), r.precision_recall(s), strict=True)) for s in STATUSES}
        print(
            json.dumps(
                {
                    "statuses": out,
                    "stories_per_second": r.stories_per_second,
                    "rewrites_as_duplicate": r.rewrites_as_duplicate,
                }
            )
        )
    else:
        print(format_result(r))
    return 0 if r.cases else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
