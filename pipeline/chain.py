"""The stage chain: raw input -> Story -> clean -> language -> dedup -> entities -> quotes -> Enriched.

`Chain` holds what is loaded once per process (patterns, lingua, spaCy models, the dedup store) and
exposes each step, so the offline `enrich` command and the Faust agents run the very same code:
offline calls `run`, the worker calls `parse`/`prepare` in one agent, `deduplicate` in the next and
`annotate` (batched, through `nlp.pipe`) in the last. Every stage runs through one wrapper, `step`,
which times it and turns its exception into `StageFailed` naming the stage (as spaCy's
`Language.__call__` runs each component under its error handler); the whole-run methods turn that into a
DeadLetter: one bad story never stops the others.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, ParamSpec, TypeVar

from pipeline.clean import Cleaned, clean_body, load_clean_rules
from pipeline.config import PipelineConfig
from pipeline.dedup import Deduplicator, DedupStore, MemoryStore, load_dedup_markers
from pipeline.entities import extract_entities, load_entity_rules
from pipeline.formats import FormatError, Item, claimed_by, looks_like_xml, read_document
from pipeline.language import LanguageDetector
from pipeline.nlp import ModelRegistry, ModelUnavailable, NerModel
from pipeline.places import load_gazetteer
from pipeline.quotes import extract_quotes, load_quote_lexicon
from pipeline.records import (
    DeadLetter,
    Dedup,
    Enriched,
    Entity,
    InvalidStory,
    Language,
    Quote,
    Story,
    not_json,
    scrub,
    scrub_json,
)

T = TypeVar("T")
P = ParamSpec("P")
LONG_RUN_CHARS = 200  # longer whitespace-free runs are hidden from the model (see `defuse`)
Outcome = Enriched | DeadLetter


class StageFailed(Exception):
    """A stage raised: `stage` names it, `code` is the dead-letter error code (the input's, for an
    InvalidStory; `stage_error` for anything else), `detail` the sentence. The cause is chained."""

    def __init__(self, stage: str, code: str, detail: str) -> None:
        super().__init__(f"{stage}: {code}: {detail}")
        self.stage, self.code, self.detail = stage, code, detail


def step(stages: dict[str, float], stage: str, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run one stage: add its time to `stages[stage]` (ms) and raise any failure as StageFailed naming it."""
    started = time.perf_counter()
    try:
        return fn(*args, **kwargs)
    except InvalidStory as exc:
        raise StageFailed(stage, exc.code, exc.detail) from exc
    except Exception as exc:
        raise StageFailed(stage, "stage_error", f"{type(exc).__name__}: {exc}") from exc
    finally:
        stages[stage] = stages.get(stage, 0.0) + (time.perf_counter() - started) * 1000


@dataclass(slots=True)
class Prepared:
    """A story after the cheap stages (clean, language, dedup), before the model stages.

    From here on the story's body *is* the cleaned body (`story.body is body`): the raw body is not
    needed by any later stage, and the hand-over on `wire.stage.*` carries the text once (it carried
    it twice, raw and cleaned, so an 825 KB story made a 1.65 MB hand-over the broker refused).
    """

    story: Story
    body: str
    credits: list[str]
    language: Language
    dedup: Dedup | None = None
    stages: dict[str, float] = field(default_factory=dict)
    received: float | None = None  # the raw message's Kafka timestamp (epoch s), for end-to-end latency
    # where the raw message was read (topic, partition, offset): a later stage's dead letter names it
    origin: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The hand-over format on the internal `wire.stage.*` topics: the body once, under `body`."""
        story = self.story.to_json()
        del story["body"]
        return {
            "story": story,
            "body": self.body,
            "credits": self.credits,
            "language": {"code": self.language.code, "confidence": self.language.confidence},
            "dedup": None if self.dedup is None else self.dedup.to_json(),
            "stages": self.stages,
            "received": self.received,
            "origin": self.origin,
        }

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> Prepared:
        dedup = obj.get("dedup")
        body = obj["body"]
        return cls(
            story=Story.from_json({**obj["story"], "body": body}),
            body=body,
            credits=list(obj.get("credits", [])),
            language=Language(**obj["language"]),
            dedup=None if dedup is None else Dedup(**dedup),
            stages=dict(obj.get("stages", {})),
            received=obj.get("received"),
            origin=dict(obj.get("origin") or {}),
        )


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def decode_raw(raw: bytes | str) -> Any:
    """Bytes or text -> JSON value; raise InvalidStory with the dead-letter code."""
    if isinstance(raw, bytes | bytearray):
        try:
            text = bytes(raw).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidStory("invalid_utf8", f"the message is not valid UTF-8 (byte {exc.start})") from exc
    else:
        text = raw
    if not text.strip():
        raise InvalidStory("empty_message", "the message is empty")
    try:
        return json.loads(text, parse_constant=not_json, parse_float=_finite)
    except RecursionError as exc:
        raise InvalidStory("json_too_deep", "the JSON nests deeper than the parser allows") from exc
    except ValueError as exc:
        raise InvalidStory("invalid_json", f"the message is not JSON: {exc}") from exc


def _finite(text: str) -> float:
    """A JSON number as a float; one past the double range (1e999) would be written back as Infinity."""
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"the number {text[:40]} is out of range")
    return value


_LONG_RUN = re.compile(rf"\S{{{LONG_RUN_CHARS},}}")


def defuse(text: str) -> str:
    """The text the model sees: runs of over LONG_RUN_CHARS non-space characters become spaces.

    spaCy's tokenizer strips affixes one at a time, so a 20,000-character run of quote marks costs
    minutes; no entity lives in such a run. The length is unchanged, so offsets still index the body.
    """
    if len(text) < LONG_RUN_CHARS:
        return text
    return _LONG_RUN.sub(lambda m: " " * len(m.group()), text)


_SCRUBBED = (
    "id",
    "body",
    "headline",
    "source",
    "published_at",
    "url",
    "language",
    "byline",
    "dateline",
    "located",
)


def _scrub_story(story: Story) -> Story:
    changes: dict[str, Any] = {
        name: scrub(value)
        for name in _SCRUBBED
        if isinstance(value := getattr(story, name), str) and scrub(value) is not value
    }
    if (extra := scrub_json(story.extra)) is not story.extra:
        changes["extra"] = extra
    return replace(story, **changes) if changes else story


class Chain:
    """Runs the stages in order for one story or a batch; owns the per-process resources."""

    def __init__(
        self,
        config: PipelineConfig | None = None,
        *,
        store: DedupStore | None = None,
        models: ModelRegistry | None = None,
    ) -> None:
        self.config = config or PipelineConfig()
        self.clean_rules = load_clean_rules()
        self.detector = LanguageDetector(self.config.language)
        self.models = models or ModelRegistry(self.config.models)
        self.deduplicator = Deduplicator(
            store if store is not None else MemoryStore(),
            config=self.config.dedup,
            markers=load_dedup_markers(),
        )

    def warm_up(self, languages: Sequence[str] = ("en",)) -> None:
        """Load what the first stories would otherwise wait for: lingua's screen, and for `languages`
        (the ones a deployment expects) lingua's high-accuracy models (short flashes use them) the
        NER models, and the place gazetteer."""
        self.detector.warm(languages)
        load_gazetteer()
        for lang in languages:
            self.models.get(lang)

    # -- the steps -------------------------------------------------------------------------------

    def parse(self, raw: bytes | str | dict[str, Any], **where: Any) -> Story | DeadLetter:
        """Decode and validate one raw message; `where` carries topic/partition/offset."""
        obj: Any = None
        try:
            obj = raw if isinstance(raw, dict) else decode_raw(raw)
            story = Story.from_json(obj, max_body_bytes=self.config.max_body_bytes)
            return _scrub_story(story)
        except InvalidStory as exc:
            sid = obj.get("id") if isinstance(obj, dict) else None
            return DeadLetter.of(
                exc.code, exc.detail, "parse", raw, story_id=sid if isinstance(sid, str) else None, **where
            )
        except Exception as exc:  # a bug of ours, not the input's: still never lose the message
            return DeadLetter.of("internal_error", f"{type(exc).__name__}: {exc}", "parse", raw, **where)

    def parse_many(self, raw: bytes | str | dict[str, Any], **where: Any) -> list[Story | DeadLetter]:
        """One raw message -> its stories: our JSON story (one), or an agency document (one per item).

        A document is recognised by content (`pipeline.formats`); anything no reader claims takes the
        JSON path, so our stories and their dead-letter codes are unchanged. A document that fails as a
        whole is one dead letter with the reader's code; an item that fails is its own dead letter, named
        by its id, and the document's other items go on.
        """
        if isinstance(raw, dict):
            return [self.parse(raw, **where)]
        data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else bytes(raw)
        reader = claimed_by(data)
        if reader is None and not looks_like_xml(data):
            return [self.parse(raw, **where)]
        try:
            items = read_document(data, max_bytes=self.config.max_document_bytes, reader=reader)
        except FormatError as exc:
            return [DeadLetter.of(exc.code, exc.detail, "parse", raw, **where)]
        except Exception as exc:  # a reader's bug: the message still leaves a trace
            return [DeadLetter.of("internal_error", f"{type(exc).__name__}: {exc}", "parse", raw, **where)]
        out: list[Story | DeadLetter] = []
        for item, obj in zip(items, _resolve_members(items), strict=True):
            if item.error is not None:
                code, detail = item.error.code, item.error.detail
                out.append(DeadLetter.of(code, detail, "parse", raw, story_id=item.id, **where))
            else:
                out.append(self._item_story(obj, where))
        return out

    def _item_story(self, obj: dict[str, Any], where: dict[str, Any]) -> Story | DeadLetter:
        """An item's raw story validated as ours; its dead letter carries it as JSON, so it replays alone."""
        try:
            return _scrub_story(Story.from_json(obj, max_body_bytes=self.config.max_body_bytes))
        except InvalidStory as exc:
            sid = obj.get("id") if isinstance(obj.get("id"), str) else None
            text = json.dumps(obj, ensure_ascii=False)
            return DeadLetter.of(exc.code, exc.detail, "parse", text, story_id=sid, **where)

    def prepare(self, story: Story) -> Prepared:
        """Clean the body and detect its language; a failure raises StageFailed naming the stage.
        A kill's body is not cleaned (it is not published): its language only, when it has text."""
        stages: dict[str, float] = {}
        if story.canceled:
            language = Language("und", 0.0)
            if story.body.strip():
                language = step(stages, "language", self.detector.detect, story.body, story.language)
            return Prepared(story, story.body, [], language, None, stages)
        cleaned = step(stages, "clean", self._clean, story.body)
        language = step(stages, "language", self.detector.detect, cleaned.body, story.language)
        story = replace(story, body=cleaned.body)  # one text from here on (see `Prepared`)
        return Prepared(story, cleaned.body, list(cleaned.credits), language, None, stages)

    def _clean(self, body: str) -> Cleaned:
        """The clean stage: a body with nothing left once site chrome is removed is the input's fault."""
        cleaned = clean_body(body, rules=self.clean_rules, config=self.config.clean)
        if not cleaned.body.strip():
            raise InvalidStory("empty_after_clean", "nothing of the body is left once site chrome is removed")
        return cleaned

    def deduplicate(self, prepared: Prepared, *, now: float | None = None) -> Prepared:
        """Compare with the stories seen so far (and remember this one)."""
        at = time.time() if now is None else now
        story, body, lang = prepared.story, prepared.body, prepared.language.code
        if story.canceled:  # a kill: the id is withdrawn, nothing to compare
            prepared.dedup = step(prepared.stages, "dedup", self.deduplicator.withdraw, story, now=at)
            return prepared
        check = self.deduplicator.check
        dedup = step(prepared.stages, "dedup", check, story, body, lang, now=at)
        replayed = prepared.origin.get("replay") and dedup.status == "duplicate" and dedup.of == story.id
        if replayed and not dedup.withdrawn:
            # a dead letter replayed after a fix (`model_unavailable`: the model is back) is the very story
            # dedup saw before its later stage failed: run it again instead of calling it its own duplicate
            # (unless its id was killed meanwhile: then it stays withdrawn)
            dedup = Dedup("unique", None, None)
        prepared.dedup = dedup
        return prepared

    @staticmethod
    def needs_models(prepared: Prepared) -> bool:
        """Whether the model stages run: not for a duplicate, nor for a kill (withdrawn, not published)."""
        dedup = prepared.dedup
        return dedup is not None and dedup.status != "duplicate" and not prepared.story.canceled

    def skipped(self, prepared: Prepared) -> Enriched:
        """A duplicate's or a kill's record: its NLP stages are not run (`enrichment: "skipped"`)."""
        assert prepared.dedup is not None
        return self._record(prepared, [], [], None, "skipped")

    def annotate(self, batch: Sequence[Prepared]) -> list[Outcome]:
        """Entities and quotes for a batch, one model `pipe` call per language; order kept."""
        out: list[Outcome | None] = [None] * len(batch)
        by_lang: dict[str, list[int]] = {}
        for i, p in enumerate(batch):
            by_lang.setdefault(p.language.code, []).append(i)
        # languages whose model is not loaded yet load in the background while the others' stories run
        self.models.prefetch(by_lang)  # those loaded or loading already are passed over
        for lang, idxs in sorted(by_lang.items(), key=lambda item: not self.models.ready(item[0])):
            model = None
            try:
                model = self.models.get(lang)
            except Exception as exc:  # a broken model install must not stop the stream
                for i in idxs:
                    out[i] = self._dead(batch[i], "model_error", f"{type(exc).__name__}: {exc}", "entities")
                continue
            if model is None:
                for i in idxs:
                    out[i] = self._annotate_one(batch[i], lang, None, None, 0.0)
                continue
            limit = self.config.models.max_chars
            started = time.perf_counter()
            texts = [defuse(batch[i].body[:limit]) for i in idxs]
            try:
                docs = model.pipe(texts, batch_size=self.config.models.batch_size)
            except ModelUnavailable as exc:  # retried already: the story waits for `wirestream replay`
                for i in idxs:
                    out[i] = self._dead(batch[i], "model_unavailable", str(exc), "entities")
                continue
            except Exception:  # one story the model chokes on (a server's HTTP 500): find it, keep the rest
                for i, text in zip(idxs, texts, strict=True):
                    out[i] = self._annotate_alone(batch[i], lang, model, text)
                continue
            per_story = (time.perf_counter() - started) * 1000 / max(1, len(idxs))
            for i, doc in zip(idxs, docs, strict=True):
                out[i] = self._annotate_one(batch[i], lang, model.name, doc, per_story)
        assert all(o is not None for o in out)
        return [o for o in out if o is not None]

    def _annotate_alone(self, p: Prepared, lang: str, model: NerModel, text: str) -> Outcome:
        """One story through the model on its own, after its batch failed."""
        started = time.perf_counter()
        try:
            (doc,) = model.pipe([text])
        except ModelUnavailable as exc:
            return self._dead(p, "model_unavailable", str(exc), "entities")
        except Exception as exc:
            return self._dead(p, "model_error", f"{type(exc).__name__}: {exc}", "entities")
        return self._annotate_one(p, lang, model.name, doc, (time.perf_counter() - started) * 1000)

    def _annotate_one(
        self, p: Prepared, lang: str, model_name: str | None, doc: Any, ner_ms: float
    ) -> Outcome:
        try:
            entities: list[Entity] = []
            if doc is not None:
                rules = step({}, "entities", load_entity_rules, lang)  # not timed: loaded once (@cache)
                p.stages["entities"] = ner_ms  # the model's share; `step` adds the rules'
                places = step({}, "entities", load_gazetteer)  # not timed: loaded once (@cache)
                entities = step(p.stages, "entities", extract_entities, doc, rules=rules, places=places)
            quotes: list[Quote] = []
            lexicon = step({}, "quotes", load_quote_lexicon, lang)  # not timed: loaded once (@cache)
            if lexicon is not None:
                config = self.config.quotes
                quotes = step(
                    p.stages, "quotes", extract_quotes, p.body, entities, lexicon=lexicon, config=config
                )
            return self._record(p, entities, quotes, model_name, "full")
        except StageFailed as failed:
            return self._dead(p, failed.code, failed.detail, failed.stage)

    def _record(
        self, p: Prepared, entities: list[Entity], quotes: list[Quote], model: str | None, enrichment: str
    ) -> Enriched:
        assert p.dedup is not None
        return Enriched(
            story=p.story,
            body=p.body,
            language=p.language,
            dedup=p.dedup,
            entities=entities,
            quotes=quotes,
            credits=p.credits,
            entities_model=model,
            enrichment=enrichment,
            processed_at=now_iso(),
            stages=p.stages,
        )

    @staticmethod
    def _dead(p: Prepared, code: str, detail: str, stage: str) -> DeadLetter:
        return DeadLetter.of(
            code,
            detail,
            stage,
            json.dumps(p.story.to_json(), ensure_ascii=False),
            story_id=p.story.id,
            topic=p.origin.get("topic"),
            partition=p.origin.get("partition"),
            offset=p.origin.get("offset"),
        )

    # -- whole runs ------------------------------------------------------------------------------

    def front(self, raw: bytes | str | dict[str, Any], **where: Any) -> Prepared | DeadLetter:
        """parse + prepare for one JSON story, every failure turned into a dead letter (`front_many`
        takes any message, agency documents included)."""
        story = self.parse(raw, **where)
        if isinstance(story, DeadLetter):
            return story
        return self._front_story(story, raw, where)

    def front_many(self, raw: bytes | str | dict[str, Any], **where: Any) -> list[Prepared | DeadLetter]:
        """parse + prepare for any message: one outcome per story it holds (a document: one per item).

        The parse time is shared out over the stories (`stages["parse"]`), so the bench can set it
        against the model stages.
        """
        started = time.perf_counter()
        parsed = self.parse_many(raw, **where)
        parse_ms = (time.perf_counter() - started) * 1000 / max(1, len(parsed))
        out: list[Prepared | DeadLetter] = []
        for story in parsed:
            if isinstance(story, DeadLetter):
                out.append(story)
                continue
            own_raw = raw if story.format is None else json.dumps(story.to_json(), ensure_ascii=False)
            prepared = self._front_story(story, own_raw, where)
            if isinstance(prepared, Prepared):
                prepared.stages["parse"] = parse_ms
            out.append(prepared)
        return out

    def _front_story(
        self, story: Story, raw: bytes | str | dict[str, Any], where: dict[str, Any]
    ) -> Prepared | DeadLetter:
        try:
            prepared = self.prepare(story)
        except StageFailed as failed:
            return DeadLetter.of(failed.code, failed.detail, failed.stage, raw, story_id=story.id, **where)
        prepared.origin = dict(where)
        return prepared

    def dedup_or_dead(self, prepared: Prepared) -> Prepared | DeadLetter:
        """deduplicate, a failure turned into a dead letter naming the dedup stage."""
        try:
            return self.deduplicate(prepared)
        except StageFailed as failed:
            return self._dead(prepared, failed.code, failed.detail, failed.stage)

    def run(
        self, raws: Iterable[bytes | str], *, batch_size: int | None = None, ahead: bool = False
    ) -> Iterator[Outcome]:
        """Enrich a stream of raw messages in input order, batching the model stages.

        With `ahead` (input that is all there, such as files), the cheap stages of the next batch run
        before the model stages of this one, so a language first seen there starts loading its model
        in the background a batch early. Not for a live stream: its outputs would wait for the next
        batch to arrive."""
        size = batch_size or self.config.models.batch_size
        waiting: list[Outcome | Prepared] | None = None
        for chunk in _chunks(raws, size):
            fronts = self._fronts(chunk)
            if not ahead:
                yield from self._finish(fronts)
                continue
            self.models.prefetch({r.language.code for r in fronts if isinstance(r, Prepared)})
            if waiting is not None:
                yield from self._finish(waiting)
            waiting = fronts
        if waiting is not None:
            yield from self._finish(waiting)

    def run_batch(self, raws: Sequence[bytes | str]) -> list[Outcome]:
        """Every story of every message (a document gives several), in input order."""
        return self._finish(self._fronts(raws))

    def _fronts(self, raws: Sequence[bytes | str]) -> list[Outcome | Prepared]:
        """Parse, clean, language and dedup of every story of every message, in input order."""
        results: list[Outcome | Prepared] = []
        for raw in raws:
            for p in self.front_many(raw):
                results.append(self.dedup_or_dead(p) if isinstance(p, Prepared) else p)
        return results

    def _finish(self, results: list[Outcome | Prepared]) -> list[Outcome]:
        """The model stages for the stories that need them; every outcome in input order."""
        todo = [r for r in results if isinstance(r, Prepared) and self.needs_models(r)]
        annotated = iter(self.annotate(todo))
        out: list[Outcome] = []
        for r in results:
            if isinstance(r, Prepared):
                out.append(next(annotated) if self.needs_models(r) else self.skipped(r))
            else:
                out.append(r)
        return out


def _resolve_members(items: Sequence[Item]) -> list[dict[str, Any]]:
    """Each item as a raw story; a package's members not among the message's items are listed as
    `members_unresolved` (a later message may bring them: the record says which)."""
    present = {item.id for item in items if item.error is None}
    out = []
    for item in items:
        raw = item.to_raw()
        if item.members:
            raw["members_unresolved"] = [m for m in item.members if m not in present]
        out.append(raw)
    return out


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
