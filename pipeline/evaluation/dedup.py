"""`wirestream eval dedup`: a labelled stream built from our own stories by transformation.

Originals: hand-written stories in several languages (`tests/data/dedup/*.jsonl`: each event told by
one outlet, rewritten by another in the same language and translated into a third language) and
invented English ones from `storygen`. Every original arrives first and is `unique`; so are the
same-event rewrites (hard negatives: other wording, shared names and numbers) and the translations.
Then come its transformations, in feed order:

    duplicate   redelivery with other chrome or as HTML, quote style and whitespace, upper case, a
                dateline, truncation, headline change, reordered paragraphs, a light copy-edit (a paragraph
                dropped, one word in 30 changed), the same id and version again, an old version late
    update      write-thru: added paragraphs under a new id from the same source; a new lead plus added
                paragraphs; the text doubled; a higher version of the same id
                writethru-new-id: a 200-2,000-word story re-sent by its source under a new id with 1-3
                new paragraphs appended (or one put before the last), often an "UPDATE n-" headline,
                a rewritten lead or a figure changed in an old paragraph
    correction  a higher version with a correction note and a corrected figure; the same source re-sending
                the corrected text with a note, or with a correction slug in the headline

    duplicate   (same source) that story re-sent by its own source with only chrome, quote style, an
                "UPDATE n-" or other headline, or paragraph order changed: same-source-redelivery

Bodies go through the real clean and language stages (when installed) before the Deduplicator with
an in-memory store. The report gives precision and recall per status, accuracy per transformation,
whether `of` points at the right story, and the stage's own speed on ~600-word bodies.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from pipeline.config import DedupConfig
from pipeline.records import Dedup, Story

DATA = Path(__file__).resolve().parents[2] / "tests" / "data" / "dedup"
STATUSES = ("unique", "duplicate", "update", "correction")
T0 = 1_800_000_000.0
_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"'})
_QUOTES.update(str.maketrans({"\u2018": "'", "\u2019": "'"}))
_NUMBER = re.compile(r"\b\d{2,}\b")


@dataclass(frozen=True, slots=True)
class Case:
    story: Story
    status: str  # the gold status
    of: str | None  # the original it derives from (None for unique)
    kind: str  # the transformation's name
    phase: int = 2  # feed order: bases, rewrites, copies and write-thrus, v2, v3, late old versions


def _paragraphs(body: str) -> list[str]:
    return [p for p in body.split("\n\n") if p.strip()]


def load_records(folder: Path = DATA) -> list[dict[str, Any]]:
    """Our own stories, one JSON object a line, from every `*.jsonl` in `folder` (sorted by name)."""
    out: list[dict[str, Any]] = []
    for path in sorted(folder.glob("*.jsonl")):
        out.extend(json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    return out


def load_chrome(folder: Path = DATA) -> dict[str, dict[str, list[str]]]:
    path = folder / "chrome.json"
    chrome: dict[str, Any] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    chrome.pop("_comment", None)
    return chrome or {"default": {"top": [], "middle": [], "bottom": []}}


def _story(rec: dict[str, Any], **changes: Any) -> Story:
    """A Story from an eval record: no language hint (the language stage must find it)."""
    base = Story(
        id=rec["id"], body=rec["body"], headline=rec.get("headline"), source=rec.get("source"), version=1
    )
    return replace(base, **changes)


def originals(records: Sequence[dict[str, Any]]) -> list[Case]:
    """Every record is unique; the kind says whether it is an event's first telling, a same-language
    rewrite of it (a hard negative) or a telling in another language (a translation)."""
    seen: dict[str, set[str]] = {}
    out = []
    for rec in records:
        langs = seen.setdefault(rec.get("event", rec["id"]), set())
        kind = "base" if not langs else "same-event-rewrite" if rec["language"] in langs else "translation"
        langs.add(rec["language"])
        out.append(Case(_story(rec), "unique", None, kind, phase=0 if kind == "base" else 1))
    return out


def variants(rec: dict[str, Any], rng: random.Random, chrome: dict[str, dict[str, list[str]]]) -> list[Case]:
    """The transformed copies of one record (`addendum`, `new_lead`, `correction` enable the updates)."""
    sid, body, paras = rec["id"], rec["body"], _paragraphs(rec["body"])
    wrap = chrome.get(rec.get("language", ""), chrome.get("default", {}))
    out: list[Case] = []

    def dup(kind: str, phase: int = 2, **changes: Any) -> None:
        changes.setdefault("id", f"{sid}~{kind}")
        out.append(Case(_story(rec, **changes), "duplicate", sid, kind, phase))

    middle = list(paras)
    if wrap.get("middle") and len(middle) > 2:
        middle.insert(len(middle) // 2, rng.choice(wrap["middle"]))
    dup(
        "redelivery-chrome",
        source="Global Aggregator",
        body="\n".join(wrap.get("top", []))
        + "\n\n"
        + "\n\n".join(middle)
        + "\n\n"
        + "\n".join(wrap.get("bottom", [])),
    )
    dup(
        "quote-style-whitespace",
        source="Second Outlet",
        body=body.translate(_QUOTES).replace(". ", ".  ").replace("\n\n", "\n\n\n").replace(", ", ",\u00a0"),
    )
    dup(
        "dateline", source="Wire Relay", body=f"{(rec.get('source') or 'WIRE').upper()} (Wire Relay) - {body}"
    )
    if len(paras) >= 5:
        dup("truncation", source="Third Outlet", body="\n\n".join(paras[: max(4, round(len(paras) * 0.8))]))
    dup("headline-change", source="Fourth Outlet", headline=(rec.get("headline") or "").upper() + " (VIDEO)")
    if len(paras) >= 3:
        shuffled = list(paras)
        while shuffled == paras:
            rng.shuffle(shuffled)
        dup("reordered", source="Fifth Outlet", body="\n\n".join(shuffled))
    dup("redelivery-same-id", id=sid)
    dup("upper-case", source="Teleprinter Relay", body=body.upper())
    html = "".join(f"<p>{p}</p>" for p in paras)
    dup(
        "html",
        source="Web Mirror",
        body=f'<div class="story">{html}<div class="ad">Advertisement</div></div>',
    )
    dup("light-edit", source="Sixth Outlet", body=light_edit(paras, rng))

    def update(kind: str, status: str, phase: int, **changes: Any) -> None:
        out.append(Case(_story(rec, **changes), status, sid, kind, phase))

    added = rec.get("addendum")
    if added:
        update("write-thru-same-source", "update", 2, id=f"{sid}~wt", body=f"{body}\n\n{added}")
        update("write-thru-version", "update", 3, body=f"{body}\n\n{added}", version=2)
        if rec.get("new_lead"):
            lead = "\n\n".join([rec["new_lead"], *paras[1:], added])
            update("write-thru-new-lead", "update", 2, id=f"{sid}~nl", body=lead)
        dup("older-version-late", phase=5, id=sid, version=1)
    if rec.get("expansion"):
        update("write-thru-expanded", "update", 2, id=f"{sid}~xp", body=f"{body}\n\n{rec['expansion']}")
    fix = rec.get("correction")
    if fix:
        corrected = body.replace(fix["old"], fix["new"], 1)
        if added:
            note_first = rng.random() < 0.5
            v3 = (
                f"{fix['note']}\n\n{corrected}\n\n{added}"
                if note_first
                else f"{corrected}\n\n{added}\n\n{fix['note']}"
            )
            update("correction-version", "correction", 4, body=v3, version=3)
        if rng.random() < 0.5:  # one or the other: a second one would be a redelivery of the first
            note = f"{corrected}\n\n{fix['note']}"
            update("correction-note-new-id", "correction", 2, id=f"{sid}~cn", body=note)
        else:
            update(
                "corrected-headline",
                "correction",
                2,
                id=f"{sid}~fix",
                headline=fix["headline"],
                body=corrected,
            )
    return out


def light_edit(paras: list[str], rng: random.Random) -> str:
    """Another desk's copy-edit: one paragraph dropped (of five or more), one word in 30 changed."""
    kept = list(paras)
    if len(kept) >= 5:
        del kept[rng.randrange(1, len(kept))]
    out = []
    for para in kept:
        words = para.split(" ")
        for i in range(rng.randrange(30), len(words), 30):
            words[i] = rng.choice(["also", "then", "now", "still"]) if i % 2 else words[i] + "s"
        out.append(" ".join(words))
    return "\n\n".join(out)


def generated_records(n: int, seed: int) -> list[dict[str, Any]]:
    """Invented English stories (storygen) with write-thru material and a correction each."""
    from pipeline.evaluation.storygen import stories

    rng = random.Random(seed)
    bases = stories(n, seed=seed, words=rng.choice([300, 500, 700]), prefix="gen")
    others = stories(n, seed=seed + 1, words=300, prefix="other")
    out = []
    for i, (s, other) in enumerate(zip(bases, others, strict=True)):
        more = _paragraphs(other["body"])
        number = _NUMBER.search(s["body"])
        rec = {
            **s,
            "language": "en",
            "event": s["id"],
            "addendum": "\n\n".join(more[1:4]),
            "new_lead": more[0],
        }
        if i % 4 == 1:  # a write-thru about twice as long as the first take
            rec["expansion"] = other["body"]
        if number:
            rec["correction"] = {
                "note": "Correction: An earlier version of this story misstated a figure.",
                "old": number.group(0),
                "new": str(int(number.group(0)) + 1),
                "headline": f"CORRECTED: {s['headline']}",
            }
        out.append(rec)
        if i % 3 == 0:  # a different story that borrows this one's names and numbers
            names = [w for w in s["body"].split() if w[:1].isupper() or w[:1].isdigit()]
            body = other["body"]
            for word in rng.sample(names, min(12, len(names))):
                body = body.replace(" the ", f" {word} ", 1)
            out.append({**other, "id": f"{s['id']}-rw", "event": s["id"], "language": "en", "body": body})
    return out


def writethru_cases(n: int, seed: int, chrome: dict[str, list[str]]) -> list[Case]:
    """`n` invented stories of 200 to 2,000 words, each re-sent by its source under a new id as a
    write-thru (new paragraphs of text from the same source: an `update`, however long the story)
    and as a redelivery that changes only chrome, quote style, headline or order (a `duplicate`)."""
    from pipeline.evaluation.storygen import story as generate

    rng = random.Random(seed * 7919 + 1)
    out: list[Case] = []
    for i in range(n):
        base = generate(i, rng, words=rng.randint(200, 2000), prefix="wt")
        more = _paragraphs(generate(i, rng, words=300, prefix="wtx")["body"])
        paras = _paragraphs(base["body"])
        rec = {**base, "language": "en"}
        sid = base["id"]
        out.append(Case(_story(rec), "unique", None, "base", phase=0))
        added = more[1 : 1 + rng.randint(1, 3)]
        body = list(paras)
        if rng.random() < 0.5:  # the lead rewritten: new text first, the old lead's first sentence after
            body[0] = f"{more[0]} {paras[0].split('. ')[0].rstrip('.')}."
        if rng.random() < 0.3 and len(body) > 2:  # a figure brought up to date in an old paragraph
            k = rng.randrange(1, len(body))
            body[k] = _NUMBER.sub(lambda m: str(int(m.group(0)) + 3), body[k], count=1)
        if rng.random() < 0.25 and len(body) > 3:
            body = [*body[:-1], *added, body[-1]]  # new paragraphs before the closing one
        else:
            body = [*body, *added]
        headline = base["headline"]
        if rng.random() < 0.6:
            headline = f"UPDATE {rng.randint(1, 4)}-{headline}"
        out.append(
            Case(
                _story(rec, id=f"{sid}~u", body="\n\n".join(body), headline=headline),
                "update",
                sid,
                "writethru-new-id",
            )
        )
        how = rng.choice(["chrome", "quote-style", "headline", "order"])
        again = list(paras)
        if how == "chrome":
            again = [*chrome.get("top", [])[:2], *again, *chrome.get("bottom", [])]
        elif how == "order" and len(again) > 2:
            again = [again[0], *reversed(again[1:])]
        text = "\n\n".join(again)
        if how == "quote-style":
            text = text.translate(_QUOTES).replace("\n\n", "\n\n\n")
        head = f"UPDATE {rng.randint(1, 4)}-{headline}" if how == "headline" else headline
        out.append(
            Case(
                _story(rec, id=f"{sid}~r", body=text, headline=head),
                "duplicate",
                sid,
                "same-source-redelivery",
            )
        )
    return out


def build_cases(
    n: int = 120, seed: int = 13, folder: Path = DATA, writethrus: int | None = None
) -> list[Case]:
    """Our own stories and `n` generated ones, each followed by its transformations, and `writethrus`
    (default `n` // 2) write-thru families of 200-2,000-word stories, in feed order."""
    rng = random.Random(seed)
    records = load_records(folder) + generated_records(n, seed)
    chrome = load_chrome(folder)
    cases = originals(records)
    for rec in records:
        cases.extend(variants(rec, rng, chrome))
    cases.extend(writethru_cases(n // 2 if writethrus is None else writethrus, seed, chrome.get("en", {})))
    rng.shuffle(cases)
    cases.sort(key=lambda c: c.phase)  # stable: random order within a phase
    return cases


# -- running ---------------------------------------------------------------------------------------


@dataclass
class Result:
    confusion: Counter[tuple[str, str]]
    by_kind: Counter[tuple[str, bool]]
    of_right: int
    of_total: int
    rewrites_as_duplicate: int
    stories_per_second: float
    cases: int
    errors: list[str] = field(default_factory=list)

    def precision_recall(self, status: str) -> tuple[float, float]:
        tp = self.confusion[(status, status)]
        predicted = sum(v for (_, p), v in self.confusion.items() if p == status)
        gold = sum(v for (g, _), v in self.confusion.items() if g == status)
        return (tp / predicted if predicted else 0.0, tp / gold if gold else 0.0)

    def update_accuracy(self) -> float:
        right = sum(self.confusion[(s, s)] for s in ("update", "correction"))
        total = sum(v for (g, _), v in self.confusion.items() if g in ("update", "correction"))
        return right / total if total else 0.0


def prepare(cases: Sequence[Case]) -> list[tuple[Case, str, str]]:
    """Each case with its cleaned body and detected language (the real stages when installed)."""
    clean: Callable[[str], str] = lambda body: body  # noqa: E731 - without pipeline.clean: bodies as given
    try:
        from pipeline.clean import clean_body, load_clean_rules

        rules = load_clean_rules()
        clean = lambda body: clean_body(body, rules=rules).body  # noqa: E731
    except ImportError:
        pass
    from pipeline.language import LanguageDetector

    detector = LanguageDetector()
    out = []
    for case in cases:
        body = clean(case.story.body)
        out.append((case, body, detector.detect(body, case.story.language).code))
    return out


def score(prepared: Sequence[tuple[Case, str, str]], config: DedupConfig = DedupConfig()) -> Result:
    from pipeline.dedup import Deduplicator, MemoryStore

    dedup = Deduplicator(MemoryStore(), config=config)
    family = {c.story.id: c.of or c.story.id for c, _, _ in prepared}  # story id -> its original
    confusion: Counter[tuple[str, str]] = Counter()
    by_kind: Counter[tuple[str, bool]] = Counter()
    errors: list[str] = []
    of_right = of_total = rewrites = 0
    started = time.perf_counter()
    got: list[Dedup] = [
        dedup.check(case.story, body, lang, now=T0 + i) for i, (case, body, lang) in enumerate(prepared)
    ]
    elapsed = time.perf_counter() - started
    for (case, _, lang), out in zip(prepared, got, strict=True):
        confusion[(case.status, out.status)] += 1
        right = case.status == out.status
        if right and case.of is not None:
            of_total += 1
            right = family.get(out.of or "", out.of) == case.of
            of_right += right
        by_kind[(case.kind, right)] += 1
        if case.kind == "same-event-rewrite" and out.status == "duplicate":
            rewrites += 1
        if not right and len(errors) < 50:
            errors.append(f"{case.kind} {case.story.id} [{lang}]: want {case.status} of {case.of}, got {out}")
    return Result(
        confusion, by_kind, of_right, of_total, rewrites, len(prepared) / elapsed, len(prepared), errors
    )


def run(n: int = 120, seed: int = 13, config: DedupConfig = DedupConfig()) -> Result:
    return score(prepare(build_cases(n, seed)), config)


def throughput(stories: int = 3000, words: int = 600, seed: int = 1, repeats: int = 3) -> tuple[float, float]:
    """Stories/s of the dedup stage alone (in-memory store, one thread) on ~`words`-word bodies with
    10% redeliveries and 5% near-duplicates; the median of `repeats` runs, and the mean word count."""
    from pipeline.dedup import Deduplicator, MemoryStore
    from pipeline.evaluation.storygen import stories as generate

    rng = random.Random(seed)
    feed = [Story.from_json(s) for s in generate(stories, seed=seed, words=words, prefix="tp")]
    for s in rng.sample(feed, stories // 10):
        feed.append(replace(s, id=f"{s.id}-again", source="Aggregator"))
    for s in rng.sample(feed[:stories], stories // 20):
        feed.append(replace(s, id=f"{s.id}-near", body=s.body.replace(" the ", " a ", 3)))
    rng.shuffle(feed)
    rates = []
    for _ in range(repeats):
        dedup = Deduplicator(MemoryStore())
        started = time.perf_counter()
        for i, s in enumerate(feed):
            dedup.check(s, s.body, "en", now=T0 + i / 1000)
        rates.append(len(feed) / (time.perf_counter() - started))
    return statistics.median(rates), statistics.mean(len(s.body.split()) for s in feed)


# -- reporting -------------------------------------------------------------------------------------


def format_result(r: Result, *, errors: bool = False) -> str:
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
    lines.append(f"update/correction accuracy: {r.update_accuracy():.3f} ({upd}/{upd_total})")
    lines.append(f"linked to the right story: {r.of_right}/{r.of_total}")
    lines.append(f"same-event rewrites marked duplicate: {r.rewrites_as_duplicate}")
    lines.append("")
    lines.append(f"{'transformation':26}{'right':>7}{'of':>6}{'accuracy':>10}")
    for kind in sorted({k for k, _ in r.by_kind}):
        right, total = r.by_kind[(kind, True)], r.by_kind[(kind, True)] + r.by_kind[(kind, False)]
        lines.append(f"{kind:26}{right:7d}{total:6d}{right / total:10.3f}")
    lines.append("")
    lines.append(f"eval stream through the dedup stage: {r.stories_per_second:.0f} stories/s")
    if errors and r.errors:
        lines += ["", "errors:", *r.errors]
    return "\n".join(lines)


def _config(settings: Iterable[str]) -> DedupConfig:
    """A DedupConfig with `field=value` overrides (the value parsed as the field's type)."""
    config = DedupConfig()
    types = {f.name: type(getattr(config, f.name)) for f in fields(config)}
    for item in settings:
        name, _, value = item.partition("=")
        if name not in types:
            raise SystemExit(f"unknown DedupConfig field {name!r}; fields: {', '.join(types)}")
        config = replace(config, **{name: types[name](value)})
    return config


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="wirestream eval dedup", description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=120, help="generated English stories besides ours")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument(
        "--set", action="append", default=[], metavar="FIELD=VALUE", help="DedupConfig override"
    )
    parser.add_argument(
        "--sweep", metavar="FIELD=V1,V2,...", help="score the stream for each value of a field"
    )
    parser.add_argument("--errors", action="store_true", help="list the misclassified stories")
    parser.add_argument("--no-speed", action="store_true", help="skip the throughput measurement")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    config = _config(args.set)
    prepared = prepare(build_cases(args.stories, args.seed))
    if args.sweep:
        name, _, values = args.sweep.partition("=")
        print(f"{name:>22}{'dup P':>8}{'dup R':>8}{'uniq R':>8}{'upd acc':>9}{'rewrite dup':>13}")
        for value in values.split(","):
            r = score(prepared, _config([*args.set, f"{name}={value}"]))
            (dp, dr), (_, ur) = r.precision_recall("duplicate"), r.precision_recall("unique")
            print(
                f"{value:>22}{dp:8.3f}{dr:8.3f}{ur:8.3f}{r.update_accuracy():9.3f}{r.rewrites_as_duplicate:13d}"
            )
        return 0
    r = score(prepared, config)
    speed, words = (0.0, 0.0) if args.no_speed else throughput()
    if args.json:
        statuses = {
            s: dict(zip(("precision", "recall"), r.precision_recall(s), strict=True)) for s in STATUSES
        }
        print(
            json.dumps(
                {
                    "statuses": statuses,
                    "update_correction_accuracy": r.update_accuracy(),
                    "of_right": r.of_right,
                    "of_total": r.of_total,
                    "rewrites_as_duplicate": r.rewrites_as_duplicate,
                    "stories_per_second": speed,
                    "words_per_story": words,
                    "cases": r.cases,
                }
            )
        )
    else:
        print(format_result(r, errors=args.errors))
        if not args.no_speed:
            print(
                f"dedup stage alone: {speed:.0f} stories/s on {words:.0f}-word bodies (1 core, memory store)"
            )
    return 0 if r.cases else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
