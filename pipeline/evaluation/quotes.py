"""`wirestream eval quotes --polnear DIR`: speaker attribution scored against PolNeAR (brat standoff).

The corpus is read by path and never copied. For each article one annotator file is used (the first
by name). Predictions come from the real stages on the raw text: NER-only spaCy -> entities ->
quotes. Scoring follows the issue:

* a predicted quote matches a gold attribution when their content spans overlap by at least half of
  the shorter one; matching is one-to-one, greedy by overlap;
* a match is right when the predicted speaker mention overlaps the gold source span, or every word
  of the gold source is in the predicted canonical name, or both are absent;
* (a) direct: gold content starting with a quote mark vs predictions of kind direct or partial;
  (b) all attributions vs all predictions. P = right / predicted, R = right / gold.

Predictions are grouped the way PolNeAR annotates: one attribution per cue (its content may have
several fragments). So '"A," she said. "B."' is one attribution, a quote continuing the previous one
joins it, and a partial quote inside the clause its verb reports ('said the plan was a "failing
strategy"') joins that indirect quote: the gold content is the whole clause, not the fragment, so
the group counts as indirect, outside (a). `--per-quote` scores every quote on its own instead.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.evaluation import prf
from pipeline.records import Entity, Quote

if TYPE_CHECKING:
    from spacy.tokens import Doc

QUOTE_MARKS = "\"\u201c\u201d\u00ab\u00bb\u201e\u2018'`"
Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Gold:
    content: tuple[Span, ...]
    content_text: str
    source: tuple[Span, ...] | None
    source_text: str | None

    @property
    def direct(self) -> bool:
        return self.content_text.lstrip()[:1] in QUOTE_MARKS


@dataclass(frozen=True, slots=True)
class Predicted:
    content: tuple[Span, ...]
    kind: str
    speaker: Span | None
    canonical: str | None

    @classmethod
    def of(cls, q: Quote) -> Predicted:
        sp = q.speaker
        return cls(
            ((q.start, q.end),),
            q.kind,
            None if sp is None else (sp.start, sp.end),
            None if sp is None else sp.canonical,
        )


def attributions(text: str, quotes: Sequence[Quote]) -> list[Predicted]:
    """Predicted attributions, grouped as PolNeAR annotates them: one per cue.

    Quotes sharing a cue form one attribution ("“A,” she said, “B.”"; a partial quote inside the
    clause its verb reports); a quote with no cue joins the previous direct one when it continues it
    in the same paragraph, or in the next paragraph after an unclosed one. The kind is indirect when
    any member is (the gold content is then the whole clause), else direct when any member is.
    """
    groups: list[list[Quote]] = []
    by_cue: dict[int, int] = {}
    for q in sorted(quotes, key=lambda q: (q.start, q.end)):
        if q.cue is not None:
            k = by_cue.get(q.cue.start)
            if k is None:
                by_cue[q.cue.start] = len(groups)
                groups.append([q])
            else:
                groups[k].append(q)
            continue
        prev = next((g for g in reversed(groups) if g[-1].kind != "indirect" and g[-1].end <= q.start), None)
        if (
            q.kind != "indirect"
            and prev is not None
            and prev[-1].speaker == q.speaker
            and _continues(text, prev[-1], q)
        ):
            prev.append(q)
        else:
            groups.append([q])
    return [_predicted(g) for g in groups]


def _continues(text: str, last: Quote, q: Quote) -> bool:
    between = text[last.end : q.start]
    if "\n" not in between:
        return True
    first_line, rest = between.split("\n", 1)
    return first_line.strip() == "" and rest.strip(" \t\n" + QUOTE_MARKS) == ""  # an unclosed paragraph


def _predicted(group: list[Quote]) -> Predicted:
    spans: list[list[int]] = []
    for q in sorted(group, key=lambda q: q.start):
        if spans and q.start <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], q.end)
        else:
            spans.append([q.start, q.end])
    kinds = {q.kind for q in group}
    kind = "indirect" if "indirect" in kinds else "direct" if "direct" in kinds else "partial"
    sp = next((q.speaker for q in group if q.speaker is not None), None)
    return Predicted(
        tuple((a, b) for a, b in spans),
        kind,
        None if sp is None else (sp.start, sp.end),
        None if sp is None else sp.canonical,
    )


@dataclass(slots=True)
class Score:
    right: int = 0
    predicted: int = 0
    gold: int = 0

    def add(self, other: Score) -> None:
        self.right += other.right
        self.predicted += other.predicted
        self.gold += other.gold

    @property
    def precision(self) -> float:
        return prf(self.right, self.predicted, self.gold)[0]

    @property
    def recall(self) -> float:
        return prf(self.right, self.predicted, self.gold)[1]

    @property
    def f1(self) -> float:
        return prf(self.right, self.predicted, self.gold)[2]

    def as_dict(self) -> dict[str, float | int]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "right": self.right,
            "predicted": self.predicted,
            "gold": self.gold,
        }


# -- reading brat standoff ---------------------------------------------------------------------


def _spans(text: str) -> tuple[Span, ...]:
    out = []
    for part in text.split(";"):
        a, b = part.split()
        out.append((int(a), int(b)))
    return tuple(out)


def parse_ann(text: str) -> list[Gold]:
    """Attributions of one .ann file: each E line's Content(s) and Source."""
    spans: dict[str, tuple[str, tuple[Span, ...], str]] = {}
    events: list[list[tuple[str, str]]] = []
    for line in text.splitlines():
        if line.startswith("T"):
            parts = line.split("\t")
            if len(parts) < 3:
                continue
            label, _, where = parts[1].partition(" ")
            spans[parts[0]] = (label, _spans(where), parts[2])
        elif line.startswith("E"):
            parts = line.split("\t")
            if len(parts) >= 2:
                events.append([tuple(arg.split(":", 1)) for arg in parts[1].split() if ":" in arg])  # type: ignore[misc]
    out = []
    for args in events:
        content: list[Span] = []
        content_text = ""
        source: tuple[Span, ...] | None = None
        source_text = None
        for role, ref in args:
            if ref not in spans:
                continue
            _label, fragments, surface = spans[ref]
            if role.startswith("Content"):
                content.extend(fragments)
                content_text = content_text or surface
            elif role.startswith("Source") and source is None:
                source, source_text = fragments, surface
        if content:
            out.append(Gold(tuple(sorted(content)), content_text, source, source_text))
    return out


@dataclass(frozen=True, slots=True)
class Article:
    name: str
    text: str
    gold: list[Gold]


def read_corpus(root: Path, split: str = "dev", limit: int | None = None) -> list[Article]:
    """Articles of a PolNeAR split; `root` is the corpus folder or the split folder itself."""
    base = root if (root / "text").is_dir() else root / split
    if not (base / "text").is_dir() or not (base / "attributions").is_dir():
        raise FileNotFoundError(f"no text/ and attributions/ under {base}")
    anns: dict[str, Path] = {}
    for ann in sorted((base / "attributions").glob("*.ann")):
        article = ann.stem.rsplit("_", 1)[0]
        anns.setdefault(article, ann)  # one annotator per article: the first by name
    articles = []
    for txt in sorted((base / "text").glob("*.txt")):
        chosen = anns.get(txt.stem)
        if chosen is None:
            continue
        articles.append(
            Article(txt.stem, txt.read_text(encoding="utf-8"), parse_ann(chosen.read_text(encoding="utf-8")))
        )
        if limit and len(articles) >= limit:
            break
    return articles


# -- scoring -----------------------------------------------------------------------------------


def overlap(a: Iterable[Span], b: Iterable[Span]) -> int:
    bs = list(b)
    return sum(max(0, min(e1, e2) - max(s1, s2)) for s1, e1 in a for s2, e2 in bs)


def _length(spans: Iterable[Span]) -> int:
    return sum(e - s for s, e in spans)


def match(gold: Sequence[Gold], pred: Sequence[Predicted]) -> list[tuple[Gold, Predicted]]:
    """One-to-one, greedy by overlap; a pair counts when the overlap is at least half the shorter span."""
    pairs = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(pred):
            ov = overlap(g.content, p.content)
            if ov and ov * 2 >= min(_length(g.content), _length(p.content)):
                pairs.append((ov, gi, pi))
    pairs.sort(key=lambda t: (-t[0], t[1], t[2]))
    used_g: set[int] = set()
    used_p: set[int] = set()
    out = []
    for _, gi, pi in pairs:
        if gi in used_g or pi in used_p:
            continue
        used_g.add(gi)
        used_p.add(pi)
        out.append((gold[gi], pred[pi]))
    return out


_WORD = re.compile(r"\w+", re.UNICODE)


def speaker_right(g: Gold, p: Predicted) -> bool:
    if g.source is None and p.speaker is None:
        return True
    if g.source is None or p.speaker is None:
        return False
    if overlap(g.source, [p.speaker]) > 0:
        return True
    words = {w.lower() for w in _WORD.findall(g.source_text or "")}
    have = {w.lower() for w in _WORD.findall(p.canonical or "")}
    return bool(words) and words <= have


def score(gold: Sequence[Gold], pred: Sequence[Predicted]) -> Score:
    right = sum(1 for g, p in match(gold, pred) if speaker_right(g, p))
    return Score(right, len(pred), len(gold))


@dataclass
class Report:
    direct: Score = field(default_factory=Score)
    all: Score = field(default_factory=Score)
    articles: int = 0
    entity_seconds: float = 0.0
    quote_seconds: float = 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "articles": self.articles,
            "direct": self.direct.as_dict(),
            "all": self.all.as_dict(),
            "quote_vs_entity_time": round(self.quote_seconds / self.entity_seconds, 4)
            if self.entity_seconds
            else None,
        }


def entity_stage(lang: str) -> Callable[[Doc], list[Entity]]:
    """The entity stage as the chain runs it; plain NER spans when pipeline.entities is absent."""
    try:
        from pipeline.entities import extract_entities, load_entity_rules
    except ImportError:  # pragma: no cover - only while the entity stage is being written
        return lambda doc: [Entity(e.text, e.label_, e.start_char, e.end_char, e.text) for e in doc.ents]
    rules = load_entity_rules(lang)
    return lambda doc: extract_entities(doc, rules=rules)


def evaluate(articles: Sequence[Article], lang: str = "en", *, per_quote: bool = False) -> Report:
    """Run NER, the entity stage and the quote stage on the raw texts (offsets match the gold)."""
    from pipeline.nlp import ModelRegistry
    from pipeline.quotes import extract_quotes, load_quote_lexicon

    model = ModelRegistry().get(lang)
    lexicon = load_quote_lexicon(lang)
    if model is None or lexicon is None:
        raise RuntimeError(f"no model or quote lexicon for {lang!r}: run `make setup`")
    stage = entity_stage(lang)
    report = Report()
    texts = [a.text for a in articles]
    started = time.perf_counter()
    docs = model.pipe(texts, batch_size=16)
    entities = [stage(doc) for doc in docs]
    report.entity_seconds = time.perf_counter() - started
    for article, ents in zip(articles, entities, strict=True):
        t = time.perf_counter()
        quotes = extract_quotes(article.text, ents, lexicon=lexicon)
        report.quote_seconds += time.perf_counter() - t
        direct, every = score_article(article, quotes, per_quote=per_quote)
        report.direct.add(direct)
        report.all.add(every)
        report.articles += 1
    return report


def score_article(
    article: Article, quotes: Sequence[Quote], *, per_quote: bool = False
) -> tuple[Score, Score]:
    """(a) direct quotes and (b) all attributions of one article; `per_quote` skips the grouping."""
    pred = [Predicted.of(q) for q in quotes] if per_quote else attributions(article.text, quotes)
    direct = score([g for g in article.gold if g.direct], [p for p in pred if p.kind != "indirect"])
    return direct, score(article.gold, pred)


def format_report(report: Report, label: str) -> str:
    lines = [
        f"PolNeAR {label}: {report.articles} articles",
        f"{'':22}{'P':>8}{'R':>8}{'F1':>8}{'gold':>8}{'pred':>8}",
    ]
    for name, s in (("(a) direct quotes", report.direct), ("(b) all attributions", report.all)):
        lines.append(f"{name:22}{s.precision:8.3f}{s.recall:8.3f}{s.f1:8.3f}{s.gold:8d}{s.predicted:8d}")
    if report.entity_seconds:
        lines.append(
            f"quote stage time = {100 * report.quote_seconds / report.entity_seconds:.1f}% of entity time "
            f"({1000 * report.quote_seconds / max(1, report.articles):.2f} vs "
            f"{1000 * report.entity_seconds / max(1, report.articles):.1f} ms/article)"
        )
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="wirestream eval quotes", description=__doc__.splitlines()[0])
    parser.add_argument("--polnear", type=Path, help="PolNeAR folder (with train/ dev/) or one split")
    parser.add_argument(
        "--lang",
        action="append",
        default=[],
        help="score our annotated stories of this language (repeatable)",
    )
    parser.add_argument(
        "--stories", type=Path, default=None, help="folder of annotated stories (tests/data/quotes)"
    )
    parser.add_argument(
        "--entities", default="auto", choices=("auto", "gold", "model"), help="with --lang: whose entities"
    )
    parser.add_argument("--verbose", action="store_true", help="with --lang: list the quotes missed")
    parser.add_argument("--split", default="dev", choices=("dev", "train", "test"))
    parser.add_argument("--limit", type=int, default=0, help="only the first N articles")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--per-quote", action="store_true", help="score every quote alone (no grouping by cue)"
    )
    args = parser.parse_args(argv)
    if args.lang:
        return _stories_main(args)
    if args.polnear is None:
        parser.error("give --polnear DIR or --lang xx")
    try:
        articles = read_corpus(args.polnear, args.split, args.limit or None)
    except FileNotFoundError as exc:
        print(f"wirestream eval quotes: {exc}", file=sys.stderr)
        return 2
    report = evaluate(articles, per_quote=args.per_quote)
    read = args.polnear if (args.polnear / "text").is_dir() else args.polnear / args.split
    label = read.resolve().name + (", per quote" if args.per_quote else "")  # the folder read, not --split
    print(json.dumps(report.as_dict()) if args.json else format_report(report, label))
    return 0


def _stories_main(args: argparse.Namespace) -> int:
    """`--lang xx`: our own annotated stories of each language, per-language figures."""
    from pipeline.evaluation import quote_stories

    reports = []
    for lang in args.lang:
        try:
            stories = quote_stories.load_stories(args.stories or quote_stories.DEFAULT_ROOT, lang)
            reports.append(quote_stories.evaluate_language(stories, lang, args.entities))
        except (FileNotFoundError, RuntimeError, ValueError) as exc:
            print(f"wirestream eval quotes: {exc}", file=sys.stderr)
            return 2
    if args.json:
        print(json.dumps([r.as_dict() for r in reports]))
    else:
        print(quote_stories.format_reports(reports, verbose=args.verbose))
    return 0
