"""Model registry: each spaCy model is loaded once per process, by configurable name, NER-only.

Only the components named entity recognition needs are kept: the `ner` component and, when it
listens to a shared `tok2vec`, that too. On en_core_web_sm the NER component has its own
embedding layer, so the NER-only pipeline yields the same entities as the full one, faster.
Nothing is downloaded: a model is a package installed from PyPI, or it is absent.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import spacy
from spacy.language import Language as SpacyLanguage
from thinc.api import Config

from pipeline.config import ModelConfig

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LoadedModel:
    name: str
    nlp: SpacyLanguage
    load_seconds: float


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


class ModelRegistry:
    """Loads at most one model per language, lazily and once; thread-safe."""

    def __init__(self, config: ModelConfig | None = None) -> None:
        self.config = config or ModelConfig()
        self._models: dict[str, LoadedModel | None] = {}
        self._lock = threading.Lock()

    def resolve(self, lang: str) -> str | None:
        """The first configured and installed model name for `lang`, or None."""
        for name in self.config.models.get(lang, ()):
            if installed(name):
                return name
        return None

    def get(self, lang: str) -> LoadedModel | None:
        """The NER-only model for `lang`, loading it on first use; None when there is none."""
        if lang in self._models:
            return self._models[lang]
        with self._lock:
            if lang not in self._models:
                self._models[lang] = self._load(lang)
        return self._models[lang]

    def _load(self, lang: str) -> LoadedModel | None:
        name = self.resolve(lang)
        if name is None:
            tried = self.config.models.get(lang, ())
            if tried:  # configured but not installed: say so once, or its stories quietly lose their entities
                log.warning(
                    "no spaCy model installed for %r (tried %s): its stories get no entities or quotes",
                    lang,
                    ", ".join(tried),
                )
            return None
        started = time.perf_counter()
        config = model_config(name)
        keep = ner_components(config)
        drop = [pipe for pipe in config["nlp"]["pipeline"] if pipe not in keep]
        nlp = spacy.load(name, exclude=drop)
        nlp.max_length = max(nlp.max_length, self.config.max_chars + 1)
        elapsed = time.perf_counter() - started
        log.info("loaded spaCy model %s for %s (pipes %s) in %.2fs", name, lang, nlp.pipe_names, elapsed)
        return LoadedModel(name=name, nlp=nlp, load_seconds=elapsed)

    def loaded(self) -> dict[str, LoadedModel]:
        return {lang: m for lang, m in self._models.items() if m is not None}
