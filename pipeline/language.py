"""Language stage: lingua on a bounded prefix of the cleaned body, ISO 639-1 code plus confidence.

Text too short to judge, or whose best guess is weak, is `und` unless the publisher's hint names a
language we know; the hint is never trusted over a confident detection.
"""

from __future__ import annotations

import threading

from lingua import (
    IsoCode639_1,
    LanguageDetectorBuilder,
)
from lingua import (
    Language as LinguaLanguage,
)
from lingua import (
    LanguageDetector as Lingua,
)

from pipeline.config import LanguageConfig
from pipeline.records import Language


def _lingua_languages(codes: tuple[str, ...]) -> list[LinguaLanguage]:
    out = []
    for code in codes:
        iso = getattr(IsoCode639_1, code.upper(), None)
        if iso is None:
            raise ValueError(f"lingua does not know the language code {code!r}")
        out.append(LinguaLanguage.from_iso_code_639_1(iso))
    return out


class LanguageDetector:
    """Builds the lingua detector once (on first use) and answers `detect` for any text."""

    def __init__(self, config: LanguageConfig = LanguageConfig()) -> None:
        self.config = config
        self._lingua: Lingua | None = None
        self._lock = threading.Lock()
        self._known = {c.lower() for c in config.languages}

    @property
    def lingua(self) -> Lingua:
        if self._lingua is None:
            self.build()
        assert self._lingua is not None
        return self._lingua

    def build(self, *, preload: bool = False) -> None:
        """Build lingua now; `preload` loads every language model up front (a worker's start, ~4 s)
        instead of on the first story that needs them."""
        with self._lock:
            if self._lingua is None or preload:
                builder = LanguageDetectorBuilder.from_languages(*_lingua_languages(self.config.languages))
                if preload:
                    builder = builder.with_preloaded_language_models()
                self._lingua = builder.build()

    def _hinted(self, hint: str | None) -> Language:
        code = (hint or "").strip().lower().split("-")[0].split("_")[0]
        if len(code) == 2 and code in self._known:
            return Language(code, 0.0)
        return Language("und", 0.0)

    def detect(self, text: str, hint: str | None = None) -> Language:
        sample = text[: self.config.prefix_chars]
        letters = sum(1 for ch in sample if ch.isalpha())
        if letters < self.config.min_chars:
            return self._hinted(hint)
        values = self.lingua.compute_language_confidence_values(sample)
        if not values:
            return self._hinted(hint)
        best = values[0]
        if best.value < self.config.min_confidence:
            return self._hinted(hint)
        return Language(best.language.iso_code_639_1.name.lower(), round(float(best.value), 4))
