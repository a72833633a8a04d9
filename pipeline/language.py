"""Language stage: lingua on a bounded prefix of the cleaned body, ISO 639-1 code plus confidence.

Text too short to judge, mixed (its two halves confidently in different languages) or whose best guess
is weak is `und`, unless the publisher's hint names a language: the hint is used only when confident
detection is impossible, or when it is nearly as likely as the best guess (close languages such as
Danish and Bokmål on a short flash). A confident detection always beats a wrong hint.

Detection is a cascade. lingua's low-accuracy mode (trigram models only: ~70 MB for 30 languages, loaded
in a third of a second) screens every text; on text long enough (a story's prefix) whose best language
is clearly ahead it is as right as the high-accuracy mode, which lingua itself says matters below ~120
characters. Only a short text, or one whose top languages are close, is scored again in high-accuracy
mode, and then only against the screen's few candidates: lingua loads a language's 1-5-gram models
(~45 MB and ~0.3 s each) the first time a candidate set needs it, instead of every Latin-script
language's (0.7 GB, 5 s) on the second story.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence

from lingua import ConfidenceValue, IsoCode639_1, LanguageDetectorBuilder
from lingua import Language as LinguaLanguage
from lingua import LanguageDetector as Lingua

from pipeline.config import LanguageConfig
from pipeline.records import Language

UND = "und"
# every ISO 639-1 code (the record's `language.code` is one of these or "und"): a hint outside them is ignored
ISO_639_1 = frozenset(
    """aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv
    dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii
    ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk
    ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc
    sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve
    vi vo wa wo xh yi yo za zh zu""".split()
)
_LETTER = re.compile(r"[^\W\d_]")
_SENTENCE_END = re.compile(
    r"[.!?\u061f\u0964][\"'\u201d\u2019\u00bb)]*\s+|[\u3002\uff01\uff1f][\"'\u201d\u2019\u00bb)]*\s*"
)


def _lingua_languages(codes: Sequence[str]) -> list[LinguaLanguage]:
    out = []
    for code in codes:
        iso = getattr(IsoCode639_1, code.strip().upper(), None)
        if iso is None or len(code.strip()) != 2:
            raise ValueError(f"lingua does not know the language code {code!r}")
        out.append(LinguaLanguage.from_iso_code_639_1(iso))
    return out


def _is_wide(ch: str) -> bool:
    """Scripts written without spaces (Han, kana, Hangul, Thai) pack a word into one or two characters."""
    code = ord(ch)
    return (
        0x0E00 <= code <= 0x0E7F
        or 0x3040 <= code <= 0x30FF
        or 0x3400 <= code <= 0x9FFF
        or 0xAC00 <= code <= 0xD7AF
    )


def letter_weight(text: str, enough: int | None = None) -> int:
    """How much language evidence `text` holds: letters, with characters of spaceless scripts counted thrice.

    Counting stops once `enough` is reached: only short texts need the exact figure.
    """
    weight = 0
    for ch in text:
        if ch.isalpha() or unicodedata.category(ch) in ("Mn", "Mc"):
            weight += 3 if _is_wide(ch) else 1
            if enough is not None and weight >= enough:
                break
    return weight


def prefix(text: str, limit: int) -> str:
    """At most `limit` characters of `text`, cut at a space when there is one near the end."""
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", limit - 200, limit)
    return text[: cut if cut > 0 else limit]


class LanguageDetector:
    """Builds the lingua detectors on first use and answers `detect` for any text."""

    def __init__(self, config: LanguageConfig = LanguageConfig()) -> None:
        self.config = config
        self._lingua: Lingua | None = None
        self._precise: dict[frozenset[LinguaLanguage], Lingua] = {}
        self._lock = threading.Lock()
        self._known = frozenset(c.strip().lower() for c in config.languages)

    @property
    def lingua(self) -> Lingua:
        """The screening detector over every configured language, built on first use: low-accuracy
        (trigram) mode unless the cascade is off, its models loaded at build time with `preload`."""
        if self._lingua is None:
            with self._lock:
                if self._lingua is None:
                    builder = LanguageDetectorBuilder.from_languages(
                        *_lingua_languages(self.config.languages)
                    )
                    if self.config.low_accuracy or self.config.cascade:
                        builder = builder.with_low_accuracy_mode()
                    if self.config.preload:
                        builder = builder.with_preloaded_language_models()
                    self._lingua = builder.build()
        return self._lingua

    def precise(self, codes: Iterable[str]) -> Lingua:
        """A high-accuracy detector over `codes` only (cached per set). lingua keeps one copy of each
        language's models for every detector in the process, so the sets share what they have loaded."""
        languages = frozenset(_lingua_languages(sorted(set(codes))))
        detector = self._precise.get(languages)
        if detector is None:
            with self._lock:
                detector = self._precise.get(languages)
                if detector is None:
                    detector = LanguageDetectorBuilder.from_languages(*languages).build()
                    self._precise[languages] = detector
        return detector

    @property
    def high_accuracy_languages(self) -> frozenset[str]:
        """The codes whose high-accuracy models a sample has needed so far (what flashes cost in memory)."""
        return frozenset(lang.iso_code_639_1.name.lower() for group in self._precise for lang in group)

    def warm(self, codes: Sequence[str] = ()) -> None:
        """Load now what the first stories would wait for: the screen's models and the high-accuracy
        models of `codes` (the languages a deployment expects; others load when a flash needs them)."""
        lingua = self.lingua
        lingua.compute_language_confidence_values("warm")
        known = sorted(c for c in {c.strip().lower() for c in codes} if c in self._known)
        if self.config.cascade and not self.config.low_accuracy and known:
            builder = LanguageDetectorBuilder.from_languages(*_lingua_languages(known))
            builder.with_preloaded_language_models().build()  # the models stay, shared by `precise`

    def hint_code(self, hint: str | None) -> str | None:
        """The ISO 639-1 code a publisher's hint names ("fr-FR" -> "fr", "no" -> "nb"), or None (also for
        a code ISO 639-1 does not have, such as "zz" or "xx-YY")."""
        if not hint:
            return None
        code = hint.strip().lower().replace("_", "-").split("-")[0]
        code = self.config.hint_aliases.get(code, code)
        return code if code in ISO_639_1 else None

    def detect(self, text: str, hint: str | None = None) -> Language:
        first = _LETTER.search(text)  # skip a leading run of punctuation, digits or markup debris
        sample = prefix(text[first.start() :] if first else "", self.config.prefix_chars)
        hinted = self.hint_code(hint)
        if letter_weight(sample, self.config.min_chars) < self.config.min_chars:
            return Language(hinted or UND, 0.0)
        scores, mixed = self._confidences(sample, hinted)
        best, value = max(scores.items(), key=lambda kv: kv[1]) if scores else (UND, 0.0)
        if hinted is not None:
            hint_value = scores.get(hinted, 0.0)
            unsure = mixed or value < self.config.min_confidence
            if unsure or (hinted in self._known and value - hint_value <= self.config.hint_margin):
                return Language(hinted, round(hint_value, 4))
        if mixed or value < self.config.min_confidence:
            return Language(UND, round(value, 4))
        return Language(best, round(value, 4))

    def _confidences(self, sample: str, hinted: str | None = None) -> tuple[dict[str, float], bool]:
        """Confidence per language code, and whether the two halves of a long sample are confidently in
        different languages (mixed text).

        The screen scores the sample and, past `mixed_min_chars`, its two halves (detection costs time in
        proportion to length, so two halves cost what the whole would). When the sample is long and the
        screen's best language clearly ahead, those scores are the answer; otherwise the same parts are
        scored again by a high-accuracy detector over the screen's candidates: the whole's best few and
        each half's best two (a mixed text's second language can rank low on the whole), and the hint's.
        """
        config = self.config
        parts = [sample]
        cut = 0
        if len(sample) >= config.mixed_min_chars:
            cut = _middle_cut(sample)
            parts += [sample[:cut], sample[cut:]]
        values = [_scores(self.lingua.compute_language_confidence_values(part)) for part in parts]
        if config.cascade and not config.low_accuracy and not self._decisive(values, sample):
            precise = self._precise_for(values, hinted)
            if precise is not None:
                needed = [p for i, p in enumerate(parts) if i > 0 or len(sample) < config.whole_max_chars]
                scored = [_scores(precise.compute_language_confidence_values(part)) for part in needed]
                values = scored if len(needed) == len(parts) else [values[0], *scored]
        if cut == 0:
            return values[0], False
        whole, one, two = values
        mixed = bool(one and two) and _distinct(one, two, config) and _distinct(two, one, config)
        if len(sample) < config.whole_max_chars:  # short: the whole text scores better than its halves
            return whole, mixed
        share = cut / len(sample)
        merged = {code: value * share for code, value in one.items()}
        for code, value in two.items():
            merged[code] = merged.get(code, 0.0) + value * (1 - share)
        return merged, mixed

    def _decisive(self, screened: list[dict[str, float]], sample: str) -> bool:
        """Whether the screen alone may answer: a long sample whose best language clearly leads, and
        whose halves the screen does not find mixed (a short half fools trigrams alone: high accuracy
        confirms or clears it)."""
        config = self.config
        top = sorted(screened[0].values(), reverse=True)[:2] + [0.0, 0.0]
        if letter_weight(sample, config.screen_chars) < config.screen_chars:
            return False
        if top[0] - top[1] < config.screen_margin:
            return False
        if len(screened) == 3:
            one, two = screened[1:]
            return not (one and two and _distinct(one, two, config) and _distinct(two, one, config))
        return True

    def _precise_for(self, values: list[dict[str, float]], hinted: str | None) -> Lingua | None:
        """The high-accuracy detector over the screen's candidates, or None when there is only one (a
        script no other configured language uses: the screen is as good)."""
        candidates: list[str] = []
        for i, scores in enumerate(values):
            ranked = sorted(scores.items(), key=lambda kv: -kv[1])
            take = self.config.max_candidates if i == 0 else 2
            candidates += [code for code, value in ranked[:take] if value > 0.0 and code not in candidates]
        if hinted in self._known and hinted not in candidates:
            candidates.append(hinted)
        return self.precise(candidates) if len(candidates) > 1 else None


def _distinct(half: dict[str, float], other: dict[str, float], config: LanguageConfig) -> bool:
    """Whether `half` is clearly in a language other than the best guess for `other`."""
    best = max(half, key=half.__getitem__)
    rival = max(other, key=other.__getitem__)
    value = half[best]
    return best != rival and value >= config.mixed_confidence and value >= 2 * half.get(rival, 0.0)


def _middle_cut(sample: str) -> int:
    """Where to halve a sample: the sentence end nearest its middle, else the space nearest it."""
    n = len(sample)
    lo, hi = n // 4, 3 * n // 4
    ends = [m.end() for m in _SENTENCE_END.finditer(sample, lo, hi)]
    if ends:
        return min(ends, key=lambda e: abs(e - n // 2))
    space = sample.rfind(" ", lo, n // 2 + 1)
    return space if space > 0 else n // 2


def _scores(values: Sequence[ConfidenceValue]) -> dict[str, float]:
    return {v.language.iso_code_639_1.name.lower(): v.value for v in values}
