"""Update and correction signals an agency gives outside a structured field.

G2 has `signal` qcodes (`sig:update`, `sig:correction`; Reuters `edStat:U`/`edStat:C`), but NITF, NewsML 1.2
and feeds mark the same thing in words: `CORRECTED-` or `UPDATE 2-` before a headline, `(Berichtigung)` after
it, an editor's note `Eds: CORRECTS spelling of ...`, AP's `2nd Ld-Writethru` slug. The words and codes are
data (`resources/formats/signals.json`), one list for every language, since a headline in German may carry an
English slug.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from pipeline.formats.base import Signal


@dataclass(frozen=True, slots=True)
class SignalWords:
    """Compiled markers: at a headline's start or in parentheses, anywhere in a note, and qcodes."""

    headline: dict[Signal, re.Pattern[str]]
    note: dict[Signal, re.Pattern[str]]
    writethru: re.Pattern[str]
    qcodes: dict[str, Signal]


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@lru_cache(maxsize=1)
def load_signal_words() -> SignalWords:
    """The markers from `resources/formats/signals.json` (read once per process)."""
    text = resources.files("pipeline.resources.formats").joinpath("signals.json").read_text("utf-8")
    data = json.loads(text)
    headline: dict[Signal, re.Pattern[str]] = {}
    note: dict[Signal, re.Pattern[str]] = {}
    for kind in ("update", "correction"):
        signal: Signal = "update" if kind == "update" else "correction"
        words = _alternation(data[kind])
        headline[signal] = re.compile(rf"^\W*(?:{words})(?!\w)|\(\s*(?:{words})\s*\)", re.I)
        note[signal] = re.compile(rf"(?<!\w)(?:{words})(?!\w)", re.I)
    qcodes: dict[str, Signal] = {k.lower(): v for k, v in data["qcodes"].items()}
    return SignalWords(headline, note, re.compile(data["writethru"], re.I), qcodes)


def signals_from(
    *,
    headlines: Iterable[str | None] = (),
    notes: Iterable[str | None] = (),
    qcodes: Iterable[str | None] = (),
    words: SignalWords | None = None,
) -> list[Signal]:
    """The signals found in headlines/slugs, editor's notes and signal codes, in a fixed order."""
    words = words or load_signal_words()
    found: set[Signal] = set()
    for code in qcodes:
        if code and (signal := words.qcodes.get(code.strip().lower())) is not None:
            found.add(signal)
    for line in headlines:
        if line:
            found.update(s for s, pattern in words.headline.items() if pattern.search(line))
            if words.writethru.search(line):
                found.add("update")
    for line in notes:
        if line:
            found.update(s for s, pattern in words.note.items() if pattern.search(line))
            if words.writethru.search(line):
                found.add("update")
    order: tuple[Signal, ...] = ("update", "correction")
    return [s for s in order if s in found]


def writethru_version(*texts: str | None, words: SignalWords | None = None) -> int | None:
    """The version a writethru mark implies: AP's `2nd Ld-Writethru` is the story's third version."""
    words = words or load_signal_words()
    for text in texts:
        if text and (match := words.writethru.search(text)):
            return int(match.group(1)) + 1
    return None
