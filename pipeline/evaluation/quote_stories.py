"""`wirestream eval quotes --lang xx`: quote attribution scored on our own annotated stories.

Stories live in `tests/data/quotes/<lang>/*.jsonl`, one JSON object a line (see the README there):
`{"id", "lang", "markup", "quotes": [{"text", "speaker", "kind"}]}`. The markup marks the gold
entities as `tests/data/entities` does (`[[Anna Berger|PER]]`, `[[Berger|PER|Anna Berger]]`); each gold
quote gives its content as it stands in the text (without marks), the canonical name of its speaker
(null when nobody is named) and its kind (direct or indirect).

Entities come from the language's NER model when one is installed (`--entities model`, the default
`auto`) and otherwise from the annotation (`gold`): the report says which, so a quote figure is never
read as one with a model when it was not. Scoring is per quote, as in the PolNeAR evaluation:

* a predicted quote matches a gold one when their contents overlap by at least half of the shorter;
  one to one, greedy by overlap;
* the attribution is right when the predicted speaker's canonical name is the gold one (or holds
  every word of it), or both are absent;
* direct: gold direct quotes vs predicted direct and partial ones; all: every quote. P = right /
  predicted, R = right / gold.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.evaluation.entities import parse_markup
from pipeline.evaluation.quotes import Score, match, overlap
from pipeline.records import Entity, Quote

DEFAULT_ROOT = Path(__file__).resolve().parents[2] / "tests" / "data" / "quotes"
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class GoldQuote:
    content: tuple[tuple[int, int], ...]
    text: str
    speaker: str | None
    kind: str

    @property
    def direct(self) -> bool:
        return self.kind == "direct"


@dataclass(frozen=True, slots=True)
class PredictedQuote:
    content: tuple[tuple[int, int], ...]
    kind: str
    canonical: str | None


@dataclass(frozen=True, slots=True)
class Story:
    id: str
    lang: str
    text: str
    entities: list[Entity]
    quotes: list[GoldQuote]


def parse_story(line: dict[str, object]) -> Story:
    """One annotated story; a gold quote's text must occur in the story (the first occurrence after
    the previous quote's start is taken, so repeated phrases keep their order)."""
    text, entities = parse_markup(str(line["markup"]))
    quotes: list[GoldQuote] = []
    pos = 0
    for item in line.get("quotes", []):  # type: ignore[attr-defined]
        content = str(item["text"])
        at = text.find(content, pos)
        if at < 0:
            at = text.find(content)
        if at < 0:
            raise ValueError(f"{line['id']}: gold quote not in the text: {content!r}")
        pos = at
        speaker = item.get("speaker")
        quotes.append(
            GoldQuote(((at, at + len(content)),), content, speaker, str(item.get("kind", "direct")))
        )
    return Story(str(line["id"]), str(line["lang"]), text, entities, quotes)


def load_stories(root: Path, lang: str) -> list[Story]:
    """Every story of `lang` under `root` (the folder of all languages, or one language's folder)."""
    base = root / lang if (root / lang).is_dir() else root
    stories = []
    for path in sorted(base.glob("*.jsonl")):
        for raw in path.read_text(encoding="utf-8").splitlines():
            if raw.strip():
                story = parse_story(json.loads(raw))
                if story.lang == lang:
                    stories.append(story)
    if not stories:
        raise FileNotFoundError(f"no annotated {lang} stories under {base}")
    return stories


def _same_speaker(gold: str | None, canonical: str | None) -> bool:
    if gold is None or canonical is None:
        return gold is None and canonical is None
    want = {w.lower() for w in _WORD.findall(gold)}
    have = {w.lower() for w in _WORD.findall(canonical)}
    return bool(want) and want <= have


def score(gold: Sequence[GoldQuote], pred: Sequence[PredictedQuote]) -> Score:
    pairs = match(gold, pred)  # type: ignore[arg-type]  # both carry `content` spans
    right = sum(1 for g, p in pairs if _same_speaker(g.speaker, p.canonical))  # type: ignore[attr-defined,misc]
    return Score(right, len(pred), len(gold))


@dataclass
class LanguageReport:
    lang: str
    entities: str  # "gold" or the model's name
    stories: int = 0
    direct: Score = field(default_factory=Score)
    all: Score = field(default_factory=Score)
    found: Score = field(default_factory=Score)  # content found, whoever the speaker
    misses: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "lang": self.lang,
            "entities": self.entities,
            "stories": self.stories,
            "direct": self.direct.as_dict(),
            "all": self.all.as_dict(),
            "found": self.found.as_dict(),
        }


def score_story(story: Story, quotes: Sequence[Quote]) -> tuple[Score, Score, Score, list[str]]:
    """(direct, all, content found) for one story, and a line for each gold quote missed or misattributed."""
    pred = [
        PredictedQuote(((q.start, q.end),), q.kind, q.speaker.canonical if q.speaker else None)
        for q in quotes
    ]
    direct = score([g for g in story.quotes if g.direct], [p for p in pred if p.kind != "indirect"])
    every = score(story.quotes, pred)
    pairs = match(story.quotes, pred)  # type: ignore[arg-type]
    found = Score(len(pairs), len(pred), len(story.quotes))
    paired = {id(g): p for g, p in pairs}
    misses = []
    for g in story.quotes:
        p = paired.get(id(g))
        if p is None or not _same_speaker(g.speaker, p.canonical):  # type: ignore[attr-defined]
            got = "not found" if p is None else f"speaker {p.canonical!r}"  # type: ignore[attr-defined]
            misses.append(f"{story.id}: {g.text[:60]!r} ({g.speaker}): {got}")
    for extra in pred:
        if not any(q is extra for _, q in pairs):
            start, end = extra.content[0]
            if not any(overlap(g.content, extra.content) for g in story.quotes):
                misses.append(f"{story.id}: extra {story.text[start:end][:60]!r} ({extra.canonical})")
    return direct, every, found, misses


def model_entities(lang: str, texts: list[str]) -> tuple[str, list[list[Entity]]] | None:
    """The entity stage over the language's NER model, or None when none is installed."""
    from pipeline.evaluation.quotes import entity_stage
    from pipeline.nlp import ModelRegistry

    model = ModelRegistry().get(lang)
    if model is None:
        return None
    docs = model.pipe(texts, batch_size=16)  # every backend (spaCy, natasha, CoreNLP) gives spaCy Docs
    stage = entity_stage(lang)
    return model.name, [stage(doc) for doc in docs]


def evaluate_language(stories: Sequence[Story], lang: str, entities: str = "auto") -> LanguageReport:
    """Run the quote stage on each story with model or gold entities and score it."""
    from pipeline.quotes import extract_quotes, load_quote_lexicon

    lexicon = load_quote_lexicon(lang)
    if lexicon is None:
        raise RuntimeError(f"no quote lexicon for {lang!r}")
    texts = [s.text for s in stories]
    found = None
    if entities in ("auto", "model"):
        try:
            found = model_entities(lang, texts)
        except RuntimeError:  # a model server down (ModelUnavailable): `auto` falls back to the annotation
            if entities == "model":
                raise
    if found is None and entities == "model":
        raise RuntimeError(f"no NER model installed for {lang!r}")
    source, per_story = found if found is not None else ("gold", [s.entities for s in stories])
    report = LanguageReport(lang, source)
    for story, ents in zip(stories, per_story, strict=True):
        quotes = extract_quotes(story.text, ents, lexicon=lexicon)
        direct, every, hit, misses = score_story(story, quotes)
        report.direct.add(direct)
        report.all.add(every)
        report.found.add(hit)
        report.misses.extend(misses)
        report.stories += 1
    return report


def format_reports(reports: Sequence[LanguageReport], *, verbose: bool = False) -> str:
    lines = [f"{'':14}{'entities':>18}{'stories':>8}{'P':>8}{'R':>8}{'F1':>8}{'gold':>6}{'pred':>6}"]
    for r in reports:
        for name, s in (("direct", r.direct), ("all", r.all), ("found", r.found)):
            lines.append(
                f"{r.lang + ' ' + name:14}{r.entities:>18}{r.stories:8d}"
                f"{s.precision:8.3f}{s.recall:8.3f}{s.f1:8.3f}{s.gold:6d}{s.predicted:6d}"
            )
        if verbose:
            lines.extend("    " + m for m in r.misses)
    lines.append("direct/all: quote found and speaker right; found: quote found, whoever the speaker")
    return "\n".join(lines)
